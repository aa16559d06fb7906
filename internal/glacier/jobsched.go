package glacier

import (
	"context"
	"errors"
	"time"
)

// leasePoll is how often a read waiting for another process to complete a
// due job looks again, and MaxLeaseWait how long it waits at most: then it
// answers the job as stored, in progress (a holder that died would
// otherwise hold the read for the rest of its lease).
const (
	leasePoll    = 10 * time.Millisecond
	MaxLeaseWait = 10 * time.Second
)

// claimJob takes the lease on completing job id, unless the job is done
// (returned, held false) or another process holds an unexpired lease, or
// another goroutine of this Service is completing it: then it waits when
// wait is set (returning the job once it is done, or taking the lease once
// it is free or expired, or the job as it is after MaxLeaseWait), and
// otherwise returns the job in progress, held false. When held is true
// the caller must call s.working.Delete(name) when done.
//
// The lease keeps other processes off the job; s.working keeps this
// Service's own goroutines off it, and lets it take back its own lease,
// left behind by an attempt whose completion could not be stored (a full
// disk), at the next attempt rather than when the lease expires.
func (s *Service) claimJob(ctx context.Context, ref VaultRef, id, name string, wait bool) (j *Job, held bool, err error) {
	giveUp := time.Now().Add(MaxLeaseWait)
	for {
		var busy bool
		err = s.store.View(ctx, func(tx Tx) error {
			busy = false
			if j, err = tx.Job(ref, id); err != nil || j.done() {
				return err
			}
			l, err := tx.Lease(name)
			if errors.Is(err, ErrNotFound) {
				return nil
			}
			busy = err == nil && l.Holder != s.holder && time.Now().Before(l.Expires)
			return err
		})
		if err != nil || j.done() {
			return j, false, err
		}
		if _, taken := s.working.LoadOrStore(name, struct{}{}); !busy && !taken {
			// Free by the look of it: claim it in a transaction that
			// checks again.
			err = s.store.Update(ctx, func(tx Tx) error {
				held = false
				if j, err = tx.Job(ref, id); err != nil || j.done() {
					return err
				}
				held, err = claim(tx, name, s.holder, time.Now(), s.jobLease, true)
				return err
			})
			if err != nil || j.done() || !held {
				s.working.Delete(name)
			}
			if err != nil || j.done() || held {
				return j, held, err
			}
		} else if !taken {
			s.working.Delete(name)
		}
		if !wait || time.Now().After(giveUp) {
			return j, false, nil
		}
		time.Sleep(leasePoll)
	}
}

// completeDue completes the vault's due jobs (see complete for failures).
func (s *Service) completeDue(ctx context.Context, ref VaultRef) (int, error) {
	now := s.clock.Now()
	var due []string
	err := s.store.View(ctx, func(tx Tx) error {
		due = nil
		jobs, err := tx.ListJobs(ref, "", 0)
		for _, j := range jobs {
			if !j.done() && !now.Before(j.Due) {
				due = append(due, j.ID)
			}
		}
		return err
	})
	for _, id := range due {
		if err == nil {
			_, err = s.complete(ctx, ref, id)
		}
	}
	return len(due), err
}

// CompleteDueJobs completes every due job of every vault that no other
// process is completing, reading only the due-time index (Tx.ScanDueJobs)
// up to the first job not yet due. It returns that job's due time (zero
// when there is none).
func (s *Service) CompleteDueJobs(ctx context.Context) (time.Time, error) {
	now := s.clock.Now()
	type key struct {
		ref VaultRef
		id  string
	}
	var due []key
	var next time.Time
	err := s.store.View(ctx, func(tx Tx) error {
		due, next = nil, time.Time{}
		return tx.ScanDueJobs(func(ref VaultRef, id string, at time.Time) bool {
			if now.Before(at) {
				next = at
				return false
			}
			due = append(due, key{ref, id})
			return true
		})
	})
	for _, k := range due {
		if err != nil {
			break
		}
		_, err = s.completeJob(ctx, k.ref, k.id, false)
		if errors.Is(err, ErrNotFound) {
			err = nil // deleted meanwhile (its vault, or by the janitor)
		}
	}
	return next, err
}

// SweepJobs deletes jobs whose output retention has passed and releases
// the bytes they held. Each deletion checks the job's expiry again in its
// own transaction, so sweeps running in several processes at once delete
// each job once.
func (s *Service) SweepJobs(ctx context.Context) (int, error) {
	now := s.clock.Now()
	type key struct {
		ref VaultRef
		id  string
	}
	var old []key
	err := s.store.View(ctx, func(tx Tx) error {
		old = nil
		return tx.ScanJobs(Scope{}, func(ref VaultRef, j *Job) bool {
			if j.expired(now) {
				old = append(old, key{ref, j.ID})
			}
			return true
		})
	})
	n := 0
	for _, k := range old {
		if err != nil {
			break
		}
		var dead []string
		var dropped bool
		err = s.store.Update(ctx, func(tx Tx) error {
			dead, dropped = nil, false
			j, err := tx.Job(k.ref, k.id)
			if errors.Is(err, ErrNotFound) {
				return nil
			}
			if err != nil || !j.expired(now) {
				return err
			}
			dead, err = dropJob(tx, k.ref, j)
			dropped = err == nil
			return err
		})
		if err == nil && dropped {
			n++
			s.deleteBlobs(ctx, dead)
		}
	}
	return n, err
}

// dropJob deletes a job and releases the bytes it holds: the archive's
// segments it retained at initiation and its inventory output.
func dropJob(tx Tx, ref VaultRef, j *Job) ([]string, error) {
	segs := j.Segments
	if j.Output.Blob != "" {
		segs = append(segs, j.Output)
	}
	dead, err := release(tx, segs)
	if err != nil {
		return nil, err
	}
	return dead, tx.DeleteJob(ref, j.ID)
}
