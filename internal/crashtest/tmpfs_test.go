//go:build linux

package crashtest

// Helpers of the tests that fill a real filesystem: a tmpfs mounted for
// the test, and a ballast file that takes and gives back its space.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// requireRoot skips the test unless it runs as root, which mounting a
// tmpfs needs. CI runs as root, so there the test always runs.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: this test mounts a tmpfs and needs root (CI runs as root; run `sudo go test ./internal/crashtest` to include it)")
	}
}

// mountTmpfs mounts a tmpfs of size bytes on a new directory and unmounts
// it when the test ends (after the servers started later are killed:
// cleanups run last first).
func mountTmpfs(t *testing.T, size int64) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("mount -t tmpfs on %s: %v: %s", dir, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
			_ = exec.Command("umount", "-l", dir).Run()
		}
	})
	t.Logf("mounted a %d MiB tmpfs on %s", size>>20, dir)
	return dir
}

// freeBytes is the space left on dir's filesystem.
func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatalf("statfs %s: %v", dir, err)
	}
	return int64(st.Bavail) * st.Bsize
}

// ballast is a file outside the data directory whose size decides how much
// space the server has.
type ballast struct {
	f    *os.File
	size int64
}

func newBallast(t *testing.T, path string) *ballast {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &ballast{f: f}
}

// set grows (allocating the blocks) or shrinks the ballast to size bytes.
// Growing past the free space fails with ENOSPC and leaves the size as the
// filesystem left it.
func (b *ballast) set(size int64) error {
	var err error
	if size > b.size {
		err = syscall.Fallocate(int(b.f.Fd()), 0, 0, size)
	} else {
		err = b.f.Truncate(size)
	}
	fi, serr := b.f.Stat()
	if serr != nil {
		return serr
	}
	b.size = fi.Size()
	return err
}

// fill grows the ballast until only about leave bytes are free on dir's
// filesystem.
func (b *ballast) fill(t *testing.T, dir string, leave int64) error {
	t.Helper()
	grow := freeBytes(t, dir) - leave
	if grow <= 0 {
		return nil
	}
	return b.set(b.size + grow)
}

func errorsIsENOSPC(err error) bool { return errors.Is(err, syscall.ENOSPC) }
