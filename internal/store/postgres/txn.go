package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"permafrost/internal/glacier"
)

const (
	qGet       = `SELECT value FROM permafrost_kv WHERE bucket = $1 AND key = $2`
	qPut       = `INSERT INTO permafrost_kv (bucket, key, value) VALUES ($1, $2, $3) ON CONFLICT (bucket, key) DO UPDATE SET value = EXCLUDED.value`
	qDelete    = `DELETE FROM permafrost_kv WHERE bucket = $1 AND key = $2`
	qScan      = `SELECT key, value FROM permafrost_kv WHERE bucket = $1 AND key >= $2 ORDER BY key LIMIT $3`
	qScanUntil = `SELECT key, value FROM permafrost_kv WHERE bucket = $1 AND key >= $2 AND key < $3 ORDER BY key LIMIT $4`
)

// maxPending is how many writes are held before they are sent.
const maxPending = 256

// txn is one transaction's kvstore.KV, on a connection of its own. To
// spend few round trips (each is the latency of a statement on a shared
// hot row), BEGIN goes out with the first statement, and writes are held
// and sent together: before the next scan, when maxPending are held, or
// with the COMMIT. Get reads the held writes first, so the transaction
// sees its own writes. The first failure is sticky: every later call
// fails with it and the transaction is rolled back.
type txn struct {
	e        *Engine
	ctx      context.Context // the transaction's: every statement carries it
	conn     *pgxpool.Conn
	begin    string // the BEGIN statement, until it is sent
	readOnly bool
	pending  []op
	held     map[string]int    // bucket "\x00" key -> its last write in pending
	reads    map[string][]byte // values read (nil: missing), by held key
	ahead    *ahead            // a scan's next page, sent before it is needed
	err      error
}

type op struct {
	bucket   string
	key, val []byte
	del      bool
}

func heldKey(bucket string, key []byte) string { return bucket + "\x00" + string(key) }

func (t *txn) fail(op string, err error) error {
	if t.err == nil {
		t.err = fmt.Errorf("postgres: %s: %w", op, err)
	}
	return t.err
}

// send runs stmts (after BEGIN, if it has not gone out yet) in one round
// trip, handing each statement's result to read in order. A round trip
// sent ahead is read first.
func (t *txn) send(stmts []stmt) error {
	if err := t.settle(); err != nil {
		return err
	}
	a := t.sendOnly(stmts)
	if a == nil {
		return nil
	}
	return a.read()
}

// sendOnly sends stmts, BEGIN first if it has not gone out, without
// reading the answers; nil when there is nothing to send.
func (t *txn) sendOnly(stmts []stmt) *ahead {
	b := &pgx.Batch{}
	begins := t.begin != ""
	if begins {
		b.Queue(t.begin)
	}
	for _, s := range stmts {
		b.Queue(s.sql, s.args...)
	}
	if b.Len() == 0 {
		return nil
	}
	ctx, cancel := t.e.ctx(t.ctx)
	return &ahead{t: t, br: t.conn.SendBatch(ctx, b), cancel: cancel, begins: begins, stmts: stmts}
}

// ahead is a round trip sent and not yet read.
type ahead struct {
	t      *txn
	br     pgx.BatchResults
	cancel context.CancelFunc
	begins bool
	stmts  []stmt
	// done, when set, is closed once a reader of its own has read the
	// answers (into err).
	done chan struct{}
	err  error
}

// read reads the answers in order.
func (a *ahead) read() error {
	defer a.cancel()
	if a.begins {
		if _, err := a.br.Exec(); err != nil {
			a.br.Close()
			return err
		}
		a.t.begin = ""
	}
	for _, s := range a.stmts {
		if err := s.read(a.br); err != nil {
			a.br.Close()
			return err
		}
	}
	return a.br.Close()
}

// sendAhead sends stmts, and reads their answers on a goroutine of its
// own, for settle (or the next round trip) to collect. The answers are
// drained as the database sends them, so it is not held up once the
// socket's buffers are full while the caller works on something else: a
// scan's next page is in memory by the time the current one has been
// used. The connection is the reader's alone until settle returns.
func (t *txn) sendAhead(stmts []stmt) error {
	if err := t.settle(); err != nil {
		return err
	}
	a := t.sendOnly(stmts)
	if a != nil {
		a.done = make(chan struct{})
		go func() {
			defer close(a.done)
			a.err = a.read()
		}()
	}
	t.ahead = a
	return nil
}

// settle reads the round trip sent ahead, if any.
func (t *txn) settle() error {
	a := t.ahead
	if a == nil {
		return nil
	}
	t.ahead = nil
	if a.done != nil {
		<-a.done
		return a.err
	}
	return a.read()
}

// stmt is one statement of a round trip.
type stmt struct {
	sql  string
	args []any
	read func(pgx.BatchResults) error
}

func execStmt(sql string, args ...any) stmt {
	return stmt{sql: sql, args: args, read: func(br pgx.BatchResults) error { _, err := br.Exec(); return err }}
}

// flush sends the held writes, and BEGIN if it has not gone out, with
// extra after them.
func (t *txn) flush(extra ...stmt) error { return t.send(t.writes(extra)) }

