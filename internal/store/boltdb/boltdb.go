// Package boltdb is the durable storage engine, the default: metadata in a
// bbolt database (meta.db) under the data directory. A committed
// transaction is fsynced before Update returns.
package boltdb

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"permafrost/internal/glacier"
	"permafrost/internal/store/fsblob"
	"permafrost/internal/store/kvstore"
)

// Engine is a kvstore.Engine over bbolt.
type Engine struct {
	db *bolt.DB
}

var _ kvstore.Engine = (*Engine)(nil)

// OpenEngine opens (creating if needed) the database in dir.
func OpenEngine(dir string) (*Engine, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("boltdb: %w", err)
	}
	path := filepath.Join(dir, "meta.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoFreelistSync: true})
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
	// Group concurrent data-plane commits into one fsync; the delay is
	// short so that a lone writer barely waits.
	db.MaxBatchDelay = time.Millisecond
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

// Batch implements kvstore.Engine with bbolt's batching.
func (e *Engine) Batch(fn func(kvstore.KV) error) error {
	return e.db.Batch(func(tx *bolt.Tx) error { return fn(txn{tx}) })
}

// View implements kvstore.Engine.
func (e *Engine) View(fn func(kvstore.KV) error) error {
	return e.db.View(func(tx *bolt.Tx) error { return fn(txn{tx}) })
}

// Update implements kvstore.Engine.
func (e *Engine) Update(fn func(kvstore.KV) error) error {
	return e.db.Update(func(tx *bolt.Tx) error { return fn(txn{tx}) })
}

// Close implements kvstore.Engine.
func (e *Engine) Close() error { return e.db.Close() }

type txn struct{ tx *bolt.Tx }

func (t txn) bucket(b string) (*bolt.Bucket, error) {
	bk := t.tx.Bucket([]byte(b))
	if bk == nil {
		return nil, fmt.Errorf("boltdb: unknown bucket %s", b)
	}
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
