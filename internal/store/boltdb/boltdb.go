// Package boltdb is the durable storage engine, the default: metadata in a
// bbolt database (meta.db) under the data directory.
//
// Durability uses group commit: transactions commit without their own
// fsync, and Update returns only after one fdatasync that covers its
// commit, shared by every transaction that committed meanwhile. So a
// successful Update is on disk, exactly as with bbolt's own per-commit
// sync, but concurrent writers share the cost of the sync instead of
// paying two each.
package boltdb

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"permafrost/internal/glacier"
	"permafrost/internal/store/fsblob"
	"permafrost/internal/store/kvstore"
)

// Engine is a kvstore.Engine over bbolt.
type Engine struct {
	db *bolt.DB

	seq    atomic.Uint64 // numbers write transactions in commit order
	done   atomic.Uint64 // highest seq whose commit has returned
	synced atomic.Uint64 // highest seq known to be on disk
	syncMu sync.Mutex    // one fdatasync at a time
}

var _ kvstore.Engine = (*Engine)(nil)

// OpenEngine opens (creating if needed) the database in dir.
func OpenEngine(dir string) (*Engine, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("boltdb: %w", err)
	}
	path := filepath.Join(dir, "meta.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("boltdb: open %s: %w (is another permafrost using this data directory?)", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range kvstore.Buckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("boltdb: init %s: %w", path, err)
	}
	// Commits are synced by groupSync, not one by one; batches are cut
	// short because a lone writer should not wait.
	db.NoSync = true
	db.MaxBatchDelay = 200 * time.Microsecond
	return &Engine{db: db}, nil
}

// Open returns a durable glacier.Store in dir: metadata in dir/meta.db,
// blobs under dir/blobs.
func Open(dir string) (glacier.Store, error) {
	e, err := OpenEngine(dir)
	if err != nil {
		return nil, err
	}
	blobs, err := fsblob.Open(dir)
	if err != nil {
		e.Close()
		return nil, err
	}
	return kvstore.New(e, blobs), nil
}

// View implements kvstore.Engine.
func (e *Engine) View(fn func(kvstore.KV) error) error {
	return e.db.View(func(tx *bolt.Tx) error { return fn(txn{tx}) })
}

// Update implements kvstore.Engine: the transaction is on disk when it
// returns nil.
func (e *Engine) Update(fn func(kvstore.KV) error) error {
	return e.commit(e.db.Update, fn)
}

// Batch implements kvstore.Engine with bbolt's batching: concurrent calls
// share one transaction, which saves page writes, and then one sync.
func (e *Engine) Batch(fn func(kvstore.KV) error) error {
	return e.commit(e.db.Batch, fn)
}

func (e *Engine) commit(run func(func(*bolt.Tx) error) error, fn func(kvstore.KV) error) error {
	var seq uint64
	err := run(func(tx *bolt.Tx) error {
		if err := fn(txn{tx}); err != nil {
			return err
		}
		seq = e.seq.Add(1) // bbolt runs one write transaction at a time
		return nil
	})
	if err != nil {
		return err
	}
	for d := e.done.Load(); d < seq && !e.done.CompareAndSwap(d, seq); d = e.done.Load() {
	}
	return e.groupSync(seq)
}

// groupSync returns once commit seq is on disk. Whoever finds it is not
// yet synced takes the lock and syncs everything committed so far, so one
// fdatasync serves all the transactions that were waiting.
func (e *Engine) groupSync(seq uint64) error {
	if e.synced.Load() >= seq {
		return nil
	}
	e.syncMu.Lock()
	defer e.syncMu.Unlock()
	if e.synced.Load() >= seq {
		return nil
	}
	target := e.done.Load() // >= seq: our own commit has returned
	if err := e.db.Sync(); err != nil {
		return fmt.Errorf("boltdb: sync: %w", err)
	}
	e.synced.Store(target)
	return nil
}

// Close implements kvstore.Engine.
func (e *Engine) Close() error {
	err := e.db.Sync()
	if cerr := e.db.Close(); err == nil {
		err = cerr
	}
	return err
}

type txn struct{ tx *bolt.Tx }

func (t txn) bucket(b string) (*bolt.Bucket, error) {
	bk := t.tx.Bucket([]byte(b))
	if bk == nil {
		return nil, fmt.Errorf("boltdb: unknown bucket %s", b)
	}
	// Most keys are time-ordered and arrive in order, so full pages
	// (instead of bbolt's half-full default) mean fewer pages per commit.
	bk.FillPercent = 0.9
	return bk, nil
}

func (t txn) Get(b string, k []byte) []byte {
	bk, err := t.bucket(b)
	if err != nil {
		return nil
	}
	return bk.Get(k)
}

func (t txn) Put(b string, k, v []byte) error {
	bk, err := t.bucket(b)
	if err != nil {
		return err
	}
	return bk.Put(k, v)
}

func (t txn) Delete(b string, k []byte) error {
	bk, err := t.bucket(b)
	if err != nil {
		return err
	}
	return bk.Delete(k)
}

func (t txn) Scan(b string, prefix, from []byte, fn func(k, v []byte) bool) error {
	bk, err := t.bucket(b)
	if err != nil {
		return err
	}
	if bytes.Compare(from, prefix) < 0 {
		from = prefix
	}
	c := bk.Cursor()
	for k, v := c.Seek(from); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if !fn(k, v) {
			break
		}
	}
	return nil
}