// writes returns the held writes as statements, followed by extra, and
// forgets them.
func (t *txn) writes(extra []stmt) []stmt {
	stmts := make([]stmt, 0, len(t.pending)+len(extra))
	for _, o := range t.pending {
		if o.del {
			stmts = append(stmts, execStmt(qDelete, o.bucket, o.key))
		} else {
			stmts = append(stmts, execStmt(qPut, o.bucket, o.key, o.val))
		}
	}
	t.pending, t.held = t.pending[:0], nil
	return append(stmts, extra...)
}

// Get implements kvstore.KV. A failed lookup returns nil and fails the
// transaction: the caller may take nil for "missing", but nothing it then
// writes is committed.
func (t *txn) Get(bucket string, key []byte) []byte {
	if t.err != nil {
		return nil
	}
	if i, ok := t.held[heldKey(bucket, key)]; ok {
		if t.pending[i].del {
			return nil
		}
		return t.pending[i].val
	}
	// The snapshot does not change within the transaction, so a key read
	// again (a vault read to authorize the request, then by the
	// operation) is answered without a round trip.
	hk := heldKey(bucket, key)
	if v, ok := t.reads[hk]; ok {
		return v
	}
	var v []byte
	found := false
	err := t.send([]stmt{{sql: qGet, args: []any{bucket, nonNil(key)}, read: func(br pgx.BatchResults) error {
		err := br.QueryRow().Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		found = err == nil
		return err
	}}})
	if err != nil {
		t.fail("get", err)
		return nil
	}
	if found {
		v = nonNil(v)
	}
	if t.reads == nil {
		t.reads = map[string][]byte{}
	}
	if len(t.reads) < maxReads {
		t.reads[hk] = v
	}
	return v
}

// maxReads bounds the values a transaction remembers.
const maxReads = 64

var errReadOnly = errors.New("write in a read-only transaction")

// Put implements kvstore.KV. The write is held (see txn); if sending it
// fails later, the transaction fails.
func (t *txn) Put(bucket string, key, val []byte) error {
	return t.hold(op{bucket: bucket, key: bytes.Clone(nonNil(key)), val: bytes.Clone(nonNil(val))})
}

// Delete implements kvstore.KV.
func (t *txn) Delete(bucket string, key []byte) error {
	return t.hold(op{bucket: bucket, key: bytes.Clone(nonNil(key)), del: true})
}

func (t *txn) hold(o op) error {
	if t.err != nil {
		return t.err
	}
	if t.readOnly {
		return t.fail("write", errReadOnly)
	}
	if t.held == nil {
		t.held = map[string]int{}
	}
	hk := heldKey(o.bucket, o.key)
	t.held[hk] = len(t.pending)
	delete(t.reads, hk) // once the write is sent, the database answers
	t.pending = append(t.pending, o)
	if len(t.pending) >= maxPending {
		if err := t.flush(); err != nil {
			return t.fail("write", err)
		}
	}
	return nil
}

// commit sends the held writes and COMMIT in one round trip.
func (t *txn) commit() error {
	if t.err != nil {
		return t.err
	}
	if t.begin != "" && len(t.pending) == 0 {
		return nil // fn touched nothing: there is no transaction to end
	}
	// A transaction whose context ended before COMMIT is rolled back
	// (nothing was committed); once COMMIT is sent it is not cancelled,
	// so a request that ends then leaves no doubt about the outcome.
	if err := t.ctx.Err(); err != nil {
		return t.fail("commit", err)
	}
	t.ctx = context.WithoutCancel(t.ctx)
	var tag pgconn.CommandTag
	err := t.flush(stmt{sql: "COMMIT", read: func(br pgx.BatchResults) (err error) { tag, err = br.Exec(); return }})
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe):
		return fmt.Errorf("postgres: commit: %w", err) // refused: nothing was applied
	case err != nil:
		// The connection failed with the COMMIT in flight: it may have
		// been applied or not.
		return fmt.Errorf("postgres: commit: %w: %w", glacier.ErrMaybeCommitted, err)
	case tag.String() != "COMMIT":
		return fmt.Errorf("postgres: commit answered %q: the transaction was rolled back", tag.String())
	}
	return nil
}

// end rolls the transaction back (a View's, or a failed one's). A
// connection that cannot be rolled back is closed, never handed back to
// the pool inside a transaction.
func (t *txn) end() {
	_ = t.settle()
	if t.begin != "" {
		return // never began
	}
	ctx, cancel := t.e.ctx(context.Background()) // rolled back even when t.ctx is done
	defer cancel()
	if _, err := t.conn.Exec(ctx, "ROLLBACK"); err != nil {
		_ = t.conn.Conn().Close(ctx)
	}
}

// prefixEnd is the least key greater than every key with prefix, or nil
// when there is none (an empty prefix, or one of only 0xff bytes).
func prefixEnd(prefix []byte) []byte {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] != 0xff {
			end := bytes.Clone(prefix[:i+1])
			end[i]++
			return end
		}
	}
	return nil
}

// nonNil turns nil into an empty slice: pgx sends a nil []byte as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
