package boltdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"permafrost/internal/glacier"
	"permafrost/internal/store/diskfault"
	"permafrost/internal/store/kvstore"
)

// Update implements kvstore.Engine: the transaction is on disk when it
// returns nil, and when it returns an error nothing it wrote is visible,
// now or after a restart (unless the error wraps glacier.ErrMaybeCommitted).
// Concurrent calls share one transaction and one sync (see Batch); fn runs
// exactly once.
func (e *Engine) Update(ctx context.Context, fn func(kvstore.KV) error) error {
	return e.Batch(ctx, fn)
}

// Batch implements kvstore.Engine: calls that arrive while a batch is
// being committed and synced are queued, and the next batch commits all of
// them in one transaction, covered by one sync. The batches pace
// themselves: a lone call is committed at once, and under load each batch
// holds what arrived during the previous one. Each call runs once, in
// order; one that fails has its own writes taken back (a savepoint) and
// gets its own error, without touching the others.
func (e *Engine) Batch(ctx context.Context, fn func(kvstore.KV) error) error {
	if err := ctx.Err(); err != nil {
		return err // once queued, a call is committed whatever ctx does
	}
	c := &call{fn: fn, done: make(chan error, 1)}
	e.qmu.Lock()
	if e.closed {
		// No committer any more: the call fails on the closed database.
		e.qmu.Unlock()
		e.commitBatch([]*call{c})
		return <-c.done
	}
	e.queue = append(e.queue, c)
	wake := !e.committing
	e.committing = true
	e.qmu.Unlock()
	if wake {
		e.wake <- struct{}{} // never blocks: one wake-up at most is pending
	}
	return <-c.done
}

// committer is the engine's one committing goroutine, from open to Close.
// It lives as long as the engine, rather than one being started for each
// run of batches, because a new goroutine grows its stack again on every
// run (4% of the committer's time under 16 clients of 4 KiB uploads).
func (e *Engine) committer() {
	defer close(e.stopped)
	for {
		select {
		case <-e.wake:
			e.commitQueue()
		case <-e.quit:
			e.commitQueue() // calls queued before Close are still answered
			return
		}
	}
}

// stopCommitter ends the committer once the calls queued are answered;
// later calls commit on their own goroutine (and fail: the database is
// closed).
func (e *Engine) stopCommitter() {
	e.qmu.Lock()
	already := e.closed
	e.closed = true
	e.qmu.Unlock()
	if !already {
		close(e.quit)
		<-e.stopped
	}
}

type call struct {
	fn   func(kvstore.KV) error
	err  error // the call's own error
	done chan error
}

// commitQueue commits batches until the queue is empty; the committer
// calls it when woken.
func (e *Engine) commitQueue() {
	for {
		e.qmu.Lock()
		calls := e.queue
		e.queue = nil
		if len(calls) == 0 {
			e.committing = false
			e.qmu.Unlock()
			return
		}
		e.qmu.Unlock()
		e.commitBatch(calls)
	}
}

// commitBatch runs calls in one transaction, makes it durable, and answers
// them: a call that failed gets its own error, the others the commit's.
func (e *Engine) commitBatch(calls []*call) {
	if e.obs != nil {
		start := time.Now()
		defer func() { e.obs.Commit(len(calls), time.Since(start)) }()
	}
	if len(calls) == 1 {
		// A lone call needs no savepoint: its failure rolls the whole
		// transaction back, so nothing is remembered for undoing.
		c := calls[0]
		err := e.commit(func(kv txn) error {
			c.err = safely(c.fn, kv)
			return c.err
		})
		c.done <- err
		return
	}
	undo := &e.undo // only the committer commits batches of several calls
	undo.reset()
	err := e.commit(func(kv txn) error {
		kv.undo = undo
		for _, c := range calls {
			sp := kv.savepoint()
			if c.err = safely(c.fn, kv); c.err != nil {
				if err := kv.rollbackTo(sp); err != nil {
					return err
				}
			}
		}
		return nil
	})
	for _, c := range calls {
		if c.err != nil {
			c.done <- c.err
		} else {
			c.done <- err
		}
	}
}

// safely runs fn, turning a panic into an error so that one bad call
// cannot take the committer, and everybody waiting on it, down.
func safely(fn func(kvstore.KV) error, kv kvstore.KV) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("boltdb: panic in transaction: %v", p)
		}
	}()
	return fn(kv)
}

