package s3blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"permafrost/internal/glacier"
)

var _ glacier.SizedBlobs = (*Store)(nil)

// StreamOptions are the options of a streamed PutObject: an unsigned
// payload (a benchmark's reference PutObject uses the same).
var StreamOptions = s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)

// CreateSized implements glacier.SizedBlobs. A blob of more than one part
// is streamed as one PutObject of the declared length while its bytes
// arrive: no buffer, no part to reassemble. Its last byte is held back
// until Commit, so the object store cannot finish the request, and the
// object cannot exist, before the caller has checked the bytes; Abort
// cancels the request, which the object store then discards. The body
// is sent with an unsigned payload (a stream cannot be hashed before it is
// sent); unlike parts, it cannot be retried, since its bytes are gone.
func (s *Store) CreateSized(ctx context.Context, size int64) (glacier.BlobWriter, error) {
	if size <= PartSize {
		return s.Create(ctx)
	}
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	w := &streamWriter{s: s, id: newID(), size: size, pw: pw, cancel: cancel, res: make(chan error, 1)}
	go func() {
		_, err := s.c.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.bucket, Key: s.key(w.id), Body: readerOnly{pr}, ContentLength: aws.Int64(size)},
			StreamOptions)
		pr.CloseWithError(errors.New("s3blob: the request ended"))
		w.res <- err
	}()
	return w, nil
}

type streamWriter struct {
	s      *Store
	id     string
	size   int64
	n      int64 // bytes written to the request
	tail   []byte
	pw     *io.PipeWriter
	cancel context.CancelFunc
	res    chan error
	err    error // the request's result, once received
	got    bool
	done   bool
	ok     bool
}

func (w *streamWriter) result() error {
	if !w.got {
		w.err, w.got = <-w.res, true
	}
	return w.err
}

func (w *streamWriter) Write(p []byte) (int, error) {
	switch {
	case w.done:
		return 0, errors.New("s3blob: write to a finished blob")
	case w.n+int64(len(w.tail))+int64(len(p)) > w.size:
		return 0, fmt.Errorf("s3blob: more than the %d bytes declared", w.size)
	}
	k := len(p)
	if k == 0 {
		return 0, nil
	}
	if w.n+int64(len(p)) == w.size { // hold back the last byte
		w.tail = append(w.tail, p[len(p)-1])
		p = p[:len(p)-1]
	}
	// A store that stops reading the body fails the request rather than
	// hanging the upload.
	stall := time.AfterFunc(idleLimit, w.cancel)
	_, err := w.pw.Write(p)
	stall.Stop()
	if err != nil {
		w.cancel()
		return 0, fmt.Errorf("s3blob: PUT %s: %w", w.id, w.failure(err))
	}
	w.n += int64(len(p))
	return k, nil
}

// failure is the request's error when the pipe broke because it ended.
func (w *streamWriter) failure(err error) error {
	if rerr := w.result(); rerr != nil {
		return rerr
	}
	return err
}

func (w *streamWriter) Commit() (string, error) {
	if w.done {
		return "", errors.New("s3blob: commit of a finished blob")
	}
	w.done = true
	if w.n+int64(len(w.tail)) != w.size {
		return "", fmt.Errorf("s3blob: %d of the %d bytes declared were written", w.n+int64(len(w.tail)), w.size)
	}
	stall := time.AfterFunc(idleLimit, w.cancel)
	_, err := w.pw.Write(w.tail)
	stall.Stop()
	if err != nil {
		return "", fmt.Errorf("s3blob: PUT %s: %w", w.id, w.failure(err))
	}
	w.n += int64(len(w.tail))
	w.pw.Close()
	if err := w.result(); err != nil {
		return "", fmt.Errorf("s3blob: PUT %s: %w", w.id, err)
	}
	w.ok = true
	w.cancel()
	return w.id, nil
}

// Abort implements glacier.BlobWriter: the request is cancelled with its
// body unfinished, and the object deleted. S3 discards a request cut
// short, but not every S3-compatible store does: versitygw v1.8.0 stores
// what it received, a moment after the connection closed. So the object is
// deleted now and again over the next seconds; what a crash leaves behind
// is reclaimed by Recover after the grace period. No record ever refers to
// such an object, so it is never visible through the API.
func (w *streamWriter) Abort() {
	if w.ok || w.pw == nil {
		return
	}
	w.done = true
	w.pw.CloseWithError(errors.New("s3blob: aborted"))
	w.cancel()
	_ = w.result()
	w.s.deleteCut(w.id)
	w.pw = nil
}

// cutDeletes are the delays after which the object of a cut request is
// deleted (again).
var cutDeletes = []time.Duration{0, 250 * time.Millisecond, time.Second, 3 * time.Second}

func (s *Store) deleteCut(id string) {
	del := func() {
		ctx, cancel := s.op(context.Background()) // cleaning up: nothing cancels it
		defer cancel()
		_, _ = s.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: s.key(id)})
	}
	del()
	go func() {
		for _, d := range cutDeletes[1:] {
			time.Sleep(d)
			del()
		}
	}()
}

// readerOnly hides the pipe's type: the SDK's transport sends an
// *io.PipeReader chunked, dropping the Content-Length S3 needs.
type readerOnly struct{ io.Reader }
