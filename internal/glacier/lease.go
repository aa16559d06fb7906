package glacier

import (
	"context"
	"errors"
	"time"
)

// Lease is a claim on a piece of background work (completing one due job,
// delivering the notification outbox) that one process holds until
// Expires, so that several processes over one store do not all do it.
// Expiry is wall-clock time (the emulated clock may jump ahead), so the
// processes' wall clocks must agree to well within a lease's length. A
// holder that crashes lets go when its lease expires: another process
// then takes the work over.
type Lease struct {
	Holder  string
	Expires time.Time
}

// Lease lengths.
const (
	// JobLease is how long a due job's lease lasts unless renewed. Its
	// holder renews it while it prepares the output (an inventory, a
	// range's tree hash, a select), so this is how long a process that
	// died is waited for before another takes the job over.
	JobLease = 2 * time.Minute
	// OutboxLease is how long the holder of the notification outbox keeps
	// it without renewing it; the deliverer renews it each round.
	OutboxLease = 30 * time.Second
)

// claim takes the named lease for holder until now+ttl, in tx, if it is
// free or expired, or (renew set) already holder's: a job's lease is not
// renewed, so that two goroutines of one Service do not both take it. It
// reports whether holder has it.
func claim(tx Tx, name, holder string, now time.Time, ttl time.Duration, renew bool) (bool, error) {
	l, err := tx.Lease(name)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return false, err
	case now.Before(l.Expires) && (l.Holder != holder || !renew):
		return false, nil
	}
	return true, tx.PutLease(name, &Lease{Holder: holder, Expires: now.Add(ttl)})
}

// ClaimLease takes, or renews, the named lease for this Service for ttl
// of wall-clock time, in a transaction of its own, and reports whether
// this Service now holds it.
func (s *Service) ClaimLease(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	var held bool
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		held, err = claim(tx, name, s.holder, time.Now(), ttl, true)
		return err
	})
	return held, err
}

// keepLease renews the named lease, which this Service holds, every third
// of ttl until stop is called: preparing a long job's output (a select
// over a large archive, a big inventory) keeps its lease, so no other
// process takes the job over and does the work again while it runs.
func (s *Service) keepLease(ctx context.Context, name string, ttl time.Duration) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if held, err := s.ClaimLease(ctx, name, ttl); err != nil {
					s.log.Warn("renewing a lease", "lease", name, "err", err)
				} else if !held {
					s.log.Warn("a lease was taken over while its work ran", "lease", name)
					return
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// ReleaseLease lets go of the named lease if this Service holds it.
func (s *Service) ReleaseLease(ctx context.Context, name string) error {
	return s.store.Update(ctx, func(tx Tx) error { return release1(tx, name, s.holder) })
}

// release1 deletes the named lease in tx if holder holds it.
func release1(tx Tx, name, holder string) error {
	l, err := tx.Lease(name)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if l.Holder != holder {
		return nil
	}
	return tx.DeleteLease(name)
}

// jobLeaseName names the lease on completing one job.
func jobLeaseName(ref VaultRef, id string) string {
	return "job/" + ref.Account + "/" + ref.Region + "/" + ref.Name + "/" + id
}

// StaleLease is how long past its expiry a lease is kept: a lease is
// normally deleted by its holder when the work is done, and taken over
// when it expires; one left behind (its job deleted while its holder was
// dead) is swept after this.
const StaleLease = time.Hour

// SweepLeases deletes the leases that expired more than StaleLease ago,
// each checked again in the transaction that deletes it (a lease taken
// over meanwhile is kept). It returns how many it deleted.
func (s *Service) SweepLeases(ctx context.Context) (int, error) {
	cutoff := time.Now().Add(-StaleLease)
	var stale []string
	err := s.store.View(ctx, func(tx Tx) error {
		return tx.ScanLeases(func(name string, l *Lease) bool {
			if l.Expires.Before(cutoff) {
				stale = append(stale, name)
			}
			return true
		})
	})
	n := 0
	for _, name := range stale {
		if err != nil {
			break
		}
		var gone bool
		err = s.store.Update(ctx, func(tx Tx) error {
			gone = false
			l, err := tx.Lease(name)
			if errors.Is(err, ErrNotFound) || err == nil && !l.Expires.Before(cutoff) {
				return nil
			}
			if err != nil {
				return err
			}
			gone = true
			return tx.DeleteLease(name)
		})
		if err == nil && gone {
			n++
		}
	}
	return n, err
}
