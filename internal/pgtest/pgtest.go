// Package pgtest gives tests a fresh PostgreSQL database each, created from
// the server named by PERMAFROST_TEST_POSTGRES (a postgres:// URL of a role
// that may CREATE DATABASE; .ci/run sets it). Without the variable, tests
// skip saying so, unless PERMAFROST_E2E=1 (CI), where they fail.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env is the variable naming the test server.
const Env = "PERMAFROST_TEST_POSTGRES"

// ServerURL returns the test server's URL, skipping (or, in CI, failing)
// tb when there is none.
func ServerURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(Env)
	if u == "" {
		if os.Getenv("PERMAFROST_E2E") == "1" {
			tb.Fatalf("%s is not set: PERMAFROST_E2E=1 requires a PostgreSQL server (see .ci/run)", Env)
		}
		tb.Skipf("skipping: set %s=postgres://user:password@127.0.0.1:5432/db to run this test on a real PostgreSQL", Env)
	}
	return u
}

// NewDatabase creates an empty database on the test server, drops it when
// tb ends, and returns its URL.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	server := ServerURL(tb)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "permafrost_test_" + hex.EncodeToString(b[:])
	if err := admin(server, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database on %s: %v", redacted(server), err)
	}
	tb.Cleanup(func() {
		// FORCE cannot end a session of another role (seen after heavy
		// writes, presumably an autovacuum worker): try again while it
		// ends on its own.
		var err error
		for range 10 {
			if err = admin(server, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err == nil {
				return
			}
			time.Sleep(time.Second)
		}
		tb.Errorf("pgtest: drop database %s: %v", name, err)
	})
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatalf("pgtest: %s is not a URL: %v", Env, err)
	}
	u.Path = "/" + name
	return u.String()
}

func admin(server, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, server)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	_, err = c.Exec(ctx, sql)
	return err
}

func redacted(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "the test server"
}
