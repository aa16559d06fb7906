package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
)

// errScenarios is returned by run when at least one scenario failed.
var errScenarios = errors.New("some scenarios failed")

// cleanupTimeout bounds the deletion of what the run created.
const cleanupTimeout = 5 * time.Minute

// bench is the state of one run against one vault.
type bench struct {
	cfg    Config
	client *glacier.Client
	vault  string
	log    io.Writer
	tag    string // prefixed to progress lines (-ratios: round and side)

	big           bigPayload
	singleArchive string // from the single-stream upload, for retrieval

	mu       sync.Mutex
	archives []string        // everything uploaded, for cleanup
	uploads  map[string]bool // multipart uploads not yet completed
	pruned   CleanupReport   // archives deleted so far (-ratios: between rounds)
}

// newBench is a bench with its own client for endpoint; the caller closes
// the transport's idle connections when done.
func newBench(cfg Config, endpoint, vault string) (*bench, *http.Transport) {
	c := cfg
	c.Endpoint = endpoint
	client, tr := newClient(c)
	b := &bench{cfg: cfg, client: client, vault: vault, log: cfg.Progress, uploads: map[string]bool{}}
	if b.log == nil {
		b.log = io.Discard
	}
	return b, tr
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "permafrost-bench: "+b.tag+format+"\n", args...)
}

func (b *bench) keepArchive(id string) {
	b.mu.Lock()
	b.archives = append(b.archives, id)
	b.mu.Unlock()
}

func (b *bench) keepUpload(id string) {
	b.mu.Lock()
	b.uploads[id] = true
	b.mu.Unlock()
}

func (b *bench) doneUpload(id string) {
	b.mu.Lock()
	delete(b.uploads, id)
	b.mu.Unlock()
}

// run creates a fresh vault on cfg.Endpoint, runs the selected scenarios,
// deletes what it created, and writes the report (a table, or JSON with
// cfg.JSON) to out. The error is errScenarios when a scenario failed (the
// report says which), or why the run could not start.
func run(ctx context.Context, cfg Config, out io.Writer) (Report, error) {
	if err := cfg.validate(); err != nil {
		return Report{}, err
	}
	b, tr := newBench(cfg, cfg.Endpoint, "permafrost-bench-"+randomSuffix())
	defer tr.CloseIdleConnections()
	rep := newReport(cfg, b.vault)

	b.logf("creating vault %s at %s", b.vault, cfg.Endpoint)
	if _, err := b.client.CreateVault(ctx, &glacier.CreateVaultInput{
		AccountId: aws.String("-"),
		VaultName: aws.String(b.vault),
	}); err != nil {
		return rep, fmt.Errorf("creating vault %s: %w", b.vault, err)
	}
	b.generate()
	var err error
	if cfg.Ratios {
		rep.Results, rep.Ratios, err = b.ratioRounds(ctx)
	} else {
		rep.Results = b.scenarios(ctx)
	}
	b.logf("cleaning up")
	rep.Cleanup = b.cleanup(context.WithoutCancel(ctx))
	if err != nil {
		return rep, err
	}
	if err := rep.write(out, cfg.JSON); err != nil {
		return rep, err
	}
	for _, r := range rep.Results {
		if !r.OK() {
			return rep, errScenarios
		}
	}
	for _, l := range rep.Ratios {
		if !l.OK() {
			return rep, errScenarios
		}
	}
	return rep, nil
}

// generate makes the big payload if a selected scenario sends or
// retrieves it.
func (b *bench) generate() {
	c := b.cfg
	if c.enabled(scSingle) || c.enabled(scMultipart) || c.enabled(scRetrieval) {
		b.logf("generating %s of random data and its checksums", formatSize(c.Size))
		t0 := time.Now()
		b.big = newBigPayload(c.Size, c.PartSize, c.enabled(scSingle) || c.enabled(scRetrieval))
		b.logf("generated in %v", time.Since(t0).Round(time.Millisecond))
	}
}

// scenarios runs the selected scenarios in order and returns their rows.
func (b *bench) scenarios(ctx context.Context) []Result {
	var res []Result
	for _, name := range scenarioNames {
		if b.cfg.enabled(name) {
			res = append(res, b.scenario(ctx, name)...)
		}
	}
	return res
}

// scenario runs one scenario and returns its rows.
func (b *bench) scenario(ctx context.Context, name string) []Result {
	b.logf("running %s", name)
	var rows []Result
	switch name {
	case scSingle:
		rows = []Result{b.runSingle(ctx)}
	case scMultipart:
		rows = b.runMultipart(ctx)
	case scRetrieval:
		rows = b.runRetrieval(ctx)
	case scControl:
		rows = []Result{b.runControl(ctx)}
	case scSmall:
		rows = []Result{b.runSmall(ctx)}
	}
	for _, r := range rows {
		if r.OK() {
			b.logf("  %s: ok, %d ops in %.3fs", r.Scenario, r.Ops, r.Seconds)
		} else {
			b.logf("  %s: FAILED: %s", r.Scenario, r.Error)
		}
	}
	return rows
}

// cleanup aborts open multipart uploads, deletes every archive the run
// created, then the vault. It returns what it could not do. (Real Glacier
// refuses to delete a vault written to since its last inventory.)
func (b *bench) cleanup(ctx context.Context) CleanupReport {
	ctx, cancel := context.WithTimeout(ctx, cleanupTimeout)
	defer cancel()
	var cr CleanupReport
	for id := range b.uploads {
		if _, err := b.client.AbortMultipartUpload(ctx, &glacier.AbortMultipartUploadInput{
			AccountId: aws.String("-"), VaultName: aws.String(b.vault), UploadId: aws.String(id),
		}); err != nil {
			cr.Problems = append(cr.Problems, fmt.Sprintf("aborting multipart upload %s: %v", id, err))
		}
	}
	b.prune(ctx)
	cr.ArchivesDeleted = b.pruned.ArchivesDeleted
	cr.Problems = append(cr.Problems, b.pruned.Problems...)
	if _, err := b.client.DeleteVault(ctx, &glacier.DeleteVaultInput{
		AccountId: aws.String("-"), VaultName: aws.String(b.vault),
	}); err != nil {
		cr.Problems = append(cr.Problems, fmt.Sprintf("deleting vault %s: %v", b.vault, err))
	} else {
		cr.VaultDeleted = true
	}
	return cr
}

// prune deletes the archives uploaded since the last prune, counting them
// (and any failure) in b.pruned. Those it could not delete are kept for
// the next prune.
func (b *bench) prune(ctx context.Context) {
	b.mu.Lock()
	ids := b.archives
	b.archives = nil
	b.mu.Unlock()
	st := runPool(ctx, len(ids), b.cfg.SmallConcurrency, 0, func(ctx context.Context, i int) error {
		_, err := b.client.DeleteArchive(ctx, &glacier.DeleteArchiveInput{
			AccountId: aws.String("-"), VaultName: aws.String(b.vault), ArchiveId: aws.String(ids[i]),
		})
		if err != nil {
			b.keepArchive(ids[i]) // for the next prune to try again
		}
		return err
	})
	b.pruned.ArchivesDeleted += st.ok()
	if err := st.err(); err != nil {
		b.pruned.Problems = append(b.pruned.Problems, "deleting archives: "+err.Error())
	}
}

func randomSuffix() string {
	var p [6]byte
	_, _ = rand.Read(p[:])
	return hex.EncodeToString(p[:])
}
