package s3blob

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"permafrost/internal/s3test"
)

func uploads(t *testing.T, srv *s3test.Server, prefix string) int {
	t.Helper()
	out, err := srv.Client().ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String(s3test.Bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Uploads)
}

func objects(t *testing.T, srv *s3test.Server, prefix string) int {
	t.Helper()
	out, err := srv.Client().ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(s3test.Bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Contents)
}

// TestAbortLeavesNoUpload: an aborted multi-part blob leaves neither an
// object nor an S3 multipart upload.
func TestAbortLeavesNoUpload(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, srv, "abort/")
	w, _ := s.Create(t.Context())
	if _, err := w.Write(make([]byte, 3*PartSize+5)); err != nil {
		t.Fatal(err)
	}
	if n := uploads(t, srv, "abort/"); n != 1 {
		t.Fatalf("%d multipart uploads while writing, want 1 (parts go out as they fill)", n)
	}
	w.Abort()
	if n, m := uploads(t, srv, "abort/"), objects(t, srv, "abort/"); n != 0 || m != 0 {
		t.Errorf("after Abort: %d multipart uploads, %d objects", n, m)
	}
}

// TestSweepUploads aborts multipart uploads older than the grace period
// only.
func TestSweepUploads(t *testing.T) {
	srv := s3test.Start(t)
	c := srv.Client()
	key := "sweep/" + newID()
	if _, err := c.CreateMultipartUpload(t.Context(), &s3.CreateMultipartUploadInput{Bucket: aws.String(s3test.Bucket), Key: &key}); err != nil {
		t.Fatal(err)
	}
	s := open(t, srv, "sweep/")
	if n, err := s.SweepUploads(t.Context()); err != nil || n != 0 {
		t.Fatalf("sweep within the grace period aborted %d (%v)", n, err)
	}
	s.grace = 0
	time.Sleep(1100 * time.Millisecond) // Initiated has whole seconds
	if n, err := s.SweepUploads(t.Context()); err != nil || n != 1 {
		t.Fatalf("sweep past the grace period aborted %d (%v), want 1", n, err)
	}
	if n := uploads(t, srv, "sweep/"); n != 0 {
		t.Errorf("%d uploads left", n)
	}
}

// TestServerStopped: with the object store gone, writes, commits, opens
// and reads fail with an error (no hang, no panic) and leave nothing
// visible; once it is back, writes succeed.
func TestServerStopped(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, srv, "stopped/")
	s.opTimeout = 20 * time.Second
	data := pattern(3*PartSize + 99)
	id := write(t, s, data)

	w, _ := s.Create(t.Context())
	if _, err := w.Write(data[:PartSize+1]); err != nil {
		t.Fatal(err)
	}
	b, err := s.Open(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.ReadAt(make([]byte, 1<<20), 0); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, werr := w.Write(data[PartSize+1:])
		if werr == nil {
			_, werr = w.Commit()
		}
		if werr == nil {
			t.Error("a write to a stopped object store succeeded")
		}
		w.Abort()
		// A reader far into the blob needs new GETs.
		if _, err := b.ReadAt(make([]byte, 1<<20), 2*PartSize); err == nil {
			t.Error("a read from a stopped object store succeeded")
		}
		if _, err := s.Open(t.Context(), id); err == nil {
			t.Error("Open on a stopped object store succeeded")
		}
		if _, err := s.Create(t.Context()); err != nil {
			t.Error(err)
		}
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Minute):
		t.Fatal("operations on a stopped object store hang")
	}
	srv.Restart()
	if m := objects(t, srv, "stopped/"); m != 1 {
		t.Errorf("%d objects after the failed write, want the 1 written before", m)
	}
	id2 := write(t, s, data)
	for _, x := range []string{id, id2} {
		b, err := s.Open(t.Context(), x)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(io.NewSectionReader(b, 0, b.Size()))
		b.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("blob %s after the restart: %d bytes, %v", x, len(got), err)
		}
	}
}

// TestCloseCancelsReads: Close ends a read blocked on the object store.
func TestCloseCancelsReads(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, srv, "cancel/")
	id := write(t, s, pattern(2*PartSize))
	b, err := s.Open(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	r := b.(*reader)
	if _, err := b.ReadAt(make([]byte, 10), 0); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if r.ctx.Err() == nil {
		t.Fatal("Close left the reader's requests running")
	}
	if _, err := b.ReadAt(make([]byte, 10), 10); err == nil {
		t.Error("a read after Close succeeded")
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>13)
	}
	return b
}

func write(t *testing.T, s *Store, data []byte) string {
	t.Helper()
	w, _ := s.Create(t.Context())
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	id, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestWriteRange sends ranges from one GET each, and stops at Close.
func TestWriteRange(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, srv, "wrange/")
	data := pattern(2*PartSize + 77)
	id := write(t, s, data)
	b, err := s.Open(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	r := b.(*reader)
	for _, c := range [][2]int64{{0, int64(len(data))}, {1, 1}, {PartSize - 3, PartSize + 10}, {int64(len(data)) - 5, 5}} {
		var buf bytes.Buffer
		n, err := r.WriteRange(&buf, c[0], c[1])
		if err != nil || n != c[1] || !bytes.Equal(buf.Bytes(), data[c[0]:c[0]+c[1]]) {
			t.Errorf("WriteRange(%d, %d) = %d, %v; bytes right: %v", c[0], c[1], n, err, bytes.Equal(buf.Bytes(), data[c[0]:c[0]+c[1]]))
		}
	}
	b.Close()
	if _, err := r.WriteRange(io.Discard, 0, 10); err == nil {
		t.Error("WriteRange after Close succeeded")
	}
}
