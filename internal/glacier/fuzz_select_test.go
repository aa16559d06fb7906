package glacier

import (
	"encoding/json"
	"testing"
)

// FuzzCheckSelectParams feeds decoded select parameters to the validation
// InitiateJob runs: it must answer with a Glacier error or accept, never
// panic, and accept only what has an expression that parses and a bucket.
func FuzzCheckSelectParams(f *testing.F) {
	for _, s := range []string{
		`{"SelectParameters":{"Expression":"SELECT * FROM ARCHIVE","ExpressionType":"SQL"},"OutputLocation":{"S3":{"BucketName":"bucket","Prefix":"p"}}}`,
		`{"SelectParameters":{"Expression":"SELECT COUNT(*) FROM ARCHIVE","ExpressionType":"SQL","InputSerialization":{"csv":{"FieldDelimiter":";;"}}},"OutputLocation":{"S3":{"BucketName":"bucket","Prefix":"p"}}}`,
		`{"SelectParameters":{"Expression":"SELECT _1 FROM ARCHIVE LIMIT 1","ExpressionType":"SQL","OutputSerialization":{"csv":{"QuoteFields":"X"}}},"OutputLocation":{"S3":{"BucketName":"bucket","Prefix":"p","AccessControlList":[{"Grantee":null}]}}}`,
		`{"OutputLocation":{"S3":{"Encryption":{"KMSKeyId":"k"}}}}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in struct {
			SelectParameters *SelectParameters
			OutputLocation   *OutputLocation
		}
		if json.Unmarshal(body, &in) != nil {
			return
		}
		id := "a"
		p := JobParams{Type: "select", ArchiveID: &id, Select: in.SelectParameters, Output: in.OutputLocation}
		err := checkSelectParams(&p)
		if err != nil {
			if ErrorCode(err) == "" {
				t.Fatalf("not a Glacier error: %v", err)
			}
			return
		}
		if p.Select.Expression == nil || p.Output.S3.BucketName == nil || !validBucketName(*p.Output.S3.BucketName) {
			t.Fatalf("accepted without an expression or a valid bucket: %s", body)
		}
	})
}
