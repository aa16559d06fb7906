package glacier

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
)

// segmentsReader reads a sequence of segments as one byte stream.
type segmentsReader struct {
	offs  []int64 // start offset of each part
	parts []io.ReaderAt
	blobs []Blob
	size  int64
}

// RangeWriter is implemented by blobs that send a range of their bytes to
// a writer themselves (an object store's blob: from one GET straight to
// the response's socket; a file's: from the page cache).
type RangeWriter interface {
	WriteRange(w io.Writer, off, n int64) (int64, error)
}

// openSegments opens segs for reading. Inline bytes are loaded now.
func (s *Service) openSegments(ctx context.Context, segs []Segment) (*segmentsReader, error) {
	sr := &segmentsReader{}
	err := s.store.View(ctx, func(tx Tx) error {
		for _, sg := range segs {
			var r io.ReaderAt
			if sg.Inline {
				b, err := tx.Inline(sg.Blob)
				if err != nil {
					return fmt.Errorf("inline segment %s: %w", sg.Blob, err)
				}
				r = &byteReaderAt{b}
			} else {
				b, err := s.store.Blobs().Open(ctx, sg.Blob)
				if err != nil {
					return fmt.Errorf("blob %s: %w", sg.Blob, err)
				}
				sr.blobs = append(sr.blobs, b)
				r = b
			}
			sr.offs = append(sr.offs, sr.size)
			sr.parts = append(sr.parts, r)
			sr.size += sg.Size
		}
		return nil
	})
	if err != nil {
		sr.Close()
		return nil, err
	}
	return sr, nil
}

func (sr *segmentsReader) Close() error {
	var errs []error
	for _, b := range sr.blobs {
		errs = append(errs, b.Close())
	}
	sr.blobs = nil
	return errors.Join(errs...)
}

// walk visits the parts holding bytes [off, off+n), in order: fn gets the
// part's index, the offset within it and how many of its bytes are wanted,
// and says how many it handled. The walk stops at the first error or
// short count, and reports the bytes handled.
func (sr *segmentsReader) walk(off, n int64, fn func(i int, partOff, k int64) (int64, error)) (int64, error) {
	var done int64
	i := sort.Search(len(sr.offs), func(i int) bool { return sr.offs[i] > off }) - 1
	for n > 0 && i >= 0 && i < len(sr.parts) {
		end := sr.size
		if i+1 < len(sr.offs) {
			end = sr.offs[i+1]
		}
		k := min(n, end-off)
		m, err := fn(i, off-sr.offs[i], k)
		done += m
		if err == nil && m < k {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return done, err
		}
		off, n = off+k, n-k
		i++
	}
	return done, nil
}

// ReadAt implements io.ReaderAt over the concatenated segments.
func (sr *segmentsReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	want := min(int64(len(p)), max(sr.size-off, 0))
	done, err := sr.walk(off, want, func(i int, partOff, k int64) (int64, error) {
		m, err := sr.parts[i].ReadAt(p[:k], partOff)
		p = p[m:]
		if errors.Is(err, io.EOF) && int64(m) == k {
			err = nil
		}
		return int64(m), err
	})
	if err == nil && len(p) > 0 { // asked for bytes past the end
		err = io.EOF
	}
	return int(done), err
}

// copyRange writes bytes [off, off+n) to w. Parts that write a range
// themselves (RangeWriter) do; others are copied through buf.
func (sr *segmentsReader) copyRange(w io.Writer, off, n int64, buf []byte) (int64, error) {
	return sr.walk(off, n, func(i int, partOff, k int64) (int64, error) {
		if rw, ok := sr.parts[i].(RangeWriter); ok {
			return rw.WriteRange(w, partOff, k)
		}
		return io.CopyBuffer(onlyWriter{w}, io.NewSectionReader(sr.parts[i], partOff, k), buf)
	})
}

// onlyWriter hides a writer's ReadFrom so that io.CopyBuffer uses buf.
type onlyWriter struct{ io.Writer }

type byteReaderAt struct{ b []byte }

func (r *byteReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(r.b)) {
		return 0, io.EOF
	}
	n := copy(p, r.b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
