package clock

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"
)

func TestFakeAdvance(t *testing.T) {
	start := time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC)
	f := NewFake(start)
	if !f.Now().Equal(start) {
		t.Fatalf("Now = %v, want %v", f.Now(), start)
	}
	f.Advance(36 * time.Hour)
	if want := start.Add(36 * time.Hour); !f.Now().Equal(want) {
		t.Fatalf("after Advance Now = %v, want %v", f.Now(), want)
	}
}

func TestOffset(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFake(start)
	o := NewOffset(f, time.Hour)
	if got := o.Now(); !got.Equal(start.Add(time.Hour)) {
		t.Fatalf("Now = %v", got)
	}
	if off, err := o.Advance(2*time.Hour, nil); err != nil || off != 3*time.Hour {
		t.Fatalf("offset = %v, %v, want 3h", off, err)
	}
	f.Advance(time.Minute)
	if got, want := o.Now(), start.Add(3*time.Hour+time.Minute); !got.Equal(want) {
		t.Fatalf("Now = %v, want %v", got, want)
	}
}

func TestOffsetAdvanceBounds(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	o := NewOffset(NewFake(start), 0)
	refused := func(d time.Duration) {
		t.Helper()
		before := o.Offset()
		off, err := o.Advance(d, func(time.Duration) error { t.Errorf("commit called for a refused advance by %v", d); return nil })
		var ae *AdvanceError
		if !errors.As(err, &ae) || ae.Reason == "" {
			t.Errorf("Advance(%v) error = %v, want an *AdvanceError", d, err)
		}
		if off != before || o.Offset() != before {
			t.Errorf("refused Advance(%v) changed the offset from %v to %v (returned %v)", d, before, o.Offset(), off)
		}
	}
	for _, d := range []time.Duration{0, -1, math.MinInt64, MaxAdvance + 1, MaxOffset} {
		refused(d)
	}
	if off, err := o.Advance(MaxAdvance, nil); err != nil || off != MaxAdvance {
		t.Fatalf("Advance(MaxAdvance) = %v, %v", off, err)
	}
	if off, err := o.Advance(MaxAdvance, nil); err != nil || off != 2*MaxAdvance {
		t.Fatalf("second Advance(MaxAdvance) = %v, %v", off, err)
	}
	// A third would overflow int64 nanoseconds.
	refused(MaxAdvance)
	rest := MaxOffset - 2*MaxAdvance
	refused(rest + 1)
	if off, err := o.Advance(rest, nil); err != nil || off != MaxOffset {
		t.Fatalf("Advance to exactly MaxOffset = %v, %v", off, err)
	}
	refused(1)
	if got := o.Now(); got.Before(start) || got.Year() != 2318 {
		t.Errorf("Now at the largest offset = %v, want the year 2318", got)
	}
}

func TestOffsetAdvanceLatestYear(t *testing.T) {
	// A base already near the end of the year 9999.
	base := NewFake(time.Date(LatestYear, 12, 1, 0, 0, 0, 0, time.UTC))
	o := NewOffset(base, 0)
	if _, err := o.Advance(40*24*time.Hour, nil); err == nil {
		t.Errorf("an advance past the end of %d succeeded: Now = %v", LatestYear, o.Now())
	}
	if _, err := o.Advance(30*24*time.Hour, nil); err != nil {
		t.Errorf("an advance to 31 December %d: %v", LatestYear, err)
	}
	if got := o.Now(); got.Year() != LatestYear {
		t.Errorf("Now = %v", got)
	}
}

func TestOffsetAdvanceCommit(t *testing.T) {
	o := NewOffset(NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), time.Hour)
	var committed []time.Duration
	commit := func(off time.Duration) error {
		committed = append(committed, off)
		if off > 3*time.Hour {
			return errors.New("disk full")
		}
		return nil
	}
	if off, err := o.Advance(2*time.Hour, commit); err != nil || off != 3*time.Hour {
		t.Fatalf("Advance = %v, %v", off, err)
	}
	if off, err := o.Advance(time.Hour, commit); err == nil || err.Error() != "disk full" || off != 3*time.Hour || o.Offset() != 3*time.Hour {
		t.Errorf("Advance with a failing commit = %v, %v; offset %v, want the commit's error and 3h kept", off, err, o.Offset())
	}
	if len(committed) != 2 || committed[0] != 3*time.Hour || committed[1] != 4*time.Hour {
		t.Errorf("commit saw %v, want [3h 4h]", committed)
	}
}

func TestCheckOffset(t *testing.T) {
	now := NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, off := range []time.Duration{0, time.Hour, MaxOffset} {
		if err := CheckOffset(now, off); err != nil {
			t.Errorf("CheckOffset(%v) = %v", off, err)
		}
	}
	// Offsets that wrapped around (two unchecked advances by the largest
	// duration left -2ns).
	for _, off := range []time.Duration{-1, -2, math.MinInt64} {
		if err := CheckOffset(now, off); err == nil {
			t.Errorf("CheckOffset(%v) accepted it", off)
		}
	}
	if err := CheckOffset(NewFake(time.Date(LatestYear, 12, 31, 0, 0, 0, 0, time.UTC)), 48*time.Hour); err == nil {
		t.Errorf("CheckOffset accepted an offset reading past %d", LatestYear)
	}
}

// Concurrent advances are checked one at a time: however they interleave,
// no two checks see the same offset, so the total never passes MaxOffset.
func TestOffsetAdvanceConcurrent(t *testing.T) {
	o := NewOffset(NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), 0)
	var mu sync.Mutex
	var stored []time.Duration
	commit := func(off time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		stored = append(stored, off)
		return nil
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() { _, _ = o.Advance(MaxAdvance, commit) })
	}
	wg.Wait()
	if o.Offset() != 2*MaxAdvance || len(stored) != 2 || stored[0] != MaxAdvance || stored[1] != 2*MaxAdvance {
		t.Errorf("16 concurrent 100-year advances: offset %v, commits %v; want 2 of them, in order", o.Offset(), stored)
	}
}

// Follow picks up an offset stored elsewhere, never moves back to an
// older one, and ignores one out of range.
func TestOffsetFollow(t *testing.T) {
	f := NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	o := NewOffset(f, time.Hour)
	var mu sync.Mutex
	stored := 3 * time.Hour
	loads := make(chan struct{}, 100)
	stop := o.Follow(time.Millisecond, func() (time.Duration, error) {
		mu.Lock()
		defer mu.Unlock()
		select {
		case loads <- struct{}{}:
		default:
		}
		return stored, nil
	}, nil)
	defer stop()
	waitFor := func(want time.Duration) {
		t.Helper()
		for range 5000 {
			if o.Offset() == want {
				return
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatalf("offset %v, want %v", o.Offset(), want)
	}
	waitFor(3 * time.Hour)
	for _, older := range []time.Duration{2 * time.Hour, -time.Hour} {
		mu.Lock()
		stored = older
		mu.Unlock()
		for len(loads) > 0 {
			<-loads
		}
		<-loads
		<-loads // a whole load after the change
		if got := o.Offset(); got != 3*time.Hour {
			t.Fatalf("after the store read %v the offset is %v, want it kept at 3h", older, got)
		}
	}
	stop()
	stop() // twice is harmless
}
