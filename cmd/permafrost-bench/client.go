package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"permafrost/internal/treehash"
)

// newClient builds a Glacier client for cfg.Endpoint: SigV4 with static
// credentials, no retries, and enough idle connections for every worker.
func newClient(cfg Config) (*glacier.Client, *http.Transport) {
	conns := max(cfg.PartsConcurrency, cfg.ControlConcurrency, cfg.SmallConcurrency) + 4
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		WriteBufferSize:     256 << 10,
		ReadBufferSize:      256 << 10,
	}
	c := glacier.New(glacier.Options{
		Region:       cfg.Region,
		BaseEndpoint: aws.String(cfg.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Transport: tr},
	})
	return c, tr
}

// payload is an upload body with its checksums computed ahead of time, so
// that timed requests measure the server rather than the client's hashing.
type payload struct {
	data   []byte
	tree   string // hex tree hash (x-amz-sha256-tree-hash)
	linear string // hex SHA-256 (x-amz-content-sha256, also signed)
}

func newPayload(data []byte) payload {
	t := treehash.Sum(data)
	l := sha256.Sum256(data)
	return payload{data: data, tree: t.String(), linear: hex.EncodeToString(l[:])}
}

// body returns a fresh seekable reader over the data.
func (p payload) body() *bytes.Reader { return bytes.NewReader(p.data) }

// withHashes is a per-call option that supplies the payload's precomputed
// checksums. The SDK's Glacier tree-hash middleware and SigV4's payload
// hashing both skip their own pass over the body when these are present.
func withHashes(p payload) func(*glacier.Options) {
	return func(o *glacier.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("PermafrostBenchHashes",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
					middleware.FinalizeOutput, middleware.Metadata, error,
				) {
					req, ok := in.Request.(*smithyhttp.Request)
					if !ok {
						return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected request type %T", in.Request)
					}
					req.Header.Set("X-Amz-Sha256-Tree-Hash", p.tree)
					req.Header.Set("X-Amz-Content-Sha256", p.linear)
					return next.HandleFinalize(v4.SetPayloadHash(ctx, p.linear), in)
				}), middleware.Before)
		})
	}
}

// randomBytes returns n pseudo-random (incompressible) bytes.
func randomBytes(n int64, seed uint64) []byte {
	buf := make([]byte, n)
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	binary.LittleEndian.PutUint64(key[8:], uint64(time.Now().UnixNano()))
	_, _ = rand.NewChaCha8(key).Read(buf)
	return buf
}

// bigPayload describes the large archive and its multipart parts.
type bigPayload struct {
	whole payload
	parts []payload
}

// newBigPayload generates size random bytes and hashes them: each part in
// parallel, the whole tree hash by combining the part hashes, and the linear
// SHA-256 of the whole (needed only for the single-stream upload).
func newBigPayload(size, partSize int64, wantWhole bool) bigPayload {
	data := randomBytes(size, 1)
	n := int((size + partSize - 1) / partSize)
	parts := make([]payload, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range parts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			off := int64(i) * partSize
			parts[i] = newPayload(data[off:min(off+partSize, size)])
		}()
	}
	var linear string
	if wantWhole {
		l := sha256.Sum256(data)
		linear = hex.EncodeToString(l[:])
	}
	wg.Wait()
	nodes := make([]treehash.Hash, n)
	for i, p := range parts {
		h, err := treehash.Parse(p.tree)
		if err != nil {
			panic(err) // we formatted it ourselves
		}
		nodes[i] = h
	}
	return bigPayload{
		whole: payload{data: data, tree: treehash.Combine(nodes).String(), linear: linear},
		parts: parts,
	}
}
