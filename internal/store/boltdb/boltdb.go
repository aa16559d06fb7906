// Package boltdb is the durable storage engine, the default: metadata in a
// bbolt database (meta.db) under the data directory, made durable by a
// write-ahead log (meta.wal).
//
// Durability is the log's: a write transaction's writes are appended to the
// log and fdatasynced before bbolt commits it (without syncing meta.db), so
// a write is visible only once it is durable, and a write that fails is
// never visible, before or after a restart. Concurrent Batch calls share
// one transaction and so one sync. When the log has grown past its limit,
// meta.db is synced and the log starts again. At open, records meta.db
// lacks (after a crash of the machine, not just of the process) are
// replayed.
package boltdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"permafrost/internal/glacier"
	"permafrost/internal/store/diskfault"
	"permafrost/internal/store/fsblob"
	"permafrost/internal/store/kvstore"
)

// Engine is a kvstore.Engine over bbolt.
type Engine struct {
	db       *bolt.DB
	wal      *wal // written under bbolt's writer lock
	log      *slog.Logger
	faults   *diskfault.Injector
	failures atomic.Int64 // writes failed since the last one that succeeded

	qmu        sync.Mutex       // guards queue, committing and closed
	queue      []*call          // Batch calls waiting for the next batch
	committing bool             // the committer has been woken for the queue
	closed     bool             // Close has stopped the committer
	wake       chan struct{}    // wakes the committer (buffered: 1)
	quit       chan struct{}    // closed by Close
	stopped    chan struct{}    // closed when the committer has returned
	obs        kvstore.Observer // nil: not observed
	undo       undoLog          // the committer's, reused by each batch
	ops        walOps           // each write transaction's log record (recordBuf)
	ckpt       checkpoint       // what a power failure falls back to
	wb         *writeback       // meta.db's pages' head start to the disk
}

// Options configure an engine.
type Options struct {
	// Logger receives storage failures and recoveries (default
	// slog.Default()).
	Logger *slog.Logger
	// Faults, in tests, makes disk operations fail on command.
	Faults *diskfault.Injector
	// Blobs, when set, is where Open's store keeps blob bytes (--blobs)
	// instead of files under the data directory.
	Blobs glacier.Blobs
	// Observer, when set, is told of each group commit and log sync
	// (metrics).
	Observer kvstore.Observer
}

var _ kvstore.Engine = (*Engine)(nil)

// lockTimeout is how long an open waits for another process to let the
// data directory go.
const lockTimeout = 2 * time.Second

// errLocked is what an open gets when another process has held the data
// directory for lockTimeout; bbolt's own lock of meta.db says it with
// bolterrors.ErrTimeout.
var errLocked = errors.New("locked by another process")

// OpenEngine opens (creating if needed) the database in dir.
func OpenEngine(dir string, o Options) (*Engine, error) {
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("boltdb: %w", err)
	}
	if statErr != nil { // a new data directory: its entry, too, must survive a power loss
		if err := fsblob.SyncDir(filepath.Dir(filepath.Clean(dir))); err != nil {
			return nil, fmt.Errorf("boltdb: %w", err)
		}
	}
	w, err := openWAL(filepath.Join(dir, walFile), o.Faults)
	if err != nil {
		return nil, fmt.Errorf("boltdb: %w", err)
	}
	e, err := openLocked(dir, w, o)
	if err != nil {
		w.f.Close() // which also lets the lock go
		if errors.Is(err, errLocked) || errors.Is(err, bolterrors.ErrTimeout) {
			err = fmt.Errorf("%w (is another permafrost using this data directory?)", err)
		}
		return nil, err
	}
	return e, nil
}

