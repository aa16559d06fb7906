package glacier

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// segmentsReader over three parts of odd sizes reads every range as the
// concatenation would, and says EOF exactly when asked past the end.
func TestSegmentsReader(t *testing.T) {
	parts := [][]byte{[]byte("hello"), []byte(", "), []byte("segmented world")}
	whole := bytes.Join(parts, nil)
	sr := &segmentsReader{}
	for _, p := range parts {
		sr.offs = append(sr.offs, sr.size)
		sr.parts = append(sr.parts, &byteReaderAt{p})
		sr.size += int64(len(p))
	}
	for off := 0; off <= len(whole); off++ {
		for n := 0; n <= len(whole)-off+2; n++ {
			buf := make([]byte, n)
			k, err := sr.ReadAt(buf, int64(off))
			want := min(n, len(whole)-off)
			if k != want || !bytes.Equal(buf[:k], whole[off:off+want]) {
				t.Fatalf("ReadAt(%d, %d) = %d %q", off, n, k, buf[:k])
			}
			if pastEnd := off+n > len(whole); pastEnd != errors.Is(err, io.EOF) || (!pastEnd && err != nil) {
				t.Fatalf("ReadAt(%d, %d) err = %v", off, n, err)
			}
			var w bytes.Buffer
			if m, err := sr.copyRange(&w, int64(off), int64(want), make([]byte, 3)); err != nil || m != int64(want) || w.String() != string(whole[off:off+want]) {
				t.Fatalf("copyRange(%d, %d) = %d %q %v", off, want, m, w.String(), err)
			}
		}
	}
}
