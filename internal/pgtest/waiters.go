package pgtest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Connect opens a plain session on the database at url for the test to
// drive (hold a lock, watch pg_stat_activity); it is closed at cleanup.
func Connect(tb testing.TB, url string) *pgx.Conn {
	tb.Helper()
	c, err := pgx.Connect(tb.Context(), url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// LockWaiters counts the sessions of c's database waiting for a lock.
func LockWaiters(tb testing.TB, c *pgx.Conn) int {
	tb.Helper()
	var n int
	if err := c.QueryRow(tb.Context(), `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// WaitFor polls cond until it holds, failing the test after 30 s (a bound
// for a broken build, not a timing assertion).
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			tb.Fatalf("still waiting for %s after 30s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
