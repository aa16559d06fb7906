package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"permafrost/internal/pgtest"
	"permafrost/internal/store/kvstore"
)

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
	locker, observer := pgtest.Connect(t, url), pgtest.Connect(t, url)
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
		pgtest.WaitFor(t, name+"'s statement to wait for the lock", func() bool { return pgtest.LockWaiters(t, observer) == 1 })
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s cancelled while waiting: %v, want context.Canceled", name, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s still waiting 30s after its context was cancelled", name)
		}
		pgtest.WaitFor(t, "the database to stop "+name+"'s statement", func() bool { return pgtest.LockWaiters(t, observer) == 0 })
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
