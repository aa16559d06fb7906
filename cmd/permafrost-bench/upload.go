package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
)

// uploadWhole sends the big payload with one UploadArchive and returns the
// new archive's ID, verifying the tree hash the server reports.
func (b *bench) uploadWhole(ctx context.Context, desc string) (string, error) {
	p := b.big.whole
	out, err := b.client.UploadArchive(ctx, &glacier.UploadArchiveInput{
		AccountId:          aws.String("-"),
		VaultName:          aws.String(b.vault),
		ArchiveDescription: aws.String(desc),
		Checksum:           aws.String(p.tree),
		Body:               p.body(),
	}, withHashes(p))
	if err != nil {
		return "", err
	}
	id := aws.ToString(out.ArchiveId)
	if id == "" {
		return "", errors.New("no archive ID in the response")
	}
	b.keepArchive(id)
	if c := aws.ToString(out.Checksum); c != "" && c != p.tree {
		return id, fmt.Errorf("server tree hash %s, want %s", c, p.tree)
	}
	return id, nil
}

// runSingle is scenario 1: one UploadArchive of -size bytes.
func (b *bench) runSingle(ctx context.Context) Result {
	r := Result{Scenario: "single-upload"}
	start := time.Now()
	id, err := b.uploadWhole(ctx, "permafrost-bench single-stream")
	d := time.Since(start)
	if err != nil {
		return r.fail(err)
	}
	b.singleArchive = id
	return r.byteRate(1, b.cfg.Size, d).latencies([]time.Duration{d})
}

// runMultipart is scenario 2: the same size in -part-size parts over
// -parts-concurrency workers, then CompleteMultipartUpload. The first row
// times Initiate plus all parts (its latencies are per part); the second
// row is the Complete call alone.
func (b *bench) runMultipart(ctx context.Context) []Result {
	up := Result{Scenario: "multipart-upload"}
	comp := Result{Scenario: "multipart-complete"}
	skip := func(err error) []Result {
		return []Result{up.fail(err), comp.fail(errors.New("skipped: the parts did not all upload"))}
	}
	start := time.Now()
	init, err := b.client.InitiateMultipartUpload(ctx, &glacier.InitiateMultipartUploadInput{
		AccountId:          aws.String("-"),
		VaultName:          aws.String(b.vault),
		ArchiveDescription: aws.String("permafrost-bench multipart"),
		PartSize:           aws.String(strconv.FormatInt(b.cfg.PartSize, 10)),
	})
	if err != nil {
		return skip(fmt.Errorf("initiate: %w", err))
	}
	uploadID := aws.ToString(init.UploadId)
	b.keepUpload(uploadID)

	var sent atomic.Int64
	st := runPool(ctx, len(b.big.parts), b.cfg.PartsConcurrency, 0, func(ctx context.Context, i int) error {
		p := b.big.parts[i]
		first := int64(i) * b.cfg.PartSize
		rng := fmt.Sprintf("bytes %d-%d/*", first, first+int64(len(p.data))-1)
		out, err := b.client.UploadMultipartPart(ctx, &glacier.UploadMultipartPartInput{
			AccountId: aws.String("-"),
			VaultName: aws.String(b.vault),
			UploadId:  aws.String(uploadID),
			Range:     aws.String(rng),
			Checksum:  aws.String(p.tree),
			Body:      p.body(),
		}, withHashes(p))
		if err != nil {
			return fmt.Errorf("part %d: %w", i, err)
		}
		if c := aws.ToString(out.Checksum); c != "" && c != p.tree {
			return fmt.Errorf("part %d: server tree hash %s, want %s", i, c, p.tree)
		}
		sent.Add(int64(len(p.data)))
		return nil
	})
	up = up.byteRate(st.ok(), sent.Load(), time.Since(start)).latencies(st.lat)
	up.Errors = st.errors
	if err := st.err(); err != nil {
		return skip(err)
	}

	t0 := time.Now()
	out, err := b.client.CompleteMultipartUpload(ctx, &glacier.CompleteMultipartUploadInput{
		AccountId:   aws.String("-"),
		VaultName:   aws.String(b.vault),
		UploadId:    aws.String(uploadID),
		ArchiveSize: aws.String(strconv.FormatInt(b.cfg.Size, 10)),
		Checksum:    aws.String(b.big.whole.tree),
	})
	d := time.Since(t0)
	if err != nil {
		return []Result{up, comp.fail(err)}
	}
	b.doneUpload(uploadID)
	if id := aws.ToString(out.ArchiveId); id != "" {
		b.keepArchive(id)
	}
	if c := aws.ToString(out.Checksum); c != "" && c != b.big.whole.tree {
		return []Result{up, comp.fail(fmt.Errorf("server tree hash %s, want %s", c, b.big.whole.tree))}
	}
	comp.Ops, comp.Seconds = 1, d.Seconds()
	return []Result{up, comp.latencies([]time.Duration{d})}
}
