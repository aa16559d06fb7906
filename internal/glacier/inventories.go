package glacier

import (
	"context"
	"errors"
	"time"
)

// Daily inventories (Options.DailyInventory): AWS keeps a vault's
// inventory about once a day, and DescribeVault, ListVaults, inventory
// jobs and DeleteVault follow that inventory rather than the live state.
//
// An inventory is a time and the vault's counters at that time; nothing is
// copied. Which archives it lists follows from their times: those created
// at or before it and not deleted by then. A deleted archive therefore
// stays as a tombstone (its bytes released at once) until an inventory
// taken after its deletion lets it go.
//
// The schedule: the first archive write (upload or deletion) after the last
// inventory sets the next one due InventoryInterval later; with no write,
// none is due and the inventory date stays. An inventory that fell due is
// in force from its due time on, whoever records it first: the scheduler,
// a clock advance, or the next archive write (which records it before
// changing the counters, so the counters recorded are those of the due
// time). Reads work it out without writing.

// lastInventory is the vault's last inventory as of now: the date (zero
// before the first) and the archives and bytes it counts.
func (v *Vault) lastInventory(now time.Time) (time.Time, int64, int64) {
	st := v.Inv
	switch {
	case st == nil && v.Archives > 0:
		// Written in live mode before daily inventories were switched
		// on: the live state stands as the last inventory.
		return v.LastInventory, v.Archives, v.Size
	case st == nil:
		return time.Time{}, 0, 0
	case !st.Next.IsZero() && now.After(st.Next):
		// Due and not recorded yet, so no archive was written since:
		// the live counters are those of the due time.
		return st.Next, v.Archives, v.Size
	}
	return st.Date, st.Archives, st.Size
}

// recordDue records the inventory that fell due before now, if any.
func (v *Vault) recordDue(now time.Time) bool {
	st := v.Inv
	if st == nil || st.Next.IsZero() || !now.After(st.Next) {
		return false
	}
	st.Date, st.Archives, st.Size, st.Next = st.Next, v.Archives, v.Size, time.Time{}
	return true
}

// noteWrite prepares v for an archive write at now, before its counters
// change: it records a due inventory and schedules the next one. It
// returns the write's time, made later than the last inventory if it fell
// in the same instant, so that no inventory ever includes a write its
// counters miss.
func (s *Service) noteWrite(v *Vault, now time.Time) time.Time {
	if v.Inv == nil {
		v.Inv = &InventoryState{}
		if v.Archives > 0 {
			// Archives written in live mode: they stand as the first
			// inventory.
			v.Inv.Date, v.Inv.Archives, v.Inv.Size = v.LastInventory, v.Archives, v.Size
		}
	}
	v.recordDue(now)
	if !now.After(v.Inv.Date) {
		now = v.Inv.Date.Add(time.Nanosecond)
	}
	if v.Inv.Next.IsZero() {
		v.Inv.Next = now.Add(s.interval)
	}
	return now
}

// inSnapshot reports whether the inventory taken at date lists a.
func inSnapshot(a *Archive, date time.Time) bool {
	return !a.Created.After(date) && (a.Deleted.IsZero() || a.Deleted.After(date))
}

// DailyInventory reports whether the service keeps daily inventories.
func (s *Service) DailyInventory() bool { return s.daily }

// TakeInventories records every vault's inventory that fell due and lets
// go of the tombstones no inventory can see any more. With now set it also
// takes, at this moment, the inventory of every vault written since its
// last one, due or not (as AWS's daily run would). It returns how many
// inventories it recorded and the due time of the next one (zero when none
// is scheduled).
func (s *Service) TakeInventories(ctx context.Context, now bool) (int, time.Time, error) {
	if !s.daily {
		return 0, time.Time{}, nil
	}
	t := s.clock.Now()
	var refs []VaultRef
	var next time.Time
	err := s.store.View(ctx, func(tx Tx) error {
		return tx.ScanAllVaults(func(v *Vault) bool {
			st := v.Inv
			switch {
			case st == nil:
			case !st.Next.IsZero() && (now || t.After(st.Next)), st.purgeable():
				refs = append(refs, v.Ref())
			case !st.Next.IsZero() && (next.IsZero() || st.Next.Before(next)):
				next = st.Next
			}
			return true
		})
	})
	taken := 0
	for _, ref := range refs {
		if err != nil {
			break
		}
		var v *Vault
		var changed bool
		err = s.store.Update(ctx, func(tx Tx) error {
			var err error
			changed = false
			if v, err = tx.Vault(ref); errors.Is(err, ErrNotFound) {
				v = nil
				return nil
			} else if err != nil {
				return err
			}
			if v.Inv == nil {
				v = nil
				return nil
			}
			changed = v.recordDue(t)
			if now && !v.Inv.Next.IsZero() {
				v.Inv.Date, v.Inv.Archives, v.Inv.Size, v.Inv.Next = t, v.Archives, v.Size, time.Time{}
				changed = true
			}
			if changed {
				return tx.PutVault(v)
			}
			return nil
		})
		if err != nil || v == nil {
			continue
		}
		if changed {
			taken++ // counted once committed: fn may have run more than once
		}
		if v.Inv.purgeable() {
			err = s.purge(ctx, ref)
		}
		if n := v.Inv.Next; !n.IsZero() && (next.IsZero() || n.Before(next)) {
			next = n
		}
	}
	return taken, next, err
}

// purgeable reports whether an inventory was recorded since the last purge
// while tombstones remain: some of them may be invisible to it.
func (st *InventoryState) purgeable() bool {
	return st.Tombstones > 0 && st.Date.After(st.Purged)
}

// purge deletes the vault's tombstones that its last recorded inventory
// no longer lists: no later inventory (and no job, whose snapshot is never
// older than the recorded inventory) can see them.
func (s *Service) purge(ctx context.Context, ref VaultRef) error {
	return s.store.Update(ctx, func(tx Tx) error {
		v, err := tx.Vault(ref)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil || v.Inv == nil || !v.Inv.purgeable() {
			return err
		}
		var gone []string
		err = tx.ScanArchiveHistory(ref, ArchiveCursor{}, func(a *Archive) bool {
			if !a.Deleted.IsZero() && !a.Deleted.After(v.Inv.Date) {
				gone = append(gone, a.ID)
			}
			return true
		})
		if err != nil {
			return err
		}
		for _, id := range gone {
			if err := tx.DeleteArchive(ref, id); err != nil {
				return err
			}
		}
		v.Inv.Tombstones -= int64(len(gone))
		v.Inv.Purged = v.Inv.Date
		return tx.PutVault(v)
	})
}

// dropTombstones deletes every tombstone of a vault being deleted.
func dropTombstones(tx Tx, ref VaultRef) error {
	var gone []string
	err := tx.ScanArchiveHistory(ref, ArchiveCursor{}, func(a *Archive) bool {
		if !a.Deleted.IsZero() {
			gone = append(gone, a.ID)
		}
		return true
	})
	for _, id := range gone {
		if err != nil {
			break
		}
		err = tx.DeleteArchive(ref, id)
	}
	return err
}

// inventoryNotReady is InitiateJob's answer for an inventory retrieval
// before the vault's first inventory.
func inventoryNotReady(ref VaultRef) *Error {
	return Errorf(ResourceNotFound, "Inventory not yet available for vault: %s. A vault's first inventory is taken about a day after its first upload.", ref.ARN())
}
