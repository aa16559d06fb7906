package s3blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"permafrost/internal/glacier"
)

// PartSize is the size of every S3 part but the last (S3's minimum is
// 5 MiB; 8 MiB keeps a 4 GiB archive at 512 parts, far below 10,000).
const PartSize = 8 << 20

// maxParts bounds the part buffers of the whole process: a writer holds
// one while it fills and up to inflightPerWriter while they are sent, so
// at most maxParts*PartSize (96 MiB) are held however many uploads run; a
// writer that wants a buffer when none is free waits for a part to finish
// sending.
const (
	maxParts          = 12
	inflightPerWriter = 3
	firstBuffer       = 256 << 10 // a small blob's buffer grows from this
)

// parts is the process-wide pool of part buffers.
var parts = newPool(maxParts)

type pool struct {
	tokens chan struct{}
	mu     sync.Mutex
	free   [][]byte // whole buffers kept for reuse (fresh memory faults in page by page)
}

func newPool(n int) *pool { return &pool{tokens: make(chan struct{}, n)} }

// get waits for a token; the buffer it returns is empty and may be nil
// (grown on demand up to PartSize).
func (p *pool) get() []byte {
	p.tokens <- struct{}{}
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		return b[:0]
	}
	return nil
}

func (p *pool) put(b []byte) {
	if cap(b) == PartSize {
		p.mu.Lock()
		p.free = append(p.free, b[:0])
		p.mu.Unlock()
	}
	<-p.tokens
}

type writer struct {
	s      *Store
	id     string
	buf    []byte // the part being filled; nil when it holds no token
	hasBuf bool

	uploadID string
	next     int32 // the next part number
	slots    chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	done     []types.CompletedPart
	err      error // the first failure of a part

	ctx       context.Context // cancelled by Abort: parts in flight stop
	cancel    context.CancelFunc
	finished  bool
	committed bool
	tried     bool // Commit sent the object's last request
}

// Create implements glacier.Blobs.
func (s *Store) Create(ctx context.Context) (glacier.BlobWriter, error) {
	ctx, cancel := context.WithCancel(ctx) // the work's end stops parts in flight, as Abort does
	return &writer{s: s, id: newID(), next: 1, slots: make(chan struct{}, inflightPerWriter), ctx: ctx, cancel: cancel}, nil
}

func (w *writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *writer) Write(p []byte) (int, error) {
	if w.finished {
		return 0, errors.New("s3blob: write to a finished blob")
	}
	if err := w.failed(); err != nil {
		return 0, err
	}
	n := len(p)
	for len(p) > 0 {
		if !w.hasBuf {
			w.buf, w.hasBuf = parts.get(), true
		}
		if len(w.buf) == cap(w.buf) {
			c := min(PartSize, max(2*cap(w.buf), firstBuffer))
			if w.next > 1 {
				c = PartSize // parts after the first are whole
			}
			w.buf = append(make([]byte, 0, c), w.buf...)
		}
		k := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+k]
		p = p[k:]
		if len(w.buf) == PartSize {
			if err := w.send(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

// send starts uploading the full buffer as the next part.
func (w *writer) send() error {
	if w.uploadID == "" {
		out, err := w.s.c.CreateMultipartUpload(w.ctx, &s3.CreateMultipartUploadInput{Bucket: &w.s.bucket, Key: w.s.key(w.id)})
		if err != nil {
			return fmt.Errorf("s3blob: starting the multipart upload of %s: %w", w.id, err)
		}
		w.uploadID = aws.ToString(out.UploadId)
	}
	buf, num := w.buf, w.next
	w.buf, w.hasBuf = nil, false
	w.next++
	w.slots <- struct{}{}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer func() { <-w.slots }()
		defer parts.put(buf)
		ctx, cancel := context.WithTimeout(w.ctx, w.s.opTimeout)
		defer cancel()
		out, err := w.s.c.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: &w.s.bucket, Key: w.s.key(w.id), UploadId: &w.uploadID,
			PartNumber: aws.Int32(num), Body: bytes.NewReader(buf), ContentLength: aws.Int64(int64(len(buf))),
		})
		w.mu.Lock()
		defer w.mu.Unlock()
		if err != nil {
			if w.err == nil {
				w.err = fmt.Errorf("s3blob: uploading part %d of %s: %w", num, w.id, err)
			}
			return
		}
		w.done = append(w.done, types.CompletedPart{PartNumber: aws.Int32(num), ETag: out.ETag})
	}()
	return nil
}

func (w *writer) release() {
	if w.hasBuf {
		parts.put(w.buf)
		w.buf, w.hasBuf = nil, false
	}
}

// Commit implements glacier.BlobWriter: the object exists when it returns
// nil, and not (after Abort) when it returns an error.
func (w *writer) Commit() (string, error) {
	if w.finished {
		return "", errors.New("s3blob: commit of a finished blob")
	}
	w.finished = true
	fail := func(err error) (string, error) {
		w.finished = false // Abort still cleans up
		return "", err
	}
	ctx, cancel := w.s.op(w.ctx)
	defer cancel()
	if w.uploadID == "" {
		w.tried = true
		_, err := w.s.c.PutObject(ctx, &s3.PutObjectInput{Bucket: &w.s.bucket, Key: w.s.key(w.id),
			Body: bytes.NewReader(w.buf), ContentLength: aws.Int64(int64(len(w.buf)))})
		w.release()
		if err != nil {
			return fail(fmt.Errorf("s3blob: PUT %s: %w", w.id, err))
		}
		w.committed = true
		w.cancel()
		return w.id, nil
	}
	if len(w.buf) > 0 {
		if err := w.send(); err != nil {
			return fail(err)
		}
	}
	w.release()
	w.wg.Wait()
	if err := w.failed(); err != nil {
		return fail(err)
	}
	sortParts(w.done)
	w.tried = true
	_, err := w.s.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &w.s.bucket, Key: w.s.key(w.id),
		UploadId: &w.uploadID, MultipartUpload: &types.CompletedMultipartUpload{Parts: w.done}})
	if err != nil {
		return fail(fmt.Errorf("s3blob: completing %s: %w", w.id, err))
	}
	w.committed = true
	w.cancel()
	return w.id, nil
}

func sortParts(ps []types.CompletedPart) {
	// Parts finish out of order; insertion sort of a nearly sorted list.
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && aws.ToInt32(ps[j].PartNumber) < aws.ToInt32(ps[j-1].PartNumber); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// Abort implements glacier.BlobWriter: parts in flight are cancelled, the
// multipart upload aborted, and an object whose last request failed
// without an answer (it may exist) deleted. Failures to clean up are left
// for the sweep (SweepUploads, Recover after the grace period).
func (w *writer) Abort() {
	if w.committed || w.ctx == nil {
		return
	}
	w.finished = true
	w.cancel()
	w.wg.Wait()
	w.release()
	ctx, cancel := w.s.op(context.Background()) // cleaning up: nothing cancels it
	defer cancel()
	if w.uploadID != "" {
		_, _ = w.s.c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &w.s.bucket, Key: w.s.key(w.id), UploadId: &w.uploadID})
	}
	if w.tried {
		_, _ = w.s.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &w.s.bucket, Key: w.s.key(w.id)})
	}
	w.ctx = nil
}
