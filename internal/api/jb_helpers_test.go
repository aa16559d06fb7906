package api_test

// Shared helpers of the jobs integration suite (jb_*_test.go):
// InitiateJob, DescribeJob, ListJobs and GetJobOutput, job timing, limits
// and notifications, driven through the real aws-sdk-go-v2 Glacier client
// against testserver servers. The helpers shared with the other suites
// (raw requests among them) are in helpers_test.go.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/app"
	"permafrost/internal/clock"
	"permafrost/internal/config"
	"permafrost/internal/testserver"
)

// jbDelays are realistic tier delays.
const jbDelays = "Expedited=1m,Standard=4h,Bulk=8h"

// jbNew starts a server with the in-memory store, adjusted by opts.
func jbNew(t *testing.T, opts ...func(*config.Config)) *testserver.Server {
	t.Helper()
	var po []testserver.Option
	for _, o := range opts {
		po = append(po, testserver.WithConfig(o))
	}
	return testserver.New(t, po...)
}

// jbConfig is the server configuration.
type jbConfig = config.Config

// jbWithDelays configures the realistic tier delays.
func jbWithDelays(c *config.Config) { c.JobDelay = jbDelays }

// jbStart starts a server from cfg on base (nil: the wall clock) with
// app.New directly, so that a test may stop it before its end. stop is
// idempotent and also runs at cleanup.
func jbStart(t *testing.T, cfg config.Config, base clock.Clock) (srv *testserver.Server, stop func()) {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	m, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), base)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	if err := m.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := m.Close(ctx); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	srv = &testserver.Server{Endpoint: m.Endpoint(), Main: m}
	srv.Client = srv.NewClient(cfg.Region, testAccessKey, testSecret)
	return srv, stop
}

// jbOwnTransportClient returns a Glacier client for srv with its own HTTP
// transport, whose idle connections are closed before srv stops. Concurrent
// requests leave connections the client dialled but never used; the
// server's graceful shutdown waits 5s for such connections otherwise.
func jbOwnTransportClient(t *testing.T, srv *testserver.Server) *glacier.Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections) // runs before the server's cleanup
	return glacier.New(glacier.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(srv.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Transport: tr},
	})
}

// jbTopic is an SNS topic ARN of the default account.
func jbTopic(name string) string { return "arn:aws:sns:" + testRegion + ":" + testAccount + ":" + name }

// jbData returns n pseudo-random bytes determined by seed.
func jbData(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x51ed2701))
	b := make([]byte, n)
	for i := range b {
		if i%8 == 0 {
			v := r.Uint64()
			for j := 0; j < 8 && i+j < n; j++ {
				b[i+j] = byte(v >> (8 * j))
			}
		}
	}
	return b
}

// jbUpload uploads body with description desc (SDK-computed checksums),
// checks the returned tree hash and returns the archive ID.
func jbUpload(t *testing.T, c *glacier.Client, vault string, body []byte, desc string) string {
	t.Helper()
	out, err := uploadArchive(t, c, "", vault, desc, body)
	mustOK(t, fmt.Sprintf("UploadArchive(%d bytes)", len(body)), err)
	return aws.ToString(out.ArchiveId)
}

// jbInitErr initiates a job with parameters p.
func jbInitErr(t *testing.T, c *glacier.Client, vault string, p types.JobParameters) (*glacier.InitiateJobOutput, error) {
	t.Helper()
	return c.InitiateJob(t.Context(), &glacier.InitiateJobInput{VaultName: aws.String(vault), JobParameters: &p})
}

// jbInit initiates a job that must be accepted and returns its ID.
func jbInit(t *testing.T, c *glacier.Client, vault string, p types.JobParameters) string {
	t.Helper()
	out, err := jbInitErr(t, c, vault, p)
	mustOK(t, "InitiateJob "+aws.ToString(p.Type), err)
	return aws.ToString(out.JobId)
}

// jbArchiveJob starts a whole-archive retrieval of the given tier ("" for
// the default) and returns its ID.
func jbArchiveJob(t *testing.T, c *glacier.Client, vault, archiveID, tier string) string {
	t.Helper()
	p := types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(archiveID)}
	if tier != "" {
		p.Tier = aws.String(tier)
	}
	return jbInit(t, c, vault, p)
}

// jbRangeJob starts a retrieval of byte range r of an archive.
func jbRangeJob(t *testing.T, c *glacier.Client, vault, archiveID, r string) string {
	t.Helper()
	return jbInit(t, c, vault, types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(archiveID), RetrievalByteRange: aws.String(r),
	})
}

// jbInventoryJob starts an inventory retrieval in format ("" for the
// default) with optional parameters.
func jbInventoryJob(t *testing.T, c *glacier.Client, vault, format string, ip *types.InventoryRetrievalJobInput) string {
	t.Helper()
	p := types.JobParameters{Type: aws.String("inventory-retrieval"), InventoryRetrievalParameters: ip}
	if format != "" {
		p.Format = aws.String(format)
	}
	return jbInit(t, c, vault, p)
}

