package postgres

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
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
// big pages, and memory stays bounded by one page either way.
const (
	firstPage = 64
	maxPage   = 1024
)

// txn is one transaction's kvstore.KV. Its first failure is sticky: every
// later call fails with it and the transaction is rolled back.
type txn struct {
	e   *Engine
	tx  pgx.Tx
	err error
}

func (t *txn) fail(op string, err error) error {
	if t.err == nil {
		t.err = fmt.Errorf("postgres: %s: %w", op, err)
	}
	return t.err
}

func (t *txn) rollback() {
	ctx, cancel := t.e.ctx()
	defer cancel()
	_ = t.tx.Rollback(ctx) // a lost connection rolls back by itself
}

// Get implements kvstore.KV. A failed lookup returns nil and fails the
// transaction: the caller may take nil for "missing", but nothing it then
// writes is committed.
func (t *txn) Get(bucket string, key []byte) []byte {
	if t.err != nil {
		return nil
	}
	ctx, cancel := t.e.ctx()
	defer cancel()
	var v []byte
	err := t.tx.QueryRow(ctx, qGet, bucket, nonNil(key)).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		t.fail("get", err)
		return nil
	}
	return nonNil(v)
}

// Put implements kvstore.KV.
func (t *txn) Put(bucket string, key, val []byte) error {
	return t.exec("put", qPut, bucket, nonNil(key), nonNil(val))
}

// Delete implements kvstore.KV.
func (t *txn) Delete(bucket string, key []byte) error {
	return t.exec("delete", qDelete, bucket, nonNil(key))
}

func (t *txn) exec(op, sql string, args ...any) error {
	if t.err != nil {
		return t.err
	}
	ctx, cancel := t.e.ctx()
	defer cancel()
	if _, err := t.tx.Exec(ctx, sql, args...); err != nil {
		return t.fail(op, err)
	}
	return nil
}

type pair struct{ k, v []byte }

// Scan implements kvstore.KV in keyset pages: each page is read whole
// before fn sees it, so fn may use the transaction, and the next page
// starts just after the last key.
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
	for size := firstPage; ; size = min(2*size, maxPage) {
		var err error
		if page, err = t.page(bucket, start, end, size, page[:0]); err != nil {
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

func (t *txn) page(bucket string, start, end []byte, size int, out []pair) ([]pair, error) {
	ctx, cancel := t.e.ctx()
	defer cancel()
	var rows pgx.Rows
	var err error
	if end == nil {
		rows, err = t.tx.Query(ctx, qScan, bucket, start, size)
	} else {
		rows, err = t.tx.Query(ctx, qScanUntil, bucket, start, end, size)
	}
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v []byte // scanning a bytea into []byte copies it
		if err := rows.Scan(&k, &v); err != nil {
			return out, err
		}
		out = append(out, pair{k: nonNil(k), v: nonNil(v)})
	}
	return out, rows.Err()
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
