package policy

import "testing"

const (
	vaultARN = "arn:aws:glacier:us-west-2:123456789012:vaults/examplevault"
	owner    = "123456789012"
)

type ctx = map[string][]string

// req builds a request against vaultARN from the owner account.
func req(action string, c ctx) Request {
	return Request{Action: action, Resource: vaultARN, PrincipalAccount: owner, Context: c}
}

// cond builds a one-statement Allow policy with the given Condition JSON.
func cond(c string) string {
	return `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:DeleteArchive","Resource":"*","Condition":` + c + `}]}`
}

func TestEvaluate(t *testing.T) {
	crossReq := func(action, acct string) Request {
		return Request{Action: action, Resource: "arn:aws:glacier:us-east-1:111111111111:vaults/v", PrincipalAccount: acct}
	}
	tests := []struct {
		name string
		doc  string
		req  Request
		want Decision
	}{
		// The two reference documents.
		{"age: young archive denied", docArchiveAge, req("glacier:DeleteArchive", ctx{"glacier:ArchiveAgeInDays": {"12"}}), Deny},
		{"age: old archive not denied", docArchiveAge, req("glacier:DeleteArchive", ctx{"glacier:ArchiveAgeInDays": {"365"}}), NoMatch},
		{"age: key absent", docArchiveAge, req("glacier:DeleteArchive", nil), NoMatch},
		{"age: other action", docArchiveAge, req("glacier:UploadArchive", ctx{"glacier:ArchiveAgeInDays": {"1"}}), NoMatch},
		{"age: other vault", docArchiveAge, Request{Action: "glacier:DeleteArchive", Resource: vaultARN + "2", PrincipalAccount: owner, Context: ctx{"glacier:ArchiveAgeInDays": {"1"}}}, NoMatch},
		{"age: key case-insensitive", docArchiveAge, req("glacier:DeleteArchive", ctx{"GLACIER:archiveageindays": {"364"}}), Deny},
		{"age: action case-insensitive", docArchiveAge, req("Glacier:deletearchive", ctx{"glacier:ArchiveAgeInDays": {"0"}}), Deny},
		{"age: non-numeric request value", docArchiveAge, req("glacier:DeleteArchive", ctx{"glacier:ArchiveAgeInDays": {"young"}}), NoMatch},
		{"age: empty value list is absent", docArchiveAge, req("glacier:DeleteArchive", ctx{"glacier:ArchiveAgeInDays": {}}), NoMatch},
		{"cross: exact action", docCrossAccount, crossReq("glacier:ListJobs", "999999999999"), Allow},
		{"cross: wildcard action", docCrossAccount, crossReq("glacier:DescribeVault", "999999999999"), Allow},
		{"cross: wildcard action folded", docCrossAccount, crossReq("GLACIER:describejob", "999999999999"), Allow},
		{"cross: action not listed", docCrossAccount, crossReq("glacier:DeleteArchive", "999999999999"), NoMatch},
		{"cross: other account", docCrossAccount, crossReq("glacier:ListJobs", "111111111111"), NoMatch},
		{"cross: anonymous", docCrossAccount, crossReq("glacier:ListJobs", ""), NoMatch},
		{"cross: resource case-sensitive", docCrossAccount, Request{Action: "glacier:ListJobs", Resource: "arn:aws:glacier:us-east-1:111111111111:vaults/V", PrincipalAccount: "999999999999"}, NoMatch},

		// Legal hold: tag value "true" or "" denies; the owner may tag.
		{"hold: on", docLegalHold, req("glacier:DeleteArchive", ctx{"glacier:ResourceTag/LegalHold": {"true"}}), Deny},
		{"hold: empty tag", docLegalHold, req("glacier:DeleteArchive", ctx{"glacier:ResourceTag/LegalHold": {""}}), Deny},
		{"hold: off", docLegalHold, req("glacier:DeleteArchive", ctx{"glacier:ResourceTag/LegalHold": {"false"}}), NoMatch},
		{"hold: value case-sensitive", docLegalHold, req("glacier:DeleteArchive", ctx{"glacier:ResourceTag/LegalHold": {"TRUE"}}), NoMatch},
		{"hold: untagged", docLegalHold, req("glacier:DeleteArchive", nil), NoMatch},
		{"hold: owner tags", docLegalHold, req("glacier:AddTagsToVault", nil), Allow},

		// Principals.
		{"principal account id", docReadOnly, Request{Action: "glacier:InitiateJob", Resource: "arn:aws:glacier:us-west-2:999999999999:vaults/examplevault", PrincipalAccount: "444455556666"}, Allow},
		{"principal root arn", docReadOnly, Request{Action: "glacier:GetJobOutput", Resource: "arn:aws:glacier:us-west-2:999999999999:vaults/examplevault", PrincipalAccount: owner}, Allow},
		{"principal user arn is account-wide", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"*","Resource":"*"}}`, req("glacier:ListJobs", nil), Allow},
		{"principal star matches anonymous", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, Request{Action: "glacier:ListJobs", Resource: vaultARN}, Allow},
		{"principal AWS star", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":"*"}}`, req("glacier:ListJobs", nil), Allow},
		{"service principal never matches", `{"Statement":{"Effect":"Allow","Principal":{"Service":"glacier.amazonaws.com"},"Action":"*","Resource":"*"}}`, req("glacier:ListJobs", nil), NoMatch},
		{"notprincipal excludes account", `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}}`, req("glacier:ListJobs", nil), NoMatch},
		{"notprincipal applies to others", `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}}`, Request{Action: "glacier:ListJobs", Resource: vaultARN, PrincipalAccount: "555555555555"}, Deny},

		// Actions and resources.
		{"action question mark", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"glacier:?istJobs","Resource":"*"}}`, req("glacier:ListJobs", nil), Allow},
		{"action question mark needs one char", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"glacier:?ListJobs","Resource":"*"}}`, req("glacier:ListJobs", nil), NoMatch},
		{"action glacier star", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"glacier:*","Resource":"*"}}`, req("glacier:ListJobs", nil), Allow},
		{"action other service", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, req("glacier:ListJobs", nil), NoMatch},
		{"action mid wildcard", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"glacier:*Vault*","Resource":"*"}}`, req("glacier:SetVaultAccessPolicy", nil), Allow},
		{"notaction excludes", `{"Statement":{"Effect":"Deny","Principal":"*","NotAction":["glacier:List*","glacier:Describe*"],"Resource":"*"}}`, req("glacier:ListJobs", nil), NoMatch},
		{"notaction applies", `{"Statement":{"Effect":"Deny","Principal":"*","NotAction":["glacier:List*","glacier:Describe*"],"Resource":"*"}}`, req("glacier:DeleteArchive", nil), Deny},
		{"resource wildcard", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:glacier:*:123456789012:vaults/example*"}}`, req("glacier:ListJobs", nil), Allow},
		{"resource question", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:glacier:us-west-?:123456789012:vaults/examplevaul?"}}`, req("glacier:ListJobs", nil), Allow},
		{"resource no match", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:glacier:*:123456789012:vaults/other"}}`, req("glacier:ListJobs", nil), NoMatch},
		{"notresource excludes", `{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","NotResource":"arn:aws:glacier:*:*:vaults/examplevault"}}`, req("glacier:ListJobs", nil), NoMatch},
		{"notresource applies", `{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","NotResource":"arn:aws:glacier:*:*:vaults/x"}}`, req("glacier:ListJobs", nil), Deny},

		// Deny beats Allow, whatever the order.
		{"deny after allow", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"glacier:Delete*","Resource":"*"}]}`, req("glacier:DeleteArchive", nil), Deny},
		{"deny before allow", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"glacier:Delete*","Resource":"*"},{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`, req("glacier:DeleteArchive", nil), Deny},
		{"allow when deny misses", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"glacier:Delete*","Resource":"*"}]}`, req("glacier:ListJobs", nil), Allow},

		// Conditions: absent keys.
		{"absent StringEquals", cond(`{"StringEquals":{"a:b":"x"}}`), req("glacier:DeleteArchive", nil), NoMatch},
		{"absent StringNotEquals", cond(`{"StringNotEquals":{"a:b":"x"}}`), req("glacier:DeleteArchive", nil), Allow},
		{"absent StringNotLike", cond(`{"StringNotLike":{"a:b":"x*"}}`), req("glacier:DeleteArchive", nil), Allow},
		{"absent NumericNotEquals", cond(`{"NumericNotEquals":{"a:n":1}}`), req("glacier:DeleteArchive", nil), Allow},
		{"absent NumericLessThan", cond(`{"NumericLessThan":{"a:n":1}}`), req("glacier:DeleteArchive", nil), NoMatch},
		{"absent Bool", cond(`{"Bool":{"a:t":true}}`), req("glacier:DeleteArchive", nil), NoMatch},
		{"absent StringEqualsIfExists", cond(`{"StringEqualsIfExists":{"a:b":"x"}}`), req("glacier:DeleteArchive", nil), Allow},
		{"absent NumericLessThanIfExists", cond(`{"NumericLessThanIfExists":{"a:n":1}}`), req("glacier:DeleteArchive", nil), Allow},
		{"absent BoolIfExists", cond(`{"BoolIfExists":{"a:t":true}}`), req("glacier:DeleteArchive", nil), Allow},
		{"present IfExists mismatch", cond(`{"StringEqualsIfExists":{"a:b":"x"}}`), req("glacier:DeleteArchive", ctx{"a:b": {"y"}}), NoMatch},
		{"present IfExists match", cond(`{"StringEqualsIfExists":{"a:b":"x"}}`), req("glacier:DeleteArchive", ctx{"A:B": {"x"}}), Allow},
		{"present negated IfExists", cond(`{"StringNotEqualsIfExists":{"a:b":"x"}}`), req("glacier:DeleteArchive", ctx{"a:b": {"x"}}), NoMatch},

		// Conditions: values and operators.
		{"exact-case key wins", cond(`{"StringEquals":{"a:b":"x"}}`), req("glacier:DeleteArchive", ctx{"a:b": {"x"}, "A:B": {"y"}}), Allow},
		{"folded duplicates pooled", cond(`{"StringEquals":{"a:b":"y"}}`), req("glacier:DeleteArchive", ctx{"A:b": {"x"}, "a:B": {"y"}}), Allow},
		{"folded key empty values absent", cond(`{"StringNotEquals":{"a:b":"x"}}`), req("glacier:DeleteArchive", ctx{"A:B": nil}), Allow},
		{"values OR", cond(`{"StringEquals":{"a:b":["x","y","z"]}}`), req("glacier:DeleteArchive", ctx{"a:b": {"y"}}), Allow},
		{"request values OR", cond(`{"StringEquals":{"a:b":"y"}}`), req("glacier:DeleteArchive", ctx{"a:b": {"x", "y"}}), Allow},
		{"StringNotEquals none equal", cond(`{"StringNotEquals":{"a:b":["x","y"]}}`), req("glacier:DeleteArchive", ctx{"a:b": {"z"}}), Allow},
		{"StringNotEquals one equal", cond(`{"StringNotEquals":{"a:b":["x","y"]}}`), req("glacier:DeleteArchive", ctx{"a:b": {"y"}}), NoMatch},
		{"keys AND both", cond(`{"StringEquals":{"a:b":"x","a:c":"y"}}`), req("glacier:DeleteArchive", ctx{"a:b": {"x"}, "a:c": {"y"}}), Allow},
		{"keys AND one", cond(`{"StringEquals":{"a:b":"x","a:c":"y"}}`), req("glacier:DeleteArchive", ctx{"a:b": {"x"}, "a:c": {"n"}}), NoMatch},
		{"operators AND", cond(`{"StringEquals":{"a:b":"x"},"NumericGreaterThan":{"a:n":5}}`), req("glacier:DeleteArchive", ctx{"a:b": {"x"}, "a:n": {"5"}}), NoMatch},
		{"operators AND both", cond(`{"StringEquals":{"a:b":"x"},"NumericGreaterThan":{"a:n":5}}`), req("glacier:DeleteArchive", ctx{"a:b": {"x"}, "a:n": {"5.5"}}), Allow},
		{"StringLike", cond(`{"StringLike":{"a:b":"arn:*:role/adm?n"}}`), req("glacier:DeleteArchive", ctx{"a:b": {"arn:aws:iam::1:role/admin"}}), Allow},
		{"StringLike case-sensitive", cond(`{"StringLike":{"a:b":"adm*"}}`), req("glacier:DeleteArchive", ctx{"a:b": {"Admin"}}), NoMatch},
		{"StringNotLike present", cond(`{"StringNotLike":{"a:b":"adm*"}}`), req("glacier:DeleteArchive", ctx{"a:b": {"user"}}), Allow},
		{"StringEquals number value", cond(`{"StringEquals":{"a:b":42}}`), req("glacier:DeleteArchive", ctx{"a:b": {"42"}}), Allow},
		{"NumericEquals", cond(`{"NumericEquals":{"a:n":"10"}}`), req("glacier:DeleteArchive", ctx{"a:n": {"10.0"}}), Allow},
		{"NumericNotEquals", cond(`{"NumericNotEquals":{"a:n":10}}`), req("glacier:DeleteArchive", ctx{"a:n": {"10"}}), NoMatch},
		{"NumericLessThanEquals", cond(`{"NumericLessThanEquals":{"a:n":10}}`), req("glacier:DeleteArchive", ctx{"a:n": {"10"}}), Allow},
		{"NumericGreaterThanEquals", cond(`{"NumericGreaterThanEquals":{"a:n":10}}`), req("glacier:DeleteArchive", ctx{"a:n": {"9"}}), NoMatch},
		{"NumericGreaterThan negative", cond(`{"NumericGreaterThan":{"a:n":-1.5}}`), req("glacier:DeleteArchive", ctx{"a:n": {"-1"}}), Allow},
		{"Bool true", cond(`{"Bool":{"aws:SecureTransport":"true"}}`), req("glacier:DeleteArchive", ctx{"aws:securetransport": {"True"}}), Allow},
		{"Bool false", cond(`{"Bool":{"aws:SecureTransport":false}}`), req("glacier:DeleteArchive", ctx{"aws:SecureTransport": {"true"}}), NoMatch},
		{"principal account condition", cond(`{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}`), req("glacier:DeleteArchive", ctx{"aws:PrincipalAccount": {owner}}), Allow},
		{"mfa deny", docMFA, req("glacier:DeleteVault", ctx{"aws:MultiFactorAuthPresent": {"false"}}), Deny},
		{"mfa present recent", docMFA, req("glacier:DeleteVault", ctx{"aws:MultiFactorAuthPresent": {"true"}, "aws:MultiFactorAuthAge": {"10"}}), NoMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.doc)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := p.Evaluate(tt.req); got != tt.want {
				t.Errorf("Evaluate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvaluateConcurrent(t *testing.T) {
	p, err := Parse(docLegalHold)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan Decision)
	for i := 0; i < 8; i++ {
		go func() {
			d := NoMatch
			for j := 0; j < 200; j++ {
				d = p.Evaluate(req("glacier:DeleteArchive", ctx{"glacier:ResourceTag/LegalHold": {"true"}}))
			}
			done <- d
		}()
	}
	for i := 0; i < 8; i++ {
		if d := <-done; d != Deny {
			t.Errorf("goroutine got %v", d)
		}
	}
}

func TestEvaluateNilPolicy(t *testing.T) {
	var p *Policy
	if got := p.Evaluate(req("glacier:ListJobs", nil)); got != NoMatch {
		t.Errorf("nil policy: %v", got)
	}
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{NoMatch: "NoMatch", Allow: "Allow", Deny: "Deny", 7: "Decision(?)"} {
		if got := d.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(d), got, want)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pat, s string
		fold   bool
		want   bool
	}{
		{"", "", false, true},
		{"*", "", false, true},
		{"a*", "a", false, true},
		{"a*b*c", "aXbYbZc", false, true},
		{"a*b*c", "aXbYbZ", false, false},
		{"*?", "", false, false},
		{"?", "é", false, true},
		{"??", "é", false, false},
		{"*é?", "xéé", false, true},
		{"a?c", "ABC", true, true},
		{"a?c", "ABC", false, false},
		{"**x", "yyx", false, true},
		{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false},
	}
	for _, tt := range tests {
		p := compilePattern(tt.pat, tt.fold)
		if got := p.match(tt.s); got != tt.want {
			t.Errorf("match(%q, %q, fold=%v) = %v, want %v", tt.pat, tt.s, tt.fold, got, tt.want)
		}
		if got := globMatch(p.lit, tt.s, tt.fold); p.kind == patGlob && got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}
