// Package clock provides the time source every time-dependent rule in
// permafrost reads: job completion, vault-lock expiry, upload and job-output
// ageing. Production uses the wall clock shifted by an offset that the
// emulator endpoint can advance; tests use a Fake.
//
// It depends on nothing else in permafrost.
package clock

import (
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

// Offset is a base clock shifted by an adjustable offset. The server's clock
// is an Offset over Real so that time can be moved forward through the
// emulator endpoint while still flowing on its own.
type Offset struct {
	base Clock
	mu   sync.RWMutex
	off  time.Duration
}

// NewOffset returns base shifted by off.
func NewOffset(base Clock, off time.Duration) *Offset {
	return &Offset{base: base, off: off}
}

// Now returns the base time plus the offset.
func (o *Offset) Now() time.Time {
	o.mu.RLock()
	off := o.off
	o.mu.RUnlock()
	return o.base.Now().Add(off)
}

// Advance adds d to the offset and returns the new offset.
func (o *Offset) Advance(d time.Duration) time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.off += d
	return o.off
}

// Offset reports the current offset.
func (o *Offset) Offset() time.Duration {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.off
}
