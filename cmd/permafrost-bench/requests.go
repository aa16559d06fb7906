package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
)

// runControl is scenario 4: -control-requests DescribeVault calls over
// -control-concurrency workers.
func (b *bench) runControl(ctx context.Context) Result {
	r := Result{Scenario: "control-describe-vault"}
	in := &glacier.DescribeVaultInput{AccountId: aws.String("-"), VaultName: aws.String(b.vault)}
	st := runPool(ctx, b.cfg.ControlRequests, b.cfg.ControlConcurrency, b.cfg.Duration, func(ctx context.Context, _ int) error {
		out, err := b.client.DescribeVault(ctx, in)
		if err == nil && aws.ToString(out.VaultName) != b.vault {
			err = fmt.Errorf("DescribeVault answered for vault %q", aws.ToString(out.VaultName))
		}
		return err
	})
	r = r.opRate(st.ok(), 0, st.elapsed).latencies(st.lat)
	r.Errors = st.errors
	if err := st.err(); err != nil {
		return r.fail(err)
	}
	return r
}

// smallPool is how many distinct small payloads are generated; uploads
// cycle through them.
const smallPool = 64

// runSmall is scenario 5: -small-count UploadArchive calls of -small-size
// bytes over -small-concurrency workers.
func (b *bench) runSmall(ctx context.Context) Result {
	r := Result{Scenario: "small-uploads"}
	k := min(b.cfg.SmallCount, smallPool)
	data := randomBytes(int64(k)*b.cfg.SmallSize, 2)
	payloads := make([]payload, k)
	for i := range payloads {
		off := int64(i) * b.cfg.SmallSize
		payloads[i] = newPayload(data[off : off+b.cfg.SmallSize])
	}
	ids := make([]string, b.cfg.SmallCount)
	st := runPool(ctx, b.cfg.SmallCount, b.cfg.SmallConcurrency, b.cfg.Duration, func(ctx context.Context, i int) error {
		p := payloads[i%k]
		out, err := b.client.UploadArchive(ctx, &glacier.UploadArchiveInput{
			AccountId: aws.String("-"),
			VaultName: aws.String(b.vault),
			Checksum:  aws.String(p.tree),
			Body:      p.body(),
		}, withHashes(p))
		if err != nil {
			return err
		}
		if ids[i] = aws.ToString(out.ArchiveId); ids[i] == "" {
			return errors.New("no archive ID in the response")
		}
		if c := aws.ToString(out.Checksum); c != "" && c != p.tree {
			return fmt.Errorf("server tree hash %s, want %s", c, p.tree)
		}
		return nil
	})
	for _, id := range ids {
		if id != "" {
			b.keepArchive(id)
		}
	}
	r = r.opRate(st.ok(), int64(st.ok())*b.cfg.SmallSize, st.elapsed).latencies(st.lat)
	r.Errors = st.errors
	if err := st.err(); err != nil {
		return r.fail(err)
	}
	return r
}
