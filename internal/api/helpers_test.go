package api_test

// Helpers shared by the integration suites of this package: control plane
// (cp_*_test.go), data plane (dp_*_test.go), jobs (jb_*_test.go) and
// authentication (au_*_test.go). Each suite's own *_helpers_test.go keeps
// only what is particular to it and builds on these.
//
// Raw requests reach what the SDK cannot send (empty names, missing or
// wrong headers, malformed bodies, stale signatures). They carry the
// API-version header and are SigV4-signed with the SDK's own signer, so
// they keep working where signatures are verified.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
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

	"permafrost/internal/testserver"
	"permafrost/internal/treehash"
)

// The defaults of testserver.New.
const (
	testAccount   = "123456789012"
	testRegion    = "us-east-1"
	testAccessKey = "AKIDPERMAFROST"
	testSecret    = "secret"

	miB = 1 << 20
)

// isoMillis is the JSON date format of every Glacier response (spec 1.5).
var isoMillis = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

// isoSeconds is the form of an inventory's dates: InventoryDate and each
// archive's CreationDate, in whole seconds.
var isoSeconds = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

// vaultARN is the ARN of account's vault name in region.
func vaultARN(region, account, name string) string {
	return "arn:aws:glacier:" + region + ":" + account + ":vaults/" + name
}

// treeHash is the SHA-256 tree hash of p as lowercase hex.
func treeHash(p []byte) string { return treehash.Sum(p).String() }

// treeHashOfParts is the tree hash of an archive made of parts (in order).
func treeHashOfParts(parts ...[]byte) string {
	hs := make([]treehash.Hash, len(parts))
	for i, p := range parts {
		hs[i] = treehash.Sum(p)
	}
	return treehash.Combine(hs).String()
}

// linearHash is the hex SHA-256 of p.
func linearHash(p []byte) string {
	s := sha256.Sum256(p)
	return hex.EncodeToString(s[:])
}

// jsonString returns v as JSON text (a string literal for a string).
func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// mustOK fails the test when err is not nil.
func mustOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// httpStatus returns the HTTP status of a successful SDK call.
func httpStatus(t *testing.T, md middleware.Metadata) int {
	t.Helper()
	raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok {
		t.Fatal("no raw HTTP response in the result metadata")
	}
	return raw.StatusCode
}

// wantStatus asserts the HTTP status of a successful SDK call.
func wantStatus(t *testing.T, md middleware.Metadata, want int) {
	t.Helper()
	if got := httpStatus(t, md); got != want {
		t.Errorf("HTTP status = %d, want %d", got, want)
	}
}

// msgMatch is how an error message is held against the wanted one; a
// wanted message "" is never checked.
type msgMatch bool

const (
	msgEqual    msgMatch = false // the message is the wanted one
	msgContains msgMatch = true  // the message contains the wanted one
)

// check records a test error unless got matches want.
func (m msgMatch) check(t *testing.T, what, got, want string) bool {
	t.Helper()
	switch {
	case want == "":
		return true
	case m == msgContains && !strings.Contains(got, want):
		t.Errorf("%s = %q, want it to contain %q", what, got, want)
		return false
	case m == msgEqual && got != want:
		t.Errorf("%s = %q, want %q", what, got, want)
		return false
	}
	return true
}

// wantAPIError checks that err is a Glacier error of the SDK with HTTP
// status and code (unless code is "") and message msg (unless msg is "").
// It records a test error for each mismatch and reports whether everything
// matched.
func wantAPIError(t *testing.T, err error, status int, code, msg string) bool {
	t.Helper()
	return checkAPIError(t, err, status, code, msg, msgEqual)
}

// wantAPIErrorContaining is wantAPIError with a message that contains msg.
func wantAPIErrorContaining(t *testing.T, err error, status int, code, msg string) bool {
	t.Helper()
	return checkAPIError(t, err, status, code, msg, msgContains)
}

// requireAPIError is wantAPIError that stops the test on a mismatch.
func requireAPIError(t *testing.T, err error, status int, code, msg string) {
	t.Helper()
	if !wantAPIError(t, err, status, code, msg) {
		t.FailNow()
	}
}

func checkAPIError(t *testing.T, err error, status int, code, msg string, match msgMatch) bool {
	t.Helper()
	if err == nil {
		t.Errorf("got no error, want %d %s %q", status, code, msg)
		return false
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("error is not an API error: %v", err)
		return false
	}
	ok := true
	if code != "" && ae.ErrorCode() != code {
		t.Errorf("error code = %q, want %q (message %q)", ae.ErrorCode(), code, ae.ErrorMessage())
		ok = false
	}
	ok = match.check(t, "error message", ae.ErrorMessage(), msg) && ok
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Errorf("error carries no HTTP response: %v", err)
		return false
	}
	if re.HTTPStatusCode() != status {
		t.Errorf("HTTP status = %d, want %d (%s: %s)", re.HTTPStatusCode(), status, ae.ErrorCode(), ae.ErrorMessage())
		ok = false
	}
	return ok
}

