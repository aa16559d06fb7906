package glacier

import (
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

// openSegments opens segs for reading. Inline bytes are loaded now.
func (s *Service) openSegments(segs []Segment) (*segmentsReader, error) {
	sr := &segmentsReader{}
	err := s.store.View(func(tx Tx) error {
		for _, sg := range segs {
			var r io.ReaderAt
			if sg.Inline {
				b, err := tx.Inline(sg.Blob)
				if err != nil {
					return fmt.Errorf("inline segment %s: %w", sg.Blob, err)
				}
				r = &byteReaderAt{b}
			} else {
				b, err := s.store.Blobs().Open(sg.Blob)
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

// ReadAt implements io.ReaderAt over the concatenated segments.
func (sr *segmentsReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	n := 0
	i := sort.Search(len(sr.offs), func(i int) bool { return sr.offs[i] > off }) - 1
	for len(p) > 0 && off < sr.size && i < len(sr.parts) {
		end := sr.size
		if i+1 < len(sr.offs) {
			end = sr.offs[i+1]
		}
		want := min(int64(len(p)), end-off)
		k, err := sr.parts[i].ReadAt(p[:want], off-sr.offs[i])
		n += k
		p = p[k:]
		off += int64(k)
		if err != nil && !(errors.Is(err, io.EOF) && int64(k) == want) {
			return n, err
		}
		i++
	}
	if len(p) > 0 {
		return n, io.EOF
	}
	return n, nil
}

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
