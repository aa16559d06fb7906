package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/treehash"
)

// runRetrieval is scenario 3: an archive-retrieval job for the single-upload
// archive, waited for by polling DescribeJob, then GetJobOutput streamed
// and verified. The first row is the wait (InitiateJob until Completed, ops
// counting DescribeJob calls); the second is the download.
func (b *bench) runRetrieval(ctx context.Context) []Result {
	wait := Result{Scenario: "retrieval-job-wait"}
	dl := Result{Scenario: "retrieval-download"}
	skip := func(err error) []Result {
		return []Result{wait.fail(err), dl.fail(errors.New("skipped: no completed job"))}
	}
	archive := b.singleArchive
	if archive == "" {
		if b.cfg.enabled(scSingle) {
			return skip(errors.New("skipped: single-upload failed, nothing to retrieve"))
		}
		b.logf("uploading the archive to retrieve (untimed)")
		id, err := b.uploadWhole(ctx, "permafrost-bench retrieval source")
		if err != nil {
			return skip(fmt.Errorf("uploading the archive to retrieve: %w", err))
		}
		archive = id
	}

	start := time.Now()
	job, err := b.client.InitiateJob(ctx, &glacier.InitiateJobInput{
		AccountId: aws.String("-"),
		VaultName: aws.String(b.vault),
		JobParameters: &types.JobParameters{
			Type:        aws.String("archive-retrieval"),
			ArchiveId:   aws.String(archive),
			Description: aws.String("permafrost-bench retrieval"),
		},
	})
	if err != nil {
		return skip(fmt.Errorf("initiate job: %w", err))
	}
	jobID := aws.ToString(job.JobId)
	polls, err := b.waitJob(ctx, jobID)
	d := time.Since(start)
	if err != nil {
		return skip(err)
	}
	wait.Ops, wait.Seconds = polls, d.Seconds()
	wait = wait.latencies([]time.Duration{d})

	t0 := time.Now()
	n, err := b.download(ctx, jobID)
	d = time.Since(t0)
	if err != nil {
		return []Result{wait, dl.fail(err)}
	}
	return []Result{wait, dl.byteRate(1, n, d).latencies([]time.Duration{d})}
}

// waitJob polls DescribeJob until the job completes, fails, or -job-timeout
// passes. It returns the number of DescribeJob calls made.
func (b *bench) waitJob(ctx context.Context, jobID string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.JobTimeout)
	defer cancel()
	tick := time.NewTicker(b.cfg.PollInterval)
	defer tick.Stop()
	for polls := 1; ; polls++ {
		out, err := b.client.DescribeJob(ctx, &glacier.DescribeJobInput{
			AccountId: aws.String("-"),
			VaultName: aws.String(b.vault),
			JobId:     aws.String(jobID),
		})
		if err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return polls, fmt.Errorf("job %s not completed within %v", jobID, b.cfg.JobTimeout)
			}
			return polls, fmt.Errorf("describe job: %w", err)
		}
		switch {
		case out.StatusCode == types.StatusCodeFailed:
			return polls, fmt.Errorf("job %s failed: %s", jobID, aws.ToString(out.StatusMessage))
		case out.Completed:
			return polls, nil
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return polls, fmt.Errorf("job %s not completed within %v", jobID, b.cfg.JobTimeout)
			}
			return polls, ctx.Err()
		case <-tick.C:
		}
	}
}

// download streams the job output to io.Discard, checking its size and,
// when the server sends x-amz-sha256-tree-hash, its tree hash.
func (b *bench) download(ctx context.Context, jobID string) (int64, error) {
	out, err := b.client.GetJobOutput(ctx, &glacier.GetJobOutputInput{
		AccountId: aws.String("-"),
		VaultName: aws.String(b.vault),
		JobId:     aws.String(jobID),
	})
	if err != nil {
		return 0, err
	}
	defer out.Body.Close()
	var w io.Writer = io.Discard
	var th *treehash.Writer
	want := aws.ToString(out.Checksum)
	if want != "" {
		th = treehash.New()
		defer th.Close()
		w = th
	}
	buf := make([]byte, 256<<10)
	n, err := io.CopyBuffer(w, out.Body, buf)
	if err != nil {
		return n, fmt.Errorf("reading job output after %d bytes: %w", n, err)
	}
	if n != b.cfg.Size {
		return n, fmt.Errorf("job output is %d bytes, want %d", n, b.cfg.Size)
	}
	if th != nil {
		if got := th.Sum().String(); got != want {
			return n, fmt.Errorf("job output tree hash %s, header says %s", got, want)
		}
		if want != b.big.whole.tree {
			return n, fmt.Errorf("job output tree hash %s, uploaded %s", want, b.big.whole.tree)
		}
	}
	return n, nil
}