// rawResp is a response to a raw request, body read.
type rawResp struct {
	Status int
	Header http.Header
	Body   []byte
}

// wireError is the JSON error envelope of spec 1.4.
type wireError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Type    string `json:"type"`
}

// wantRawError checks that a raw response is a JSON Glacier error (spec
// 1.4) with HTTP status, code (unless "") and message msg (unless ""): a
// Content-Type of application/json, an envelope of exactly code, message
// and type, none of code and message empty, type Client (Server for a 5xx
// status) and no x-amzn-ErrorType header (real Glacier sends none). It
// records a test error for each mismatch and reports whether everything
// matched.
func wantRawError(t *testing.T, r rawResp, status int, code, msg string) bool {
	t.Helper()
	return checkRawError(t, r, status, code, msg, msgEqual)
}

// wantRawErrorContaining is wantRawError with a message that contains msg.
func wantRawErrorContaining(t *testing.T, r rawResp, status int, code, msg string) bool {
	t.Helper()
	return checkRawError(t, r, status, code, msg, msgContains)
}

// requireRawError is wantRawError that stops the test on a mismatch.
func requireRawError(t *testing.T, r rawResp, status int, code, msg string) {
	t.Helper()
	if !wantRawError(t, r, status, code, msg) {
		t.FailNow()
	}
}

func checkRawError(t *testing.T, r rawResp, status int, code, msg string, match msgMatch) bool {
	t.Helper()
	ok := true
	if r.Status != status {
		t.Errorf("HTTP status = %d, want %d (body %s)", r.Status, status, r.Body)
		ok = false
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
		ok = false
	}
	var e wireError
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Errorf("error body is not the JSON envelope: %v: %q", err, r.Body)
		return false
	}
	if code != "" && e.Code != code {
		t.Errorf("code = %q, want %q (message %q)", e.Code, code, e.Message)
		ok = false
	}
	if e.Code == "" || e.Message == "" {
		t.Errorf("error envelope lacks code or message: %s", r.Body)
		ok = false
	}
	ok = match.check(t, "message", e.Message, msg) && ok
	wantType := "Client"
	if status >= 500 {
		wantType = "Server"
	}
	if e.Type != wantType {
		t.Errorf("type = %q, want %q", e.Type, wantType)
		ok = false
	}
	if et, sent := r.Header["X-Amzn-Errortype"]; sent {
		t.Errorf("x-amzn-ErrorType = %q sent; real Glacier sends none", et)
		ok = false
	}
	return ok
}

// newRawRequest builds a request for srv with the API-version header;
// path is already escaped, with any query.
func newRawRequest(tb testing.TB, srv *testserver.Server, method, path string, body []byte) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(method, srv.Endpoint+path, bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("building %s %s: %v", method, path, err)
	}
	req.Header.Set("x-amz-glacier-version", "2012-06-01")
	return req
}

// signRequest signs req for Glacier in region with the given key at time
// when, vouching for the payload hash payload.
func signRequest(tb testing.TB, req *http.Request, key, secret, region, payload string, when time.Time) {
	tb.Helper()
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(tb.Context(), creds, req, payload, "glacier", region, when); err != nil {
		tb.Fatalf("signing: %v", err)
	}
}

// payloadHash is what a verifying server takes as the payload hash of req
// with body: its x-amz-content-sha256 header when set, else sha256(body).
func payloadHash(req *http.Request, body []byte) string {
	if h := req.Header.Get("x-amz-content-sha256"); h != "" {
		return h
	}
	return linearHash(body)
}

