package fsblob

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing f's dirty pages in
// [off, off+n) to disk now, without waiting for them, so that the fsync
// at commit finds little left to write and the page cache does not fill
// with one upload's dirty pages. A failure only loses the head start: the
// fsync still covers everything.
func startWriteback(f *os.File, off, n int64) {
	_ = unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