// openLocked opens meta.db once the data directory is locked (the lock is
// on w's file: nothing in the directory is read or written before it).
func openLocked(dir string, w *wal, o Options) (*Engine, error) {
	if err := lockDir(w.f, lockTimeout); err != nil {
		return nil, fmt.Errorf("boltdb: lock %s: %w", w.path, err)
	}
	if err := restore(dir, w); err != nil {
		return nil, fmt.Errorf("boltdb: restore the checkpoint of meta.db: %w", err)
	}
	path := filepath.Join(dir, "meta.db")
	db, size, err := openMapped(path)
	if err != nil {
		return nil, fmt.Errorf("boltdb: open %s: %w", path, err)
	}
	db.MaxSize = size // never remapped while the pin is held (see mapSize)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	e, err := start(db, w, dir, o)
	if err != nil {
		db.Close()
		return nil, err
	}
	return e, nil
}

// start makes meta.db's state the checkpoint, replays the log onto it,
// creates missing buckets and makes the result the checkpoint; from then
// on durability is the log's.
func start(db *bolt.DB, w *wal, dir string, o Options) (*Engine, error) {
	ck := checkpoint{dir: dir, faults: o.Faults}
	fail := func(err error) (*Engine, error) {
		ck.release()
		return nil, err
	}
	// Nothing below needs a sync of its own: the checkpoints cover it,
	// and until then the log still holds what is replayed.
	db.NoSync = true
	mark := func() error {
		if err := db.Sync(); err != nil {
			return fmt.Errorf("boltdb: sync %s: %w", db.Path(), err)
		}
		return ck.mark(db)
	}
	if err := mark(); err != nil {
		return fail(err)
	}
	if err := w.replay(lastTx(db), func(seq uint64, payload []byte) error {
		if err := apply(db, seq, payload); err != nil || !ck.pending(db, int(seq)+1) {
			return err
		}
		return mark()
	}); err != nil {
		return fail(fmt.Errorf("boltdb: recover from %s: %w", walFile, err))
	}
	if err := createBuckets(db); err != nil {
		return fail(fmt.Errorf("boltdb: init %s: %w", db.Path(), err))
	}
	if lastTx(db) != uint64(ck.pin.ID()) { // something was replayed or created since
		if err := mark(); err != nil {
			return fail(err)
		}
	}
	if err := fsblob.SyncDir(dir); err != nil { // meta.db's and the log's entries
		return fail(fmt.Errorf("boltdb: %w", err))
	}
	w.written = lastTx(db)
	e := &Engine{db: db, wal: w, log: o.Logger, faults: o.Faults, obs: o.Observer, ckpt: ck,
		wb:   openWriteback(db.Path()),
		wake: make(chan struct{}, 1), quit: make(chan struct{}), stopped: make(chan struct{})}
	go e.committer()
	return e, nil
}

// apply commits one log record as transaction seq.
func apply(db *bolt.DB, seq uint64, payload []byte) error {
	return db.Update(func(tx *bolt.Tx) error {
		if uint64(tx.ID()) != seq {
			return fmt.Errorf("replaying transaction %d as %d", seq, tx.ID())
		}
		return decodeOps(payload, func(del bool, bucket, k, v []byte) error {
			b := tx.Bucket(bucket)
			if b == nil {
				return fmt.Errorf("unknown bucket %q", bucket)
			}
			if del {
				return b.Delete(k)
			}
			return b.Put(k, v)
		})
	})
}

// createBuckets creates the buckets a new database (or an older one)
// lacks, committing only if there are any.
func createBuckets(db *bolt.DB) error {
	var missing bool
	_ = db.View(func(tx *bolt.Tx) error {
		for _, b := range kvstore.Buckets {
			missing = missing || tx.Bucket([]byte(b)) == nil
		}
		return nil
	})
	if !missing {
		return nil
	}
	return db.Update(func(tx *bolt.Tx) error {
		for _, b := range kvstore.Buckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
				return err
			}
		}
		return nil
	})
}

// lastTx is the ID of the last committed write transaction.
func lastTx(db *bolt.DB) uint64 {
	var id int
	_ = db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil })
	return uint64(id)
}

