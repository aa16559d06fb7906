package boltdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"permafrost/internal/store/diskfault"
	"permafrost/internal/store/fsblob"
)

// The checkpoint is the state of meta.db that a power failure falls back
// to. meta.db is written without syncs between checkpoints, so after a
// power failure any of its unsynced page writes may have reached the disk
// and any may not: a newer meta page may point at pages that never
// arrived. So at each checkpoint (meta.db synced) its two meta pages are
// saved, synced, in meta.ckpt; and until the next checkpoint no page of
// the checkpoint's tree is overwritten, because a read transaction (the
// pin) is held at the checkpoint's transaction, which keeps bbolt from
// reusing the pages freed since. At open, if meta.db's meta pages are not
// the checkpoint's and the log holds the transactions after it, the
// checkpoint's meta pages are written back and the log replayed on top:
// the same state after a power failure, a process crash or a clean stop.
const (
	ckptFile  = "meta.ckpt"
	ckptMagic = "PFCKPT01"
	ckptHead  = len(ckptMagic) + 8 + 4 + 4 // magic, txid, length, crc
	// pendingLimit is how many pages freed since the checkpoint (kept
	// for it, unusable) start the next one. Pages that bbolt takes from
	// the end of the file are never recorded as reusable until the pin
	// moves, and bbolt walks its pending pages on every commit.
	pendingLimit = 4096
)

// mapSize is how much of meta.db bbolt maps at open. It cannot map more
// while a read transaction is open (it would wait for the pin, held by the
// committer itself, for ever), so meta.db may not grow past this in one
// run (bbolt's MaxSize makes such a commit fail instead); a restart maps
// twice the size again.
func mapSize(path string) int {
	reserve := mapReserve
	if st, err := os.Stat(path); err == nil && int64(reserve) < 2*st.Size() {
		reserve = int(2 * st.Size())
	}
	return reserve
}

// minMapSize is the least openMapped tries: twice the file's size, and
// at least 64 MiB.
func minMapSize(path string) int {
	if st, err := os.Stat(path); err == nil && st.Size() > 32<<20 {
		return int(2 * st.Size())
	}
	return 64 << 20
}

// mapReserve is the least mapped: address space only on 64-bit systems
// (the pages are the page cache's), but Windows makes the file as large
// as its mapping.
var mapReserve = func() int {
	if strconv.IntSize == 32 || runtime.GOOS == "windows" {
		return 1 << 30
	}
	return 64 << 30
}()

// checkpoint holds the pin and writes meta.ckpt.
type checkpoint struct {
	dir    string
	faults *diskfault.Injector
	pin    *bolt.Tx // a read transaction at the checkpoint's transaction
	base   int      // pages held when the pin had moved (-1: not yet counted)
	marks  int      // checkpoints made
	// marked, in tests, is called after each checkpoint, under the same
	// lock as mark.
	marked func()
}

// mark makes meta.db's current state, just synced by the caller, the
// checkpoint: its meta pages go to meta.ckpt and the pin moves to it. The
// caller holds bbolt's writer lock or is alone with db. On failure the
// previous checkpoint stands, pin included.
func (c *checkpoint) mark(db *bolt.DB) error {
	pin, err := db.Begin(false)
	if err != nil {
		return fmt.Errorf("boltdb: checkpoint: %w", err)
	}
	if err := c.save(db, uint64(pin.ID())); err != nil {
		_ = pin.Rollback()
		return err
	}
	c.release()
	c.pin, c.base = pin, -1
	c.marks++
	if c.marked != nil {
		c.marked()
	}
	return nil
}

// release gives the pin up (before bbolt is closed).
func (c *checkpoint) release() {
	if c.pin != nil {
		_ = c.pin.Rollback()
		c.pin = nil
	}
}

// pending reports whether enough pages are held for the checkpoint that
// the next one should be made. bbolt counts them when a write transaction
// ends, and releases those held for an older pin when one begins: so the
// count means something only from the second transaction begun after the
// pin moved (the write transaction txid is the next). It is counted from
// there, since pages a long read (an inventory) holds stay held whatever
// the pin does.
func (c *checkpoint) pending(db *bolt.DB, txid int) bool {
	if c.pin == nil || txid <= c.pin.ID()+2 {
		return false
	}
	n := db.Stats().PendingPageN
	if c.base < 0 {
		c.base = n
	}
	return n-c.base > pendingLimit
}

