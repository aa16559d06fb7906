//go:build unix

package crashtest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"permafrost/internal/glacier"
	"permafrost/internal/pgtest"
	"permafrost/internal/s3test"
	"permafrost/internal/store/boltdb"
	"permafrost/internal/store/kvstore"
	"permafrost/internal/store/postgres"
	"permafrost/internal/store/s3blob"
)

// objectBlobs is a crash test's object store: the bytes in a versitygw
// bucket through --blobs s3://. Its methods are those of "no object
// store" on nil.
type objectBlobs struct {
	srv    *s3test.Server
	prefix string
	args   []string
	// orphansAllowed: unreferenced objects younger than the grace
	// period are expected (a killed upload's committed bytes).
	orphansAllowed bool
	// metadata is the --metadata postgres:// URL of the run ("" for
	// bolt under the data directory).
	metadata string
}

// openStore opens the run's metadata store (bolt under dir, or the
// PostgreSQL database) with its blobs, for the checks after a round.
func (o *objectBlobs) openStore(t *testing.T, dir string) (glacier.Store, error) {
	if o != nil && o.metadata != "" {
		return postgres.Open(o.metadata, o.open(t), postgres.Options{})
	}
	return boltdb.Open(dir, boltdb.Options{Blobs: o.open(t)})
}

// openEngine opens the run's key-value engine, for the raw checks.
func (o *objectBlobs) openEngine(dir string) (kvstore.Engine, error) {
	if o != nil && o.metadata != "" {
		return postgres.OpenEngine(o.metadata, postgres.Options{})
	}
	return boltdb.OpenEngine(dir, boltdb.Options{})
}

func (o *objectBlobs) open(t *testing.T) glacier.Blobs {
	if o == nil {
		return nil
	}
	b, err := s3blob.Open(t.Context(), s3blob.Options{Bucket: s3test.Bucket, Prefix: o.prefix, Endpoint: o.srv.Endpoint,
		Region: s3test.Region, PathStyle: true, Grace: time.Hour,
		Credentials: credentials.NewStaticCredentialsProvider(s3test.AccessKey, s3test.SecretKey, "")})
	if err != nil {
		t.Fatalf("opening the bucket: %v", err)
	}
	return b
}

// count returns the number of objects under the prefix (0 without an
// object store).
func (o *objectBlobs) count(t *testing.T) int {
	if o == nil {
		return 0
	}
	n := 0
	if err := o.open(t).List(t.Context(), func(string, time.Time) bool { n++; return true }); err != nil {
		t.Fatal(err)
	}
	return n
}

func (o *objectBlobs) uploads(t *testing.T) int {
	ctx, cancel := context.WithTimeout(t.Context(), opTimeout)
	defer cancel()
	out, err := o.srv.Client().ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(s3test.Bucket), Prefix: aws.String(o.prefix)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Uploads)
}

// TestCrashKeepsAcknowledgedArchivesS3 is the crash test with the bytes in
// versitygw: SIGKILL during concurrent uploads loses no acknowledged
// archive and makes nothing unacknowledged visible; recovery leaves the
// unreferenced objects and multipart uploads of the killed process alone
// within the grace period (another process sharing the bucket may be
// between writing an object and committing its record), and takes them
// once they are older.
func TestCrashKeepsAcknowledgedArchivesS3(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the crash test in -short mode: it builds cmd/permafrost and SIGKILLs it several times")
	}
	srv := s3test.Start(t)
	bin := buildBinary(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	ob := &objectBlobs{srv: srv, prefix: "crash/", args: []string{"--blobs", srv.URL("crash")}, orphansAllowed: true}
	crashRounds(t, bin, dataDir, ob)
	left, pending := ob.count(t), ob.uploads(t)
	t.Logf("after the rounds: %d object(s), %d multipart upload(s) of killed writers", left, pending)

	// Past the grace period, a start takes what no record refers to.
	time.Sleep(2 * time.Second) // LastModified and Initiated have whole seconds
	short := &objectBlobs{srv: srv, prefix: "crash/", args: []string{"--blobs", srv.URL("crash", "grace=1s")}}
	s := startServer(t, bin, dataDir, "recovery past the grace period", short.args...)
	if err := s.stop(); err != nil {
		t.Logf("stop: %v", err)
	}
	if n := short.uploads(t); n != 0 {
		t.Errorf("%d multipart upload(s) older than the grace period survived a start", n)
	}
	ref := glacier.Scope{Account: accountID, Region: region}.Ref(vaultName)
	verifyStore(t, dataDir, ref, nil, rounds+1, short) // no orphan may remain
}

// TestCrashKeepsAcknowledgedArchivesPostgresS3 is the crash test with the
// metadata in PostgreSQL (--metadata postgres://) and the bytes in
// versitygw: SIGKILL during concurrent uploads loses no acknowledged
// archive and makes nothing unacknowledged visible, the checks reading the
// database the killed process wrote.
func TestCrashKeepsAcknowledgedArchivesPostgresS3(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the crash test in -short mode: it builds cmd/permafrost and SIGKILLs it several times")
	}
	db := pgtest.NewDatabase(t)
	srv := s3test.Start(t)
	bin := buildBinary(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	ob := &objectBlobs{srv: srv, prefix: "crashpg/", metadata: db, orphansAllowed: true,
		args: []string{"--metadata", db, "--blobs", srv.URL("crashpg")}}
	crashRounds(t, bin, dataDir, ob)
}
