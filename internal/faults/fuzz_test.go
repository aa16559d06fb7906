package faults

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// FuzzParseRule checks that any body is either refused with a
// *ParseError or gives a rule that validates again after a JSON round
// trip (what the store keeps), and never panics.
func FuzzParseRule(f *testing.F) {
	for _, s := range []string{
		`{"operations":["UploadArchive"],"count":2,"effect":{"error":{"preset":"ThrottlingException"}}}`,
		`{"operations":["GetJobOutput"],"effect":{"corrupt":{"offset":3,"bytes":2},"latency":{"betweenChunks":"1ms"}}}`,
		`{"operations":["InitiateJob"],"tier":"Expedited","ttl":5,"effect":{"job":{"fail":"x","late":"1h"}}}`,
		`{"operations":["UploadMultipartPart"],"nth":2,"effect":{"reset":{"afterRequestBytes":10}}}`,
		`{"operations":["X"],"effect":{}}`, `[]`, `{"probability":2}`, `{"latency":250}`,
		`[{"service":"glacier","operation":"ListVaults","probability":0.5,"error":{"statusCode":503,"code":"X"}}]`,
	} {
		f.Add([]byte(s))
	}
	now := time.Unix(1700000000, 0)
	f.Fuzz(func(t *testing.T, b []byte) {
		var pe *ParseError
		if _, err := ParseLocalStackFaults(b); err != nil && !errors.As(err, &pe) {
			t.Fatalf("localstack error %v is not a *ParseError", err)
		}
		if _, err := ParseLocalStackEffects(b); err != nil && !errors.As(err, &pe) {
			t.Fatalf("localstack effects error %v is not a *ParseError", err)
		}
		r, err := ParseRule(b, now)
		if err != nil {
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back Rule
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("round trip of %s: %v", out, err)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("round trip of %s no longer validates: %v", out, err)
		}
		if e := r.Effect.Error; e != nil {
			if _, st, _, _ := e.Resolved(nil); st < 400 || st > 599 {
				t.Fatalf("status %d", st)
			}
		}
	})
}
