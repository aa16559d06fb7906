package app_test

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"permafrost/internal/config"
)

// TestReplicasShareConsoleSessions: a console session opened through one
// replica (its cookie and CSRF token) is accepted by another over the same
// store; before, each process signed sessions with a key of its own.
func TestReplicasShareConsoleSessions(t *testing.T) {
	creds := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(creds, []byte("AKIAADMIN admin-secret 111122223333 admin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ms := replicas(t, 2, nil, func(c *config.Config) { c.Credentials = creds })
	jar, _ := cookiejar.New(nil) // cookies ignore ports: B gets A's cookie
	hc := &http.Client{Jar: jar}
	post := func(base, path, csrf, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/_permafrost/console/api/"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-Permafrost-CSRF", csrf)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	st, out := post(ms[0].Endpoint(), "login", "", `{"accessKeyId":"AKIAADMIN","secretAccessKey":"admin-secret"}`)
	csrf, _ := out["csrf"].(string)
	if st != 200 || csrf == "" {
		t.Fatalf("login through A: %d %v", st, out)
	}
	before := ms[1].Now()
	if st, out := post(ms[1].Endpoint(), "clock/advance?by=1h", csrf, ""); st != 200 {
		t.Fatalf("A's session and CSRF token through B: %d %v", st, out)
	}
	if moved := ms[1].Now().Sub(before); moved < 3600e9 {
		t.Errorf("the advance through B moved its clock by %v", moved)
	}
	if st, out := post(ms[1].Endpoint(), "clock/advance?by=1h", csrf+"x", ""); st != 403 {
		t.Errorf("a wrong CSRF token through B: %d %v", st, out)
	}
}
