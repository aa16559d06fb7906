package api_test

// Shared helpers of the authentication and authorization suite
// (au_*_test.go, issue 6 "Who may do what"). The suite drives a real
// permafrost server with signature verification switched on (a credentials
// file of three accounts) through the real aws-sdk-go-v2 Glacier client;
// raw helpers sign requests with the SDK's own SigV4 signer to reach what
// the client cannot send (no signature, a stale one, a lying payload hash).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"permafrost/internal/config"
	"permafrost/internal/treehash"
	"permafrost/permafrosttest"
)

// The accounts of the credentials file every au test server loads.
const (
	auRegion = "us-east-1"

	auAlice       = "111111111111"
	auAliceKey    = "AKIDALICE"
	auAliceSecret = "alice-secret-key"
	auBob         = "222222222222"
	auBobKey      = "AKIDBOB"
	auBobSecret   = "bob-secret-key"
	auCarol       = "333333333333"
	auCarolKey    = "AKIDCAROL"
	auCarolSecret = "carol-secret-key"

	auMiB = 1 << 20
)

// auServer is a server verifying signatures, with a client per account.
type auServer struct {
	*permafrosttest.Server
	alice, bob, carol *glacier.Client
}

// auWriteCredentials writes the three-account credentials file.
func auWriteCredentials(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "credentials")
	text := "# permafrost test accounts\n" +
		auAliceKey + " " + auAliceSecret + " " + auAlice + "\n\n" +
		auBobKey + "\t" + auBobSecret + "\t" + auBob + "\n" +
		auCarolKey + " " + auCarolSecret + " " + auCarol + "\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		tb.Fatalf("writing credentials: %v", err)
	}
	return path
}

// newAuth starts a server with signatures on.
func newAuth(tb testing.TB) *auServer {
	tb.Helper()
	path := auWriteCredentials(tb)
	srv := permafrosttest.New(tb, permafrosttest.WithConfig(func(c *config.Config) { c.Credentials = path }))
	return &auServer{
		Server: srv,
		alice:  srv.NewClient(auRegion, auAliceKey, auAliceSecret),
		bob:    srv.NewClient(auRegion, auBobKey, auBobSecret),
		carol:  srv.NewClient(auRegion, auCarolKey, auCarolSecret),
	}
}

// auARN is the ARN of a vault.
func auARN(region, account, vault string) string {
	return "arn:aws:glacier:" + region + ":" + account + ":vaults/" + vault
}

// auCreate creates vault in the caller's own account or fails the test.
func auCreate(t *testing.T, c *glacier.Client, vault string) {
	t.Helper()
	_, err := c.CreateVault(t.Context(), &glacier.CreateVaultInput{VaultName: aws.String(vault)})
	auOK(t, "CreateVault "+vault, err)
}

// auDescribe describes account's vault as c's caller.
func auDescribe(t *testing.T, c *glacier.Client, account, vault string) (*glacier.DescribeVaultOutput, error) {
	t.Helper()
	return c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{AccountId: aws.String(account), VaultName: aws.String(vault)})
}

// auUpload uploads body to account's vault as c's caller.
func auUpload(t *testing.T, c *glacier.Client, account, vault string, body []byte) (string, error) {
	t.Helper()
	out, err := c.UploadArchive(t.Context(), &glacier.UploadArchiveInput{
		AccountId: aws.String(account), VaultName: aws.String(vault), Body: bytes.NewReader(body),
	})
	if err != nil {
		return "", err
	}
	if want := treehash.Sum(body).String(); aws.ToString(out.Checksum) != want {
		t.Errorf("UploadArchive checksum = %q, want %q", aws.ToString(out.Checksum), want)
	}
	return aws.ToString(out.ArchiveId), nil
}

// auMustUpload uploads to the caller's own vault or fails the test.
func auMustUpload(t *testing.T, c *glacier.Client, vault string, body []byte) string {
	t.Helper()
	id, err := auUpload(t, c, "-", vault, body)
	auOK(t, "UploadArchive "+vault, err)
	return id
}

// auDeleteArchive deletes an archive and, when it succeeds, checks the 204.
func auDeleteArchive(t *testing.T, c *glacier.Client, account, vault, id string) error {
	t.Helper()
	out, err := c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{
		AccountId: aws.String(account), VaultName: aws.String(vault), ArchiveId: aws.String(id),
	})
	if err == nil {
		auWantStatus(t, out.ResultMetadata, http.StatusNoContent)
	}
	return err
}

