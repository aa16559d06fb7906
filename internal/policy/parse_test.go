package policy

import (
	"fmt"
	"strings"
	"testing"
)

// Documents shaped after the examples in the Amazon Glacier developer guide.
const (
	docArchiveAge = `{"Version":"2012-10-17","Statement":[{"Sid":"deny-based-on-archive-age","Principal":"*","Effect":"Deny","Action":"glacier:DeleteArchive","Resource":["arn:aws:glacier:us-west-2:123456789012:vaults/examplevault"],"Condition":{"NumericLessThan":{"glacier:ArchiveAgeInDays":"365"}}}]}`

	docCrossAccount = `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::999999999999:root"]},"Action":["glacier:ListJobs","glacier:Describe*","glacier:UploadArchive"],"Resource":"arn:aws:glacier:us-east-1:111111111111:vaults/v"}]}`

	docLegalHold = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "add-tag-to-vault",
      "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
      "Effect": "Allow",
      "Action": "glacier:AddTagsToVault",
      "Resource": "arn:aws:glacier:us-west-2:123456789012:vaults/examplevault"
    },
    {
      "Sid": "deny-based-on-legal-hold",
      "Principal": "*",
      "Effect": "Deny",
      "Action": ["glacier:DeleteArchive", "glacier:RemoveTagsFromVault"],
      "Resource": "arn:aws:glacier:us-west-2:123456789012:vaults/examplevault",
      "Condition": {"StringLike": {"glacier:ResourceTag/LegalHold": ["true", ""]}}
    }
  ]
}`

	docReadOnly = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "cross-account-read",
    "Principal": {"AWS": ["arn:aws:iam::123456789012:root", "444455556666"]},
    "Effect": "Allow",
    "Action": ["glacier:InitiateJob", "glacier:GetJobOutput"],
    "Resource": ["arn:aws:glacier:us-west-2:999999999999:vaults/examplevault"]
  }]
}`

	docMFA = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "add-mfa-delete-requirement",
    "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]},
    "Effect": "Deny",
    "Action": "glacier:Delete*",
    "Resource": "arn:aws:glacier:us-west-2:123456789012:vaults/examplevault",
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": false}, "NumericGreaterThanIfExists": {"aws:MultiFactorAuthAge": 300}}
  }]
}`
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		stmts int
	}{
		{"archive age", docArchiveAge, 1},
		{"cross account", docCrossAccount, 1},
		{"legal hold", docLegalHold, 2},
		{"read only", docReadOnly, 1},
		{"mfa", docMFA, 1},
		{"single statement object", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, 1},
		{"version 2008 and id", `{"Version":"2008-10-17","Id":"x","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"*"},"NotAction":"glacier:Get*","NotResource":"arn:aws:glacier:*:*:vaults/*"}]}`, 1},
		{"aws star principal", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"glacier:*","Resource":"*"}]}`, 1},
		{"other principal types", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"glacier.amazonaws.com","Federated":["cognito-identity.amazonaws.com"],"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"glacier:ListJobs","Resource":"*"}]}`, 1},
		{"principal arns", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:user/a/b","arn:aws:iam::123456789012:role/r","arn:aws:sts::123456789012:assumed-role/r/s","arn:aws-cn:iam::123456789012:root"]},"Action":"glacier:ListJobs","Resource":"*"}]}`, 1},
		{"all operators", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:ListJobs","Resource":"*","Condition":{
			"StringEquals":{"a:b":"x"},"StringNotEquals":{"a:b":["x","y"]},"StringLike":{"a:b":"x*"},"StringNotLike":{"a:b":"?"},
			"NumericEquals":{"a:n":1},"NumericNotEquals":{"a:n":"2"},"NumericLessThan":{"a:n":-1.5},"NumericLessThanEquals":{"a:n":"1e3"},
			"NumericGreaterThan":{"a:n":[1,"2"]},"NumericGreaterThanEquals":{"a:n":0},"Bool":{"a:t":"TRUE"},
			"StringEqualsIfExists":{"a:b":123},"BoolIfExists":{"a:t":[true,"false"]},"StringNotLikeIfExists":{"a:b":true}}}]}`, 1},
		{"empty condition", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:ListJobs","Resource":"*","Condition":{}}]}`, 1},
		{"other service action", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:Get?bject","Resource":"arn:aws:s3:::bucket/*"}]}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.doc)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if p.Len() != tt.stmts {
				t.Errorf("Len = %d, want %d", p.Len(), tt.stmts)
			}
		})
	}
}

func TestParseVersionAndID(t *testing.T) {
	p, err := Parse(`{"Version":"2012-10-17","Id":"lock-1","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if p.Version() != Version2012 || p.ID() != "lock-1" {
		t.Errorf("Version, ID = %q, %q", p.Version(), p.ID())
	}
}

// stmt wraps statement members into a full document.
func stmt(members string) string { return `{"Version":"2012-10-17","Statement":[{` + members + `}]}` }

const base = `"Effect":"Allow","Principal":"*","Action":"glacier:ListJobs","Resource":"*"`

// manyKeys returns n distinct condition-key members "a:k0":"v", ....
func manyKeys(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"a:k%d":"v"`, i)
	}
	return strings.Join(parts, ",")
}

func TestParseManyKeys(t *testing.T) {
	p, err := Parse(stmt(base + `,"Condition":{"StringEquals":{` + manyKeys(40) + `}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.statements[0].conditions); got != 40 {
		t.Errorf("conditions = %d, want 40", got)
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string // substring of the error message
	}{
		{"empty", ``, "not valid JSON"},
		{"not json", `{"Statement":`, "not valid JSON"},
		{"trailing data", `{"Statement":[]} {}`, "not valid JSON"},
		{"array top level", `[{"Statement":[]}]`, "document: must be a JSON object, got an array"},
		{"string top level", `"x"`, "must be a JSON object"},
		{"missing statement", `{"Version":"2012-10-17"}`, "Statement: required"},
		{"empty statement array", `{"Statement":[]}`, "Statement: must not be an empty array"},
		{"statement string", `{"Statement":"x"}`, "Statement: must be an object or an array"},
		{"statement element not object", `{"Statement":[1]}`, "Statement[0]: must be a JSON object"},
		{"bad version", `{"Version":"2020-01-01","Statement":{` + base + `}}`, "Version: must be"},
		{"version number", `{"Version":2012,"Statement":{` + base + `}}`, "Version: must be a string"},
		{"id not string", `{"Id":1,"Statement":{` + base + `}}`, "Id: must be a string"},
		{"unknown top key", `{"Foo":1,"Statement":{` + base + `}}`, `unknown top-level element "Foo"`},
		{"lowercase top key", `{"statement":{` + base + `}}`, `unknown top-level element "statement"`},
		{"duplicate top key", `{"Statement":{` + base + `},"Statement":{` + base + `}}`, `duplicate key "Statement"`},
		{"missing effect", stmt(`"Principal":"*","Action":"*","Resource":"*"`), `Statement[0]: required element "Effect"`},
		{"bad effect", stmt(`"Effect":"allow","Principal":"*","Action":"*","Resource":"*"`), `Statement[0].Effect: must be "Allow" or "Deny"`},
		{"effect not string", stmt(`"Effect":true,"Principal":"*","Action":"*","Resource":"*"`), "Effect: must be a string"},
		{"duplicate effect", stmt(base + `,"Effect":"Deny"`), `duplicate key "Effect"`},
		{"both action and notaction", stmt(base + `,"NotAction":"glacier:Get*"`), `both "Action" and "NotAction"`},
		{"both principal and notprincipal", stmt(base + `,"NotPrincipal":"*"`), `both "Principal" and "NotPrincipal"`},
		{"both resource and notresource", stmt(base + `,"NotResource":"*"`), `both "Resource" and "NotResource"`},
		{"missing principal", stmt(`"Effect":"Allow","Action":"*","Resource":"*"`), `"Principal" or "NotPrincipal" is required`},
		{"missing action", stmt(`"Effect":"Allow","Principal":"*","Resource":"*"`), `"Action" or "NotAction" is required`},
		{"missing resource", stmt(`"Effect":"Allow","Principal":"*","Action":"*"`), `"Resource" or "NotResource" is required`},
		{"unknown statement key", stmt(base + `,"Foo":"bar"`), `Statement[0]: unknown element "Foo"`},
		{"sid not string", stmt(base + `,"Sid":5`), "Sid: must be a string"},
		{"second statement bad", `{"Statement":[{` + base + `},{"Effect":"Maybe"}]}`, "Statement[1].Effect"},
		{"bad principal string", stmt(`"Effect":"Allow","Principal":"123456789012","Action":"*","Resource":"*"`), `a string principal must be "*"`},
		{"bad principal account", stmt(`"Effect":"Allow","Principal":{"AWS":"12345"},"Action":"*","Resource":"*"`), "not \"*\", a 12-digit account ID"},
		{"bad principal arn", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:group/g"},"Action":"*","Resource":"*"`), "Principal.AWS: value 0"},
		{"wildcard principal arn", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"},"Action":"*","Resource":"*"`), "Principal.AWS"},
		{"principal account in arn", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::12345678901x:root"},"Action":"*","Resource":"*"`), "Principal.AWS"},
		{"unknown principal type", stmt(`"Effect":"Allow","Principal":{"Users":"x"},"Action":"*","Resource":"*"`), `unknown principal type "Users"`},
		{"empty principal object", stmt(`"Effect":"Allow","Principal":{},"Action":"*","Resource":"*"`), "at least one principal"},
		{"empty principal list", stmt(`"Effect":"Allow","Principal":{"AWS":[]},"Action":"*","Resource":"*"`), "Principal.AWS: must not be an empty array"},
		{"principal number", stmt(`"Effect":"Allow","Principal":5,"Action":"*","Resource":"*"`), "Principal: must be a JSON object"},
		{"action no colon", stmt(`"Effect":"Allow","Principal":"*","Action":"DeleteArchive","Resource":"*"`), `"DeleteArchive" is not "*" or "<service>:<action>"`},
		{"action empty name", stmt(`"Effect":"Allow","Principal":"*","Action":"glacier:","Resource":"*"`), "Action"},
		{"action bad char", stmt(`"Effect":"Allow","Principal":"*","Action":"glacier:Delete Archive","Resource":"*"`), "Action"},
		{"action wildcard service", stmt(`"Effect":"Allow","Principal":"*","Action":"*:List*","Resource":"*"`), "Action"},
		{"action empty string", stmt(`"Effect":"Allow","Principal":"*","Action":"","Resource":"*"`), "Action: must not be empty"},
		{"action empty array", stmt(`"Effect":"Allow","Principal":"*","Action":[],"Resource":"*"`), "Action: must not be an empty array"},
		{"action number element", stmt(`"Effect":"Allow","Principal":"*","Action":["glacier:ListJobs",7],"Resource":"*"`), "Action[1]: must be a string"},
		{"action object", stmt(`"Effect":"Allow","Principal":"*","Action":{},"Resource":"*"`), "Action: must be a string or an array"},
		{"resource not arn", stmt(`"Effect":"Allow","Principal":"*","Action":"*","Resource":"vaults/x"`), "Resource: \"vaults/x\" is not"},
		{"resource short arn", stmt(`"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:glacier:us-east-1"`), "Resource"},
		{"notresource null", stmt(`"Effect":"Allow","Principal":"*","Action":"*","NotResource":null`), "NotResource: must be a string or an array of strings, got null"},
		{"condition not object", stmt(base + `,"Condition":[]`), "Condition: must be a JSON object"},
		{"unknown operator", stmt(base + `,"Condition":{"StringEqualz":{"a:b":"c"}}`), `unsupported condition operator "StringEqualz"`},
		{"date operator", stmt(base + `,"Condition":{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`), "unsupported condition operator"},
		{"null operator", stmt(base + `,"Condition":{"Null":{"a:b":"true"}}`), "unsupported condition operator"},
		{"for any value", stmt(base + `,"Condition":{"ForAnyValue:StringEquals":{"a:b":"c"}}`), "set operators"},
		{"for all values", stmt(base + `,"Condition":{"ForAllValues:StringLike":{"a:b":"c"}}`), "set operators"},
		{"lowercase operator", stmt(base + `,"Condition":{"stringequals":{"a:b":"c"}}`), "unsupported condition operator"},
		{"non-numeric numeric value", stmt(base + `,"Condition":{"NumericLessThan":{"glacier:ArchiveAgeInDays":"one year"}}`), `numeric condition value "one year"`},
		{"numeric bool value", stmt(base + `,"Condition":{"NumericEquals":{"a:n":true}}`), "numeric condition value"},
		{"numeric hex", stmt(base + `,"Condition":{"NumericEquals":{"a:n":"0x10"}}`), "numeric condition value"},
		{"numeric nan", stmt(base + `,"Condition":{"NumericEquals":{"a:n":"NaN"}}`), "numeric condition value"},
		{"numeric overflow", stmt(base + `,"Condition":{"NumericEquals":{"a:n":1e999}}`), "numeric condition value"},
		{"numeric in list", stmt(base + `,"Condition":{"NumericEquals":{"a:n":[1,"x"]}}`), "a:n[1]: numeric condition value"},
		{"bool bad value", stmt(base + `,"Condition":{"Bool":{"a:t":"yes"}}`), "Bool value must be true or false"},
		{"bool number", stmt(base + `,"Condition":{"Bool":{"a:t":1}}`), "Bool value must be true or false"},
		{"operator block not object", stmt(base + `,"Condition":{"StringEquals":"x"}`), "Condition.StringEquals: must be a JSON object"},
		{"operator block empty", stmt(base + `,"Condition":{"StringEquals":{}}`), "at least one condition key"},
		{"condition value null", stmt(base + `,"Condition":{"StringEquals":{"a:b":null}}`), "got null"},
		{"condition value object", stmt(base + `,"Condition":{"StringEquals":{"a:b":{"c":"d"}}}`), "got an object"},
		{"condition value nested array", stmt(base + `,"Condition":{"StringEquals":{"a:b":[["c"]]}}`), "a:b[0]: condition value"},
		{"condition empty values", stmt(base + `,"Condition":{"StringEquals":{"a:b":[]}}`), "must not be an empty array"},
		{"condition key no prefix", stmt(base + `,"Condition":{"StringEquals":{"LegalHold":"true"}}`), `condition key "LegalHold"`},
		{"condition keys differ in case", stmt(base + `,"Condition":{"StringEquals":{"a:b":"x","A:B":"y"}}`), "differ only in case"},
		{"duplicate condition key", stmt(base + `,"Condition":{"Bool":{"a:b":true,"a:b":false}}`), `Statement[0].Condition.Bool: duplicate key "a:b"`},
		{"duplicate key in large object", stmt(base + `,"Condition":{"StringEquals":{` + manyKeys(20) + `,"a:k3":"x"}}`), `Condition.StringEquals: duplicate key "a:k3"`},
		{"deeply nested", `{"Statement":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, "nested more than 16 levels deep"},
		{"duplicate operator", stmt(base + `,"Condition":{"Bool":{"a:b":true},"Bool":{"a:c":true}}`), `duplicate key "Bool"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.doc)
			if err == nil {
				t.Fatalf("Parse succeeded (%d statements), want error containing %q", p.Len(), tt.want)
			}
			if !strings.HasPrefix(err.Error(), "policy: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}
