// Package fsblob stores blobs as files: written to a temporary file, renamed
// into place, then the file and its directory fsynced (at once, see
// Commit), so a committed blob survives a crash; an interrupted one leaves
// a temporary file, which Open removes at start, or an unreferenced blob,
// which the service's Recover removes.
package fsblob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"permafrost/internal/glacier"
	"permafrost/internal/store/diskfault"
)

// Store is a directory of blobs.
type Store struct {
	dir    string // blobs/<2 hex>/<id>
	tmp    string // temporary files of blobs being written
	faults *diskfault.Injector
	dirs   *dirSyncer // syncs of blobs' directories after renames
}

var _ glacier.Blobs = (*Store)(nil)

// Open opens (creating) the blob store under root and removes temporary
// files left by a previous run. faults, in tests, makes its disk operations
// fail on command (nil in production).
func Open(root string, faults *diskfault.Injector) (*Store, error) {
	s := &Store{dir: filepath.Join(root, "blobs"), tmp: filepath.Join(root, "tmp"), faults: faults, dirs: newDirSyncer()}
	if err := os.RemoveAll(s.tmp); err != nil {
		return nil, fmt.Errorf("fsblob: clean %s: %w", s.tmp, err)
	}
	for _, d := range []string{s.dir, s.tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("fsblob: %w", err)
		}
	}
	// A new blobs/ must survive a power loss too, or every blob below it
	// (each synced into its own directory) would be lost with it.
	if err := SyncDir(root); err != nil {
		return nil, fmt.Errorf("fsblob: %w", err)
	}
	return s, nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func (s *Store) path(id string) string { return filepath.Join(s.dir, id[:2], id) }

// Create implements glacier.Blobs.
func (s *Store) Create(ctx context.Context) (glacier.BlobWriter, error) {
	if err := s.faults.Check(diskfault.BlobCreate, s.tmp); err != nil {
		return nil, fmt.Errorf("fsblob: %w", err)
	}
	f, err := os.CreateTemp(s.tmp, "blob-*")
	if err != nil {
		return nil, fmt.Errorf("fsblob: %w", err)
	}
	return &writer{s: s, f: f}, nil
}

type writer struct {
	s    *Store
	f    *os.File
	done bool
	off  int64 // bytes written
	kick int64 // bytes whose writeback was started
}

// writebackStep is how many bytes are written between two starts of
// early writeback (see startWriteback).
const writebackStep = 2 << 20

func (w *writer) Write(p []byte) (int, error) {
	if err := w.s.faults.Check(diskfault.BlobWrite, w.f.Name()); err != nil {
		return 0, err
	}
	n, err := w.f.Write(p)
	w.off += int64(n)
	if w.off-w.kick >= writebackStep {
		startWriteback(w.f, w.kick, w.off-w.kick)
		w.kick = w.off
	}
	return n, err
}

// Commit makes the blob durable under a new ID. The file is renamed into
// place first, and then its own fsync and the fsync of its directory (which
// makes the rename durable) run at once, so that the two flushes overlap
// instead of following each other; the directory's sync is shared with
// other blobs renamed into it meanwhile (dirSyncer). The ID is returned only
// when both have succeeded: nothing can refer to the blob before it is
// durable. A crash in between leaves an unreferenced blob, which Recover
// removes, as it removes one whose record never committed.
func (w *writer) Commit() (string, error) {
	if w.done {
		return "", errors.New("fsblob: commit of a finished blob")
	}
	w.done = true
	id := newID()
	final := w.s.path(id)
	dir := filepath.Dir(final)
	fl := w.s.faults
	err := w.s.ensureDir(dir)
	if err == nil {
		if err = fl.Check(diskfault.BlobRename, final); err == nil {
			err = os.Rename(w.f.Name(), final)
		}
	}
	if err != nil {
		w.f.Close()
		os.Remove(w.f.Name())
		return "", fmt.Errorf("fsblob: commit: %w", err)
	}
	dirDone := make(chan error, 1)
	go func() {
		err := fl.Check(diskfault.BlobDir, final)
		if err == nil {
			err = w.s.dirs.syncDir(dir)
		}
		dirDone <- err
	}()
	err = fl.Check(diskfault.BlobSync, final)
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if derr := <-dirDone; err == nil {
		err = derr
	}
	if err != nil {
		// Renamed but perhaps not durably: nothing refers to it yet, so
		// it goes, rather than waiting for the next start's Recover.
		os.Remove(final)
		return "", fmt.Errorf("fsblob: commit: %w", err)
	}
	return id, nil
}

func (w *writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.f.Close()
	os.Remove(w.f.Name())
}

// ensureDir creates a blob subdirectory, syncing its parent when the
// directory is new so that the entry itself survives a power loss.
func (s *Store) ensureDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return SyncDir(s.dir)
}

// SyncDir makes dir's entries (files created, renamed or removed in it)
// durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Open implements glacier.Blobs.
func (s *Store) Open(ctx context.Context, id string) (glacier.Blob, error) {
	if !validID(id) {
		return nil, glacier.ErrNotFound
	}
	f, err := os.Open(s.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, glacier.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("fsblob: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("fsblob: %w", err)
	}
	return &blob{f: f, size: st.Size()}, nil
}

type blob struct {
	f    *os.File
	size int64
}

var _ glacier.RangeWriter = (*blob)(nil)

func (b *blob) ReadAt(p []byte, off int64) (int, error) { return b.f.ReadAt(p, off) }
func (b *blob) Size() int64                             { return b.size }
func (b *blob) Close() error                            { return b.f.Close() }

// Delete implements glacier.Blobs.
func (s *Store) Delete(ctx context.Context, id string) error {
	if !validID(id) {
		return nil
	}
	if err := s.faults.Check(diskfault.BlobDelete, id); err != nil {
		return fmt.Errorf("fsblob: %w", err)
	}
	err := os.Remove(s.path(id))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("fsblob: %w", err)
	}
	return nil
}

// List implements glacier.Blobs.
func (s *Store) List(ctx context.Context, fn func(id string, committed time.Time) bool) error {
	subs, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("fsblob: %w", err)
	}
	for _, sub := range subs {
		if !sub.IsDir() {
			continue
		}
		ents, err := os.ReadDir(filepath.Join(s.dir, sub.Name()))
		if err != nil {
			return fmt.Errorf("fsblob: %w", err)
		}
		for _, e := range ents {
			if !validID(e.Name()) {
				continue
			}
			info, err := e.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted while listing
			} else if err != nil {
				return fmt.Errorf("fsblob: %w", err)
			}
			if !fn(e.Name(), info.ModTime()) {
				return nil
			}
		}
	}
	return nil
}
