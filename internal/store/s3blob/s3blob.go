// Package s3blob stores blobs as objects in a bucket of any S3-compatible
// object store (AWS S3, Ceph RGW, MinIO, versitygw, ...), through the AWS
// SDK for Go v2.
//
// A blob is the object PREFIX<id>. Its bytes go out while they arrive: a
// blob of declared size (CreateSized: every Glacier body) is one streamed
// PutObject whose last byte waits for Commit (stream.go); one of unknown
// size is one PutObject at Commit when it fits one part (PartSize), else
// an S3 multipart upload whose parts are sent as they fill, from a
// process-wide pool of maxParts buffers (writer.go). An object exists only
// once the store acknowledged PutObject or CompleteMultipartUpload; Abort
// cancels or aborts, and deletes. Reads are ranged GETs (reader.go); a
// range sent to a response goes from the GET's socket to the client's by
// splice (splice.go).
//
// Errors of the object store (after the SDK's standard retryer) are
// returned as they are: they are not Glacier errors, so the API answers
// them with 500 ServiceUnavailableException. A missing object is
// glacier.ErrNotFound.
package s3blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"permafrost/internal/glacier"
	"permafrost/internal/s3client"
)

// Options say where the blobs live.
type Options struct {
	Bucket string
	// Prefix is prepended to every key ("" or ending in "/" is usual).
	Prefix string
	// Endpoint is the object store's base URL ("" for AWS S3).
	Endpoint string
	// Region defaults to the standard chain's, then us-east-1.
	Region string
	// PathStyle addresses the bucket in the path, not the host name (what
	// most self-hosted stores need).
	PathStyle bool
	// Grace is how long an unreferenced object or an unfinished multipart
	// upload is left alone: another process may be between writing it and
	// committing its record.
	Grace time.Duration
	// Credentials override the standard AWS chain (environment, shared
	// config and credentials files, profiles); nil uses the chain.
	Credentials aws.CredentialsProvider
}

// DefaultGrace is the grace period when the URL names none.
const DefaultGrace = time.Hour

// Store is a bucket (and prefix) of blobs.
type Store struct {
	c      *s3.Client
	bucket string
	prefix string
	grace  time.Duration
	// plainHTTP: the endpoint is http://, whose sockets can be spliced.
	plainHTTP bool
	// opTimeout bounds one metadata request (HEAD, DELETE, a list page,
	// Complete) with its retries, so a store that stopped answering
	// fails the request instead of hanging it.
	opTimeout time.Duration
}

var _ glacier.Blobs = (*Store)(nil)

// Open connects to the bucket and checks that it exists.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Bucket == "" {
		return nil, errors.New("s3blob: no bucket")
	}
	c, cfg, err := s3client.New(ctx, s3client.Options{Endpoint: o.Endpoint, Region: o.Region, PathStyle: o.PathStyle,
		Credentials: o.Credentials, MaxIdleConnsPerHost: 64})
	if err != nil {
		return nil, fmt.Errorf("s3blob: %w", err)
	}
	s := &Store{c: c, bucket: o.Bucket, prefix: o.Prefix, grace: o.Grace, opTimeout: 5 * time.Minute,
		plainHTTP: strings.HasPrefix(o.Endpoint, "http://")}
	hctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := c.HeadBucket(hctx, &s3.HeadBucketInput{Bucket: aws.String(o.Bucket)}); err != nil {
		where := o.Endpoint
		if where == "" {
			where = "AWS S3 (" + cfg.Region + ")"
		}
		if isNotFound(err) {
			return nil, fmt.Errorf("s3blob: bucket %q does not exist at %s", o.Bucket, where)
		}
		return nil, fmt.Errorf("s3blob: bucket %q at %s: %w", o.Bucket, where, err)
	}
	return s, nil
}

// Grace returns the grace period of unreferenced objects.
func (s *Store) Grace() time.Duration { return s.grace }

