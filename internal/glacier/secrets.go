package glacier

import (
	"context"
	"crypto/rand"
	"errors"
)

// SecretSize is the length of a stored secret.
const SecretSize = 32

// Secret returns the random secret stored under name, creating it at first
// use. Every process over the store gets the same one (the console signs
// its sessions with it, so a session opened through one replica is valid
// on the others), and it outlives restarts.
func (s *Service) Secret(ctx context.Context, name string) ([]byte, error) {
	key := "secret/" + name
	var secret []byte
	if err := s.store.View(ctx, func(tx Tx) error {
		v, err := tx.Setting(key)
		if err == nil && len(v) == SecretSize {
			secret = v
		}
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}); err != nil || secret != nil {
		return secret, err
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		v, err := tx.Setting(key)
		switch {
		case err == nil && len(v) == SecretSize:
			secret = v // another process created it first
			return nil
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
		secret = make([]byte, SecretSize)
		_, _ = rand.Read(secret)
		return tx.PutSetting(key, secret)
	})
	if err != nil {
		return nil, err
	}
	return secret, nil
}
