package glacier

import (
	"errors"
	"time"
)

// FreeTierPerDay is the retrieval allowance of the FreeTier strategy: 10
// GiB a month, prorated daily over 30 days, measured over the last 24 hours
// (an emulator choice; see docs/behaviour.md).
const FreeTierPerDay = (10 << 30) / 30

// ExpeditedPerUnit is how many Expedited retrievals one provisioned
// capacity unit guarantees per ExpeditedWindow.
const (
	ExpeditedPerUnit = 3
	ExpeditedWindow  = 5 * time.Minute
)

// checkLimits applies the data retrieval policy to Standard archive
// retrievals and provisioned capacity to Expedited ones (spec 6). A select
// job counts as a retrieval of its whole archive (it scans every byte).
func (s *Service) checkLimits(tx Tx, scope Scope, j *Job) error {
	if (j.Action == ActionArchiveRetrieval || j.Action == ActionSelect) && j.Tier == TierStandard {
		if err := s.checkPolicy(tx, scope, j); err != nil {
			return err
		}
	}
	if j.Tier == TierExpedited {
		return s.checkCapacity(tx, scope, j)
	}
	return nil
}

func (s *Service) checkPolicy(tx Tx, scope Scope, j *Job) error {
	p, err := tx.RetrievalPolicy(scope)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var window time.Duration
	var quota int64
	switch r := p.Rules[0]; r.Strategy {
	case StrategyBytesPerHour:
		window, quota = time.Hour, *r.BytesPerHour
	case StrategyFreeTier:
		window, quota = 24*time.Hour, FreeTierPerDay
	default:
		return nil
	}
	used, err := retrievedSince(tx, scope, j.Created.Add(-window))
	if err != nil {
		return err
	}
	if used+j.RetrievedBytes() > quota {
		return Errorf(PolicyEnforced, "InitiateJob request denied by current data retrieval policy.")
	}
	return nil
}

// retrievedSince sums the bytes of Standard archive retrievals initiated
// after since.
func retrievedSince(tx Tx, scope Scope, since time.Time) (int64, error) {
	var sum int64
	err := tx.ScanJobs(scope, func(_ VaultRef, o *Job) bool {
		if o.Tier == TierStandard && o.Created.After(since) {
			sum += o.RetrievedBytes()
		}
		return true
	})
	return sum, err
}

func (s *Service) checkCapacity(tx Tx, scope Scope, j *Job) error {
	units, err := activeCapacities(tx, scope, j.Created)
	if err != nil {
		return err
	}
	if len(units) == 0 {
		if s.onDemand {
			return nil
		}
		return Errorf(InsufficientCapacity, "There is not enough capacity to process this Expedited retrieval. Purchase provisioned capacity or retry later.")
	}
	since := j.Created.Add(-ExpeditedWindow)
	n := 0
	err = tx.ScanJobs(scope, func(_ VaultRef, o *Job) bool {
		if o.Tier == TierExpedited && o.Created.After(since) {
			n++
		}
		return true
	})
	if err != nil {
		return err
	}
	if n >= ExpeditedPerUnit*len(units) {
		return Errorf(InsufficientCapacity, "The provisioned capacity of this account (%d units, %d Expedited retrievals every 5 minutes each) is in use. Retry later.", len(units), ExpeditedPerUnit)
	}
	return nil
}
