//go:build !linux

package fsblob

import (
	"fmt"
	"io"
)

// WriteRange implements glacier.RangeWriter: bytes [off, off+n) go to w
// as a limited file, which net/http sends with sendfile where it can.
func (b *blob) WriteRange(w io.Writer, off, n int64) (int64, error) {
	if off < 0 || n < 0 || off+n > b.size {
		return 0, fmt.Errorf("fsblob: range [%d, %d) outside a blob of %d bytes", off, off+n, b.size)
	}
	if _, err := b.f.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.Copy(w, &io.LimitedReader{R: b.f, N: n})
}
