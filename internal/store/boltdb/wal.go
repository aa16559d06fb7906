package boltdb

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
)

// The write-ahead log (meta.wal) is what makes a commit durable. bbolt
// commits without syncing; each committed transaction's writes are then
// appended to the log as one record, and one fdatasync of the log
// acknowledges every transaction appended before it. A small sequential
// sync of a preallocated file costs a fraction of syncing the dozens of
// scattered pages a bbolt commit dirties.
//
// A record is
//
//	length  uint32   of the payload
//	crc     uint32   CRC-32C of seq and payload
//	seq     uint64   the bbolt transaction ID that committed it
//	payload          ops: kind byte, then uvarint-prefixed bucket, key
//	                 (and value for a put)
//
// bbolt numbers committed write transactions consecutively, so the log is
// a chain seq, seq+1, ... After a checkpoint (meta.db synced) the log is
// rewritten from offset 0; older records left behind it have smaller
// sequence numbers, which ends the chain when it is read back.
const (
	walFile     = "meta.wal"
	walHeader   = 16
	walGrowStep = 4 << 20  // the file is zero-filled ahead of the writer
	walLimit    = 64 << 20 // a checkpoint restarts the log beyond this
	opPut       = 1
	opDelete    = 2
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// walOps collects one transaction's writes as a record payload.
type walOps struct{ buf []byte }

func (w *walOps) put(bucket string, k, v []byte) {
	w.buf = append(w.buf, opPut)
	w.buf = appendField(w.buf, bucket)
	w.buf = appendField(w.buf, k)
	w.buf = appendField(w.buf, v)
}

func (w *walOps) delete(bucket string, k []byte) {
	w.buf = append(w.buf, opDelete)
	w.buf = appendField(w.buf, bucket)
	w.buf = appendField(w.buf, k)
}

// appendField appends b with its uvarint length.
func appendField[B string | []byte](dst []byte, b B) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// decodeOps calls fn for each op of a record payload, in order.
func decodeOps(p []byte, fn func(del bool, bucket, k, v []byte) error) error {
	for len(p) > 0 {
		kind := p[0]
		if kind != opPut && kind != opDelete {
			return fmt.Errorf("unknown op %d", kind)
		}
		p = p[1:]
		var fields [3][]byte
		n := 2
		if kind == opPut {
			n = 3
		}
		for i := 0; i < n; i++ {
			l, w := binary.Uvarint(p)
			if w <= 0 || l > uint64(len(p)-w) {
				return errors.New("truncated op")
			}
			fields[i], p = p[w:w+int(l)], p[w+int(l):]
		}
		if err := fn(kind == opDelete, fields[0], fields[1], fields[2]); err != nil {
			return err
		}
	}
	return nil
}

func frame(dst []byte, seq uint64, payload []byte) []byte {
	var h [walHeader]byte
	binary.LittleEndian.PutUint32(h[0:], uint32(len(payload)))
	binary.LittleEndian.PutUint64(h[8:], seq)
	crc := crc32.Update(crc32.Checksum(h[8:], crcTable), crcTable, payload)
	binary.LittleEndian.PutUint32(h[4:], crc)
	dst = append(dst, h[:]...)
	return append(dst, payload...)
}

// readLog calls fn for each intact record of r, in order, until the end,
// a torn or zeroed record, or fn returning false. size bounds a record's
// length, so garbage can never ask for a huge buffer.
func readLog(r io.Reader, size int64, fn func(seq uint64, payload []byte) bool) error {
	br := bufio.NewReaderSize(r, 1<<20)
	var h [walHeader]byte
	var payload []byte
	for {
		if _, err := io.ReadFull(br, h[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil
			}
			return err
		}
		n := int64(binary.LittleEndian.Uint32(h[0:]))
		seq := binary.LittleEndian.Uint64(h[8:])
		if seq == 0 || n > size {
			return nil
		}
		if int64(cap(payload)) < n {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(br, payload); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil
			}
			return err
		}
		crc := crc32.Update(crc32.Checksum(h[8:], crcTable), crcTable, payload)
		if crc != binary.LittleEndian.Uint32(h[4:]) {
			return nil
		}
		if !fn(seq, payload) {
			return nil
		}
	}
}

// wal is the open log. Records are appended in sequence order whatever
// order their commit hooks run in.
type wal struct {
	mu      sync.Mutex
	cond    *sync.Cond
	f       *os.File
	off     int64  // where the next record goes
	filled  int64  // the file's allocated (zero-filled or written) length
	written uint64 // seq of the last record written
	err     error  // sticky: once a write fails nothing more is acknowledged
	limit   int64
	scratch []byte
}

func openWAL(path string) (*wal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	w := &wal{f: f, filled: st.Size(), limit: walLimit}
	w.cond = sync.NewCond(&w.mu)
	return w, nil
}

// replay calls fn for each record of the log's chain that meta.db does not
// have yet (seq > applied), in order.
func (w *wal) replay(applied uint64, fn func(seq uint64, payload []byte) error) error {
	if _, err := w.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	var prev uint64
	var ferr error
	err := readLog(w.f, w.filled, func(seq uint64, payload []byte) bool {
		if prev != 0 && seq != prev+1 {
			return false // the chain ends: what follows predates the last checkpoint
		}
		prev = seq
		switch {
		case seq <= applied:
			return true // already in meta.db
		case seq != applied+1:
			ferr = fmt.Errorf("%s continues at transaction %d but meta.db ends at %d (if meta.db was replaced on purpose, remove %s)", walFile, seq, applied, walFile)
			return false
		}
		if ferr = fn(seq, payload); ferr != nil {
			return false
		}
		applied = seq
		return true
	})
	if ferr != nil {
		return ferr
	}
	return err
}

// append writes the record of transaction seq once every earlier record
// is written.
func (w *wal) append(seq uint64, payload []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.written != seq-1 && w.err == nil {
		w.cond.Wait()
	}
	defer w.cond.Broadcast()
	if w.err != nil {
		return
	}
	w.scratch = frame(w.scratch[:0], seq, payload)
	end := w.off + int64(len(w.scratch))
	if _, err := w.f.WriteAt(w.scratch, w.off); err != nil {
		w.err = fmt.Errorf("boltdb: write %s: %w", walFile, err)
		return
	}
	if end > w.filled {
		// Syncs that change the file's size cost twice as much; keep
		// zeroes ahead of the writer.
		grow := end + walGrowStep - end%walGrowStep
		if err := zeroFill(w.f, end, grow); err != nil {
			w.err = fmt.Errorf("boltdb: extend %s: %w", walFile, err)
			return
		}
		w.filled = grow
	}
	w.off, w.written = end, seq
	if cap(w.scratch) > 1<<20 {
		w.scratch = nil
	}
}

var zeroes [64 << 10]byte

func zeroFill(f *os.File, from, to int64) error {
	for from < to {
		n := min(int64(len(zeroes)), to-from)
		if _, err := f.WriteAt(zeroes[:n], from); err != nil {
			return err
		}
		from += n
	}
	return nil
}

// syncAll makes every record written so far durable and returns the last
// one's seq.
func (w *wal) syncAll() (uint64, error) {
	w.mu.Lock()
	seq, err := w.written, w.err
	w.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if err := fdatasync(w.f); err != nil {
		return 0, fmt.Errorf("boltdb: sync %s: %w", walFile, err)
	}
	return seq, nil
}

// full reports whether the log has passed its limit.
func (w *wal) full() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.off > w.limit
}
