package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"permafrost/internal/pgtest"
	"permafrost/internal/store/kvstore"
)

// connect opens a plain session on url for the test to drive.
func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// lockWaiters counts the sessions of the database waiting for a lock.
func lockWaiters(t *testing.T, c *pgx.Conn) int {
	t.Helper()
	var n int
	if err := c.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond until it holds, failing the test after a long while
// (the bound is for a broken build, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after 30s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A transaction whose context is cancelled while its statement waits in
// the database (here for a table lock another session holds) returns
// context.Canceled, and the database stops working on it at once: the
// statement no longer waits, although the lock is still held.
func TestCancelStopsAWaitingStatement(t *testing.T) {
	url := pgtest.NewDatabase(t)
	e := openAt(t, url)
	if err := e.Update(t.Context(), func(kv kvstore.KV) error { return kv.Put(bucket, []byte("k"), []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	locker, observer := connect(t, url), connect(t, url)
	if _, err := locker.Exec(t.Context(), `BEGIN; LOCK TABLE permafrost_kv IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func(context.Context, func(kvstore.KV) error) error{"View": e.View, "Update": e.Update} {
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			done <- call(ctx, func(kv kvstore.KV) error {
				kv.Get(bucket, []byte("k"))
				return kv.Put(bucket, []byte("by-"+name), []byte("v"))
			})
		}()
		waitFor(t, name+"'s statement to wait for the lock", func() bool { return lockWaiters(t, observer) == 1 })
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s cancelled while waiting: %v, want context.Canceled", name, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s still waiting 30s after its context was cancelled", name)
		}
		waitFor(t, "the database to stop "+name+"'s statement", func() bool { return lockWaiters(t, observer) == 0 })
	}
	if _, err := locker.Exec(t.Context(), `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if v := getKey(t, e, "by-Update"); v != nil {
		t.Errorf("the cancelled Update committed its write")
	}
	if getKey(t, e, "k") == nil {
		t.Error("the engine cannot read after the cancellations")
	}
}

// A context cancelled while fn runs, before the commit, commits nothing:
// whether fn goes on to a statement (which fails) or returns at once (the
// commit is refused).
func TestCancelBeforeCommitCommitsNothing(t *testing.T) {
	e := openAt(t, pgtest.NewDatabase(t))
	for _, then := range []string{"read", "return"} {
		ctx, cancel := context.WithCancel(t.Context())
		calls := 0
		err := e.Update(ctx, func(kv kvstore.KV) error {
			calls++
			if err := kv.Put(bucket, []byte(then), []byte("v")); err != nil {
				return err
			}
			cancel()
			if then == "read" {
				kv.Get(bucket, []byte("other"))
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Update cancelled before its commit: %v, want context.Canceled", then, err)
		}
		if calls != 1 {
			t.Errorf("%s: fn ran %d times; a cancelled transaction is not retried", then, calls)
		}
		if v := getKey(t, e, then); v != nil {
			t.Errorf("%s: the cancelled Update committed its write", then)
		}
	}
}
