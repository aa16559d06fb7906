package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/smithy-go"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"permafrost/internal/app"
	"permafrost/internal/config"
	"permafrost/internal/testserver"
	"permafrost/internal/treehash"
)

// countingTransport counts the body bytes the client sends and receives,
// which is what the server must count as received and sent.
type countingTransport struct {
	sent, got atomic.Int64
}

type countingReader struct {
	r io.ReadCloser
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = &countingReader{r: r.Body, n: &t.sent}
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		resp.Body = &countingReader{r: resp.Body, n: &t.got}
	}
	return resp, err
}

// fakeSNS answers SNS Publish, failing the first request with a 500.
type fakeSNS struct {
	mu        sync.Mutex
	requests  int
	published int
}

func (f *fakeSNS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "Publish" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	if f.requests == 1 {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>try again</Message></Error><RequestId>e</RequestId></ErrorResponse>`))
		return
	}
	f.published++
	_, _ = w.Write([]byte(`<PublishResponse><PublishResult><MessageId>1</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>`))
}

func (f *fakeSNS) done() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.published > 0
}

// scrape reads endpoint's /_permafrost/metrics with the Prometheus text
// parser.
func scrape(t *testing.T, endpoint string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(endpoint + "/_permafrost/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /_permafrost/metrics: %d %s", resp.StatusCode, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing the metrics: %v", err)
	}
	return fams
}

// value returns the counter, gauge or histogram count of the series of
// family name with exactly the labels given (name=value pairs); ok is
// false when there is none.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		if len(m.GetLabel())*2 != len(labels) {
			continue
		}
		for i := 0; i < len(labels); i += 2 {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		case m.Untyped != nil:
			return m.GetUntyped().GetValue(), true
		}
	}
	return 0, false
}

func want(t *testing.T, fams map[string]*dto.MetricFamily, v float64, name string, labels ...string) {
	t.Helper()
	got, ok := value(fams, name, labels...)
	if !ok {
		t.Errorf("%s%v: missing", name, labels)
		return
	}
	if got != v {
		t.Errorf("%s%v = %v, want %v", name, labels, got, v)
	}
}

// TestMetricsAfterWorkload runs a known workload through the SDK against
// a durable server, scrapes /_permafrost/metrics over HTTP and checks each
// counter's value; a replica over the same store reports the same stored
// figures.
func TestMetricsAfterWorkload(t *testing.T) {
	sns := &fakeSNS{}
	ts := httptest.NewServer(sns)
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) {
		c.Memory, c.DataDir, c.SNSEndpoint = false, dir, ts.URL
	}))
	tr := &countingTransport{}
	client := func(region string) *glacier.Client {
		return glacier.New(glacier.Options{
			Region: region, BaseEndpoint: aws.String(srv.Endpoint), Retryer: aws.NopRetryer{},
			Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
			HTTPClient:  &http.Client{Transport: tr},
		})
	}
	east, west := client("us-east-1"), client("us-west-2")
	ctx := context.Background()
	acct := aws.String("-")
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"a", "b"} {
		must(east.CreateVault(ctx, &glacier.CreateVaultInput{AccountId: acct, VaultName: aws.String(v)}))
	}
	must(west.CreateVault(ctx, &glacier.CreateVaultInput{AccountId: acct, VaultName: aws.String("w")}))
	var ids []string
	for _, n := range []int{100, 200, 300} {
		out, err := east.UploadArchive(ctx, &glacier.UploadArchiveInput{AccountId: acct, VaultName: aws.String("a"),
			Body: bytes.NewReader(bytes.Repeat([]byte("x"), n))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.ArchiveId))
	}
	must(west.UploadArchive(ctx, &glacier.UploadArchiveInput{AccountId: acct, VaultName: aws.String("w"), Body: strings.NewReader("west")}))
	must(east.DeleteArchive(ctx, &glacier.DeleteArchiveInput{AccountId: acct, VaultName: aws.String("a"), ArchiveId: aws.String(ids[0])}))

	// A multipart upload of 1 MiB + 10 bytes, one left in progress and one
	// aborted.
	const mib = 1 << 20
	whole := bytes.Repeat([]byte("m"), mib+10)
	up, err := east.InitiateMultipartUpload(ctx, &glacier.InitiateMultipartUploadInput{AccountId: acct, VaultName: aws.String("b"), PartSize: aws.String("1048576")})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ from, to int }{{0, mib}, {mib, len(whole)}} {
		must(east.UploadMultipartPart(ctx, &glacier.UploadMultipartPartInput{AccountId: acct, VaultName: aws.String("b"), UploadId: up.UploadId,
			Range: aws.String("bytes " + itoa(p.from) + "-" + itoa(p.to-1) + "/*"), Body: bytes.NewReader(whole[p.from:p.to])}))
	}
	must(east.CompleteMultipartUpload(ctx, &glacier.CompleteMultipartUploadInput{AccountId: acct, VaultName: aws.String("b"), UploadId: up.UploadId,
		ArchiveSize: aws.String(itoa(len(whole))), Checksum: aws.String(treehash.Sum(whole).String())}))
	must(east.InitiateMultipartUpload(ctx, &glacier.InitiateMultipartUploadInput{AccountId: acct, VaultName: aws.String("b"), PartSize: aws.String("1048576")}))
	gone, err := east.InitiateMultipartUpload(ctx, &glacier.InitiateMultipartUploadInput{AccountId: acct, VaultName: aws.String("b"), PartSize: aws.String("1048576")})
	if err != nil {
		t.Fatal(err)
	}
	must(east.AbortMultipartUpload(ctx, &glacier.AbortMultipartUploadInput{AccountId: acct, VaultName: aws.String("b"), UploadId: gone.UploadId}))

	// A retrieval job (the fast profile completes it at once) with a
	// notification, whose first delivery fails; its output is read.
	job, err := east.InitiateJob(ctx, &glacier.InitiateJobInput{AccountId: acct, VaultName: aws.String("a"), JobParameters: &types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(ids[1]), SNSTopic: aws.String("arn:aws:sns:us-east-1:123456789012:t")}})
	if err != nil {
		t.Fatal(err)
	}
	must(east.DescribeJob(ctx, &glacier.DescribeJobInput{AccountId: acct, VaultName: aws.String("a"), JobId: job.JobId}))
	out, err := east.GetJobOutput(ctx, &glacier.GetJobOutputInput{AccountId: acct, VaultName: aws.String("a"), JobId: job.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(out.Body); err != nil || len(b) != 200 {
		t.Fatalf("job output: %d bytes, %v", len(b), err)
	}
	out.Body.Close()

	// A failed request: DescribeVault of a vault that does not exist.
	_, err = east.DescribeVault(ctx, &glacier.DescribeVaultInput{AccountId: acct, VaultName: aws.String("nope")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("DescribeVault of a missing vault: %v", err)
	}
	for deadline := time.Now().Add(20 * time.Second); !sns.done(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the notification was not delivered after 20s")
		}
	}

	fams := scrape(t, srv.Endpoint)
	reqs := "permafrost_requests_total"
	for _, c := range []struct {
		op, code string
		n        float64
	}{
		{"CreateVault", "201", 3}, {"UploadArchive", "201", 4}, {"DeleteArchive", "204", 1},
		{"InitiateMultipartUpload", "201", 3}, {"AbortMultipartUpload", "204", 1}, {"UploadMultipartPart", "204", 2}, {"CompleteMultipartUpload", "201", 1},
		{"InitiateJob", "202", 1}, {"DescribeJob", "200", 1}, {"GetJobOutput", "200", 1}, {"DescribeVault", "404", 1},
	} {
		want(t, fams, c.n, reqs, "operation", c.op, "code", c.code)
		want(t, fams, c.n, "permafrost_request_duration_seconds", "operation", c.op)
	}
	if n := len(fams[reqs].GetMetric()); n != 11 {
		t.Errorf("%s has %d series, want the 11 above", reqs, n)
	}
	want(t, fams, float64(tr.sent.Load()), "permafrost_received_bytes_total")
	want(t, fams, float64(tr.got.Load()), "permafrost_sent_bytes_total")
	want(t, fams, 0, "permafrost_upload_bodies_in_flight")
	want(t, fams, 1, "permafrost_notification_deliveries_total")
	want(t, fams, 1, "permafrost_notification_delivery_failures_total")
	checkStored(t, fams)

	// Store commits: every write request committed at least once, and
	// each log sync belongs to a commit.
	commits, _ := value(fams, "permafrost_store_commit_duration_seconds")
	batches, _ := value(fams, "permafrost_store_commit_batch_size")
	syncs, _ := value(fams, "permafrost_store_log_syncs_total")
	if commits < 15 || batches != commits || syncs < 15 || syncs > commits {
		t.Errorf("store: %v commits, %v batch sizes, %v log syncs; want at least one commit and sync per write (15)", commits, batches, syncs)
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if fams[name] == nil {
			t.Errorf("%s missing", name)
		}
	}

	// A replica over the same store: the same stored figures, none of
	// the first process's request counters.
	cfg := srv.Main.Config
	cfg.Addr = "127.0.0.1:0"
	cfg.SNSEndpoint = ""
	replica, err := app.New(cfg, slog.New(slog.DiscardHandler), nil, app.WithStore(srv.Main.Store))
	if err != nil {
		t.Fatal(err)
	}
	if err := replica.Start(); err != nil {
		t.Fatal(err)
	}
	defer replica.Close(context.Background())
	rf := scrape(t, replica.Endpoint())
	checkStored(t, rf)
	if _, ok := value(rf, reqs, "operation", "CreateVault", "code", "201"); ok {
		t.Errorf("the replica counts requests it never served")
	}
}

// checkStored checks the stored figures of the workload.
func checkStored(t *testing.T, fams map[string]*dto.MetricFamily) {
	t.Helper()
	east := []string{"account", "123456789012", "region", "us-east-1"}
	west := []string{"account", "123456789012", "region", "us-west-2"}
	want(t, fams, 2, "permafrost_vaults", east...)
	want(t, fams, 1, "permafrost_vaults", west...)
	want(t, fams, 3, "permafrost_archives", east...) // 3 uploads - 1 deleted + 1 multipart
	want(t, fams, 200+300+1<<20+10, "permafrost_archive_bytes", east...)
	want(t, fams, 1, "permafrost_archives", west...)
	want(t, fams, 4, "permafrost_archive_bytes", west...)
	want(t, fams, 1, "permafrost_multipart_uploads_in_progress", east...)
	want(t, fams, 0, "permafrost_multipart_uploads_in_progress", west...)
	want(t, fams, 1, "permafrost_jobs", "action", "ArchiveRetrieval", "status", "Succeeded")
	if n := len(fams["permafrost_jobs"].GetMetric()); n != 1 {
		t.Errorf("permafrost_jobs has %d series, want 1", n)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
