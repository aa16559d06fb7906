package app

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"permafrost/internal/clock"
	"permafrost/internal/glacier"
)

// PollInterval bounds how long the scheduler sleeps between looks for due
// jobs and pending notifications.
const PollInterval = time.Second

// schedule completes jobs at their due time, whether or not anyone asks,
// records daily inventories as they fall due, and delivers notifications,
// until Close.
func (m *Main) schedule(ctx context.Context) {
	defer close(m.scheduler)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-timer.C:
		case <-m.Service.Wakeups():
		}
		wait := PollInterval
		next, err := m.Service.CompleteDueJobs(ctx)
		if err != nil {
			m.Logger.Error("completing due jobs", "err", err)
		} else if !next.IsZero() {
			wait = min(wait, max(next.Sub(m.Clock.Now()), 10*time.Millisecond))
		}
		// After the jobs, so that a job due before an inventory sees the
		// inventory of its own due time.
		if _, next, err := m.Service.TakeInventories(ctx, false); err != nil {
			m.Logger.Error("taking due inventories", "err", err)
		} else if !next.IsZero() {
			// An inventory is in force once the clock is past its due time.
			wait = min(wait, max(next.Sub(m.Clock.Now())+time.Millisecond, 10*time.Millisecond))
		}
		if m.deliverer != nil {
			if _, err := m.deliverer.Deliver(ctx); err != nil && !errors.Is(err, context.Canceled) {
				m.Logger.Error("delivering notifications", "err", err)
			}
		}
		timer.Reset(wait) // since Go 1.23, Reset discards a tick not yet received
	}
}

const clockOffsetSetting = "clock-offset"

// loadClockOffset reads the persisted offset of the emulated clock.
func loadClockOffset(ctx context.Context, s glacier.Store) (time.Duration, error) {
	var off time.Duration
	err := s.View(ctx, func(tx glacier.Tx) error {
		var err error
		off, err = readClockOffset(tx)
		return err
	})
	return off, err
}

// readClockOffset reads the persisted offset in tx (0 when none).
func readClockOffset(tx glacier.Tx) (time.Duration, error) {
	b, err := tx.Setting(clockOffsetSetting)
	if errors.Is(err, glacier.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("corrupt %s setting", clockOffsetSetting)
	}
	return time.Duration(binary.BigEndian.Uint64(b)), nil
}

// Now implements api.Emulator.
func (m *Main) Now() time.Time { return m.Clock.Now() }

// ClockRefresh is how often each server re-reads the stored clock
// offset: an advance made through any server over the store is seen by
// every other one within ClockRefresh of its commit (plus one read of the
// setting), and at once by the server that made it.
const ClockRefresh = 200 * time.Millisecond

// AdvanceClock implements api.Emulator: it moves the clock forward, keeps
// the new offset across restarts, and lets due jobs complete. The clock
// checks the advance (positive, at most clock.MaxAdvance, the offset never
// past clock.MaxOffset) and moves only once the new offset is stored; a
// refusal is a *clock.AdvanceError. The offset is read, advanced and
// written in one transaction, so concurrent advances through several
// servers add up.
func (m *Main) AdvanceClock(ctx context.Context, d time.Duration) (time.Time, error) {
	var next time.Duration
	err := m.Store.Update(ctx, func(tx glacier.Tx) error {
		cur, err := readClockOffset(tx)
		if err != nil {
			return err
		}
		if clock.CheckOffset(m.base, cur) != nil {
			cur = 0 // ignored at start too (see New)
		}
		if next, err = m.Clock.Next(cur, d); err != nil {
			return err
		}
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(next))
		return tx.PutSetting(clockOffsetSetting, b[:])
	})
	if err != nil {
		return time.Time{}, err
	}
	m.Clock.Observe(next)
	if m.Service.DailyInventory() {
		// Record what fell due before answering: jobs first, as the
		// scheduler does, then inventories (reads would work them out
		// anyway; this lets tombstones go at once).
		if _, err := m.Service.CompleteDueJobs(ctx); err != nil {
			m.Logger.Error("completing due jobs", "err", err)
		}
		if _, _, err := m.Service.TakeInventories(ctx, false); err != nil {
			m.Logger.Error("taking due inventories", "err", err)
		}
	}
	m.Service.Wake()
	return m.Clock.Now(), nil
}

// TakeInventories implements api.Emulator: it completes the jobs already
// due, then takes, now, the inventory of every vault written since its
// last one (nothing in live mode).
func (m *Main) TakeInventories(ctx context.Context) (int, error) {
	if _, err := m.Service.CompleteDueJobs(ctx); err != nil {
		return 0, err
	}
	n, _, err := m.Service.TakeInventories(ctx, true)
	m.Service.Wake()
	return n, err
}

// Notifications implements api.Emulator.
func (m *Main) Notifications(ctx context.Context) ([]glacier.Notification, error) {
	return m.Service.Notifications(ctx)
}
