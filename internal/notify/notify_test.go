package notify

import (
	"context"
	"errors"
	"testing"
	"time"

	"permafrost/internal/glacier"
)

// fakeSource is a notification log: pending messages in order, attempts
// counted as the domain counts them.
type fakeSource struct {
	pending []glacier.Notification
}

func (s *fakeSource) PendingNotifications(context.Context) ([]glacier.Notification, error) {
	return append([]glacier.Notification(nil), s.pending...), nil
}

func (s *fakeSource) RecordDelivery(_ context.Context, id string, err error) error {
	for i := range s.pending {
		if s.pending[i].ID == id {
			s.pending[i].Attempts++
			if err == nil {
				s.pending = append(s.pending[:i], s.pending[i+1:]...)
			}
			return nil
		}
	}
	return nil
}

func (s *fakeSource) ClaimLease(context.Context, string, time.Duration) (bool, error) {
	return true, nil
}

type fakePublisher struct {
	err   error
	calls int
}

func (p *fakePublisher) Publish(context.Context, string, string) error {
	p.calls++
	return p.err
}

func TestDeliverBacksOffAndForgetsTrimmed(t *testing.T) {
	src := &fakeSource{pending: []glacier.Notification{{ID: "n1", Topic: "t", Message: "m"}}}
	pub := &fakePublisher{err: errors.New("endpoint down")}
	d := NewDeliverer(src, pub)
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	d.now = func() time.Time { return now }
	ctx := context.Background()

	deliver := func(wantCalls int) {
		t.Helper()
		pending, err := d.Deliver(ctx)
		if err != nil || pending != (len(src.pending) > 0) || pub.calls != wantCalls {
			t.Fatalf("Deliver = %v, %v after %d publishes; want pending %v after %d",
				pending, err, pub.calls, len(src.pending) > 0, wantCalls)
		}
	}
	deliver(1)
	now = now.Add(500 * time.Millisecond)
	deliver(1) // backing off for 1 s after the first failure
	now = now.Add(600 * time.Millisecond)
	deliver(2) // then 2 s
	now = now.Add(time.Second)
	deliver(2)

	// The log trims the message while it is backing off.
	src.pending = nil
	deliver(2)
	if len(d.retry) != 0 {
		t.Errorf("backoff kept for notifications no longer pending: %v", d.retry)
	}

	src.pending = []glacier.Notification{{ID: "n2", Topic: "t", Message: "m"}}
	pub.err = nil
	deliver(3)
	if len(src.pending) != 0 || len(d.retry) != 0 {
		t.Errorf("after a delivery: pending %v, backoff %v", src.pending, d.retry)
	}
}

func TestBackoff(t *testing.T) {
	for attempts, want := range map[int]time.Duration{0: time.Second, 1: 2 * time.Second, 2: 4 * time.Second, 8: 256 * time.Second, 9: MaxBackoff, 100: MaxBackoff} {
		if got := backoff(attempts); got != want {
			t.Errorf("backoff(%d) = %v, want %v", attempts, got, want)
		}
	}
}
