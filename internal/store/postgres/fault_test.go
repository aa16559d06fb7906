package postgres

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"permafrost/internal/pgtest"
	"permafrost/internal/store/kvstore"
)

const bucket = "settings"

func getKey(t *testing.T, e *Engine, key string) []byte {
	t.Helper()
	var v []byte
	if err := e.View(t.Context(), func(kv kvstore.KV) error { v = bytes.Clone(kv.Get(bucket, []byte(key))); return nil }); err != nil {
		t.Fatalf("View: %v", err)
	}
	return v
}

// A Get that fails (here: the server ends the session mid-transaction)
// returns nil, but the transaction fails even though fn, taking nil for
// "missing", went on and returned nil: nothing is committed.
func TestFailedGetFailsTheTransaction(t *testing.T) {
	url := pgtest.NewDatabase(t)
	e := openAt(t, url)
	calls := 0
	err := e.Update(t.Context(), func(kv kvstore.KV) error {
		calls++
		if err := kv.Put(bucket, []byte("first"), []byte("1")); err != nil {
			return err
		}
		var pid int32
		tx := kv.(*txn).conn
		if err := tx.QueryRow(t.Context(), `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			return err
		}
		exec(t, url, fmt.Sprintf("SELECT pg_terminate_backend(%d)", pid))
		if v := kv.Get(bucket, []byte("first")); string(v) != "1" {
			t.Errorf("Get of the transaction's own write = %q, want 1", v)
		}
		if v := kv.Get(bucket, []byte("other")); v != nil {
			t.Errorf("Get on a terminated session returned %q", v)
		}
		// As a caller would: the record is "missing", so create it.
		_ = kv.Put(bucket, []byte("second"), []byte("2"))
		return nil
	})
	if err == nil {
		t.Fatal("Update returned nil after a failed Get")
	}
	if calls != 1 {
		t.Errorf("fn ran %d times; a lost session is not a serialization failure to retry", calls)
	}
	for _, k := range []string{"first", "second"} {
		if v := getKey(t, e, k); v != nil {
			t.Errorf("%s = %q committed by a failed transaction", k, v)
		}
	}
	// The pool replaces the dead connection.
	if err := e.Update(t.Context(), func(kv kvstore.KV) error { return kv.Put(bucket, []byte("after"), []byte("ok")) }); err != nil {
		t.Fatalf("Update after the lost session: %v", err)
	}
}

// A database that stops answering fails the transaction within the
// statement deadline; one that goes away fails it at once; neither
// commits anything, and the engine recovers when the database is back.
func TestDatabaseHangsOrGoesAway(t *testing.T) {
	proxy, url := pgtest.NewProxy(t, pgtest.NewDatabase(t))
	e, err := OpenEngine(url, Options{Logger: quiet, StatementTimeout: 500 * time.Millisecond, ConnectTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	put := func(k string) error {
		return e.Update(t.Context(), func(kv kvstore.KV) error {
			if err := kv.Put(bucket, []byte(k), []byte("v")); err != nil {
				return err
			}
			if k == "hang" {
				proxy.Freeze()
			}
			kv.Get(bucket, []byte(k))
			return nil
		})
	}
	start := time.Now()
	if err := put("hang"); err == nil {
		t.Fatal("Update through a frozen database succeeded")
	} else if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Update took %v to fail, want about the statement timeout", d)
	} else {
		t.Logf("frozen database: failed after %v: %v", d.Round(time.Millisecond), err)
	}
	proxy.Thaw()
	proxy.Cut()
	cut := make(chan error, 1)
	go func() {
		cut <- e.Update(t.Context(), func(kv kvstore.KV) error {
			if err := kv.Put(bucket, []byte("cut"), []byte("v")); err != nil {
				return err
			}
			proxy.Cut()
			return kv.Put(bucket, []byte("cut2"), []byte("v"))
		})
	}()
	select {
	case err := <-cut:
		if err == nil {
			t.Fatal("Update through a cut connection succeeded")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Update hung after the connection was cut")
	}
	for _, k := range []string{"hang", "cut", "cut2"} {
		if v := getKey(t, e, k); v != nil {
			t.Errorf("%s committed by a failed transaction", k)
		}
	}
	if err := put("after"); err != nil {
		t.Fatalf("Update once the database is back: %v", err)
	}
	if getKey(t, e, "after") == nil {
		t.Error("write after recovery lost")
	}
}

// A transaction reads its own writes after they are sent, although it
// read the key's older value before writing it (the read is remembered
// only until the key is written).
func TestReadAfterFlushedWrite(t *testing.T) {
	e := openAt(t, pgtest.NewDatabase(t))
	if err := e.Update(t.Context(), func(kv kvstore.KV) error { return kv.Put(bucket, []byte("k"), []byte("old")) }); err != nil {
		t.Fatal(err)
	}
	if err := e.Update(t.Context(), func(kv kvstore.KV) error {
		if v := kv.Get(bucket, []byte("k")); string(v) != "old" {
			return fmt.Errorf("first read %q", v)
		}
		if err := kv.Put(bucket, []byte("k"), []byte("new")); err != nil {
			return err
		}
		for i := range maxPending { // sends the held writes, the one of k included
			if err := kv.Put(bucket, fmt.Appendf(nil, "fill%d", i), []byte("x")); err != nil {
				return err
			}
		}
		if v := kv.Get(bucket, []byte("k")); string(v) != "new" {
			return fmt.Errorf("read after the write was sent: %q, want new", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
