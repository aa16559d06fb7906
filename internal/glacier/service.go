package glacier

import (
	"errors"
	"log/slog"

	"permafrost/internal/clock"
)

// Service implements the Glacier operations over a Store.
type Service struct {
	store Store
	clock clock.Clock
	log   *slog.Logger
}

// Options configure a Service.
type Options struct {
	Store  Store
	Clock  clock.Clock  // default: the wall clock
	Logger *slog.Logger // default: slog.Default()
}

// New returns a Service.
func New(o Options) *Service {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Service{store: o.Store, clock: o.Clock, log: o.Logger}
}

// Clock returns the service's clock.
func (s *Service) Clock() clock.Clock { return s.clock }

// loadVault reads a vault inside a transaction, mapping ErrNotFound to the
// wire error.
func loadVault(tx Tx, ref VaultRef) (*Vault, error) {
	v, err := tx.Vault(ref)
	if errors.Is(err, ErrNotFound) {
		return nil, vaultNotFound(ref)
	}
	return v, err
}

// updateVault loads a vault, lets fn change it, and stores it.
func (s *Service) updateVault(ref VaultRef, fn func(v *Vault) error) error {
	return s.store.Update(func(tx Tx) error {
		v, err := loadVault(tx, ref)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
		return tx.PutVault(v)
	})
}

// viewVault loads a vault in a read-only transaction.
func (s *Service) viewVault(ref VaultRef) (*Vault, error) {
	var v *Vault
	err := s.store.View(func(tx Tx) error {
		var err error
		v, err = loadVault(tx, ref)
		return err
	})
	return v, err
}
