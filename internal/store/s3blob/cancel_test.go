package s3blob

import (
	"context"
	"errors"
	"testing"
	"time"

	"permafrost/internal/s3test"
)

// TestCancelledContext: the S3 requests of a call whose context is done
// are not made (or stop), so the call fails with context.Canceled; a
// writer whose context ends mid-blob fails its Commit, and Abort leaves
// neither an object nor a multipart upload behind.
func TestCancelledContext(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, srv, "cancel/")
	id := write(t, s, pattern(100))
	done, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Open(done, id); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context: %v", err)
	}
	if err := s.List(done, func(string, time.Time) bool { return true }); !errors.Is(err, context.Canceled) {
		t.Errorf("List with a cancelled context: %v", err)
	}
	if err := s.Delete(done, id); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete with a cancelled context: %v", err)
	}
	if objects(t, srv, "cancel/") != 1 {
		t.Error("a Delete with a cancelled context removed the blob")
	}

	ctx, cancel := context.WithCancel(t.Context())
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 2*PartSize+5)); err != nil {
		t.Fatal(err)
	}
	cancel() // the request goes away mid-blob
	if _, err := w.Commit(); err == nil {
		t.Fatal("Commit of a writer whose context ended succeeded")
	}
	w.Abort()
	if n, m := uploads(t, srv, "cancel/"), objects(t, srv, "cancel/"); n != 0 || m != 1 {
		t.Errorf("after the cancelled writer's Abort: %d multipart uploads, %d objects; want 0 and the first blob only", n, m)
	}
}
