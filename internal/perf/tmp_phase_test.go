package perf

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"permafrost/internal/treehash"
)

func TestTmpPhases(t *testing.T) {
	dir := t.TempDir()
	buf := make([]byte, 128<<10)
	p := newPattern(ratioArchive)
	_ = p
	write := func(sfr bool) (time.Duration, time.Duration) {
		f, _ := os.Create(filepath.Join(dir, "x"))
		defer os.Remove(f.Name())
		defer f.Close()
		t0 := time.Now()
		var off, pushed int64
		for off < ratioArchive {
			copy(buf, block[off%int64(len(block)):])
			f.Write(buf)
			off += int64(len(buf))
			if sfr && off-pushed >= 2<<20 {
				unix.SyncFileRange(int(f.Fd()), pushed, off-pushed, unix.SYNC_FILE_RANGE_WRITE)
				pushed = off
			}
		}
		t1 := time.Now()
		f.Sync()
		return t1.Sub(t0), time.Since(t1)
	}
	for i := 0; i < 3; i++ {
		a, b := write(true)
		c, d := write(false)
		t.Logf("write+sfr %v sync %v | write %v sync %v", a, b, c, d)
	}
	for i := 0; i < 2; i++ {
		t0 := time.Now()
		tw, lin := treehash.New(), sha256.New()
		for off := 0; off < ratioArchive; off += 32 << 10 {
			c := block[off%len(block) : off%len(block)+32<<10]
			tw.Write(c)
			lin.Write(c)
		}
		one := time.Since(t0)
		t0 = time.Now()
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			tw := treehash.New()
			for off := 0; off < ratioArchive; off += 32 << 10 {
				tw.Write(block[off%len(block) : off%len(block)+32<<10])
			}
		}()
		go func() {
			defer wg.Done()
			lin := sha256.New()
			for off := 0; off < ratioArchive; off += 32 << 10 {
				lin.Write(block[off%len(block) : off%len(block)+32<<10])
			}
		}()
		wg.Wait()
		t.Logf("hash one goroutine %v, two %v", one, time.Since(t0))
	}
}