func (s *Store) key(id string) *string { return aws.String(s.prefix + id) }

// op is the deadline of one request made for work under ctx.
func (s *Store) op(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.opTimeout)
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

// isNotFound reports a missing object, upload or bucket.
func isNotFound(err error) bool {
	var nk *types.NoSuchKey
	var nf *types.NotFound
	var nb *types.NoSuchBucket
	var nu *types.NoSuchUpload
	if errors.As(err, &nk) || errors.As(err, &nf) || errors.As(err, &nb) || errors.As(err, &nu) {
		return true
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "NoSuchKey" || ae.ErrorCode() == "NotFound")
}

// Open implements glacier.Blobs.
func (s *Store) Open(ctx context.Context, id string) (glacier.Blob, error) {
	if !validID(id) {
		return nil, glacier.ErrNotFound
	}
	hctx, cancel := s.op(ctx)
	defer cancel()
	h, err := s.c.HeadObject(hctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: s.key(id)})
	if err != nil {
		if isNotFound(err) {
			return nil, glacier.ErrNotFound
		}
		return nil, fmt.Errorf("s3blob: HEAD %s: %w", id, err)
	}
	return newReader(ctx, s, id, aws.ToInt64(h.ContentLength)), nil
}

// Delete implements glacier.Blobs.
func (s *Store) Delete(ctx context.Context, id string) error {
	if !validID(id) {
		return nil
	}
	ctx, cancel := s.op(ctx)
	defer cancel()
	if _, err := s.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: s.key(id)}); err != nil && !isNotFound(err) {
		return fmt.Errorf("s3blob: DELETE %s: %w", id, err)
	}
	return nil
}

// List implements glacier.Blobs: the objects under the prefix whose names
// are blob IDs, with their LastModified.
func (s *Store) List(ctx context.Context, fn func(id string, committed time.Time) bool) error {
	p := s3.NewListObjectsV2Paginator(s.c, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: aws.String(s.prefix)})
	for p.HasMorePages() {
		ctx, cancel := s.op(ctx)
		page, err := p.NextPage(ctx)
		cancel()
		if err != nil {
			return fmt.Errorf("s3blob: listing %s/%s: %w", s.bucket, s.prefix, err)
		}
		for _, o := range page.Contents {
			id := strings.TrimPrefix(aws.ToString(o.Key), s.prefix)
			if !validID(id) {
				continue
			}
			if !fn(id, aws.ToTime(o.LastModified)) {
				return nil
			}
		}
	}
	return nil
}

// SweepUploads aborts the multipart uploads under the prefix that were
// initiated more than the grace period ago: those of writers that died
// (a process killed mid-upload) and so will never complete them. It
// returns how many it aborted.
func (s *Store) SweepUploads(ctx context.Context) (int, error) {
	n := 0
	in := &s3.ListMultipartUploadsInput{Bucket: &s.bucket, Prefix: aws.String(s.prefix)}
	for {
		ctx, cancel := s.op(ctx)
		page, err := s.c.ListMultipartUploads(ctx, in)
		cancel()
		if err != nil {
			return n, fmt.Errorf("s3blob: listing multipart uploads: %w", err)
		}
		for _, u := range page.Uploads {
			if !validID(strings.TrimPrefix(aws.ToString(u.Key), s.prefix)) || time.Since(aws.ToTime(u.Initiated)) <= s.grace {
				continue
			}
			ctx, cancel := s.op(context.Background())
			_, err := s.c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: u.Key, UploadId: u.UploadId})
			cancel()
			if err != nil && !isNotFound(err) {
				return n, fmt.Errorf("s3blob: aborting multipart upload of %s: %w", aws.ToString(u.Key), err)
			}
			n++
		}
		if !aws.ToBool(page.IsTruncated) {
			return n, nil
		}
		in.KeyMarker, in.UploadIdMarker = page.NextKeyMarker, page.NextUploadIdMarker
	}
}
