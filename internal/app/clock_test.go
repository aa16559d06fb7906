package app_test

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"

	"permafrost/internal/clock"
	"permafrost/internal/config"
	"permafrost/internal/glacier"
	"permafrost/internal/testserver"
)

// TestAdvanceClockChecked drives Main.AdvanceClock directly, below the
// HTTP handler's parsing: an advance that would overflow the offset is
// refused, and neither the clock nor the stored offset moves.
func TestAdvanceClockChecked(t *testing.T) {
	dir := t.TempDir()
	durable := testserver.WithConfig(func(c *config.Config) { c.Memory, c.DataDir = false, dir })
	srv := testserver.New(t, durable)
	m := srv.Main
	if _, err := m.AdvanceClock(t.Context(), 8800*time.Hour); err != nil {
		t.Fatalf("AdvanceClock(8800h): %v", err)
	}
	want := m.Now()
	for _, d := range []time.Duration{math.MaxInt64, math.MaxInt64, 0, -time.Hour, clock.MaxAdvance + 1} {
		_, err := m.AdvanceClock(t.Context(), d)
		var ae *clock.AdvanceError
		if !errors.As(err, &ae) {
			t.Errorf("AdvanceClock(%v) = %v, want a *clock.AdvanceError", d, err)
		}
		if now := m.Now(); now.Before(want) || now.Sub(want) > time.Minute {
			t.Fatalf("after AdvanceClock(%v) the clock reads %v, want about %v", d, now, want)
		}
	}
	mustClose(t, m)
	srv = testserver.New(t, durable)
	if now := srv.Main.Now(); now.Before(want) || now.Sub(want) > time.Minute {
		t.Errorf("after a restart the clock reads %v, want about %v", now, want)
	}
}

// TestWrappedClockOffsetIgnored starts a server on a data directory whose
// stored offset an older version wrapped around (8800h plus the largest
// duration, the year 1735): the clock starts from the wall clock instead.
func TestWrappedClockOffsetIgnored(t *testing.T) {
	dir := t.TempDir()
	durable := testserver.WithConfig(func(c *config.Config) { c.Memory, c.DataDir = false, dir })
	srv := testserver.New(t, durable)
	wrapped := uint64(8800*time.Hour) + math.MaxInt64
	err := srv.Main.Store.Update(t.Context(), func(tx glacier.Tx) error {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], wrapped)
		return tx.PutSetting("clock-offset", b[:])
	})
	if err != nil {
		t.Fatalf("storing a wrapped offset: %v", err)
	}
	mustClose(t, srv.Main)
	srv = testserver.New(t, durable)
	if d := time.Until(srv.Main.Now()); d < -time.Minute || d > time.Minute {
		t.Errorf("with a wrapped stored offset the clock reads %v, %v from the wall clock", srv.Main.Now(), d)
	}
	// Advancing from there works and is kept.
	if _, err := srv.Main.AdvanceClock(t.Context(), time.Hour); err != nil {
		t.Fatalf("AdvanceClock(1h): %v", err)
	}
	mustClose(t, srv.Main)
	srv = testserver.New(t, durable)
	if d := time.Until(srv.Main.Now()); d < time.Hour-time.Minute || d > time.Hour+time.Minute {
		t.Errorf("after an advance of 1h and a restart the clock is %v ahead", d)
	}
}

func mustClose(t *testing.T, m interface{ Close(context.Context) error }) {
	t.Helper()
	if err := m.Close(context.Background()); err != nil {
		t.Fatalf("close: %v", err)
	}
}
