package s3blob

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"permafrost/internal/glacier"
	"permafrost/internal/s3test"
	"permafrost/internal/store/kvstore"
	"permafrost/internal/store/memory"
	"permafrost/internal/store/storetest"
)

// open returns a Store under a fresh prefix of srv's bucket.
func open(t *testing.T, srv *s3test.Server, prefix string) *Store {
	t.Helper()
	s, err := Open(t.Context(), Options{
		Bucket: s3test.Bucket, Prefix: prefix, Endpoint: srv.Endpoint, Region: s3test.Region, PathStyle: true,
		Grace:       DefaultGrace,
		Credentials: credentials.NewStaticCredentialsProvider(s3test.AccessKey, s3test.SecretKey, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	srv := s3test.Start(t)
	storetest.Run(t, func(t *testing.T) glacier.Store {
		prefix := strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()) + "/"
		return kvstore.New(memory.NewEngine(), open(t, srv, prefix))
	})
}

func TestMissingBucket(t *testing.T) {
	srv := s3test.Start(t)
	_, err := Open(t.Context(), Options{
		Bucket: "no-such-bucket", Endpoint: srv.Endpoint, Region: s3test.Region, PathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(s3test.AccessKey, s3test.SecretKey, ""),
	})
	if err == nil || !strings.Contains(err.Error(), `bucket "no-such-bucket" does not exist`) {
		t.Fatalf("Open of a missing bucket: %v", err)
	}
}
