package api

import (
	"testing"

	"permafrost/internal/glacier"
)

func TestParseRange(t *testing.T) {
	type r struct {
		s, e          int64
		bad, unsatisf bool
	}
	cases := map[string]r{
		"bytes=0-1048575": {0, 99, false, false},
		"bytes=10-20":     {10, 20, false, false},
		"bytes=5-":        {5, 99, false, false},
		"bytes=-10":       {90, 99, false, false},
		"bytes=-1000":     {0, 99, false, false},
		"bytes=90-200":    {90, 99, false, false},
		"bytes=100-200":   {0, 0, false, true},
		"bytes=-0":        {0, 0, false, true},
		"bytes=5-4":       {0, 0, true, false},
		"bytes=a-b":       {0, 0, true, false},
		"bytes=0-1,3-4":   {0, 0, true, false},
		"items=0-1":       {0, 0, true, false},
		"bytes=":          {0, 0, true, false},
		"bytes=-":         {0, 0, true, false},
		"bytes=+1-2":      {0, 0, true, false},
	}
	for h, want := range cases {
		s, e, bad, uns := parseRange(h, 100)
		if bad != want.bad || uns != want.unsatisf || (!bad && !uns && (s != want.s || e != want.e)) {
			t.Errorf("%q -> %d-%d bad=%v unsatisfiable=%v, want %+v", h, s, e, bad, uns, want)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-1", "bytes=-5", "bytes=7-", "bytes=9223372036854775807-", "bytes=0-1,2-3"} {
		f.Add(s, int64(100))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		s, e, bad, uns := parseRange(h, size)
		if bad || uns {
			return
		}
		if s < 0 || e < s || e >= size {
			t.Fatalf("%q on %d -> %d-%d", h, size, s, e)
		}
	})
}

func FuzzDecodeJobParameters(f *testing.F) {
	for _, s := range []string{
		`{"Type":"archive-retrieval","ArchiveId":"x","RetrievalByteRange":"0-1048575","Tier":"Bulk"}`,
		`{"Type":"inventory-retrieval","Format":"CSV","InventoryRetrievalParameters":{"StartDate":"2013-03-20T17:03:43Z","Limit":"10","Marker":"m"}}`,
		`{"jobParameters":{"Type":"select","SelectParameters":{"Expression":"x"}}}`,
		`{"Type":"select","ArchiveId":"a","SelectParameters":{"Expression":"SELECT * FROM ARCHIVE","ExpressionType":"SQL",` +
			`"InputSerialization":{"csv":{"FileHeaderInfo":"USE","Comments":"#","QuoteEscapeCharacter":"\\","RecordDelimiter":"\n","FieldDelimiter":",","QuoteCharacter":"\""}},` +
			`"OutputSerialization":{"csv":{"QuoteFields":"ALWAYS","RecordDelimiter":"\r","FieldDelimiter":"\t"}}},` +
			`"OutputLocation":{"S3":{"BucketName":"b","Prefix":"p","CannedACL":"private","StorageClass":"STANDARD",` +
			`"Encryption":{"EncryptionType":"aws:kms","KMSKeyId":"k","KMSContext":"c"},"Tagging":{"a":"b"},"UserMetadata":{"m":"v"},` +
			`"AccessControlList":[{"Grantee":{"Type":"CanonicalUser","ID":"i","DisplayName":"d"},"Permission":"READ"}]}}}`,
		`{"Type":"select","SelectParameters":{"InputSerialization":{"csv":[]}}}`, `{"OutputLocation":{"S3":{"Tagging":{"a":1}}}}`,
		`{"OutputLocation":{"S3":{"AccessControlList":[null,{"Grantee":null}]}}}`,
		`{"Type":5}`, `{"InventoryRetrievalParameters":{"Limit":10}}`, `null`,
		`{"Type":"x","type":"y"}`, `{"SelectParameters":{"a":1,"a":2}}`, `{"jobParameters":{"Tier":"Bulk"},"JobParameters":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in jobParamsJSON
		if err := decodeJSONBytes(body, &in); err != nil {
			if glacier.ErrorCode(err) != glacier.Serialization {
				t.Fatalf("decode error with code %q: %v", glacier.ErrorCode(err), err)
			}
			return
		}
		_ = in.params() // must not panic, however deeply wrapped
	})
}