// Open returns a durable glacier.Store in dir: metadata in dir/meta.db,
// blobs under dir/blobs.
func Open(dir string, o Options) (glacier.Store, error) {
	e, err := OpenEngine(dir, o)
	if err != nil {
		return nil, err
	}
	if o.Blobs != nil {
		return kvstore.New(e, o.Blobs), nil
	}
	blobs, err := fsblob.Open(dir, o.Faults)
	if err != nil {
		e.Close()
		return nil, err
	}
	return kvstore.New(e, blobs), nil
}

// View implements kvstore.Engine.
func (e *Engine) View(ctx context.Context, fn func(kvstore.KV) error) error {
	if err := ctx.Err(); err != nil {
		return err // bbolt's reads cannot be cancelled: only not started
	}
	bc := bucketCaches.Get().(*bucketCache)
	defer bc.release()
	return e.db.View(func(tx *bolt.Tx) error { return fn(txn{tx: tx, bks: bc}) })
}

type txn struct {
	tx   *bolt.Tx
	ops  *walOps      // the log record of a write transaction
	undo *undoLog     // how to take back the writes of the call running now
	def  *deferred    // records held back until the last call (kvstore.Deferrer)
	bks  *bucketCache // a read's buckets, once opened
}

func (t txn) bucket(b string) (*bolt.Bucket, error) {
	if bk := t.bks.get(b); bk != nil {
		return bk, nil
	}
	bk := t.tx.Bucket([]byte(b))
	if bk == nil {
		return nil, fmt.Errorf("boltdb: unknown bucket %s", b)
	}
	t.bks.add(b, bk)
	// Most keys are time-ordered and arrive in order, so full pages
	// (instead of bbolt's half-full default) mean fewer pages per commit.
	bk.FillPercent = 0.9
	return bk, nil
}

func (t txn) Get(b string, k []byte) []byte {
	t.touch(b, k)
	bk, err := t.bucket(b)
	if err != nil {
		return nil
	}
	if chunked(b, k) {
		return getChunks(bk, k)
	}
	return bk.Get(k)
}

func (t txn) Put(b string, k, v []byte) error {
	t.touch(b, k)
	bk, err := t.bucket(b)
	if err != nil {
		return err
	}
	if chunked(b, k) {
		return t.putChunks(bk, b, k, v)
	}
	return t.put(bk, b, k, v)
}

// put writes one key as it is, noting it for the undo log and the log
// record.
func (t txn) put(bk *bolt.Bucket, b string, k, v []byte) error {
	t.undo.note(bk, b, k)
	return t.write(bk, b, k, v)
}

// write puts one key as it is into bk and the log record; its undo entry
// is the caller's to note.
func (t txn) write(bk *bolt.Bucket, b string, k, v []byte) error {
	if err := bk.Put(k, v); err != nil {
		return err
	}
	t.ops.put(b, k, v)
	return nil
}

func (t txn) Delete(b string, k []byte) error {
	t.touch(b, k)
	bk, err := t.bucket(b)
	if err != nil {
		return err
	}
	if chunked(b, k) {
		if err := t.deletePieces(bk, b, k); err != nil {
			return err
		}
	}
	return t.del(bk, b, k)
}

// del deletes one key as it is, noting it for the undo log and the log
// record.
func (t txn) del(bk *bolt.Bucket, b string, k []byte) error {
	t.undo.note(bk, b, k)
	if err := bk.Delete(k); err != nil {
		return err
	}
	t.ops.delete(b, k)
	return nil
}

func (t txn) Scan(b string, prefix, from []byte, fn func(k, v []byte) bool) error {
	t.touch(b, nil)
	bk, err := t.bucket(b)
	if err != nil {
		return err
	}
	if bytes.Compare(from, prefix) < 0 {
		from = prefix
	}
	if b == chunkBucket {
		scanChunks(bk, prefix, from, fn)
		return nil
	}
	c := bk.Cursor()
	for k, v := c.Seek(from); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if !fn(k, v) {
			break
		}
	}
	return nil
}
