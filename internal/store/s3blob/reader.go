package s3blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// readWindow is the size of one ranged GET. While one window is read the
// next is already requested, so a sequential reader never waits for a
// request's first byte; the bytes themselves wait in the connection, not in
// memory.
const readWindow = 64 << 20

// reader is an open blob. ReadAt at the position where the last read
// ended continues the GET in progress; a read elsewhere starts a new one.
type reader struct {
	s    *Store
	id   string
	size int64

	ctx    context.Context // cancelled by Close: GETs in flight stop
	cancel context.CancelFunc

	mu    sync.Mutex
	cur   *window // the window being read
	ahead *window // the next one, requested
}

// window is one ranged GET of [start, end).
type window struct {
	start, end int64
	pos        int64 // the next byte its body gives
	ready      chan struct{}
	body       io.ReadCloser
	err        error
}

// newReader reads the blob for work under ctx: its GETs end with it.
func newReader(ctx context.Context, s *Store, id string, size int64) *reader {
	ctx, cancel := context.WithCancel(ctx)
	return &reader{s: s, id: id, size: size, ctx: ctx, cancel: cancel}
}

func (r *reader) Size() int64 { return r.size }

// get requests [start, start+readWindow) in the background.
func (r *reader) get(start int64) *window {
	w := &window{start: start, end: min(start+readWindow, r.size), pos: start, ready: make(chan struct{})}
	go func() {
		defer close(w.ready)
		out, err := r.s.c.GetObject(r.ctx, &s3.GetObjectInput{Bucket: &r.s.bucket, Key: r.s.key(r.id),
			Range: aws.String(fmt.Sprintf("bytes=%d-%d", w.start, w.end-1))})
		if err != nil {
			if isNotFound(err) {
				err = errors.New("the object was deleted while it was read")
			}
			w.err = fmt.Errorf("s3blob: GET %s bytes %d-%d: %w", r.id, w.start, w.end-1, err)
			return
		}
		w.body = out.Body
	}()
	return w
}

func (w *window) close() {
	go func() { // the GET may still be starting
		<-w.ready
		if w.body != nil {
			w.body.Close()
		}
	}()
}

// ReadAt implements io.ReaderAt.
func (r *reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("s3blob: negative offset")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for len(p) > 0 && off < r.size {
		w, err := r.window(off)
		if err != nil {
			return n, err
		}
		// A store that stops sending fails the reader rather than hanging
		// it.
		stall := time.AfterFunc(idleLimit, r.cancel)
		k, err := io.ReadFull(w.body, p[:min(int64(len(p)), w.end-off)])
		stall.Stop()
		n += k
		off += int64(k)
		w.pos += int64(k)
		p = p[k:]
		if err != nil {
			r.drop()
			if r.ctx.Err() != nil {
				return n, fmt.Errorf("s3blob: reading %s: closed", r.id)
			}
			return n, fmt.Errorf("s3blob: reading %s at %d: %w", r.id, off, err)
		}
	}
	if len(p) > 0 {
		return n, io.EOF
	}
	return n, nil
}

// window returns the GET whose body gives off next, requesting what is
// needed.
func (r *reader) window(off int64) (*window, error) {
	if r.cur != nil && (r.cur.pos != off || r.cur.pos == r.cur.end) {
		if r.cur.pos == r.cur.end && r.ahead != nil && r.ahead.start == off {
			r.cur.close()
			r.cur, r.ahead = r.ahead, nil
		} else {
			r.drop()
		}
	}
	if r.cur == nil {
		if r.ahead != nil {
			r.ahead.close()
			r.ahead = nil
		}
		r.cur = r.get(off)
	}
	select {
	case <-r.cur.ready:
	case <-r.ctx.Done():
	}
	if r.ctx.Err() != nil {
		r.drop()
		return nil, fmt.Errorf("s3blob: reading %s: closed", r.id)
	}
	if r.cur.err != nil {
		err := r.cur.err
		r.drop()
		return nil, err
	}
	// Read-ahead once the reader has shown it reads on: a lone read at
	// some offset costs one GET.
	if r.ahead == nil && r.cur.end < r.size && r.cur.pos > r.cur.start {
		r.ahead = r.get(r.cur.end)
	}
	return r.cur, nil
}

func (r *reader) drop() {
	for _, w := range []*window{r.cur, r.ahead} {
		if w != nil {
			w.close()
		}
	}
	r.cur, r.ahead = nil, nil
}

// Close implements glacier.Blob: GETs in flight are cancelled.
func (r *reader) Close() error {
	r.cancel()
	r.mu.Lock()
	r.drop()
	r.mu.Unlock()
	return nil
}
