package glacier_test

import (
	"testing"
	"time"

	"permafrost/internal/clock"
	"permafrost/internal/glacier"
	"permafrost/internal/store/memory"
)

// BenchmarkAuthorizeOwner is the per-request authorization of a vault's
// owner when the vault has no policy, beside DescribeVault itself (the
// request it precedes) in the same run.
func BenchmarkAuthorizeOwner(b *testing.B) {
	svc, err := glacier.New(glacier.Options{Store: memory.New()})
	if err != nil {
		b.Fatal(err)
	}
	ref := glacier.Scope{Account: "111122223333", Region: "us-east-1"}.Ref("v")
	if err := svc.CreateVault(b.Context(), ref); err != nil {
		b.Fatal(err)
	}
	if err := svc.AddTagsToVault(b.Context(), ref, map[string]string{"team": "backup", "env": "prod"}); err != nil {
		b.Fatal(err)
	}
	req := glacier.AccessRequest{Caller: glacier.Caller{Account: ref.Account}, Action: "DescribeVault", Vault: ref}
	b.Run("authorize", func(b *testing.B) {
		for b.Loop() {
			if err := svc.Authorize(b.Context(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("describe-vault", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.DescribeVault(b.Context(), ref); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCompleteDueJobs is one scheduler round (it runs every second in
// every process) with 20,000 jobs in progress, none due.
func BenchmarkCompleteDueJobs(b *testing.B) {
	fake := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	svc, err := glacier.New(glacier.Options{Store: memory.New(), Clock: fake,
		JobDelays: map[string]glacier.Delay{glacier.TierStandard: {Min: time.Hour, Max: time.Hour}}})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 20 {
		ref := glacier.Scope{Account: "111122223333", Region: "us-east-1"}.Ref(string(rune('a' + i)))
		if err := svc.CreateVault(b.Context(), ref); err != nil {
			b.Fatal(err)
		}
		for range 1000 {
			if _, err := svc.InitiateJob(b.Context(), ref, glacier.JobParams{Type: "inventory-retrieval"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	for b.Loop() {
		if next, err := svc.CompleteDueJobs(b.Context()); err != nil || next.IsZero() {
			b.Fatal(next, err)
		}
	}
}