func jbDescribe(t *testing.T, c *glacier.Client, vault, id string) *glacier.DescribeJobOutput {
	t.Helper()
	out, err := c.DescribeJob(t.Context(), &glacier.DescribeJobInput{VaultName: aws.String(vault), JobId: aws.String(id)})
	mustOK(t, "DescribeJob", err)
	return out
}

// jbOutputErr downloads a job's output (Range header rng unless "").
func jbOutputErr(t *testing.T, c *glacier.Client, vault, id, rng string) (*glacier.GetJobOutputOutput, []byte, error) {
	t.Helper()
	in := &glacier.GetJobOutputInput{VaultName: aws.String(vault), JobId: aws.String(id)}
	if rng != "" {
		in.Range = aws.String(rng)
	}
	out, err := c.GetJobOutput(t.Context(), in)
	if err != nil {
		return nil, nil, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("reading job output: %v", err)
	}
	return out, b, nil
}

// jbOutput downloads a job's output, which must succeed.
func jbOutput(t *testing.T, c *glacier.Client, vault, id, rng string) (*glacier.GetJobOutputOutput, []byte) {
	t.Helper()
	out, b, err := jbOutputErr(t, c, vault, id, rng)
	mustOK(t, "GetJobOutput "+rng, err)
	return out, b
}

// jbJobIDs lists every job ID of a vault with the given filters (all pages).
func jbJobIDs(t *testing.T, c *glacier.Client, vault, status, completed string) []string {
	t.Helper()
	in := &glacier.ListJobsInput{VaultName: aws.String(vault)}
	if status != "" {
		in.Statuscode = aws.String(status)
	}
	if completed != "" {
		in.Completed = aws.String(completed)
	}
	var ids []string
	p := glacier.NewListJobsPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		mustOK(t, "ListJobs", err)
		for _, j := range out.JobList {
			ids = append(ids, aws.ToString(j.JobId))
		}
	}
	return ids
}

// jbRawJob returns DescribeJob's JSON object, key by key.
func jbRawJob(t *testing.T, srv *testserver.Server, vault, id string) map[string]json.RawMessage {
	t.Helper()
	r := rawRequest(t, srv, http.MethodGet, "/-/vaults/"+vault+"/jobs/"+id, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("DescribeJob: HTTP %d: %s", r.Status, r.Body)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("DescribeJob body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// jbJobKeys are the members of GlacierJobDescription (spec 4.1).
var jbJobKeys = []string{
	"Action", "ArchiveId", "ArchiveSHA256TreeHash", "ArchiveSizeInBytes", "Completed", "CompletionDate",
	"CreationDate", "InventoryRetrievalParameters", "InventorySizeInBytes", "JobDescription", "JobId",
	"JobOutputPath", "OutputLocation", "RetrievalByteRange", "SHA256TreeHash", "SNSTopic", "SelectParameters",
	"StatusCode", "StatusMessage", "Tier", "VaultARN",
}

// jbCheckKeys asserts m has every GlacierJobDescription key and that the
// keys in nulls (only those) are null.
func jbCheckKeys(t *testing.T, m map[string]json.RawMessage, nulls ...string) {
	t.Helper()
	isNull := map[string]bool{}
	for _, k := range nulls {
		isNull[k] = true
	}
	for _, k := range jbJobKeys {
		v, ok := m[k]
		switch {
		case !ok:
			t.Errorf("job JSON has no %q key", k)
		case isNull[k] && string(v) != "null":
			t.Errorf("job JSON %s = %s, want null", k, v)
		case !isNull[k] && string(v) == "null":
			t.Errorf("job JSON %s = null, want a value", k)
		}
	}
}

// jbEmu calls a /_permafrost/ endpoint (unsigned) and returns the response.
func jbEmu(t *testing.T, srv *testserver.Server, method, path string) rawResp {
	t.Helper()
	req, err := http.NewRequest(method, srv.Endpoint+"/_permafrost/"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return doRaw(t, req)
}

// jbClock reads the server's clock through GET /_permafrost/clock.
func jbClock(t *testing.T, srv *testserver.Server) time.Time {
	t.Helper()
	r := jbEmu(t, srv, http.MethodGet, "clock")
	var c struct {
		Now string `json:"now"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &c) != nil {
		t.Fatalf("GET /_permafrost/clock: HTTP %d: %s", r.Status, r.Body)
	}
	now, err := time.Parse(time.RFC3339, c.Now)
	if err != nil {
		t.Fatalf("clock now %q is not RFC 3339: %v", c.Now, err)
	}
	return now
}

// jbNote is one entry of GET /_permafrost/notifications.
type jbNote struct {
	Topic   string `json:"topic"`
	Message string `json:"message"`
	Time    string `json:"time"`
}

func jbNotes(t *testing.T, srv *testserver.Server) []jbNote {
	t.Helper()
	r := jbEmu(t, srv, http.MethodGet, "notifications")
	var ns []jbNote
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &ns) != nil {
		t.Fatalf("GET /_permafrost/notifications: HTTP %d: %s", r.Status, r.Body)
	}
	return ns
}

// jbEventually polls cond every 20ms until it holds or timeout passes.
func jbEventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
