package api_test

// Shared helpers of the authentication and authorization suite
// (au_*_test.go, issue 6 "Who may do what"). The suite drives a real
// permafrost server with signature verification switched on (a credentials
// file of three accounts) through the real aws-sdk-go-v2 Glacier client;
// raw requests (helpers_test.go) are signed with the SDK's own SigV4 signer
// to reach what the client cannot send (no signature, a stale one, a lying
// payload hash).

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/config"
	"permafrost/internal/testserver"
)

// The accounts of the credentials file every au test server loads.
const (
	auAlice       = "111111111111"
	auAliceKey    = "AKIDALICE"
	auAliceSecret = "alice-secret-key"
	auBob         = "222222222222"
	auBobKey      = "AKIDBOB"
	auBobSecret   = "bob-secret-key"
	auCarol       = "333333333333"
	auCarolKey    = "AKIDCAROL"
	auCarolSecret = "carol-secret-key"

	// The administrator of newAuthAdmin's servers: an account like the
	// others whose credential line ends in "admin".
	auAdmin       = "444444444444"
	auAdminKey    = "AKIDADMIN"
	auAdminSecret = "admin-secret-key"
)

// auServer is a server verifying signatures, with a client per account.
type auServer struct {
	*testserver.Server
	alice, bob, carol *glacier.Client
}

// auWriteCredentials writes the three-account credentials file, followed
// by the extra lines.
func auWriteCredentials(tb testing.TB, extra ...string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "credentials")
	text := "# permafrost test accounts\n" +
		auAliceKey + " " + auAliceSecret + " " + auAlice + "\n\n" +
		auBobKey + "\t" + auBobSecret + "\t" + auBob + "\n" +
		auCarolKey + " " + auCarolSecret + " " + auCarol + "\n"
	for _, l := range extra {
		text += l + "\n"
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		tb.Fatalf("writing credentials: %v", err)
	}
	return path
}

// newAuth starts a server with signatures on and no administrator.
func newAuth(tb testing.TB) *auServer {
	tb.Helper()
	return newAuthWith(tb, auWriteCredentials(tb))
}

// auStores runs fn on a server of each embedded store, in memory and on
// disk (bbolt), where Alice owns auAliceVault.
func auStores(t *testing.T, fn func(t *testing.T, srv *auServer)) {
	for _, durable := range []bool{false, true} {
		t.Run(map[bool]string{false: "memory", true: "disk"}[durable], func(t *testing.T) {
			srv := newAuthWith(t, auWriteCredentials(t), func(c *config.Config) {
				if durable {
					c.Memory, c.DataDir = false, t.TempDir()
				}
			})
			createVault(t, srv.alice, auAliceVault)
			fn(t, srv)
		})
	}
}

// newAuthAdmin starts a server with signatures on whose credentials file
// also holds an administrator (auAdminKey).
func newAuthAdmin(tb testing.TB) *auServer {
	tb.Helper()
	return newAuthWith(tb, auWriteCredentials(tb, "# the emulator's administrator",
		auAdminKey+"  "+auAdminSecret+"  "+auAdmin+"  admin"))
}

// newAuthWith starts a server verifying signatures against the credentials
// file at path, with the configuration changed by opts.
func newAuthWith(tb testing.TB, path string, opts ...func(*config.Config)) *auServer {
	tb.Helper()
	srv := testserver.New(tb, testserver.WithConfig(func(c *config.Config) {
		c.Credentials = path
		for _, o := range opts {
			o(c)
		}
	}))
	return &auServer{
		Server: srv,
		alice:  srv.NewClient(testRegion, auAliceKey, auAliceSecret),
		bob:    srv.NewClient(testRegion, auBobKey, auBobSecret),
		carol:  srv.NewClient(testRegion, auCarolKey, auCarolSecret),
	}
}

// auDescribe describes account's vault as c's caller.
func auDescribe(t *testing.T, c *glacier.Client, account, vault string) (*glacier.DescribeVaultOutput, error) {
	t.Helper()
	return c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{AccountId: aws.String(account), VaultName: aws.String(vault)})
}

// auUpload uploads body to account's vault as c's caller.
func auUpload(t *testing.T, c *glacier.Client, account, vault string, body []byte) (string, error) {
	t.Helper()
	out, err := uploadArchive(t, c, account, vault, "", body)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ArchiveId), nil
}

// auMustUpload uploads to the caller's own vault or fails the test.
func auMustUpload(t *testing.T, c *glacier.Client, vault string, body []byte) string {
	t.Helper()
	return aws.ToString(mustUpload(t, c, vault, body).ArchiveId)
}

// auDeleteArchive deletes an archive and, when it succeeds, checks the 204.
func auDeleteArchive(t *testing.T, c *glacier.Client, account, vault, id string) error {
	t.Helper()
	out, err := c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{
		AccountId: aws.String(account), VaultName: aws.String(vault), ArchiveId: aws.String(id),
	})
	if err == nil {
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
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

// auDenied asserts a 403 AccessDeniedException.
func auDenied(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded, want 403 AccessDeniedException", what)
		return
	}
	if !wantAPIErrorContaining(t, err, http.StatusForbidden, "AccessDeniedException", "") {
		t.Errorf("(in %s)", what)
	}
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

// auEmu sends method /_permafrost/path (with any query) to srv, signed with
// key and secret now, or unsigned when key is "".
func auEmu(t *testing.T, srv *auServer, key, secret, method, path string) rawResp {
	t.Helper()
	req, err := http.NewRequest(method, srv.Endpoint+"/_permafrost/"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		signRequest(t, req, key, secret, testRegion, linearHash(nil), time.Now())
	}
	return doRaw(t, req)
}
