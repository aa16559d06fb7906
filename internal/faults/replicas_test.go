package faults_test

// Rules and their counters are shared by every process over one store,
// and survive a restart only when marked persist.

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"permafrost/internal/app"
	"permafrost/internal/config"
	"permafrost/internal/pgtest"
	"permafrost/internal/store/memory"
)

func TestReplicasShareRulesAndCounters(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		st := memory.New()
		t.Cleanup(func() { st.Close() })
		cfg := config.Default()
		cfg.Memory = true
		replicasShareRules(t, start(t, cfg, app.WithStore(st)), start(t, cfg, app.WithStore(st)))
	})
	// Two processes' worth of servers over one PostgreSQL database, each
	// opening the store itself (skipped without PERMAFROST_TEST_POSTGRES
	// unless PERMAFROST_E2E=1).
	t.Run("postgres", func(t *testing.T) {
		db := pgtest.NewDatabase(t)
		cfg := config.Default()
		cfg.Metadata = db
		cfg.DataDir = t.TempDir()
		a := start(t, cfg)
		cfg.DataDir = t.TempDir()
		replicasShareRules(t, a, start(t, cfg))
	})
}

func replicasShareRules(t *testing.T, a, b *server) {
	ca, cb := a.noRetry(t), b.noRetry(t)
	createVault(t, ca, "v")
	rule := a.addRule(t, `{"operations":["DescribeVault"],"count":3,"effect":{"error":{"preset":"ThrottlingException"}}}`)
	// b sees the rule within faults.Refresh.
	deadline := time.Now().Add(10 * time.Second)
	for pattern(t, cb, "v", 1) != "x" {
		if time.Now().After(deadline) {
			t.Fatal("replica b never saw the rule added through a")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// One of the three spent through b: two more, through either, then
	// no more.
	got := pattern(t, ca, "v", 1) + pattern(t, cb, "v", 1) + pattern(t, ca, "v", 1) + pattern(t, cb, "v", 1)
	if got != "xx.." {
		t.Errorf("calls through a, b, a, b went %s, want xx.. (the count is shared)", got)
	}
	if r := a.rule(t, rule.ID); r.Fired != 3 {
		t.Errorf("fired = %d, want 3", r.Fired)
	}
	if log := b.faultLog(t); len(log) != 3 {
		t.Errorf("b's log has %d entries, want 3", len(log))
	}
}

func TestOnlyPersistentRulesSurviveRestart(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	s := start(t, cfg)
	s.addRule(t, `{"id":"kept","persist":true,"operations":["DescribeVault"],"effect":{"latency":{"before":"1ms"}}}`)
	s.addRule(t, `{"id":"dropped","operations":["DescribeVault"],"effect":{"latency":{"before":"1ms"}}}`)
	s.stop()
	s = start(t, cfg)
	if r := s.emu(t, "GET", "faults/kept", ""); r.Status != 200 {
		t.Errorf("persistent rule after restart = %d %s", r.Status, r.Body)
	}
	if r := s.emu(t, "GET", "faults/dropped", ""); r.Status != 404 {
		t.Errorf("rule without persist after restart = %d %s", r.Status, r.Body)
	}
}

// A job's fault is recorded on the job at InitiateJob: a server started
// again (which dropped the rule) still fails it, and still completes the
// late one late.
func TestJobFaultSurvivesRestart(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.JobDelay = "Standard=1h"
	s := start(t, cfg)
	c := s.noRetry(t)
	createVault(t, c, "v")
	up, err := upload(t.Context(), c, "v", data(1000, 11))
	mustOK(t, "UploadArchive", err)
	s.addRule(t, `{"operations":["InitiateJob"],"nth":1,"effect":{"job":{"fail":"Injected before the restart."}}}`)
	s.addRule(t, `{"operations":["InitiateJob"],"nth":2,"effect":{"job":{"late":"2h"}}}`)
	failed, err := archiveJob(t.Context(), c, "v", *up.ArchiveId, "Standard")
	mustOK(t, "InitiateJob", err)
	late, err := archiveJob(t.Context(), c, "v", *up.ArchiveId, "Standard")
	mustOK(t, "InitiateJob", err)
	s.stop()
	s = start(t, cfg)
	c = s.noRetry(t)
	if r := s.emu(t, "GET", "faults", ""); string(r.Body) != "[]" {
		t.Fatalf("rules after the restart: %s", r.Body)
	}
	advance(t, s, 61*time.Minute)
	if d := describeJob(t, c, "v", failed); d.StatusCode != "Failed" || aws.ToString(d.StatusMessage) != "Injected before the restart." {
		t.Errorf("failed job after the restart: %s %q", d.StatusCode, aws.ToString(d.StatusMessage))
	}
	if d := describeJob(t, c, "v", late); d.StatusCode != "InProgress" {
		t.Errorf("late job 61m in: %s, want InProgress", d.StatusCode)
	}
	advance(t, s, 2*time.Hour)
	if d := describeJob(t, c, "v", late); d.StatusCode != "Succeeded" {
		t.Errorf("late job 3h1m in: %s, want Succeeded", d.StatusCode)
	}
}
