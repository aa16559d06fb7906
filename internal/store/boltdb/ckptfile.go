package boltdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"permafrost/internal/store/diskfault"
	"permafrost/internal/store/fsblob"
)

// meta.ckpt holds the checkpoint's transaction and meta.db's two meta
// pages as they were synced:
//
//	magic   "PFCKPT01"
//	txid    uint64
//	length  uint32   of the pages
//	crc     uint32   CRC-32C of txid, length and pages
//	pages            two of meta.db's pages
const (
	ckptFile  = "meta.ckpt"
	ckptMagic = "PFCKPT01"
	ckptHead  = len(ckptMagic) + 8 + 4 + 4
)

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
