package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The kinds of --blobs store.
const (
	BlobsFile   = "file"
	BlobsMemory = "memory"
	BlobsS3     = "s3"
)

// DefaultS3Grace is how long, by default, an unreferenced object or an
// unfinished multipart upload in a --blobs s3:// bucket is left alone:
// another permafrost sharing the bucket may be between writing it and
// committing its record.
const DefaultS3Grace = time.Hour

const blobsUsage = "where archive bytes live: file: (files under --data-dir, the default), file:DIR, memory:, " +
	"or s3://BUCKET/PREFIX?endpoint=URL&region=R&path-style=true|false&grace=1h (credentials from the standard AWS chain)"

// BlobStore is a parsed --blobs URL.
type BlobStore struct {
	Kind string // BlobsFile, BlobsMemory or BlobsS3
	// Dir is a file store's directory ("" for --data-dir).
	Dir string
	// The bucket and key prefix of an s3 store, its endpoint ("" for AWS
	// S3), region ("" for the AWS chain's), addressing and grace period.
	Bucket, Prefix, Endpoint, Region string
	PathStyle                        bool
	Grace                            time.Duration
}

// BlobStore parses --blobs. Without it, --memory means memory: and
// otherwise file:.
func (c Config) BlobStore() (BlobStore, error) {
	raw := c.Blobs
	if raw == "" {
		if c.InMemory() {
			return BlobStore{Kind: BlobsMemory}, nil
		}
		return BlobStore{Kind: BlobsFile}, nil
	}
	b, err := ParseBlobs(raw)
	if err != nil {
		return b, err
	}
	if !c.InMemory() && b.Kind == BlobsMemory {
		return b, fmt.Errorf("--blobs memory: keeps archive bytes only until the process ends, while the durable metadata store would keep their records: use --memory")
	}
	if c.InMemory() && b.Kind != BlobsMemory {
		return b, fmt.Errorf("--memory keeps archive bytes in memory (it means --blobs memory:) and cannot be combined with --blobs %s", raw)
	}
	return b, nil
}

// ParseBlobs parses a --blobs URL.
func ParseBlobs(raw string) (BlobStore, error) {
	bad := func(format string, args ...any) (BlobStore, error) {
		return BlobStore{}, fmt.Errorf("--blobs %q: "+format, append([]any{raw}, args...)...)
	}
	switch {
	case raw == "memory:":
		return BlobStore{Kind: BlobsMemory}, nil
	case strings.HasPrefix(raw, "file:"):
		dir := strings.TrimPrefix(strings.TrimPrefix(raw, "file:"), "//")
		return BlobStore{Kind: BlobsFile, Dir: dir}, nil
	case !strings.HasPrefix(raw, "s3://"):
		return bad("must be file:, file:DIR, memory: or s3://BUCKET/PREFIX?endpoint=URL&region=R&path-style=true|false")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("%v", err)
	}
	b := BlobStore{Kind: BlobsS3, Bucket: u.Host, Prefix: strings.TrimPrefix(u.Path, "/"), Grace: DefaultS3Grace}
	if b.Bucket == "" {
		return bad("names no bucket")
	}
	if b.Prefix != "" && !strings.HasSuffix(b.Prefix, "/") {
		b.Prefix += "/"
	}
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "endpoint":
			e, err := url.Parse(v)
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
				return bad("endpoint must be an http(s) URL, got %q", v)
			}
			b.Endpoint = v
		case "region":
			b.Region = v
		case "path-style":
			if b.PathStyle, err = strconv.ParseBool(v); err != nil {
				return bad("path-style must be true or false, got %q", v)
			}
		case "grace":
			if b.Grace, err = time.ParseDuration(v); err != nil || b.Grace < 0 {
				return bad("grace must be a duration such as 1h, got %q", v)
			}
		default:
			return bad("unknown parameter %q (endpoint, region, path-style and grace are known)", k)
		}
	}
	return b, nil
}