// commit runs fn in a write transaction and makes its writes durable, then
// visible: the log record is written and synced first, and only then does
// bbolt commit (so readers never see a write that a crash could lose). A
// log failure rolls the transaction back; a commit failure erases the
// record. Either way the caller gets the error and the store is as before.
func (e *Engine) commit(fn func(kv txn) error) error {
	tx, err := e.db.Begin(true)
	if err != nil {
		return e.failed(fmt.Errorf("boltdb: begin: %w", err))
	}
	e.checkpoint(tx.ID()) // under the writer lock: no record is between log and commit
	ops, def := e.recordBuf(), getDeferred()
	defer putDeferred(def)
	t := txn{tx: tx, ops: ops, def: def}
	err = fn(t)
	if err == nil {
		err = t.flush() // what the calls held back, once each
	}
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	if len(ops.buf) == 0 {
		return tx.Rollback() // nothing written, nothing to log
	}
	seq := uint64(tx.ID())
	logged := time.Now()
	if err := e.wal.log(seq, ops.buf); err != nil {
		_ = tx.Rollback()
		return e.failed(err)
	}
	if e.obs != nil {
		e.obs.LogSync(time.Since(logged))
	}
	if err := e.faults.Check(diskfault.DBCommit, e.db.Path()); err != nil {
		_ = tx.Rollback()
		return e.failed(errors.Join(err, e.wal.undo(seq)))
	}
	if err := tx.Commit(); err != nil {
		return e.failed(errors.Join(fmt.Errorf("boltdb: commit: %w", err), e.wal.undo(seq)))
	}
	st := tx.Stats()
	e.wb.wrote(st.GetWrite())
	e.succeeded()
	return nil
}

// recordBuf returns the engine's one buffer for log records, emptied. It
// is used only under bbolt's writer lock, from a write transaction's
// begin to its end, like the log itself. (A sync.Pool lost it so often,
// between the committer's batches, that regrowing it was the largest
// allocation of the engine's own.) A record that made it large does not
// keep it large.
func (e *Engine) recordBuf() *walOps {
	if cap(e.ops.buf) > 1<<20 {
		e.ops.buf = nil
	}
	e.ops.buf = e.ops.buf[:0]
	return &e.ops
}

// failed notes a failed write for the server's log: the first failure of a
// run of them is logged as an error, and the recovery as the run's end.
func (e *Engine) failed(err error) error {
	if e.failures.Add(1) == 1 {
		e.log.Error("storage writes are failing: every write is refused, and changes nothing, until they succeed again", "err", err)
	}
	if errors.Is(err, glacier.ErrMaybeCommitted) {
		e.log.Error("a failed write could not be erased from the log; it is erased before the next write", "err", err)
	}
	return err
}

func (e *Engine) succeeded() {
	if n := e.failures.Swap(0); n > 0 {
		e.log.Warn("storage writes succeed again", "failed_writes", n)
	}
}

// checkpoint syncs meta.db, which then holds every record in the log,
// makes it the checkpoint (see checkpoint.go) and restarts the log at its
// beginning, once the log has passed its limit or enough pages are held
// for the checkpoint. txid is the write transaction's; the caller holds
// bbolt's writer lock. A failure only postpones it: the log and the
// previous checkpoint still hold everything.
func (e *Engine) checkpoint(txid int) {
	if !(e.wal.full() || e.ckpt.pending(e.db, txid)) || e.wal.revoke >= 0 {
		return
	}
	err := e.syncDB()
	if err == nil {
		err = e.ckpt.mark(e.db)
	}
	if err != nil {
		e.log.Warn("checkpoint postponed", "err", err)
		return
	}
	e.wal.off = 0
}

func (e *Engine) syncDB() error {
	if err := e.faults.Check(diskfault.DBSync, e.db.Path()); err != nil {
		return err
	}
	if err := e.db.Sync(); err != nil {
		return fmt.Errorf("boltdb: sync: %w", err)
	}
	return nil
}

// Close implements kvstore.Engine: meta.db is synced and made the
// checkpoint, so that the next start replays nothing.
func (e *Engine) Close() error {
	e.stopCommitter()
	var err error
	if tx, berr := e.db.Begin(true); berr == nil {
		if err = e.syncDB(); err == nil {
			err = e.ckpt.mark(e.db)
		}
		if err == nil {
			err = e.wal.erase(0) // meta.db has it all: the next start replays nothing
		}
		_ = tx.Rollback()
	}
	e.ckpt.release() // bbolt's Close waits for every read transaction
	e.wb.close()
	if cerr := e.wal.f.Close(); err == nil {
		err = cerr
	}
	if cerr := e.db.Close(); err == nil {
		err = cerr
	}
	return err
}
