package boltdb

import (
	"bytes"
	"sync"

	"permafrost/internal/store/kvstore"
)

// deferred holds the records a write transaction's calls have held back
// (kvstore.Deferrer): each is written once, when the transaction's last
// call has run, or as soon as the transaction touches its key or scans its
// bucket. The committer reuses one for all its batches.
type deferred struct {
	entries []deferredEntry // in the order they were first held back
	live    int             // entries not written yet
	changes []deferredChange
	err     error // a write made on touch that failed: the transaction fails
}

type deferredEntry struct {
	bucket string
	key    []byte
	v      any
	write  func(kvstore.KV, any) error
	live   bool // still held back
}

// deferredChange is what an entry was before a change, for rollbackTo.
type deferredChange struct {
	i     int // entry index; -1: an entry was appended
	v     any
	write func(kvstore.KV, any) error
	live  bool
}

var deferreds = sync.Pool{New: func() any { return new(deferred) }}

func getDeferred() *deferred { return deferreds.Get().(*deferred) }

func putDeferred(d *deferred) {
	d.reset()
	if cap(d.entries) <= 1<<10 && cap(d.changes) <= 1<<12 {
		deferreds.Put(d)
	}
}

func (d *deferred) reset() {
	clear(d.entries) // drop the values for the garbage collector
	d.entries, d.changes, d.live, d.err = d.entries[:0], d.changes[:0], 0, nil
}

func (d *deferred) find(bucket string, key []byte) int {
	for i := range d.entries {
		if e := &d.entries[i]; e.bucket == bucket && bytes.Equal(e.key, key) {
			return i
		}
	}
	return -1
}

// Deferred implements kvstore.Deferrer.
func (t txn) Deferred(bucket string, key []byte) (any, bool) {
	if t.def == nil || t.def.live == 0 {
		return nil, false
	}
	if i := t.def.find(bucket, key); i >= 0 && t.def.entries[i].live {
		return t.def.entries[i].v, true
	}
	return nil, false
}

// Defer implements kvstore.Deferrer. A read-only transaction has nowhere
// to hold anything: write runs at once (and fails as its Put does).
func (t txn) Defer(bucket string, key []byte, v any, write func(kvstore.KV, any) error) error {
	d := t.def
	if d == nil {
		return write(t, v)
	}
	if i := d.find(bucket, key); i >= 0 {
		e := &d.entries[i]
		if t.undo != nil {
			d.note(i, e)
		}
		if !e.live {
			d.live++
		}
		e.v, e.write, e.live = v, write, true
		return nil
	}
	if t.undo != nil {
		d.changes = append(d.changes, deferredChange{i: -1})
	}
	d.entries = append(d.entries, deferredEntry{bucket: bucket, key: bytes.Clone(key), v: v, write: write, live: true})
	d.live++
	return nil
}

// note remembers entry i as it is, when a call of a batch (which may be
// taken back) changes it.
func (d *deferred) note(i int, e *deferredEntry) {
	d.changes = append(d.changes, deferredChange{i: i, v: e.v, write: e.write, live: e.live})
}

// touch writes what is held back under bucket/key (every key of bucket
// when key is nil, for a scan) before the transaction reads or writes it.
func (t txn) touch(bucket string, key []byte) {
	d := t.def
	if d == nil || d.live == 0 {
		return
	}
	for i := range d.entries {
		e := &d.entries[i]
		if e.live && e.bucket == bucket && (key == nil || bytes.Equal(e.key, key)) {
			t.writeEntry(i)
		}
	}
}

// writeEntry writes entry i and marks it written.
func (t txn) writeEntry(i int) {
	d := t.def
	e := &d.entries[i]
	if t.undo != nil {
		d.note(i, e)
	}
	e.live = false
	d.live--
	if err := e.write(t, e.v); err != nil && d.err == nil {
		d.err = err
	}
}

// flush writes everything still held back, in the order it was first
// held, at the end of the transaction.
func (t txn) flush() error {
	d := t.def
	if d == nil {
		return nil
	}
	for i := 0; d.live > 0 && i < len(d.entries); i++ {
		if d.entries[i].live {
			t.writeEntry(i)
		}
	}
	return d.err
}

// rollbackTo takes back the changes since the n-th (a savepoint).
func (d *deferred) rollbackTo(n int) {
	for j := len(d.changes) - 1; j >= n; j-- {
		c := d.changes[j]
		if c.i < 0 {
			last := len(d.entries) - 1
			if d.entries[last].live {
				d.live--
			}
			d.entries[last] = deferredEntry{}
			d.entries = d.entries[:last]
			continue
		}
		e := &d.entries[c.i]
		if e.live != c.live {
			if c.live {
				d.live++
			} else {
				d.live--
			}
		}
		e.v, e.write, e.live = c.v, c.write, c.live
	}
	d.changes = d.changes[:n]
}
