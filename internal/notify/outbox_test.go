package notify

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"permafrost/internal/glacier"
	"permafrost/internal/store/memory"
)

// countingPublisher counts publishes by message; crash, when set, ends the
// calling goroutine right after a publish (a process dying before it
// records the delivery).
type countingPublisher struct {
	mu    *sync.Mutex
	count map[string]int
	crash bool
}

func (p countingPublisher) Publish(_ context.Context, _, msg string) error {
	p.mu.Lock()
	p.count[msg]++
	p.mu.Unlock()
	if p.crash {
		runtime.Goexit()
	}
	return nil
}

// Two deliverers over one store (two processes' Services): only the
// outbox's lease holder publishes; when it dies mid-delivery, the other
// takes the outbox over once the lease expires and publishes what was not
// recorded, and nothing after that.
func TestOutboxLeaseTakeover(t *testing.T) {
	st := memory.New()
	opts := glacier.Options{Store: st, RenderJob: func(j glacier.JobInfo) ([]byte, error) { return []byte(j.ID), nil }}
	a, err := glacier.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := glacier.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ref := glacier.Scope{Account: "111122223333", Region: "us-east-1"}.Ref("v")
	if err := a.CreateVault(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	topic := "arn:aws:sns:us-east-1:111122223333:t"
	var ids []string
	for range 3 {
		j, err := a.InitiateJob(t.Context(), ref, glacier.JobParams{Type: "inventory-retrieval", SNSTopic: &topic})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	if _, err := a.CompleteDueJobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	count := map[string]int{}
	const lease = 300 * time.Millisecond
	da := NewDeliverer(a, countingPublisher{&mu, count, true})
	db := NewDeliverer(b, countingPublisher{&mu, count, false})
	da.lease, db.lease = lease, lease
	ctx := context.Background()
	done := make(chan struct{})
	go func() { defer close(done); da.Deliver(ctx) }() // dies after its first publish
	<-done
	if pending, err := db.Deliver(ctx); err != nil || pending {
		t.Fatalf("B's Deliver while A holds the outbox: pending %v, %v; want it to leave the outbox alone", pending, err)
	}
	mu.Lock()
	if len(count) != 1 {
		t.Fatalf("published %v while A held the outbox, want A's one message", count)
	}
	mu.Unlock()
	time.Sleep(lease + 50*time.Millisecond)
	if _, err := db.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	twice := 0
	for _, id := range ids {
		switch count[id] {
		case 1:
		case 2:
			twice++ // published by A, which died before recording it
		default:
			t.Errorf("job %s published %d times", id, count[id])
		}
	}
	if twice != 1 || len(count) != len(ids) {
		t.Errorf("published %v: want every job's message once, and the one A published unrecorded twice", count)
	}
	if p, err := b.PendingNotifications(ctx); err != nil || len(p) != 0 {
		t.Errorf("pending after the takeover: %v, %v", p, err)
	}
}