// auSetPolicy sets vault's access policy as its owner c.
func auSetPolicy(t *testing.T, c *glacier.Client, vault, doc string) error {
	t.Helper()
	_, err := c.SetVaultAccessPolicy(t.Context(), &glacier.SetVaultAccessPolicyInput{
		VaultName: aws.String(vault), Policy: &types.VaultAccessPolicy{Policy: aws.String(doc)},
	})
	return err
}

// auData returns n deterministic bytes.
func auData(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// auSHA256 is the hex SHA-256 of p.
func auSHA256(p []byte) string {
	s := sha256.Sum256(p)
	return hex.EncodeToString(s[:])
}

// auOK fails the test when err is not nil.
func auOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// auErr reports whether err is a Glacier error of the given status and code
// whose message contains msg; it records a test error when not.
func auErr(t *testing.T, err error, status int, code, msg string) bool {
	t.Helper()
	if err == nil {
		t.Errorf("got no error, want %d %s", status, code)
		return false
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("error is not an API error: %v", err)
		return false
	}
	ok := true
	if ae.ErrorCode() != code {
		t.Errorf("error code = %q, want %q (message %q)", ae.ErrorCode(), code, ae.ErrorMessage())
		ok = false
	}
	if !strings.Contains(ae.ErrorMessage(), msg) {
		t.Errorf("error message = %q, want it to contain %q", ae.ErrorMessage(), msg)
		ok = false
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Errorf("error carries no HTTP response: %v", err)
		return false
	}
	if re.HTTPStatusCode() != status {
		t.Errorf("HTTP status = %d, want %d (%s)", re.HTTPStatusCode(), status, code)
		ok = false
	}
	return ok
}

// auDenied asserts a 403 AccessDeniedException.
func auDenied(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded, want 403 AccessDeniedException", what)
		return
	}
	if !auErr(t, err, http.StatusForbidden, "AccessDeniedException", "") {
		t.Errorf("(in %s)", what)
	}
}

// auWantStatus asserts the HTTP status of a successful SDK call.
func auWantStatus(t *testing.T, md middleware.Metadata, want int) {
	t.Helper()
	raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok {
		t.Error("no raw HTTP response in the result metadata")
		return
	}
	if raw.StatusCode != want {
		t.Errorf("HTTP status = %d, want %d", raw.StatusCode, want)
	}
}

// auResp is a response to a raw request, body read.
type auResp struct {
	Status int
	Header http.Header
	Body   []byte
}

// auNewRequest builds a raw request with the API-version header.
func auNewRequest(t testing.TB, srv *auServer, method, path string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, srv.Endpoint+path, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("building %s %s: %v", method, path, err)
	}
	req.Header.Set("x-amz-glacier-version", "2012-06-01")
	return req
}

// auSign signs req with the given key at time when, vouching for payload.
func auSign(t testing.TB, req *http.Request, key, secret, payload string, when time.Time) {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payload, "glacier", auRegion, when); err != nil {
		t.Fatalf("signing: %v", err)
	}
}

// auDo sends req and reads the response.
func auDo(t *testing.T, req *http.Request) auResp {
	t.Helper()
	resp, err := http.DefaultClient.Do(req.WithContext(t.Context()))
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return auResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// auRawErr reports whether a raw response is a JSON error of the given
// status and code whose message contains msg; it records a test error
// when not.
func auRawErr(t *testing.T, r auResp, status int, code, msg string) bool {
	t.Helper()
	var e struct{ Code, Message, Type string }
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Errorf("status %d, body is not a JSON error: %v: %q", r.Status, err, r.Body)
		return false
	}
	ok := r.Status == status && e.Code == code && strings.Contains(e.Message, msg)
	if !ok {
		t.Errorf("got %d %s %q, want %d %s with message containing %q", r.Status, e.Code, e.Message, status, code, msg)
	}
	if et := r.Header.Get("x-amzn-ErrorType"); et != e.Code {
		t.Errorf("x-amzn-ErrorType = %q, want %q", et, e.Code)
	}
	return ok
}

// auStmt is one policy statement; Condition maps operator -> key -> value.
type auStmt struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal any                       `json:"Principal"`
	Action    any                       `json:"Action"`
	Resource  any                       `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// auPolicy returns a policy document of the statements.
func auPolicy(stmts ...auStmt) string {
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// auRoot is the AWS principal of an account's root.
func auRoot(account string) map[string]any {
	return map[string]any{"AWS": "arn:aws:iam::" + account + ":root"}
}
