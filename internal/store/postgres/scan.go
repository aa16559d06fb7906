package postgres

import (
	"bytes"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Scans read pages that grow from firstPage to maxPage rows: a listing
// that stops early (a page of ListVaults) reads little, an inventory reads
// few big pages (a round trip each), and memory stays bounded by two pages
// (8,192 archive records are about 4 MiB).
const (
	firstPage = 64
	maxPage   = 8192
)

type pair struct{ k, v []byte }

// page is one page of a scan, its keys and values in one slab.
type page struct {
	pairs []pair
	slab  []byte
}

// query is the statement reading the page of up to size keys of bucket
// from start (inclusive) to end (exclusive; nil: no end) into p.
func (p *page) query(bucket string, start, end []byte, size int) stmt {
	q := stmt{sql: qScan, args: []any{bucket, start, size}}
	if end != nil {
		q = stmt{sql: qScanUntil, args: []any{bucket, start, end, size}}
	}
	q.read = func(br pgx.BatchResults) error {
		p.pairs, p.slab = p.pairs[:0], p.slab[:0]
		rows, err := br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		binary := true
		for _, f := range rows.FieldDescriptions() {
			binary = binary && f.Format == pgx.BinaryFormatCode
		}
		var spans [][4]int
		for rows.Next() {
			if !binary { // a bytea in text format: let pgx decode it
				var k, v []byte
				if err := rows.Scan(&k, &v); err != nil {
					return err
				}
				p.pairs = append(p.pairs, pair{k: nonNil(k), v: nonNil(v)})
				continue
			}
			// The raw values are valid only until Next: copy them into
			// the slab.
			raw := rows.RawValues()
			if len(raw) != 2 {
				return fmt.Errorf("scan returned %d columns", len(raw))
			}
			ks := len(p.slab)
			p.slab = append(p.slab, raw[0]...)
			vs := len(p.slab)
			p.slab = append(p.slab, raw[1]...)
			spans = append(spans, [4]int{ks, vs, vs, len(p.slab)})
		}
		for _, sp := range spans {
			p.pairs = append(p.pairs, pair{k: p.slab[sp[0]:sp[1]:sp[1]], v: p.slab[sp[2]:sp[3]:sp[3]]})
		}
		return rows.Err()
	}
	return q
}

// Scan implements kvstore.KV in keyset pages. Each page is read whole
// before fn sees it, so fn may use the transaction; while fn reads a full
// page, the next one (starting just after its last key) is already on its
// way, so the database and fn work at once. Held writes are sent first.
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
	var bufs [2]page // the page fn reads, and the next
	cur, size := &bufs[0], firstPage
	if err := t.flush(cur.query(bucket, start, end, size)); err != nil {
		return t.fail("scan", err)
	}
	for i := 1; ; i++ {
		var next *page
		nextSize := min(2*size, maxPage)
		if len(cur.pairs) == size {
			// The successor of the last key in byte order.
			start = append(bytes.Clone(cur.pairs[len(cur.pairs)-1].k), 0)
			next = &bufs[i%2]
			if err := t.sendAhead(t.writes([]stmt{next.query(bucket, start, end, nextSize)})); err != nil {
				return t.fail("scan", err)
			}
		}
		for _, p := range cur.pairs {
			if !fn(p.k, p.v) {
				if err := t.settle(); err != nil {
					return t.fail("scan", err)
				}
				return t.err
			}
		}
		if err := t.settle(); err != nil {
			return t.fail("scan", err)
		}
		if t.err != nil || next == nil {
			return t.err
		}
		cur, size = next, nextSize
	}
}
