package policy

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that it either returns a policy
// or a "policy: "-prefixed error, and that a parsed policy evaluates a few
// fixed requests without panicking and deterministically.
func FuzzParse(f *testing.F) {
	seeds := []string{
		docArchiveAge, docCrossAccount, docLegalHold, docReadOnly, docMFA,
		``, `{}`, `[]`, `null`, `{"Statement":[]}`,
		`{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`,
		`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["123456789012","arn:aws:iam::123456789012:role/r"]},"NotAction":"glacier:?et*","NotResource":"arn:aws:glacier:*:*:vaults/*"}}`,
		cond(`{"StringNotLikeIfExists":{"glacier:ResourceTag/LegalHold":["t*e","?"]},"NumericGreaterThanEquals":{"glacier:ArchiveAgeInDays":[1,"2.5e1"]}}`),
		cond(`{"BoolIfExists":{"aws:SecureTransport":"FALSE"},"NumericNotEquals":{"a:n":-0}}`),
		cond(`{"ForAnyValue:StringEquals":{"a:b":"c"}}`),
		`{"Statement":[{"Effect":"Allow","Principal":{"Service":"x"},"Action":"glacier:*","Resource":"*","Condition":{}}]}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	reqs := []Request{
		{Action: "glacier:DeleteArchive", Resource: vaultARN, PrincipalAccount: owner,
			Context: map[string][]string{
				"glacier:ArchiveAgeInDays":      {"12"},
				"glacier:ResourceTag/LegalHold": {"true"},
				"aws:PrincipalAccount":          {owner},
				"aws:SecureTransport":           {"true"},
				"A:N":                           {"x", "3"},
				"a:b":                           {},
			}},
		{Action: "glacier:ListJobs", Resource: "arn:aws:glacier:us-east-1:111111111111:vaults/v"},
	}
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := Parse(doc)
		if err != nil {
			if p != nil {
				t.Fatalf("Parse returned both a policy and error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "policy: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			return
		}
		if p.Len() == 0 {
			t.Fatal("parsed policy has no statements")
		}
		for _, r := range reqs {
			d := p.Evaluate(r)
			if d != NoMatch && d != Allow && d != Deny {
				t.Fatalf("Evaluate = %d", int(d))
			}
			if again := p.Evaluate(r); again != d {
				t.Fatalf("Evaluate not deterministic: %v then %v", d, again)
			}
		}
	})
}
