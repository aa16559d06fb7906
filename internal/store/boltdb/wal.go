package boltdb

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"permafrost/internal/glacier"
	"permafrost/internal/store/diskfault"
)

// The write-ahead log (meta.wal) is what makes a commit durable. A write
// transaction's writes are appended to the log as one record and synced
// before bbolt commits the transaction (without syncing meta.db), so no
// reader ever sees a write that is not yet on disk; a record whose bbolt
// commit then fails is erased. A small sequential
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

// wal is the open log. It is written only under bbolt's writer lock, by
// the one transaction being committed, so it needs no lock of its own.
type wal struct {
	f       *os.File
	path    string
	faults  *diskfault.Injector
	off     int64  // where the next record goes
	last    int64  // where the last record written starts
	filled  int64  // the file's allocated (zero-filled or written) length
	written uint64 // seq of the last record written
	revoke  int64  // a record that must be erased before the next (-1: none)
	limit   int64
	scratch []byte
}

func openWAL(path string, faults *diskfault.Injector) (*wal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &wal{f: f, path: path, faults: faults, filled: st.Size(), revoke: -1, limit: walLimit}, nil
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

// holds reports whether the log's chain holds the record of transaction
// seq.
func (w *wal) holds(seq uint64) (bool, error) {
	if _, err := w.f.Seek(0, io.SeekStart); err != nil {
		return false, err
	}
	var prev uint64
	found := false
	err := readLog(w.f, w.filled, func(s uint64, _ []byte) bool {
		if prev != 0 && s != prev+1 {
			return false
		}
		prev, found = s, s == seq
		return s < seq
	})
	return found, err
}

// log writes the record of transaction seq and makes it durable. When it
// fails, no record of seq is left that a restart could replay: a record
// that may have reached the disk is erased before anything else is
// written, and until it is, every log call fails.
func (w *wal) log(seq uint64, payload []byte) error {
	if w.revoke >= 0 {
		if err := w.erase(w.revoke); err != nil {
			return err
		}
		w.revoke = -1
	}
	w.scratch = frame(w.scratch[:0], seq, payload)
	end := w.off + int64(len(w.scratch))
	if end > w.filled {
		// Space is taken before the record is written, so that a full
		// disk fails here, with nothing written. Syncs that change the
		// file's size also cost twice as much: zeroes stay ahead.
		grow := end + walGrowStep - end%walGrowStep
		if err := w.faults.Check(diskfault.WALGrow, w.path); err != nil {
			return err
		}
		if err := zeroFill(w.f, w.filled, grow); err != nil {
			return fmt.Errorf("boltdb: extend %s: %w", walFile, err)
		}
		w.filled = grow
	}
	err := w.faults.Check(diskfault.WALWrite, w.path)
	if err == nil {
		_, err = w.f.WriteAt(w.scratch, w.off)
	}
	if err == nil {
		if err = w.faults.Check(diskfault.WALSync, w.path); err == nil {
			err = fdatasync(w.f)
		}
	}
	if cap(w.scratch) > 1<<20 {
		w.scratch = nil
	}
	if err != nil {
		w.revoke = w.off // a part of it, or all, may be on disk
		if eerr := w.erase(w.off); eerr == nil {
			w.revoke = -1
		}
		return fmt.Errorf("boltdb: write %s: %w", walFile, err)
	}
	w.last, w.off, w.written = w.off, end, seq
	return nil
}

// undo erases the last record written, that of transaction seq, whose
// commit to meta.db failed. If it cannot be erased now, later log calls
// keep trying and fail until it is; the error then wraps
// glacier.ErrMaybeCommitted, since a restart before that would replay it.
func (w *wal) undo(seq uint64) error {
	if w.written != seq {
		return nil
	}
	w.off, w.written = w.last, seq-1
	if err := w.erase(w.off); err != nil {
		w.revoke = w.off
		return fmt.Errorf("%w: %w", glacier.ErrMaybeCommitted, err)
	}
	return nil
}

// erase zeroes the header of the record at off and syncs it, which ends
// the log's chain there.
func (w *wal) erase(off int64) error {
	var zero [walHeader]byte
	err := w.faults.Check(diskfault.WALRevoke, w.path)
	if err == nil {
		_, err = w.f.WriteAt(zero[:], off)
	}
	if err == nil {
		err = fdatasync(w.f)
	}
	if err != nil {
		return fmt.Errorf("boltdb: erase a failed record of %s: %w", walFile, err)
	}
	return nil
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

// full reports whether the log has passed its limit.
func (w *wal) full() bool { return w.off > w.limit }
