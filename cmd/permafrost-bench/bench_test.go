package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/config"
	"permafrost/internal/testserver"
)

func tinyConfig(endpoint string) Config {
	c := defaultConfig()
	c.Endpoint = endpoint
	c.Size = 3 << 20
	c.PartSize = 1 << 20
	c.PartsConcurrency = 2
	c.ControlRequests = 200
	c.ControlConcurrency = 8
	c.SmallCount = 100
	c.SmallSize = 4 << 10
	c.SmallConcurrency = 8
	c.JobTimeout = 10 * time.Second
	return c
}

func TestRunAgainstPermafrost(t *testing.T) {
	srv := testserver.New(t)
	var out, progress bytes.Buffer
	cfg := tinyConfig(srv.Endpoint)
	cfg.Progress = &progress
	rep, err := run(context.Background(), cfg, &out)
	t.Logf("progress:\n%s\nreport:\n%s", progress.String(), out.String())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	want := []string{
		"single-upload", "multipart-upload", "multipart-complete", "retrieval-job-wait",
		"retrieval-download", "control-describe-vault", "small-uploads",
	}
	if len(rep.Results) != len(want) {
		t.Fatalf("got %d results, want %d", len(rep.Results), len(want))
	}
	for i, r := range rep.Results {
		if r.Scenario != want[i] {
			t.Errorf("result %d is %q, want %q", i, r.Scenario, want[i])
		}
		if !r.OK() || r.Ops < 1 || r.Errors != 0 || r.Seconds <= 0 {
			t.Errorf("%s: %+v", r.Scenario, r)
		}
	}
	byName := map[string]Result{}
	for _, r := range rep.Results {
		byName[r.Scenario] = r
	}
	for _, n := range []string{"single-upload", "multipart-upload", "retrieval-download"} {
		if r := byName[n]; r.Bytes != cfg.Size || r.Throughput <= 0 {
			t.Errorf("%s: bytes %d throughput %v, want %d bytes", n, r.Bytes, r.Throughput, cfg.Size)
		}
	}
	if r := byName["control-describe-vault"]; r.Ops != 200 || r.P99ms <= 0 || r.MaxMs < r.P90ms {
		t.Errorf("control: %+v", r)
	}
	if r := byName["small-uploads"]; r.Ops != 100 || r.Bytes != 100*4<<10 {
		t.Errorf("small: %+v", r)
	}
	if c := rep.Cleanup; !c.VaultDeleted || c.ArchivesDeleted != 102 || len(c.Problems) > 0 {
		t.Errorf("cleanup: %+v", c)
	}
	for _, h := range []string{"scenario", "throughput", "p50", "p99", srv.Endpoint, "GOMAXPROCS"} {
		if !strings.Contains(out.String(), h) {
			t.Errorf("table lacks %q", h)
		}
	}
	vaults, err := srv.Client.ListVaults(context.Background(), &glacier.ListVaultsInput{AccountId: aws.String("-")})
	if err != nil || len(vaults.VaultList) != 0 {
		t.Errorf("vaults left behind: %v, %v", vaults, err)
	}
}

func TestRunOnlyRetrievalJSON(t *testing.T) {
	srv := testserver.New(t)
	var out bytes.Buffer
	cfg := tinyConfig(srv.Endpoint)
	cfg.Only = []string{scRetrieval}
	cfg.JSON = true
	if _, err := run(context.Background(), cfg, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("JSON output: %v\n%s", err, out.String())
	}
	if len(rep.Results) != 2 || !rep.Results[1].OK() || rep.Results[1].Bytes != cfg.Size {
		t.Errorf("results: %+v", rep.Results)
	}
}

func TestRunReportsFailures(t *testing.T) {
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) {
		c.JobDelay = "Expedited=4h,Standard=4h,Bulk=4h"
	}))
	var out bytes.Buffer
	cfg := tinyConfig(srv.Endpoint)
	cfg.Only = []string{scSingle, scRetrieval, scControl}
	cfg.JobTimeout = 500 * time.Millisecond
	rep, err := run(context.Background(), cfg, &out)
	if !errors.Is(err, errScenarios) {
		t.Fatalf("run: %v, want errScenarios\n%s", err, out.String())
	}
	ok := map[string]bool{}
	for _, r := range rep.Results {
		ok[r.Scenario] = r.OK()
	}
	want := map[string]bool{"single-upload": true, "retrieval-job-wait": false, "retrieval-download": false, "control-describe-vault": true}
	if len(ok) != len(want) {
		t.Errorf("results: %+v", rep.Results)
	}
	for k, v := range want {
		if ok[k] != v {
			t.Errorf("%s ok = %v, want %v", k, ok[k], v)
		}
	}
	if !strings.Contains(out.String(), "ERROR: job") {
		t.Errorf("table does not show the timeout:\n%s", out.String())
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"4096": 4096, "4KiB": 4096, "8MiB": 8 << 20, "1GiB": 1 << 30, "256mib": 256 << 20,
		"10MB": 10e6, "2k": 2048, "7B": 7,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "MiB", "-1", "1.5GiB", "12XB"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) succeeded", bad)
		}
	}
	if s := formatSize(3 << 20); s != "3MiB" {
		t.Errorf("formatSize = %q", s)
	}
}

func TestFlags(t *testing.T) {
	var errs bytes.Buffer
	c, err := parseFlags([]string{"-endpoint", "http://x", "-size", "1GiB", "-only", "control, small"}, &errs)
	if err != nil || c.Size != 1<<30 || len(c.Only) != 2 || !c.enabled(scSmall) || c.enabled(scSingle) {
		t.Errorf("parseFlags: %+v, %v", c, err)
	}
	c, err = parseFlags([]string{"-endpoint", "http://x", "-ratios", "-rounds", "5"}, &errs)
	if err != nil || !c.Ratios || c.Rounds != 5 {
		t.Errorf("parseFlags -ratios: %+v, %v", c, err)
	}
	if c, err = parseFlags([]string{"-endpoint", "http://x", "-ratios"}, &errs); err != nil || c.Rounds != 3 {
		t.Errorf("parseFlags -ratios default rounds: %+v, %v", c, err)
	}
	for _, args := range [][]string{
		{}, {"-endpoint", "http://x", "-part-size", "3MiB"}, {"-endpoint", "http://x", "-only", "nope"},
		{"-endpoint", "http://x", "-ratios", "-rounds", "2"},
	} {
		if _, err := parseFlags(args, &errs); err == nil {
			t.Errorf("parseFlags(%q) succeeded", args)
		}
	}
}
