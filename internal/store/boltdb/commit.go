package boltdb

import (
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"

	"permafrost/internal/store/kvstore"
)

// Update implements kvstore.Engine: the transaction is on disk when it
// returns nil.
func (e *Engine) Update(fn func(kvstore.KV) error) error {
	var seq uint64
	err := e.db.Update(func(tx *bolt.Tx) error {
		if err := fn(e.txn(tx)); err != nil {
			return err
		}
		seq = uint64(tx.ID())
		return nil
	})
	if err != nil {
		return err
	}
	return e.groupSync(seq)
}

// Batch implements kvstore.Engine: calls that arrive while a batch is
// being committed and synced are queued, and the next batch commits all of
// them in one transaction, covered by one sync. The batches pace
// themselves: a lone call is committed at once, and under load each batch
// holds what arrived during the previous one.
func (e *Engine) Batch(fn func(kvstore.KV) error) error {
	c := &call{fn: fn, done: make(chan error, 1)}
	e.qmu.Lock()
	e.queue = append(e.queue, c)
	lead := !e.committing
	e.committing = true
	e.qmu.Unlock()
	if lead {
		go e.commitQueue()
	}
	return <-c.done
}

type call struct {
	fn   func(kvstore.KV) error
	done chan error
}

// commitQueue commits batches until the queue is empty.
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

// commitBatch runs calls in one transaction, syncs it, and answers them.
// A call that fails gets its error and the rest are run again without it
// (its writes, like everybody's, were rolled back).
func (e *Engine) commitBatch(calls []*call) {
	for len(calls) > 0 {
		failed := -1
		var seq uint64
		err := e.db.Update(func(tx *bolt.Tx) error {
			kv := e.txn(tx)
			for i, c := range calls {
				if err := safely(c.fn, kv); err != nil {
					failed = i
					return err
				}
			}
			seq = uint64(tx.ID())
			return nil
		})
		if failed >= 0 {
			calls[failed].done <- err
			calls = append(calls[:failed:failed], calls[failed+1:]...)
			continue
		}
		if err == nil {
			err = e.groupSync(seq)
		}
		for _, c := range calls {
			c.done <- err
		}
		return
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

// txn returns the KV of write transaction tx, whose writes are recorded
// for the log. Several batched calls share one record; its commit hook
// appends it to the log, and a rolled-back transaction's record is dropped
// with it. Called under bbolt's writer lock.
func (e *Engine) txn(tx *bolt.Tx) txn {
	if e.cur == nil || e.cur.tx != tx {
		e.cur = e.record(tx)
	}
	return txn{tx, &e.cur.ops}
}

// record starts the log record of write transaction tx.
func (e *Engine) record(tx *bolt.Tx) *walTx {
	w := &walTx{tx: tx}
	if b, ok := opBufs.Get().(*[]byte); ok {
		w.ops.buf = (*b)[:0]
	}
	seq := uint64(tx.ID())
	tx.OnCommit(func() {
		e.wal.append(seq, w.ops.buf)
		if cap(w.ops.buf) <= 1<<20 {
			opBufs.Put(&w.ops.buf)
		}
	})
	return w
}

// opBufs recycles records' buffers.
var opBufs sync.Pool

// groupSync returns once transaction seq is on disk. Whoever finds it is
// not yet synced takes the lock and syncs every record written so far, so
// one fdatasync serves all the transactions that were waiting. A log past
// its limit is restarted after a checkpoint.
func (e *Engine) groupSync(seq uint64) error {
	if e.synced.Load() >= seq {
		return nil
	}
	e.syncMu.Lock()
	defer e.syncMu.Unlock()
	if e.synced.Load() >= seq {
		return nil
	}
	target, err := e.wal.syncAll()
	if err != nil {
		return err
	}
	e.synced.Store(target)
	if e.wal.full() {
		return e.checkpoint()
	}
	return nil
}

// checkpoint syncs meta.db, which then holds every record in the log, and
// restarts the log at its beginning. The caller holds syncMu.
func (e *Engine) checkpoint() error {
	w := e.wal
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if err := e.db.Sync(); err != nil {
		w.err = fmt.Errorf("boltdb: sync: %w", err)
		return w.err
	}
	e.synced.Store(w.written)
	w.off = 0
	return nil
}

// Close implements kvstore.Engine.
func (e *Engine) Close() error {
	e.syncMu.Lock()
	err := e.checkpoint()
	e.syncMu.Unlock()
	if cerr := e.wal.f.Close(); err == nil {
		err = cerr
	}
	if cerr := e.db.Close(); err == nil {
		err = cerr
	}
	return err
}
