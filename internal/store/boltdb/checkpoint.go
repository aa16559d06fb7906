package boltdb

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"permafrost/internal/store/diskfault"
)

// The checkpoint is the state of meta.db that a power failure falls back
// to. meta.db is written without syncs between checkpoints, so after a
// power failure any of its unsynced page writes may have reached the disk
// and any may not: a newer meta page may point at pages that never
// arrived. So at each checkpoint (meta.db synced) its two meta pages are
// saved, synced, in meta.ckpt; and until the next checkpoint no page of
// the checkpoint's tree is overwritten, because a read transaction (the
// pin) is held at the checkpoint's transaction, which keeps bbolt from
// reusing the pages freed since. At open, if meta.db's meta pages are not
// the checkpoint's and the log holds the transactions after it, the
// checkpoint's meta pages are written back and the log replayed on top:
// the same state after a power failure, a process crash or a clean stop.

// pendingLimit is how many pages freed since the checkpoint (kept for
// it, unusable) start the next one. Pages that bbolt takes from the end of
// the file are never recorded as reusable until the pin moves, and bbolt
// walks its pending pages on every commit.
const pendingLimit = 4096

// checkpoint holds the pin and writes meta.ckpt.
type checkpoint struct {
	dir    string
	faults *diskfault.Injector
	pin    *bolt.Tx // a read transaction at the checkpoint's transaction
	base   int      // pages held when the pin had moved (-1: not yet counted)
	marks  int      // checkpoints made
	// marked, in tests, is called after each checkpoint, under the same
	// lock as mark.
	marked func()
}

// mark makes meta.db's current state, just synced by the caller, the
// checkpoint: its meta pages go to meta.ckpt and the pin moves to it. The
// caller holds bbolt's writer lock or is alone with db. On failure the
// previous checkpoint stands, pin included.
func (c *checkpoint) mark(db *bolt.DB) error {
	pin, err := db.Begin(false)
	if err != nil {
		return fmt.Errorf("boltdb: checkpoint: %w", err)
	}
	if err := c.save(db, uint64(pin.ID())); err != nil {
		_ = pin.Rollback()
		return err
	}
	c.release()
	c.pin, c.base = pin, -1
	c.marks++
	if c.marked != nil {
		c.marked()
	}
	return nil
}

// release gives the pin up (before bbolt is closed).
func (c *checkpoint) release() {
	if c.pin != nil {
		_ = c.pin.Rollback()
		c.pin = nil
	}
}

// pending reports whether enough pages are held for the checkpoint that
// the next one should be made. bbolt counts them when a write transaction
// ends, and releases those held for an older pin when one begins: so the
// count means something only from the second transaction begun after the
// pin moved (the write transaction txid is the next). It is counted from
// there, since pages a long read (an inventory) holds stay held whatever
// the pin does.
func (c *checkpoint) pending(db *bolt.DB, txid int) bool {
	if c.pin == nil || txid <= c.pin.ID()+2 {
		return false
	}
	n := db.Stats().PendingPageN
	if c.base < 0 {
		c.base = n
	}
	return n-c.base > pendingLimit
}

// restore runs at open, before bbolt: if meta.db's meta pages are not the
// checkpoint's and the log holds the transaction after the checkpoint,
// the checkpoint's pages are written back (and synced), so that bbolt
// opens the checkpoint's state, whose pages no later write touched, and
// the log is replayed onto it. Without the log's records (removed on
// purpose) meta.db is left as it is.
func restore(dir string, w *wal) error {
	txid, pages, ok, err := readCkpt(dir)
	if err != nil || !ok {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, "meta.db"), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	cur := make([]byte, len(pages))
	if n, _ := f.ReadAt(cur, 0); n == len(cur) && bytes.Equal(cur, pages) {
		return nil
	}
	if t, ok := newestMeta(cur); ok && t+1 < txid {
		// Older than the checkpoint's (one before it, a torn newer one
		// beside it, is a power failure's): meta.db was replaced, and
		// the log's replay says so.
		return nil
	}
	if has, err := w.holds(txid + 1); err != nil || !has {
		return err
	}
	if _, err := f.WriteAt(pages, 0); err != nil {
		return err
	}
	return fdatasync(f)
}
