// Package s3out writes the objects of Glacier select jobs (job.txt,
// results, manifests, errors) to an S3 service: the one --s3-endpoint
// names, with the standard AWS credential chain and the vault's region.
package s3out

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"permafrost/internal/glacier"
	"permafrost/internal/s3client"
)

// Sink is a glacier.ObjectSink over an S3 endpoint.
type Sink struct {
	c *s3.Client
}

var _ glacier.ObjectSink = (*Sink)(nil)

// Options configure a Sink.
type Options struct {
	// Endpoint is the S3 service's URL; "" is AWS S3 itself.
	Endpoint string
	// Credentials override the standard chain; nil uses it.
	Credentials aws.CredentialsProvider
}

// New builds the client; it does not contact the service.
func New(ctx context.Context, o Options) (*Sink, error) {
	// Self-hosted services address buckets in the path.
	c, _, err := s3client.New(ctx, s3client.Options{Endpoint: o.Endpoint, PathStyle: o.Endpoint != "", Credentials: o.Credentials})
	if err != nil {
		return nil, fmt.Errorf("s3out: %w", err)
	}
	return &Sink{c: c}, nil
}

// DeleteObject implements glacier.ObjectSink.
func (s *Sink) DeleteObject(ctx context.Context, o glacier.Object) error {
	_, err := s.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: o.Location.BucketName, Key: aws.String(o.Key)}, func(so *s3.Options) {
		if o.Region != "" {
			so.Region = o.Region
		}
	})
	return err
}

// PutObject writes one object with the location's StorageClass, Tagging,
// UserMetadata, CannedACL, AccessControlList grants and Encryption.
func (s *Sink) PutObject(ctx context.Context, o glacier.Object) error {
	l := o.Location
	in := &s3.PutObjectInput{
		Bucket: l.BucketName, Key: aws.String(o.Key), Body: o.Body, ContentLength: aws.Int64(o.Size),
		ContentType: aws.String(contentType(o.Key)),
		Metadata:    l.UserMetadata,
	}
	if l.StorageClass != nil {
		in.StorageClass = types.StorageClass(*l.StorageClass)
	}
	if len(l.Tagging) > 0 {
		in.Tagging = aws.String(tagging(l.Tagging))
	}
	if l.CannedACL != nil {
		in.ACL = types.ObjectCannedACL(*l.CannedACL)
	}
	grants(in, l.AccessControlList)
	if e := l.Encryption; e != nil && e.EncryptionType != nil {
		in.ServerSideEncryption = types.ServerSideEncryption(*e.EncryptionType)
		in.SSEKMSKeyId = e.KMSKeyID
		in.SSEKMSEncryptionContext = e.KMSContext
	}
	_, err := s.c.PutObject(ctx, in, func(so *s3.Options) {
		if o.Region != "" {
			so.Region = o.Region
		}
	})
	if isNoSuchBucket(err) {
		return fmt.Errorf("%w: %v", glacier.ErrNoSuchBucket, err)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 400 && re.HTTPStatusCode() < 500 && re.HTTPStatusCode() != http.StatusRequestTimeout {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return fmt.Errorf("%w: %s: %s", glacier.ErrObjectRefused, ae.ErrorCode(), ae.ErrorMessage())
		}
		return fmt.Errorf("%w: %v", glacier.ErrObjectRefused, err)
	}
	return err
}

func contentType(key string) string {
	if strings.HasSuffix(key, ".csv") {
		return "text/csv"
	}
	return "text/plain"
}

// tagging is the x-amz-tagging header: the tags as a URL query, in key
// order.
func tagging(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	v := make([]string, len(keys))
	for i, k := range keys {
		v[i] = url.QueryEscape(k) + "=" + url.QueryEscape(tags[k])
	}
	return strings.Join(v, "&")
}

// grants turns an AccessControlList into the x-amz-grant-* headers.
func grants(in *s3.PutObjectInput, acl []glacier.Grant) {
	by := map[string][]string{}
	for _, g := range acl {
		ge := g.Grantee
		var who string
		switch deref(ge.Type) {
		case "CanonicalUser":
			who = `id="` + deref(ge.ID) + `"`
		case "Group":
			who = `uri="` + deref(ge.URI) + `"`
		case "AmazonCustomerByEmail":
			who = `emailAddress="` + deref(ge.EmailAddress) + `"`
		}
		p := deref(g.Permission)
		by[p] = append(by[p], who)
	}
	join := func(p string) *string {
		if len(by[p]) == 0 {
			return nil
		}
		return aws.String(strings.Join(by[p], ", "))
	}
	in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWriteACP = join("FULL_CONTROL"), join("READ"), join("READ_ACP"), join("WRITE_ACP")
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func isNoSuchBucket(err error) bool {
	if err == nil {
		return false
	}
	var nb *types.NoSuchBucket
	var ae smithy.APIError
	return errors.As(err, &nb) || errors.As(err, &ae) && ae.ErrorCode() == "NoSuchBucket"
}
