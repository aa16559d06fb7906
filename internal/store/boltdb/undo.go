package boltdb

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// undoLog lets one call of a batch fail without failing the others or
// running them again: it remembers what each key held before the call
// wrote it, so that the call's writes can be taken back inside the shared
// transaction (a savepoint, which bbolt lacks).
type undoLog struct {
	entries []undoEntry
}

type undoEntry struct {
	bucket  string
	key     []byte
	old     []byte
	existed bool
}

// savepoint is where a call's writes begin, in the undo log and in the
// transaction's log record.
type savepoint struct{ undo, ops int }

// note remembers key's current value in bk before it is written.
func (u *undoLog) note(bk *bolt.Bucket, bucket string, key []byte) {
	if u == nil {
		return
	}
	old := bk.Get(key)
	u.entries = append(u.entries, undoEntry{bucket: bucket, key: bytes.Clone(key), old: bytes.Clone(old), existed: old != nil})
}

func (t txn) savepoint() savepoint {
	return savepoint{undo: len(t.undo.entries), ops: len(t.ops.buf)}
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
	return nil
}