// save writes meta.db's two meta pages, with txid, to meta.ckpt: a
// temporary file, synced, renamed into place, the directory synced.
func (c *checkpoint) save(db *bolt.DB, txid uint64) error {
	if err := c.faults.Check(diskfault.DBCheckpoint, filepath.Join(c.dir, ckptFile)); err != nil {
		return fmt.Errorf("boltdb: checkpoint: %w", err)
	}
	f, err := os.Open(db.Path())
	if err != nil {
		return fmt.Errorf("boltdb: checkpoint: %w", err)
	}
	pages := make([]byte, 2*db.Info().PageSize)
	_, err = f.ReadAt(pages, 0)
	f.Close()
	if err != nil {
		return fmt.Errorf("boltdb: checkpoint: read meta pages: %w", err)
	}
	tmp := filepath.Join(c.dir, ckptFile+".tmp")
	if err := writeSynced(tmp, encodeCkpt(txid, pages)); err != nil {
		return fmt.Errorf("boltdb: checkpoint: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(c.dir, ckptFile)); err != nil {
		return fmt.Errorf("boltdb: checkpoint: %w", err)
	}
	if err := fsblob.SyncDir(c.dir); err != nil {
		return fmt.Errorf("boltdb: checkpoint: %w", err)
	}
	return nil
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func encodeCkpt(txid uint64, pages []byte) []byte {
	b := make([]byte, ckptHead, ckptHead+len(pages))
	copy(b, ckptMagic)
	binary.LittleEndian.PutUint64(b[8:], txid)
	binary.LittleEndian.PutUint32(b[16:], uint32(len(pages)))
	b = append(b, pages...)
	binary.LittleEndian.PutUint32(b[20:], crc32.Checksum(ckptCovered(b), crcTable))
	return b
}

// ckptCovered is what a checkpoint's CRC covers: all but magic and crc.
func ckptCovered(b []byte) []byte {
	return append(append([]byte(nil), b[8:20]...), b[ckptHead:]...)
}

// readCkpt reads meta.ckpt (ok false if there is none: a data directory
// of an earlier version, or a new one).
func readCkpt(dir string) (txid uint64, pages []byte, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, ckptFile))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil, false, nil
	}
	if err == nil {
		txid, pages, err = decodeCkpt(b)
	}
	return txid, pages, err == nil, err
}

func decodeCkpt(b []byte) (txid uint64, pages []byte, err error) {
	if len(b) < ckptHead || string(b[:8]) != ckptMagic ||
		uint64(binary.LittleEndian.Uint32(b[16:])) != uint64(len(b)-ckptHead) ||
		crc32.Checksum(ckptCovered(b), crcTable) != binary.LittleEndian.Uint32(b[20:]) {
		return 0, nil, fmt.Errorf("%s is damaged", ckptFile)
	}
	return binary.LittleEndian.Uint64(b[8:]), b[ckptHead:], nil
}

// restore runs at open, before bbolt: if meta.db's meta pages are not the
// checkpoint's and the log holds the transaction after the checkpoint,
// the checkpoint's pages are written back (and synced), so that bbolt
// opens the checkpoint's state, whose pages no later write touched, and
// the log is replayed onto it. Without the log's records (removed on
// purpose) meta.db is left as it is.
func restore(dir string, w *wal) error {
	txid, pages, ok, err := readCkpt(dir)
	if err != nil || !ok {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, "meta.db"), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	cur := make([]byte, len(pages))
	if n, _ := f.ReadAt(cur, 0); n == len(cur) && bytes.Equal(cur, pages) {
		return nil
	}
	if t, ok := newestMeta(cur); ok && t+1 < txid {
		// Older than the checkpoint's (one before it, a torn newer one
		// beside it, is a power failure's): meta.db was replaced, and
		// the log's replay says so.
		return nil
	}
	if has, err := w.holds(txid + 1); err != nil || !has {
		return err
	}
	if _, err := f.WriteAt(pages, 0); err != nil {
		return err
	}
	return fdatasync(f)
}

// newestMeta returns the transaction of the newest valid bbolt meta page
// among pages (meta.db's first two pages), if either is valid. The layout
// is bbolt's: a 16-byte page header, then magic, version, page size,
// flags, the root bucket (16 bytes), freelist, pgid, txid and an FNV-1a
// checksum of all before it, in the machine's byte order.
func newestMeta(pages []byte) (txid uint64, ok bool) {
	const magic, version = 0xED0CDAED, 2
	ps := len(pages) / 2
	for i := 0; i < 2; i++ {
		if ps < 16+64 {
			break
		}
		m := pages[i*ps+16 : i*ps+16+64]
		if binary.NativeEndian.Uint32(m) != magic || binary.NativeEndian.Uint32(m[4:]) != version {
			continue
		}
		h := fnv.New64a()
		h.Write(m[:56])
		if h.Sum64() != binary.NativeEndian.Uint64(m[56:]) {
			continue
		}
		if t := binary.NativeEndian.Uint64(m[48:]); !ok || t > txid {
			txid, ok = t, true
		}
	}
	return txid, ok
}
