package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/testserver"
)

func TestRatiosAgainstPermafrost(t *testing.T) {
	srv := testserver.New(t)
	var out, progress bytes.Buffer
	cfg := tinyConfig(srv.Endpoint)
	cfg.Ratios = true
	cfg.Progress = &progress
	rep, err := run(context.Background(), cfg, &out)
	t.Logf("progress:\n%s\nreport:\n%s", progress.String(), out.String())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	want := []string{"single-upload", "multipart", "retrieval-download", "control-describe-vault", "small-uploads"}
	if len(rep.Ratios) != len(want) {
		t.Fatalf("got %d ratio lines, want %d: %+v", len(rep.Ratios), len(want), rep.Ratios)
	}
	table := out.String()
	for i, l := range rep.Ratios {
		if l.Scenario != want[i] {
			t.Errorf("ratio line %d is %q, want %q", i, l.Scenario, want[i])
		}
		if !l.OK() || l.Rounds != 3 {
			t.Errorf("%s: %+v", l.Scenario, l)
		}
		for _, s := range []Spread{l.Endpoint, l.Reference, l.Ratio} {
			for _, v := range []float64{s.Min, s.Median, s.Max} {
				if !(v > 0) || math.IsInf(v, 0) {
					t.Errorf("%s: implausible figure %v in %+v", l.Scenario, v, l)
				}
			}
			if s.Min > s.Median || s.Median > s.Max {
				t.Errorf("%s: spread out of order: %+v", l.Scenario, s)
			}
		}
		if !strings.Contains(table, "\n"+l.Scenario+" ") {
			t.Errorf("table has no line for %s", l.Scenario)
		}
	}

	// Both sides did the same work in every round: the reference answered
	// every call as the SDK needs, so nothing was skipped or short.
	type key struct {
		scenario string
		round    int
	}
	sides := map[string]map[key]Result{sideEndpoint: {}, sideReference: {}}
	for _, r := range rep.Results {
		if sides[r.Target] == nil || r.Round < 1 || r.Round > 3 {
			t.Fatalf("row with side %q round %d: %+v", r.Target, r.Round, r)
		}
		sides[r.Target][key{r.Scenario, r.Round}] = r
	}
	if len(sides[sideEndpoint]) != 3*7 || len(sides[sideReference]) != 3*7 {
		t.Errorf("rows per side: %d endpoint, %d reference; want 21 each", len(sides[sideEndpoint]), len(sides[sideReference]))
	}
	for k, e := range sides[sideEndpoint] {
		f := sides[sideReference][k]
		if !e.OK() || !f.OK() || f.Bytes != e.Bytes || (k.scenario != "retrieval-job-wait" && f.Ops != e.Ops) {
			t.Errorf("%s round %d: endpoint %+v, reference %+v", k.scenario, k.round, e, f)
		}
	}

	// Archives are deleted between rounds and at the end: 3 x (single,
	// multipart, 100 small).
	if c := rep.Cleanup; !c.VaultDeleted || c.ArchivesDeleted != 3*102 || len(c.Problems) > 0 {
		t.Errorf("cleanup: %+v", c)
	}
	vaults, err := srv.Client.ListVaults(context.Background(), &glacier.ListVaultsInput{AccountId: aws.String("-")})
	if err != nil || len(vaults.VaultList) != 0 {
		t.Errorf("vaults left behind: %v, %v", vaults, err)
	}
}

func TestRatiosOnlyControlJSON(t *testing.T) {
	srv := testserver.New(t)
	var out bytes.Buffer
	cfg := tinyConfig(srv.Endpoint)
	cfg.Ratios, cfg.Rounds, cfg.JSON = true, 4, true
	cfg.Only = []string{scControl}
	if _, err := run(context.Background(), cfg, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("JSON output: %v\n%s", err, out.String())
	}
	if len(rep.Ratios) != 1 || rep.Ratios[0].Scenario != "control-describe-vault" || rep.Ratios[0].Rounds != 4 ||
		rep.Ratios[0].Unit != "ops/s" || !(rep.Ratios[0].Ratio.Median > 0) || len(rep.Results) != 8 || rep.Settings.Rounds != 4 {
		t.Errorf("report: %+v", rep)
	}
}

func TestSpreadOf(t *testing.T) {
	if s := spreadOf([]float64{3, 1, 2}); s != (Spread{2, 1, 3}) {
		t.Errorf("odd: %+v", s)
	}
	if s := spreadOf([]float64{4, 1, 2, 3}); s != (Spread{2.5, 1, 4}) {
		t.Errorf("even: %+v", s)
	}
}
