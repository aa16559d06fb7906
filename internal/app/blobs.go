package app

import (
	"context"
	"time"

	"permafrost/internal/config"
	"permafrost/internal/glacier"
	"permafrost/internal/store/fsblob"
	"permafrost/internal/store/memory"
	"permafrost/internal/store/s3blob"
)

// blobStore is the store of archive bytes that --blobs names.
type blobStore struct {
	// blobs is nil for files under --data-dir, which the durable
	// metadata store opens itself.
	blobs glacier.Blobs
	// grace is how old an unreferenced blob must be before Recover takes
	// it: 0 for a store only this process uses, the URL's grace for a
	// bucket that other processes may share.
	grace time.Duration
	// sweep aborts abandoned multipart uploads (nil: none to abort).
	sweep func(context.Context) (int, error)
}

// openBlobs opens the store of archive bytes; an s3 bucket that does not
// exist or cannot be reached is an error here, at start.
func openBlobs(cfg config.Config, o options) (blobStore, error) {
	b, err := cfg.BlobStore() // validated already
	if err != nil {
		return blobStore{}, err
	}
	switch b.Kind {
	case config.BlobsMemory:
		return blobStore{blobs: memory.NewBlobs()}, nil
	case config.BlobsS3:
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		s, err := s3blob.Open(ctx, s3blob.Options{Bucket: b.Bucket, Prefix: b.Prefix, Endpoint: b.Endpoint,
			Region: b.Region, PathStyle: b.PathStyle, Grace: b.Grace})
		if err != nil {
			return blobStore{}, err
		}
		return blobStore{blobs: s, grace: b.Grace, sweep: s.SweepUploads}, nil
	}
	if b.Dir == "" {
		return blobStore{}, nil
	}
	s, err := fsblob.Open(b.Dir, o.faults)
	if err != nil {
		return blobStore{}, err
	}
	return blobStore{blobs: s}, nil
}

// sweepBlobUploads aborts the blob store's abandoned multipart uploads.
func (m *Main) sweepBlobUploads(ctx context.Context) {
	if m.blobSweep == nil {
		return
	}
	if n, err := m.blobSweep(ctx); err != nil {
		m.Logger.Error("aborting abandoned multipart uploads of the blob store", "err", err)
	} else if n > 0 {
		m.Logger.Info("aborted abandoned multipart uploads of the blob store", "count", n)
	}
}
