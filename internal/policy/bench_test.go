package policy

import "testing"

// benchDoc is a typical three-statement vault policy: a cross-account
// allow, a legal-hold deny and an archive-age deny.
const benchDoc = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "cross-account", "Effect": "Allow",
     "Principal": {"AWS": ["arn:aws:iam::999999999999:root", "444455556666"]},
     "Action": ["glacier:ListJobs", "glacier:Describe*", "glacier:UploadArchive", "glacier:InitiateJob"],
     "Resource": "arn:aws:glacier:us-west-2:123456789012:vaults/example*"},
    {"Sid": "legal-hold", "Effect": "Deny", "Principal": "*",
     "Action": ["glacier:DeleteArchive", "glacier:RemoveTagsFromVault"],
     "Resource": "arn:aws:glacier:us-west-2:123456789012:vaults/examplevault",
     "Condition": {"StringLike": {"glacier:ResourceTag/LegalHold": ["true", ""]}}},
    {"Sid": "archive-age", "Effect": "Deny", "Principal": "*",
     "Action": "glacier:DeleteArchive",
     "Resource": "arn:aws:glacier:us-west-2:123456789012:vaults/examplevault",
     "Condition": {"NumericLessThan": {"glacier:ArchiveAgeInDays": "365"}}}
  ]
}`

func BenchmarkEvaluate(b *testing.B) {
	p, err := Parse(benchDoc)
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		req  Request
		want Decision
	}{
		{"allow-cross-account", Request{Action: "glacier:DescribeVault", Resource: vaultARN, PrincipalAccount: "999999999999",
			Context: map[string][]string{"aws:PrincipalAccount": {"999999999999"}}}, Allow},
		{"deny-archive-age", Request{Action: "glacier:DeleteArchive", Resource: vaultARN, PrincipalAccount: owner,
			Context: map[string][]string{
				"glacier:ArchiveAgeInDays":      {"12"},
				"glacier:ResourceTag/LegalHold": {"false"},
				"aws:PrincipalAccount":          {owner},
			}}, Deny},
		{"nomatch-delete-old", Request{Action: "glacier:DeleteArchive", Resource: vaultARN, PrincipalAccount: owner,
			Context: map[string][]string{"glacier:ArchiveAgeInDays": {"400"}, "aws:PrincipalAccount": {owner}}}, NoMatch},
	}
	for _, c := range cases {
		if got := p.Evaluate(c.req); got != c.want {
			b.Fatalf("%s: Evaluate = %v, want %v", c.name, got, c.want)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Evaluate(c.req)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchDoc); err != nil {
			b.Fatal(err)
		}
	}
}
