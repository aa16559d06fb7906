package api_test

// Shared helpers of the control-plane integration suite (cp_*_test.go). The
// suite drives a real permafrost HTTP server through the real aws-sdk-go-v2
// Glacier client; the raw helpers below reach what the SDK cannot send
// (empty names, missing headers, malformed bodies). Raw requests are signed
// with SigV4 like the SDK's, so they keep working once signatures are
// verified.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"permafrost/permafrosttest"
)

// The defaults of permafrosttest.New.
const (
	cpAccount   = "123456789012"
	cpRegion    = "us-east-1"
	cpAccessKey = "AKIDPERMAFROST"
	cpSecret    = "secret"
	// cpOtherAccount is a well-formed account ID that is not the caller's.
	cpOtherAccount = "111111111111"
)

// cpISOMillis is the JSON date format of every Glacier response (spec 1.5).
var cpISOMillis = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

// newCP starts a fresh server for one test.
func newCP(t *testing.T) *permafrosttest.Server {
	t.Helper()
	return permafrosttest.New(t)
}

// cpVaultARN is the ARN of a vault of the default account.
func cpVaultARN(region, name string) string {
	return "arn:aws:glacier:" + region + ":" + cpAccount + ":vaults/" + name
}

// cpCreateVault creates a vault of the default account or fails the test.
func cpCreateVault(t *testing.T, c *glacier.Client, name string) {
	t.Helper()
	if _, err := c.CreateVault(t.Context(), &glacier.CreateVaultInput{VaultName: aws.String(name)}); err != nil {
		t.Fatalf("CreateVault(%q): %v", name, err)
	}
}

// cpOK fails the test when err is not nil.
func cpOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// cpWantErr asserts that err is a Glacier error with the given HTTP
// status and code, and with message msg unless msg is "".
func cpWantErr(t *testing.T, err error, status int, code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %d %s", status, code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error is not an API error: %v", err)
	}
	if ae.ErrorCode() != code {
		t.Errorf("error code = %q, want %q (message %q)", ae.ErrorCode(), code, ae.ErrorMessage())
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Errorf("error message = %q, want %q", ae.ErrorMessage(), msg)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error carries no HTTP response: %v", err)
	}
	if re.HTTPStatusCode() != status {
		t.Errorf("HTTP status = %d, want %d (%s)", re.HTTPStatusCode(), status, code)
	}
}

// cpHTTPStatus returns the HTTP status of a successful SDK call.
func cpHTTPStatus(t *testing.T, md middleware.Metadata) int {
	t.Helper()
	raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok {
		t.Fatal("no raw HTTP response in the result metadata")
	}
	return raw.StatusCode
}

// cpWantStatus asserts the HTTP status of a successful SDK call.
func cpWantStatus(t *testing.T, md middleware.Metadata, want int) {
	t.Helper()
	if got := cpHTTPStatus(t, md); got != want {
		t.Errorf("HTTP status = %d, want %d", got, want)
	}
}

// cpRawResp is a response to a raw request, body read.
type cpRawResp struct {
	Status int
	Header http.Header
	Body   []byte
}

// cpRawCfg is a raw request being built.
type cpRawCfg struct {
	req    *http.Request
	region string // of the signature's credential scope
}

// cpRawOpt adjusts a raw request before it is signed.
type cpRawOpt func(*cpRawCfg)

// cpWithoutHeader removes a header (e.g. x-amz-glacier-version).
func cpWithoutHeader(name string) cpRawOpt {
	return func(c *cpRawCfg) { c.req.Header.Del(name) }
}

// cpWithHeader sets a header.
func cpWithHeader(name, value string) cpRawOpt {
	return func(c *cpRawCfg) { c.req.Header.Set(name, value) }
}

// cpWithRegion signs the request for another region.
func cpWithRegion(region string) cpRawOpt {
	return func(c *cpRawCfg) { c.region = region }
}

// cpRaw sends method path (already escaped, with any query) to srv with body,
// the API-version header and a SigV4 signature of the default credentials.
func cpRaw(t *testing.T, srv *permafrosttest.Server, method, path, body string, opts ...cpRawOpt) cpRawResp {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.Endpoint+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("building %s %s: %v", method, path, err)
	}
	req.Header.Set("x-amz-glacier-version", "2012-06-01")
	cfg := cpRawCfg{req: req, region: cpRegion}
	for _, o := range opts {
		o(&cfg)
	}
	region := cfg.region
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: cpAccessKey, SecretAccessKey: cpSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "glacier", region, time.Now()); err != nil {
		t.Fatalf("signing %s %s: %v", method, path, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return cpRawResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// cpWireErr is the JSON error envelope of spec 1.4.
type cpWireErr struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Type    string `json:"type"`
}

// cpWantRawErr asserts a raw response is a JSON Glacier error with status
// and code (and message unless ""), with matching x-amzn-ErrorType.
func cpWantRawErr(t *testing.T, r cpRawResp, status int, code, msg string) cpWireErr {
	t.Helper()
	if r.Status != status {
		t.Errorf("HTTP status = %d, want %d (body %s)", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var e cpWireErr
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error body is not the JSON envelope: %v: %s", err, r.Body)
	}
	if code != "" && e.Code != code {
		t.Errorf("code = %q, want %q (message %q)", e.Code, code, e.Message)
	}
	if e.Code == "" || e.Message == "" {
		t.Errorf("error envelope lacks code or message: %s", r.Body)
	}
	if msg != "" && e.Message != msg {
		t.Errorf("message = %q, want %q", e.Message, msg)
	}
	wantType := "Client"
	if status >= 500 {
		wantType = "Server"
	}
	if e.Type != wantType {
		t.Errorf("type = %q, want %q", e.Type, wantType)
	}
	if et := r.Header.Get("x-amzn-ErrorType"); et != e.Code {
		t.Errorf("x-amzn-ErrorType = %q, want %q", et, e.Code)
	}
	return e
}

// cpWantRawStatus asserts the status of a raw response.
func cpWantRawStatus(t *testing.T, r cpRawResp, status int) {
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
	if !cpISOMillis.MatchString(*s) {
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

// cpJSONString returns s as a JSON string literal.
func cpJSONString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
