// Package s3client builds the AWS SDK's S3 client the way every part of
// permafrost that talks to an S3 service needs it: the standard credential
// chain (or given credentials), a region falling back to us-east-1, a base
// endpoint for self-hosted services, a response deadline so that a service
// that stops answering fails the attempt (and the retryer takes over)
// instead of hanging, and checksums only where the service requires them
// (permafrost checks its own tree hashes).
package s3client

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Options say which S3 service to talk to.
type Options struct {
	// Endpoint is the service's base URL ("" for AWS S3).
	Endpoint string
	// Region defaults to the standard chain's, then us-east-1.
	Region string
	// PathStyle addresses buckets in the path, not the host name (what
	// most self-hosted services need).
	PathStyle bool
	// Credentials override the standard AWS chain (environment, shared
	// config and credentials files, profiles); nil uses the chain.
	Credentials aws.CredentialsProvider
	// MaxIdleConnsPerHost is the transport's pool per host (0: Go's).
	MaxIdleConnsPerHost int
}

// The checksum settings of the client (a benchmark's reference client uses
// the same).
const (
	RequestChecksums  = aws.RequestChecksumCalculationWhenRequired
	ResponseChecksums = aws.ResponseChecksumValidationWhenRequired
)

// ResponseTimeout is how long a response's headers are waited for.
const ResponseTimeout = 2 * time.Minute

// New builds the client and returns it with the configuration it was made
// from; it does not contact the service.
func New(ctx context.Context, o Options) (*s3.Client, aws.Config, error) {
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.ResponseHeaderTimeout = ResponseTimeout
		if o.MaxIdleConnsPerHost > 0 {
			t.MaxIdleConnsPerHost = o.MaxIdleConnsPerHost
		}
	})
	loads := []func(*config.LoadOptions) error{config.WithHTTPClient(hc)}
	if o.Region != "" {
		loads = append(loads, config.WithRegion(o.Region))
	}
	if o.Credentials != nil {
		loads = append(loads, config.WithCredentialsProvider(o.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return nil, aws.Config{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	c := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
		}
		so.UsePathStyle = o.PathStyle
		so.RequestChecksumCalculation = RequestChecksums
		so.ResponseChecksumValidation = ResponseChecksums
	})
	return c, cfg, nil
}
