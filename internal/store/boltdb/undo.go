package boltdb

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// undoLog lets one call of a batch fail without failing the others or
// running them again: it remembers what each key held before the call
// wrote it, so that the call's writes can be taken back inside the shared
// transaction (a savepoint, which bbolt lacks).
type undoLog struct {
	entries []undoEntry
	buf     []byte // the entries' keys and old values, one after the other
}

// reset empties u for the next batch, keeping its memory unless a batch
// made it large: the committer reuses one undo log for all its batches.
func (u *undoLog) reset() {
	u.entries = u.entries[:0]
	u.buf = u.buf[:0]
	if cap(u.buf) > 1<<20 {
		u.buf = nil
	}
	if cap(u.entries) > 1<<14 {
		u.entries = nil
	}
}

// keep copies b into u's buffer. A slice handed out earlier stays valid
// when the buffer grows: it keeps the old array.
func (u *undoLog) keep(b []byte) []byte {
	start := len(u.buf)
	u.buf = append(u.buf, b...)
	return u.buf[start:len(u.buf):len(u.buf)]
}

type undoEntry struct {
	bucket  string
	key     []byte
	old     []byte
	existed bool
}

// savepoint is where a call's writes begin, in the undo log and in the
// transaction's log record.
type savepoint struct{ undo, ops, def int }

// note remembers key's current value in bk before it is written.
func (u *undoLog) note(bk *bolt.Bucket, bucket string, key []byte) {
	if u == nil {
		return
	}
	old := bk.Get(key)
	e := undoEntry{bucket: bucket, key: u.keep(key), existed: old != nil}
	if old != nil {
		e.old = u.keep(old)
	}
	u.entries = append(u.entries, e)
}

// noteAbsent remembers that key, known to be missing from bucket, is
// about to be written: note without the read.
func (u *undoLog) noteAbsent(bucket string, key []byte) {
	if u != nil {
		u.entries = append(u.entries, undoEntry{bucket: bucket, key: u.keep(key)})
	}
}

func (t txn) savepoint() savepoint {
	return savepoint{undo: len(t.undo.entries), ops: len(t.ops.buf), def: len(t.def.changes)}
}

// rollbackTo takes back every write since sp, newest first, and drops them
// from the log record.
func (t txn) rollbackTo(sp savepoint) error {
	u := t.undo
	for i := len(u.entries) - 1; i >= sp.undo; i-- {
		e := u.entries[i]
		bk := t.tx.Bucket([]byte(e.bucket))
		if bk == nil {
			return fmt.Errorf("boltdb: undo in unknown bucket %s", e.bucket)
		}
		var err error
		if e.existed {
			err = bk.Put(e.key, e.old)
		} else {
			err = bk.Delete(e.key)
		}
		if err != nil {
			return fmt.Errorf("boltdb: undo: %w", err)
		}
	}
	u.entries = u.entries[:sp.undo]
	t.ops.buf = t.ops.buf[:sp.ops]
	t.def.rollbackTo(sp.def)
	return nil
}
