// Package memory is the in-memory storage engine (--memory): ordered keys in
// B-trees, with transactions made atomic by copy-on-write clones. Nothing
// survives the process.
package memory

import (
	"bytes"
	"context"
	"errors"
	"sync"

	"github.com/google/btree"

	"permafrost/internal/glacier"
	"permafrost/internal/store/kvstore"
)

type item struct {
	k, v []byte
}

func less(a, b item) bool { return bytes.Compare(a.k, b.k) < 0 }

// Engine is an in-memory kvstore.Engine.
type Engine struct {
	mu     sync.RWMutex
	trees  map[string]*btree.BTreeG[item]
	closed bool
}

var _ kvstore.Engine = (*Engine)(nil)

// NewEngine returns an empty engine.
func NewEngine() *Engine {
	e := &Engine{trees: map[string]*btree.BTreeG[item]{}}
	for _, b := range kvstore.Buckets {
		e.trees[b] = btree.NewG(32, less)
	}
	return e
}

// New returns an in-memory glacier.Store.
func New() glacier.Store { return kvstore.New(NewEngine(), NewBlobs()) }

// Batch implements kvstore.Engine; in memory there is nothing to coalesce.
func (e *Engine) Batch(ctx context.Context, fn func(kvstore.KV) error) error {
	return e.Update(ctx, fn)
}

var errClosed = errors.New("memory: store is closed")

// View implements kvstore.Engine.
func (e *Engine) View(ctx context.Context, fn func(kvstore.KV) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return errClosed
	}
	return fn(&txn{e: e})
}

// Update implements kvstore.Engine. Writes go to lazily cloned trees that
// replace the committed ones only if fn succeeds.
func (e *Engine) Update(ctx context.Context, fn func(kvstore.KV) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errClosed
	}
	t := &txn{e: e, writes: map[string]*btree.BTreeG[item]{}}
	if err := fn(t); err != nil {
		return err
	}
	for b, tr := range t.writes {
		e.trees[b] = tr
	}
	return nil
}

// Close implements kvstore.Engine.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	return nil
}

type txn struct {
	e      *Engine
	writes map[string]*btree.BTreeG[item] // nil in read-only transactions
}

var errReadOnly = errors.New("memory: write in a read-only transaction")

func (t *txn) tree(b string) *btree.BTreeG[item] {
	if tr, ok := t.writes[b]; ok {
		return tr
	}
	return t.e.trees[b]
}

func (t *txn) writable(b string) (*btree.BTreeG[item], error) {
	if t.writes == nil {
		return nil, errReadOnly
	}
	tr, ok := t.writes[b]
	if !ok {
		base, ok := t.e.trees[b]
		if !ok {
			return nil, errors.New("memory: unknown bucket " + b)
		}
		tr = base.Clone()
		t.writes[b] = tr
	}
	return tr, nil
}

func (t *txn) Get(b string, k []byte) []byte {
	tr := t.tree(b)
	if tr == nil {
		return nil
	}
	it, ok := tr.Get(item{k: k})
	if !ok {
		return nil
	}
	return it.v
}

func (t *txn) Put(b string, k, v []byte) error {
	tr, err := t.writable(b)
	if err != nil {
		return err
	}
	tr.ReplaceOrInsert(item{k: bytes.Clone(k), v: bytes.Clone(v)})
	return nil
}

func (t *txn) Delete(b string, k []byte) error {
	tr, err := t.writable(b)
	if err != nil {
		return err
	}
	tr.Delete(item{k: k})
	return nil
}

func (t *txn) Scan(b string, prefix, from []byte, fn func(k, v []byte) bool) error {
	tr := t.tree(b)
	if tr == nil {
		return errors.New("memory: unknown bucket " + b)
	}
	if bytes.Compare(from, prefix) < 0 {
		from = prefix
	}
	tr.AscendGreaterOrEqual(item{k: from}, func(it item) bool {
		if !bytes.HasPrefix(it.k, prefix) {
			return false
		}
		return fn(it.k, it.v)
	})
	return nil
}
