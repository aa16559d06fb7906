package fsblob

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sendWindow is how much of a blob is mapped at a time.
const sendWindow = 4 << 20

// WriteRange implements glacier.RangeWriter: bytes [off, off+n) go to w
// straight from the page cache, a window of the file mapped at a time, so
// that they are copied once, by the socket's write. (sendfile, which
// copies nothing, measured slower on loopback: 296-456 ms for 512 MiB
// against 225-260 ms from mapped windows and 199-222 ms from memory.)
// Reading mapped memory whose page cannot be read (an I/O error, a file
// cut short) faults; the fault is turned into this call's error.
func (b *blob) WriteRange(w io.Writer, off, n int64) (written int64, err error) {
	if off < 0 || n < 0 || off+n > b.size {
		return 0, fmt.Errorf("fsblob: range [%d, %d) outside a blob of %d bytes", off, off+n, b.size)
	}
	var m []byte
	defer func() {
		p := recover()
		fault := p != nil && faultIn(p, m)
		if m != nil {
			_ = unix.Munmap(m)
		}
		switch {
		case fault:
			err = fmt.Errorf("fsblob: reading %s: a mapped page could not be read (%v)", b.f.Name(), p)
		case p != nil:
			panic(p) // not a page of the mapping: not this call's to hide
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	page := int64(os.Getpagesize())
	for n > 0 {
		start := off &^ (page - 1) // a mapping starts at a page boundary
		size := min(sendWindow, off+n-start)
		m, err = unix.Mmap(int(b.f.Fd()), start, int(size), unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
		if err != nil {
			m = nil
			return written, fmt.Errorf("fsblob: mapping %s: %w", b.f.Name(), err)
		}
		part := m[off-start:]
		k, werr := w.Write(part)
		written += int64(k)
		off, n = off+int64(k), n-int64(k)
		err, m = unix.Munmap(m), nil
		switch {
		case werr != nil:
			return written, werr
		case k < len(part):
			return written, io.ErrShortWrite
		case err != nil:
			return written, fmt.Errorf("fsblob: unmapping %s: %w", b.f.Name(), err)
		}
	}
	return written, nil
}

// faultIn reports whether p, a recovered panic, is a memory fault at an
// address inside m.
func faultIn(p any, m []byte) bool {
	f, ok := p.(interface{ Addr() uintptr })
	if !ok || len(m) == 0 {
		return false
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(m)))
	return f.Addr() >= base && f.Addr() < base+uintptr(len(m))
}
