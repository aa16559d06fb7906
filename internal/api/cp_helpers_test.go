package api_test

// Shared helpers of the control-plane integration suite (cp_*_test.go). The
// suite drives a real permafrost HTTP server through the real aws-sdk-go-v2
// Glacier client; the raw helpers below reach what the SDK cannot send
// (empty names, missing headers, malformed bodies). The helpers shared with
// the other suites are in helpers_test.go.

import (
	"testing"
	"time"

	"permafrost/internal/testserver"
)

// cpOtherAccount is a well-formed account ID that is not the caller's.
const cpOtherAccount = "111111111111"

// newCP starts a fresh server for one test.
func newCP(t *testing.T) *testserver.Server {
	t.Helper()
	return testserver.New(t)
}

// cpRaw sends method path (already escaped, with any query) to srv with a
// text body, signed like rawRequest.
func cpRaw(t *testing.T, srv *testserver.Server, method, path, body string, opts ...rawOpt) rawResp {
	t.Helper()
	return rawRequest(t, srv, method, path, []byte(body), opts...)
}

// cpWantRawStatus asserts the status of a raw response.
func cpWantRawStatus(t *testing.T, r rawResp, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("HTTP status = %d, want %d (body %s)", r.Status, status, r.Body)
	}
}

// cpParseISO parses a Glacier JSON date after checking its format.
func cpParseISO(t *testing.T, field string, s *string) time.Time {
	t.Helper()
	if s == nil {
		t.Fatalf("%s is null", field)
	}
	if !isoMillis.MatchString(*s) {
		t.Fatalf("%s = %q, not ISO 8601 with milliseconds and Z", field, *s)
	}
	tm, err := time.Parse("2006-01-02T15:04:05.000Z", *s)
	if err != nil {
		t.Fatalf("%s = %q: %v", field, *s, err)
	}
	return tm
}

// cpPolicy is a small, valid IAM policy document.
const cpPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"deny-delete","Principal":"*",` +
	`"Effect":"Deny","Action":"glacier:DeleteArchive","Resource":"arn:aws:glacier:us-east-1:123456789012:vaults/v"}]}`

// cpTopic is a well-formed SNS topic ARN.
const cpTopic = "arn:aws:sns:us-east-1:123456789012:mytopic"
