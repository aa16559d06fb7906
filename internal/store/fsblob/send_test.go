package fsblob

import (
	"bytes"
	"context"
	"os"
	"testing"

	"permafrost/internal/glacier"
)

// putBlob stores data as a committed blob and opens it.
func putBlob(t *testing.T, s *Store, data []byte) (string, *blob) {
	t.Helper()
	w, err := s.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	id, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Open(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return id, b.(*blob)
}

// TestWriteRange: every range, unaligned and across mapping windows,
// writes exactly the blob's bytes; a range outside the blob is refused.
func TestWriteRange(t *testing.T) {
	s, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 2*sendWindow+12345)
	for i := range data {
		data[i] = byte(i*31 + i>>13)
	}
	_, b := putBlob(t, s, data)
	size := int64(len(data))
	for _, r := range [][2]int64{{0, size}, {1, size - 1}, {4095, 4097}, {sendWindow - 1, 2}, {sendWindow + 7, sendWindow + 100}, {size - 1, 1}, {size, 0}, {123, 0}} {
		var out bytes.Buffer
		n, err := b.WriteRange(&out, r[0], r[1])
		if err != nil || n != r[1] || !bytes.Equal(out.Bytes(), data[r[0]:r[0]+r[1]]) {
			t.Fatalf("WriteRange(%d, %d) = %d, %v (bytes equal: %v)", r[0], r[1], n, err, bytes.Equal(out.Bytes(), data[r[0]:r[0]+r[1]]))
		}
	}
	for _, r := range [][2]int64{{-1, 2}, {0, size + 1}, {size, 1}} {
		if _, err := b.WriteRange(&bytes.Buffer{}, r[0], r[1]); err == nil {
			t.Errorf("WriteRange(%d, %d) succeeded", r[0], r[1])
		}
	}
	var _ glacier.RangeWriter = b
}

// TestWriteRangeFault: a blob file cut short under an open blob makes the
// mapped read fault; WriteRange returns an error, counting only bytes
// before the cut, and the process goes on. (The writer that faulted may
// hold part of its write: an answer cut short ends its connection.)
func TestWriteRangeFault(t *testing.T) {
	s, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("permafrost"), sendWindow/5) // two windows
	id, b := putBlob(t, s, data)
	const cut = 1 << 20
	if err := os.Truncate(s.path(id), cut); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	n, err := b.WriteRange(&out, 0, int64(len(data)))
	if err == nil {
		t.Fatalf("WriteRange of a cut file: %d bytes, no error", n)
	}
	if n > cut || int64(out.Len()) < n || !bytes.Equal(out.Bytes()[:n], data[:n]) {
		t.Fatalf("WriteRange reported %d bytes (%d in the writer): past the cut or wrong", n, out.Len())
	}
	t.Logf("error: %v (%d bytes written)", err, n)
}

// nilWriter faults at address 0 on every write.
type nilWriter struct{ p *byte }

func (w nilWriter) Write(b []byte) (int, error) { return int(*w.p) + len(b), nil }

// TestWriteRangeForeignFault: a fault outside the mapped window (a bug in
// the writer, not an unreadable page) is not turned into an error: it
// panics on, and the mapping is still released.
func TestWriteRangeForeignFault(t *testing.T) {
	s, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, b := putBlob(t, s, bytes.Repeat([]byte("x"), 10000))
	defer func() {
		if p := recover(); p == nil {
			t.Fatal("a writer's own fault was swallowed")
		}
	}()
	n, err := b.WriteRange(nilWriter{}, 0, 10000)
	t.Fatalf("WriteRange returned %d, %v", n, err)
}
