package postgres

import (
	"bytes"
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

// Scans read pages that grow from firstPage to maxPage rows: a listing
// that stops early (a page of ListVaults) reads little, an inventory reads
// few big pages (a round trip each), and memory stays bounded by one page
// either way (8,192 archive records are about 4 MiB).
const (
	firstPage = 64
	maxPage   = 8192
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
	conn     *pgxpool.Conn
	begin    string // the BEGIN statement, until it is sent
	readOnly bool
	pending  []op
	held     map[string]int // bucket "\x00" key -> its last write in pending
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
// trip, handing each statement's result to read in order.
func (t *txn) send(stmts []stmt) error {
	b := &pgx.Batch{}
	if t.begin != "" {
		b.Queue(t.begin)
	}
	for _, s := range stmts {
		b.Queue(s.sql, s.args...)
	}
	if b.Len() == 0 {
		return nil
	}
	ctx, cancel := t.e.ctx()
	defer cancel()
	br := t.conn.SendBatch(ctx, b)
	if t.begin != "" {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
		t.begin = ""
	}
	for _, s := range stmts {
		if err := s.read(br); err != nil {
			br.Close()
			return err
		}
	}
	return br.Close()
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

// flush sends the held writes, and BEGIN if it has not gone out.
func (t *txn) flush(extra ...stmt) error {
	stmts := make([]stmt, 0, len(t.pending)+len(extra))
	for _, o := range t.pending {
		if o.del {
			stmts = append(stmts, execStmt(qDelete, o.bucket, o.key))
		} else {
			stmts = append(stmts, execStmt(qPut, o.bucket, o.key, o.val))
		}
	}
	t.pending, t.held = t.pending[:0], nil
	return t.send(append(stmts, extra...))
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
	if !found {
		return nil
	}
	return nonNil(v)
}

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
	t.held[heldKey(o.bucket, o.key)] = len(t.pending)
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
	if t.begin != "" {
		return // never began
	}
	ctx, cancel := t.e.ctx()
	defer cancel()
	if _, err := t.conn.Exec(ctx, "ROLLBACK"); err != nil {
		_ = t.conn.Conn().Close(ctx)
	}
}

type pair struct{ k, v []byte }

// Scan implements kvstore.KV in keyset pages: each page is read whole
// before fn sees it, so fn may use the transaction, and the next page
// starts just after the last key. Held writes are sent first.
func (t *txn) Scan(bucket string, prefix, from []byte, fn func(k, v []byte) bool) error {
	if t.err != nil {
		return t.err
	}
	start := from
	if bytes.Compare(start, prefix) < 0 {
		start = prefix
	}
	start = nonNil(bytes.Clone(start))
	end := prefixEnd(prefix)
	page := make([]pair, 0, firstPage)
	var slab []byte // the bytes of a page's keys and values
	for size := firstPage; ; size = min(2*size, maxPage) {
		page = page[:0]
		q := stmt{sql: qScan, args: []any{bucket, start, size}}
		if end != nil {
			q = stmt{sql: qScanUntil, args: []any{bucket, start, end, size}}
		}
		q.read = func(br pgx.BatchResults) error {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			defer rows.Close()
			binary := true
			for _, f := range rows.FieldDescriptions() {
				binary = binary && f.Format == pgx.BinaryFormatCode
			}
			slab = slab[:0]
			var spans [][4]int
			for rows.Next() {
				if !binary { // a bytea in text format: let pgx decode it
					var k, v []byte
					if err := rows.Scan(&k, &v); err != nil {
						return err
					}
					page = append(page, pair{k: nonNil(k), v: nonNil(v)})
					continue
				}
				// The raw values are valid only until Next: copy them
				// into the page's slab.
				raw := rows.RawValues()
				if len(raw) != 2 {
					return fmt.Errorf("scan returned %d columns", len(raw))
				}
				ks := len(slab)
				slab = append(slab, raw[0]...)
				vs := len(slab)
				slab = append(slab, raw[1]...)
				spans = append(spans, [4]int{ks, vs, vs, len(slab)})
			}
			for _, sp := range spans {
				page = append(page, pair{k: slab[sp[0]:sp[1]:sp[1]], v: slab[sp[2]:sp[3]:sp[3]]})
			}
			return rows.Err()
		}
		if err := t.flush(q); err != nil {
			return t.fail("scan", err)
		}
		for _, p := range page {
			if !fn(p.k, p.v) {
				return t.err
			}
		}
		if len(page) < size {
			return t.err
		}
		// The successor of the last key in byte order.
		start = append(bytes.Clone(page[len(page)-1].k), 0)
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
