package glacier

import (
	"context"
	"errors"
)

// defaultRetrievalPolicy is what GetDataRetrievalPolicy returns when no
// policy was ever set (an emulator choice; spec 6.1).
func defaultRetrievalPolicy() RetrievalPolicy {
	return RetrievalPolicy{Rules: []RetrievalRule{{Strategy: StrategyNone}}}
}

// GetDataRetrievalPolicy returns the scope's data retrieval policy.
func (s *Service) GetDataRetrievalPolicy(ctx context.Context, scope Scope) (RetrievalPolicy, error) {
	var p RetrievalPolicy
	err := s.store.View(ctx, func(tx Tx) error {
		got, err := tx.RetrievalPolicy(scope)
		if errors.Is(err, ErrNotFound) {
			p = defaultRetrievalPolicy()
			return nil
		}
		if err == nil {
			p = *got
		}
		return err
	})
	return p, err
}

// SetDataRetrievalPolicy replaces the scope's data retrieval policy. It must
// hold exactly one rule; BytesPerHour goes with that strategy only.
func (s *Service) SetDataRetrievalPolicy(ctx context.Context, scope Scope, p RetrievalPolicy) error {
	if len(p.Rules) != 1 {
		return invalid("The data retrieval policy must contain exactly one rule; it has %d.", len(p.Rules))
	}
	r := p.Rules[0]
	switch r.Strategy {
	case StrategyBytesPerHour:
		if r.BytesPerHour == nil {
			return Errorf(MissingParameterValue, "Required parameter missing: BytesPerHour is required when Strategy is BytesPerHour")
		}
		if *r.BytesPerHour < 1 {
			return invalid("Invalid BytesPerHour: %d. It must be between 1 and %d.", *r.BytesPerHour, int64(MaxRetrievalPerHour))
		}
	case StrategyFreeTier, StrategyNone:
		if r.BytesPerHour != nil {
			return invalid("BytesPerHour may be set only when Strategy is BytesPerHour; Strategy is %s.", r.Strategy)
		}
	case "":
		return Errorf(MissingParameterValue, "Required parameter missing: Strategy")
	default:
		return invalid("Invalid Strategy: %s. Valid values are BytesPerHour, FreeTier and None.", r.Strategy)
	}
	rule := RetrievalRule{Strategy: r.Strategy}
	if r.BytesPerHour != nil {
		b := *r.BytesPerHour
		rule.BytesPerHour = &b
	}
	return s.store.Update(ctx, func(tx Tx) error {
		return tx.PutRetrievalPolicy(scope, &RetrievalPolicy{Rules: []RetrievalRule{rule}})
	})
}
