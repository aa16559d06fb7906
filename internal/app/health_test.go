package app_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"permafrost/internal/config"
	"permafrost/internal/pgtest"
	"permafrost/internal/testserver"
)

// TestHealthFollowsTheMetadataStore: GET /_permafrost/health, the load
// balancer's check, answers 503 while the PostgreSQL database is gone or
// hangs (within its deadline, not a hang of its own) and 200 again once
// the database answers.
func TestHealthFollowsTheMetadataStore(t *testing.T) {
	proxy, url := pgtest.NewProxy(t, pgtest.NewDatabase(t))
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) {
		c.Memory, c.Metadata, c.DataDir = false, url, t.TempDir()
	}))
	hc := &http.Client{Timeout: 10 * time.Second}
	health := func() (int, string, time.Duration) {
		t.Helper()
		start := time.Now()
		resp, err := hc.Get(srv.Endpoint + "/_permafrost/health")
		if err != nil {
			t.Fatalf("GET health: %v", err)
		}
		defer resp.Body.Close()
		var body struct{ Status, Message string }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("health body: %v", err)
		}
		return resp.StatusCode, body.Status + ": " + body.Message, time.Since(start)
	}
	// waitFor polls health until it answers want (the answer is cached
	// for at most a second).
	waitFor := func(what string, want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			code, msg, took := health()
			if took > 3*time.Second {
				t.Errorf("%s: health took %v to answer (its probe's deadline is 1s)", what, took)
			}
			if code == want {
				t.Logf("%s: %d %s after %v", what, code, msg, took.Round(time.Millisecond))
				return
			}
			if code != http.StatusOK && code != http.StatusServiceUnavailable {
				t.Fatalf("%s: health answered %d %s", what, code, msg)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: health still answers %d (%s) after 10s, want %d", what, code, msg, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("database up", http.StatusOK)
	proxy.Down()
	waitFor("database gone", http.StatusServiceUnavailable)
	proxy.Up()
	waitFor("database back", http.StatusOK)
	proxy.Freeze() // the database accepts but never answers
	proxy.Cut()
	waitFor("database hanging", http.StatusServiceUnavailable)
	proxy.Thaw()
	waitFor("database answering again", http.StatusOK)
}
