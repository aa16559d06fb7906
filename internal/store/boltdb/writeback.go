package boltdb

import (
	"os"
	"sync"
	"sync/atomic"
)

// writebackEvery is how many page writes of commits (bbolt's count: a
// page and its overflow are one), since the last head start, start the
// kernel writing them to disk: 4 MiB or more of 4 KiB pages.
const writebackEvery = 1024

// writeback gives meta.db's dirty pages a head start to the disk, so that
// a checkpoint's sync, which holds every commit back, finds little left
// to write (without it each took 26-39 ms under 4 KiB uploads).
type writeback struct {
	f     *os.File // meta.db, read-only: nil if it could not be opened
	dirty int64    // page writes since the last head start (the committer's)
	busy  atomic.Bool
	wg    sync.WaitGroup
}

func openWriteback(path string) *writeback {
	f, _ := os.Open(path) // without it, only the head start is lost
	return &writeback{f: f}
}

// wrote notes n page writes of a commit, and starts a head
// start on its own goroutine once enough have gathered and none is
// running.
func (w *writeback) wrote(n int64) {
	w.dirty += n
	if w.dirty < writebackEvery || w.f == nil || !w.busy.CompareAndSwap(false, true) {
		return
	}
	w.dirty = 0
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		startWriteback(w.f)
		w.busy.Store(false)
	}()
}

func (w *writeback) close() {
	w.wg.Wait()
	if w.f != nil {
		w.f.Close()
	}
}
