package glacier

import (
	"context"
	"time"
)

// activeLock returns the vault's lock, dropping an InProgress lock whose 24
// hours have passed (spec 5.1): the state is then None again.
func activeLock(v *Vault, now time.Time) *Lock {
	v.Lock = liveLock(v, now)
	return v.Lock
}

// liveLock is activeLock leaving v as it is.
func liveLock(v *Vault, now time.Time) *Lock {
	if v.Lock != nil && !v.Lock.Locked && !now.Before(v.Lock.Created.Add(LockTTL)) {
		return nil
	}
	return v.Lock
}

// InitiateVaultLock installs a lock policy in the InProgress state and
// returns the lock ID that completes it.
func (s *Service) InitiateVaultLock(ctx context.Context, ref VaultRef, policy string) (string, error) {
	if s.validPolicyDocument(policy) != nil {
		return "", invalid("The specified vault lock policy is invalid. Provide a valid policy.")
	}
	id := randomID(LockIDLen)
	err := s.updateVault(ctx, ref, func(v *Vault) error {
		now := s.clock.Now()
		switch l := activeLock(v, now); {
		case l == nil:
		case l.Locked:
			return Errorf(AccessDenied, "The vault lock is already locked; a new vault lock cannot be initiated: %s", ref.ARN())
		default:
			return Errorf(AccessDenied, "A vault lock is already in progress; abort it before initiating a new one: %s", ref.ARN())
		}
		v.Lock = &Lock{ID: id, Policy: policy, Created: now}
		return nil
	})
	return id, err
}

// CompleteVaultLock moves an InProgress lock to Locked.
func (s *Service) CompleteVaultLock(ctx context.Context, ref VaultRef, lockID string) error {
	return s.updateVault(ctx, ref, func(v *Vault) error {
		l := activeLock(v, s.clock.Now())
		switch {
		case l == nil:
			return invalid("No vault lock is in progress for: %s", ref.ARN())
		case l.ID != lockID && l.Locked:
			return Errorf(AccessDenied, "The lock ID does not match the vault lock: %s", lockID)
		case l.ID != lockID:
			return invalid("The lock ID is not valid: %s", lockID)
		}
		l.Locked = true
		return nil
	})
}

// AbortVaultLock removes an InProgress lock; with no lock it does nothing,
// and a Locked policy cannot be removed.
func (s *Service) AbortVaultLock(ctx context.Context, ref VaultRef) error {
	return s.updateVault(ctx, ref, func(v *Vault) error {
		if l := activeLock(v, s.clock.Now()); l != nil && l.Locked {
			return Errorf(AccessDenied, "The vault lock is locked and cannot be aborted: %s", ref.ARN())
		}
		v.Lock = nil
		return nil
	})
}

// LockInfo is what GetVaultLock reports.
type LockInfo struct {
	Policy     string
	State      string
	Created    time.Time
	Expiration *time.Time
}

// GetVaultLock returns the vault's lock policy and state.
func (s *Service) GetVaultLock(ctx context.Context, ref VaultRef) (LockInfo, error) {
	v, err := s.viewVault(ctx, ref)
	if err != nil {
		return LockInfo{}, err
	}
	l := activeLock(v, s.clock.Now())
	if l == nil {
		return LockInfo{}, Errorf(ResourceNotFound, "No vault lock policy exists for: %s", ref.ARN())
	}
	info := LockInfo{Policy: l.Policy, State: LockLocked, Created: l.Created}
	if !l.Locked {
		info.State = LockInProgress
		exp := l.Created.Add(LockTTL)
		info.Expiration = &exp
	}
	return info, nil
}
