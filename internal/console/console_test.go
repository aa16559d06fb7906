package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/config"
	"permafrost/internal/testserver"
)

// client is a browser-like HTTP client of the console: a cookie jar and
// the CSRF token of its session.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func newClient(t *testing.T, endpoint string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: endpoint + "/_permafrost/console/", http: &http.Client{Jar: jar}}
}

// do sends a request and returns the status and decoded JSON body.
func (c *client) do(method, path, ctype, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.csrf != "" {
		req.Header.Set("X-Permafrost-CSRF", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func (c *client) login(key, secret string) (int, map[string]any) {
	c.t.Helper()
	st, out := c.do("POST", "api/login", "application/json", fmt.Sprintf(`{"accessKeyId":%q,"secretAccessKey":%q}`, key, secret))
	if st == 200 {
		c.csrf, _ = out["csrf"].(string)
	}
	return st, out
}

func wantError(t *testing.T, what string, st int, out map[string]any, status int, code string) {
	t.Helper()
	if st != status || out["code"] != code || out["type"] != "Client" || out["message"] == "" {
		t.Errorf("%s: %d %v, want %d %s", what, st, out, status, code)
	}
}

// TestConsoleLogin: with --credentials only an administrator's key and
// secret open a session; the cookie is HttpOnly and SameSite=Strict, and
// a POST needs the session's CSRF token.
func TestConsoleLogin(t *testing.T) {
	creds := filepath.Join(t.TempDir(), "credentials")
	file := "AKIAADMIN admin-secret 111122223333 admin\nAKIAUSER user-secret 444455556666\n"
	if err := os.WriteFile(creds, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) { c.Credentials = creds }))
	c := newClient(t, srv.Endpoint)

	st, out := c.do("GET", "api/session", "", "")
	if st != 200 || out["credentials"] != true || out["loggedIn"] != false {
		t.Errorf("session before login: %d %v", st, out)
	}
	st, out = c.do("GET", "api/vaults", "", "")
	wantError(t, "vaults without a session", st, out, 403, "AccessDeniedException")
	st, out = c.login("AKIAADMIN", "wrong")
	wantError(t, "a wrong secret", st, out, 403, "AccessDeniedException")
	st, out = c.login("AKIANOBODY", "admin-secret")
	wantError(t, "an unknown key", st, out, 403, "AccessDeniedException")
	st, out = c.login("AKIAUSER", "user-secret")
	wantError(t, "a non-administrator", st, out, 403, "AccessDeniedException")
	if msg, _ := out["message"].(string); !strings.Contains(msg, "administrators") {
		t.Errorf("the refusal of a non-administrator says %q", msg)
	}
	st, out = c.do("POST", "api/login", "application/x-www-form-urlencoded", "accessKeyId=AKIAADMIN&secretAccessKey=admin-secret")
	wantError(t, "a form login", st, out, 400, "InvalidParameterValueException")
	if st, out = c.do("GET", "api/vaults", "", ""); st != 403 {
		t.Errorf("refused logins opened a session: %d %v", st, out)
	}

	// The cookie the server sets.
	req, _ := http.NewRequest("POST", c.base+"api/login", strings.NewReader(`{"accessKeyId":"AKIAADMIN","secretAccessKey":"admin-secret"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode || cookies[0].Path != "/_permafrost/console/" {
		t.Errorf("login cookies: %+v", cookies)
	}

	if st, out = c.login("AKIAADMIN", "admin-secret"); st != 200 || out["user"] != "AKIAADMIN" || c.csrf == "" {
		t.Fatalf("admin login: %d %v", st, out)
	}
	if st, out = c.do("GET", "api/vaults", "", ""); st != 200 || out["total"] != 0.0 {
		t.Errorf("vaults after login: %d %v", st, out)
	}
	before := srv.Main.Now()
	token := c.csrf
	c.csrf = ""
	st, out = c.do("POST", "api/clock/advance?by=1h", "", "")
	wantError(t, "a POST without the CSRF token", st, out, 403, "AccessDeniedException")
	c.csrf = token + "x"
	st, out = c.do("POST", "api/clock/advance?by=1h", "", "")
	wantError(t, "a POST with a wrong CSRF token", st, out, 403, "AccessDeniedException")
	if moved := srv.Main.Now().Sub(before); moved > 30e9 {
		t.Errorf("refused advances moved the clock by %v", moved)
	}
	c.csrf = token
	if st, out = c.do("POST", "api/clock/advance?by=1h", "", ""); st != 200 {
		t.Errorf("advance with the token: %d %v", st, out)
	}
	if moved := srv.Main.Now().Sub(before); moved < 3600e9 {
		t.Errorf("the advance moved the clock by %v", moved)
	}
	// A forged cookie is no session.
	c2 := newClient(t, srv.Endpoint)
	u, _ := http.NewRequest("GET", c.base, nil)
	c2.http.Jar.SetCookies(u.URL, []*http.Cookie{{Name: "permafrost_console", Value: "AKIAADMIN.99999999999.forged", Path: "/_permafrost/console/"}})
	st, out = c2.do("GET", "api/vaults", "", "")
	wantError(t, "a forged cookie", st, out, 403, "AccessDeniedException")
	if st, _ = c.do("POST", "api/logout", "", ""); st != 200 {
		t.Errorf("logout: %d", st)
	}
	st, out = c.do("GET", "api/vaults", "", "")
	wantError(t, "after logout", st, out, 403, "AccessDeniedException")
}

// TestConsoleErrors: bad input gets Glacier's error JSON, and an action
// the Service refuses changes nothing.
func TestConsoleErrors(t *testing.T) {
	srv := testserver.New(t)
	c := newClient(t, srv.Endpoint)
	_, s := c.do("GET", "api/session", "", "")
	c.csrf, _ = s["csrf"].(string)
	acct, region := srv.Main.Config.AccountID, srv.Main.Config.Region
	q := "account=" + acct + "&region=" + region
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "api/vault?" + q + "&name=missing", 404, "ResourceNotFoundException"},
		{"GET", "api/archives?" + q + "&name=missing", 404, "ResourceNotFoundException"},
		{"GET", "api/archives?" + q + "&name=missing&cursor=!!", 400, "InvalidParameterValueException"},
		{"GET", "api/vaults?limit=0", 400, "InvalidParameterValueException"},
		{"GET", "api/vaults?offset=-1", 400, "InvalidParameterValueException"},
		{"GET", "api/job-output?" + q + "&name=missing&job=x", 404, "ResourceNotFoundException"},
		{"POST", "api/clock/advance?by=-1h", 400, "InvalidParameterValueException"},
		{"POST", "api/clock/advance?by=soon", 400, "InvalidParameterValueException"},
		{"POST", "api/vault/delete?" + q + "&name=missing", 404, "ResourceNotFoundException"},
		{"POST", "api/upload/abort?" + q + "&name=missing&upload=x", 404, "ResourceNotFoundException"},
		{"GET", "api/nothing", 404, "ResourceNotFoundException"},
		{"DELETE", "api/vaults", 404, "ResourceNotFoundException"},
	} {
		st, out := c.do(tc.method, tc.path, "", "")
		wantError(t, tc.method+" "+tc.path, st, out, tc.status, tc.code)
	}
	// Deleting a vault that holds an archive is Glacier's refusal, and
	// the vault stays.
	ctx := context.Background()
	if _, err := srv.Client.CreateVault(ctx, &glacier.CreateVaultInput{AccountId: aws.String("-"), VaultName: aws.String("full")}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client.UploadArchive(ctx, &glacier.UploadArchiveInput{AccountId: aws.String("-"), VaultName: aws.String("full"), Body: strings.NewReader("data")}); err != nil {
		t.Fatal(err)
	}
	st, out := c.do("POST", "api/vault/delete?"+q+"&name=full", "", "")
	wantError(t, "deleting a vault with an archive", st, out, 400, "InvalidParameterValueException")
	if _, err := srv.Client.DescribeVault(ctx, &glacier.DescribeVaultInput{AccountId: aws.String("-"), VaultName: aws.String("full")}); err != nil {
		t.Errorf("after the refused delete: %v", err)
	}
	// Pages are served from the binary.
	resp, err := http.Get(srv.Endpoint + "/_permafrost/console/vault.html")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `data-page="vault"`) || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("vault.html: %d %q", resp.StatusCode, b)
	}
}