// doRaw sends req and reads the response.
func doRaw(tb testing.TB, req *http.Request) rawResp {
	tb.Helper()
	resp, err := http.DefaultClient.Do(req.WithContext(tb.Context()))
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return rawResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// rawConfig is a raw request being built.
type rawConfig struct {
	req         *http.Request
	key, secret string
	region      string // of the signature's credential scope
}

// rawOpt adjusts a raw request before it is signed.
type rawOpt func(*rawConfig)

// withHeader sets a header.
func withHeader(name, value string) rawOpt {
	return func(c *rawConfig) { c.req.Header.Set(name, value) }
}

// withoutHeader removes a header (e.g. x-amz-glacier-version).
func withoutHeader(name string) rawOpt {
	return func(c *rawConfig) { c.req.Header.Del(name) }
}

// withHeaders sets headers; a "" value removes the header.
func withHeaders(h map[string]string) rawOpt {
	return func(c *rawConfig) {
		for k, v := range h {
			if v == "" {
				c.req.Header.Del(k)
			} else {
				c.req.Header.Set(k, v)
			}
		}
	}
}

// withKey signs the request with another access key.
func withKey(key, secret string) rawOpt {
	return func(c *rawConfig) { c.key, c.secret = key, secret }
}

// withRegion signs the request for another region.
func withRegion(region string) rawOpt {
	return func(c *rawConfig) { c.region = region }
}

// rawRequest sends method path (already escaped, with any query) to srv
// with body, the API-version header and a SigV4 signature of the default
// credentials, now, over payloadHash; opts adjust it before it is signed.
func rawRequest(t *testing.T, srv *testserver.Server, method, path string, body []byte, opts ...rawOpt) rawResp {
	t.Helper()
	cfg := rawConfig{
		req: newRawRequest(t, srv, method, path, body),
		key: testAccessKey, secret: testSecret, region: testRegion,
	}
	for _, o := range opts {
		o(&cfg)
	}
	signRequest(t, cfg.req, cfg.key, cfg.secret, cfg.region, payloadHash(cfg.req, body), time.Now())
	return doRaw(t, cfg.req)
}

// createVault creates a vault in the caller's own account or fails the
// test.
func createVault(t *testing.T, c *glacier.Client, name string) {
	t.Helper()
	_, err := c.CreateVault(t.Context(), &glacier.CreateVaultInput{VaultName: aws.String(name)})
	mustOK(t, "CreateVault "+name, err)
}

// uploadArchive uploads body (SDK-computed checksums) to account's vault
// ("" for the caller's own) with description desc unless "". When the
// upload succeeds, it checks the returned tree hash.
func uploadArchive(t *testing.T, c *glacier.Client, account, vault, desc string, body []byte) (*glacier.UploadArchiveOutput, error) {
	t.Helper()
	in := &glacier.UploadArchiveInput{VaultName: aws.String(vault), Body: bytes.NewReader(body)}
	if account != "" {
		in.AccountId = aws.String(account)
	}
	if desc != "" {
		in.ArchiveDescription = aws.String(desc)
	}
	out, err := c.UploadArchive(t.Context(), in)
	if err != nil {
		return nil, err
	}
	if got, want := aws.ToString(out.Checksum), treeHash(body); got != want {
		t.Errorf("UploadArchive checksum = %q, want %q", got, want)
	}
	return out, nil
}

// mustUpload uploads body to the caller's own vault or fails the test.
func mustUpload(t *testing.T, c *glacier.Client, vault string, body []byte) *glacier.UploadArchiveOutput {
	t.Helper()
	out, err := uploadArchive(t, c, "", vault, "", body)
	mustOK(t, fmt.Sprintf("UploadArchive(%d bytes) to %s", len(body), vault), err)
	return out
}

// logRecord is one captured log record: its message and attributes.
type logRecord struct {
	level slog.Level
	msg   string
	attrs map[string]string
}

// logCapture is an slog.Handler that keeps every record.
type logCapture struct {
	mu      sync.Mutex
	records []logRecord
}

func (c *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (c *logCapture) Handle(_ context.Context, r slog.Record) error {
	rec := logRecord{level: r.Level, msg: r.Message, attrs: map[string]string{}}
	r.Attrs(func(a slog.Attr) bool { rec.attrs[a.Key] = a.Value.String(); return true })
	c.mu.Lock()
	c.records = append(c.records, rec)
	c.mu.Unlock()
	return nil
}
func (c *logCapture) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *logCapture) WithGroup(string) slog.Handler      { return c }

// errors returns the records at Error level or above: a panic or an
// error the handler does not know.
func (c *logCapture) errors() []logRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []logRecord
	for _, r := range c.records {
		if r.level >= slog.LevelError {
			out = append(out, r)
		}
	}
	return out
}

// find returns the first record with message msg and attribute op.
func (c *logCapture) find(msg, op string) (logRecord, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.records {
		if r.msg == msg && r.attrs["op"] == op {
			return r, true
		}
	}
	return logRecord{}, false
}

// wireExchange sends a signed request on a TCP connection of its own and
// returns the response's header names exactly as they arrived (net/http's
// client canonicalizes them) with the parsed response.
func wireExchange(t *testing.T, srv *testserver.Server, method, path string, headers map[string]string, body []byte) ([]string, rawResp) {
	t.Helper()
	req := newRawRequest(t, srv, method, path, body)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.Close = true
	signRequest(t, req, testAccessKey, testSecret, testRegion, payloadHash(req, body), time.Now())
	conn, err := net.DialTimeout("tcp", req.URL.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if err := req.Write(conn); err != nil {
		t.Fatalf("writing %s %s: %v", method, path, err)
	}
	raw, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("reading the response to %s %s: %v", method, path, err)
	}
	head, _, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("no end of headers in %q", raw)
	}
	var names []string
	for _, line := range strings.Split(string(head), "\r\n")[1:] {
		name, _, _ := strings.Cut(line, ":")
		names = append(names, name)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), req)
	if err != nil {
		t.Fatalf("parsing the response: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return names, rawResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// canonicalHeaders adds the canonical form of every header name of a
// recorded response, so that Get finds the lower-case names the server
// writes (a client canonicalizes them as it reads).
func canonicalHeaders(h http.Header) {
	for k, v := range h {
		if c := http.CanonicalHeaderKey(k); c != k {
			h[c] = v
		}
	}
}
