package glacier

// Store is the persistence the domain needs. Implementations live under
// internal/store and must all pass internal/store/storetest.
//
// Records passed to and returned by a store are values the caller owns:
// a store MUST NOT keep or share the pointers it is given or returns, so a
// caller may modify a returned record freely before putting it back.
type Store interface {
	// View runs fn in a read-only transaction with a consistent snapshot.
	View(fn func(Tx) error) error
	// Update runs fn in a read-write transaction. If fn returns an error
	// nothing it did is kept. When Update returns nil on a durable store,
	// the changes survive a crash.
	Update(fn func(Tx) error) error
	// Close releases the store.
	Close() error
}

// Tx is a transaction over the domain's records. Lookups of a missing record
// MUST return ErrNotFound.
type Tx interface {
	Vault(ref VaultRef) (*Vault, error)
	PutVault(v *Vault) error
	// DeleteVault removes the vault record; it MUST return ErrNotFound when
	// there is none.
	DeleteVault(ref VaultRef) error
	// ListVaults returns at most limit vaults of s whose names are >= from,
	// in ascending byte order of name. limit <= 0 means no limit.
	ListVaults(s Scope, from string, limit int) ([]*Vault, error)
	// CountVaults returns the number of vaults in s.
	CountVaults(s Scope) (int, error)

	// RetrievalPolicy returns ErrNotFound when none was ever set.
	RetrievalPolicy(s Scope) (*RetrievalPolicy, error)
	PutRetrievalPolicy(s Scope, p *RetrievalPolicy) error

	// Capacities returns every capacity unit ever bought in s, oldest first.
	Capacities(s Scope) ([]*Capacity, error)
	PutCapacity(s Scope, c *Capacity) error
}
