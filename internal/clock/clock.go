// Package clock provides the time source every time-dependent rule in
// permafrost reads: job completion, vault-lock expiry, upload and job-output
// ageing. Production uses the wall clock shifted by an offset that the
// emulator endpoint can advance; tests use a Fake.
//
// It depends on nothing else in permafrost.
package clock

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// Clock tells the current time.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now in UTC.
func (Real) Now() time.Time { return time.Now().UTC() }

// Fake is a manually driven clock for tests. The zero value is not usable;
// use NewFake.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// NewFake returns a fake clock reading t.
func NewFake(t time.Time) *Fake { return &Fake{t: t.UTC()} }

// Now returns the fake's current time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Advance moves the fake forward by d (d may be negative).
func (f *Fake) Advance(d time.Duration) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
	return f.t
}

// MaxAdvance is the longest single advance of an Offset: 100 years of 365
// days (876000h).
const MaxAdvance = 100 * 365 * 24 * time.Hour

// MaxOffset is the largest total offset: the largest time.Duration, 2^63-1
// nanoseconds (about 292 years). An advance that would pass it is refused;
// adding it unchecked wrapped the offset around to about -292 years.
const MaxOffset = time.Duration(math.MaxInt64)

// LatestYear is the last year an Offset may read: the last one that RFC
// 3339 and Glacier's ISO 8601 dates can write. With a wall-clock base
// MaxOffset is reached long before; this guards a base that is already far
// in the future.
const LatestYear = 9999

// latest is the last instant of LatestYear.
var latest = time.Date(LatestYear+1, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)

// AdvanceError is how [Offset.Advance] and [CheckOffset] refuse an
// advance or an offset (as opposed to an error of Advance's commit).
type AdvanceError struct {
	// Reason says what is wrong, as a sentence without a final period.
	Reason string
}

func (e *AdvanceError) Error() string { return "invalid clock advance: " + e.Reason }

func refuse(format string, args ...any) error {
	return &AdvanceError{Reason: fmt.Sprintf(format, args...)}
}

// Offset is a base clock shifted by an adjustable offset. The server's clock
// is an Offset over Real so that time can be moved forward through the
// emulator endpoint while still flowing on its own.
type Offset struct {
	base Clock
	adv  sync.Mutex // serialises Advance, commit included
	mu   sync.RWMutex
	off  time.Duration
}

// NewOffset returns base shifted by off. off is taken as it is: a caller
// restoring a persisted offset checks it with [CheckOffset] first.
func NewOffset(base Clock, off time.Duration) *Offset {
	return &Offset{base: base, off: off}
}

// CheckOffset reports whether off is an offset that a sequence of valid
// advances can reach from zero over base: neither negative nor reading past
// the end of LatestYear.
func CheckOffset(base Clock, off time.Duration) error {
	if off < 0 {
		return refuse("the offset %v is negative", off)
	}
	if base.Now().Add(off).After(latest) {
		return refuse("the offset %v reads past %s", off, latest.Format(time.RFC3339))
	}
	return nil
}

// Now returns the base time plus the offset.
func (o *Offset) Now() time.Time {
	o.mu.RLock()
	off := o.off
	o.mu.RUnlock()
	return o.base.Now().Add(off)
}

// Advance moves the offset forward by d and returns the new offset. d must
// be positive and at most MaxAdvance, the new offset at most MaxOffset, and
// the clock must not then read past the end of LatestYear; otherwise the
// offset is left as it was and the error is an *AdvanceError. The sum is
// checked before it is made, so it can never wrap around.
//
// commit, when not nil, is called with the new offset before it takes
// effect (to persist it); if it fails, the offset is left as it was and
// its error is returned. Advances are serialised, so commit sees them in
// order; readers of Now are not held up while commit runs.
func (o *Offset) Advance(d time.Duration, commit func(off time.Duration) error) (time.Duration, error) {
	o.adv.Lock()
	defer o.adv.Unlock()
	cur := o.Offset()
	next, err := o.Next(cur, d)
	if err != nil {
		return cur, err
	}
	if commit != nil {
		if err := commit(next); err != nil {
			return cur, err
		}
	}
	o.mu.Lock()
	o.off = next
	o.mu.Unlock()
	return next, nil
}

// Offset reports the current offset.
func (o *Offset) Offset() time.Duration {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.off
}

// Next returns the offset cur advanced by d, checked as Advance checks it
// (an *AdvanceError when refused), without changing o: for a caller that
// reads and writes the offset in a transaction of its own and then tells o
// with Observe.
func (o *Offset) Next(cur, d time.Duration) (time.Duration, error) {
	switch {
	case d <= 0:
		return cur, refuse("an advance must be positive, not %v", d)
	case d > MaxAdvance:
		return cur, refuse("%v is more than the limit of 876000h (100 years) per advance", d)
	case cur > MaxOffset-d: // cur+d would overflow
		return cur, refuse("the clock is already %v ahead, and %v more would pass the limit of %v (about 292 years) ahead", cur, d, MaxOffset)
	}
	next := cur + d
	if o.base.Now().Add(next).After(latest) {
		return cur, refuse("%v more would take the clock past %s", d, latest.Format(time.RFC3339))
	}
	return next, nil
}

// Observe moves the offset to off if that is ahead of it: an offset read
// from where several processes keep it. Offsets only grow, so an older
// reading (one that raced a newer advance) never moves the clock back. An
// offset that CheckOffset refuses is ignored and reported false.
func (o *Offset) Observe(off time.Duration) bool {
	if CheckOffset(o.base, off) != nil {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if off > o.off {
		o.off = off
	}
	return true
}

// Follow re-reads the offset with load every interval, in a goroutine of
// its own, and Observes it, until stop is called (which waits for the
// goroutine). So an advance that another process stores is seen here
// within interval of its commit (plus the time a load takes). A failed
// load keeps the last offset and is passed to onErr (which may be nil); an
// offset out of range (see Observe) is ignored.
func (o *Offset) Follow(interval time.Duration, load func() (time.Duration, error), onErr func(error)) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			off, err := load()
			if err != nil {
				if onErr != nil {
					onErr(err)
				}
				continue
			}
			o.Observe(off) // an out-of-range offset is ignored, as at start

		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(quit); <-done }) }
}
