package glacier

import (
	"context"
	"time"
)

// capacityExpiration is one month after start, clamped to the end of the
// next month (Jan 31 -> Feb 28), truncated to the second (spec 6.2).
func capacityExpiration(start time.Time) time.Time {
	start = start.UTC()
	y, m, d := start.Date()
	first := time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	hh, mm, ss := start.Clock()
	return time.Date(first.Year(), first.Month(), d, hh, mm, ss, 0, time.UTC)
}

// activeCapacities returns the units of scope that have not expired.
func activeCapacities(tx Tx, scope Scope, now time.Time) ([]*Capacity, error) {
	all, err := tx.Capacities(scope)
	if err != nil {
		return nil, err
	}
	live := all[:0]
	for _, c := range all {
		if now.Before(c.Expiration) {
			live = append(live, c)
		}
	}
	return live, nil
}

// PurchaseProvisionedCapacity buys one capacity unit for a month and returns
// its ID. An account holds at most two unexpired units per region.
func (s *Service) PurchaseProvisionedCapacity(ctx context.Context, scope Scope) (string, error) {
	id := randomID(CapacityIDLen)
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.clock.Now()
		live, err := activeCapacities(tx, scope, now)
		if err != nil {
			return err
		}
		if len(live) >= MaxCapacityUnits {
			return Errorf(LimitExceeded, "The request would exceed the account's limit of provisioned capacity units (%d).", MaxCapacityUnits)
		}
		return tx.PutCapacity(scope, &Capacity{ID: id, Start: now, Expiration: capacityExpiration(now)})
	})
	return id, err
}

// ListProvisionedCapacity returns the scope's unexpired capacity units.
func (s *Service) ListProvisionedCapacity(ctx context.Context, scope Scope) ([]Capacity, error) {
	var out []Capacity
	err := s.store.View(ctx, func(tx Tx) error {
		live, err := activeCapacities(tx, scope, s.clock.Now())
		for _, c := range live {
			out = append(out, *c)
		}
		return err
	})
	return out, err
}
