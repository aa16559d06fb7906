// Package diskfault makes the durable store's disk operations fail on
// command, so that tests can prove what every write path does when a write,
// a sync or a rename fails (ENOSPC, EIO) at any step.
//
// The durable backends (boltdb and fsblob) call Check before each
// operation that can fail on a real disk; a nil *Injector, as in
// production, injects nothing and costs one comparison. The package owns no
// I/O: it only decides whether the next operation of a kind fails.
package diskfault

import (
	"fmt"
	"sync"
	"syscall"
)

// Op is a kind of disk operation a durable store performs.
type Op string

// The operations that can be made to fail, in the order a write meets them.
const (
	WALGrow      Op = "wal.grow"      // zero-filling the log ahead of its writer
	WALWrite     Op = "wal.write"     // writing a commit's record
	WALSync      Op = "wal.sync"      // fdatasync of the log
	WALRevoke    Op = "wal.revoke"    // erasing a record whose commit failed
	DBCommit     Op = "db.commit"     // bbolt's commit (page and meta writes)
	DBSync       Op = "db.sync"       // fsync of meta.db at a checkpoint
	DBCheckpoint Op = "db.checkpoint" // saving meta.ckpt, what a power failure falls back to
	BlobCreate   Op = "blob.create"   // creating a blob's temporary file
	BlobWrite    Op = "blob.write"    // writing blob bytes
	BlobSync     Op = "blob.sync"     // fsync of a blob's file
	BlobRename   Op = "blob.rename"   // renaming a blob into place
	BlobDir      Op = "blob.dir"      // fsync of a blob's directory
	BlobDelete   Op = "blob.delete"   // removing a blob
)

// Ops lists every operation, for tests that try each in turn.
var Ops = []Op{WALGrow, WALWrite, WALSync, WALRevoke, DBCommit, DBSync, DBCheckpoint,
	BlobCreate, BlobWrite, BlobSync, BlobRename, BlobDir, BlobDelete}

// The errors a real disk gives.
var (
	ENOSPC = syscall.ENOSPC
	EIO    = syscall.EIO
)

// Injector decides which operations fail. Its zero value and nil inject
// nothing. It is safe for concurrent use.
type Injector struct {
	mu    sync.Mutex
	rules map[Op]*rule
	seen  map[Op]int
}

type rule struct {
	err   error
	after int // calls to let through first
	left  int // failures still to give; < 0 means until Clear
}

// Fail makes every call of op fail with err until Clear.
func (i *Injector) Fail(op Op, err error) { i.set(op, &rule{err: err, left: -1}) }

// FailNext makes the next n calls of op fail with err.
func (i *Injector) FailNext(op Op, err error, n int) { i.set(op, &rule{err: err, left: n}) }

// FailAfter lets skip calls of op through, then fails every later one
// with err until Clear.
func (i *Injector) FailAfter(op Op, skip int, err error) {
	i.set(op, &rule{err: err, after: skip, left: -1})
}

func (i *Injector) set(op Op, r *rule) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.rules == nil {
		i.rules = map[Op]*rule{}
	}
	i.rules[op] = r
}

// Clear removes every rule.
func (i *Injector) Clear() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.rules = nil
}

// Calls returns how many times op was checked.
func (i *Injector) Calls(op Op) int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.seen[op]
}

// Check returns the injected error for this call of op (wrapped with what
// was being done), or nil.
func (i *Injector) Check(op Op, what string) error {
	if i == nil {
		return nil
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.seen == nil {
		i.seen = map[Op]int{}
	}
	i.seen[op]++
	r := i.rules[op]
	if r == nil || r.left == 0 {
		return nil
	}
	if r.after > 0 {
		r.after--
		return nil
	}
	if r.left > 0 {
		r.left--
	}
	return fmt.Errorf("%s %s: %w (injected)", op, what, r.err)
}
