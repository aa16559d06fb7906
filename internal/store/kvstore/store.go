package kvstore

import (
	"encoding/json"
	"fmt"

	"permafrost/internal/glacier"
)

// Store is a glacier.Store over an Engine and a blob store.
type Store struct {
	eng   Engine
	blobs glacier.Blobs
	memo  *vaultMemo
}

var _ glacier.Store = (*Store)(nil)

// New returns a Store over eng with its large bytes in blobs.
func New(eng Engine, blobs glacier.Blobs) *Store {
	return &Store{eng: eng, blobs: blobs, memo: &vaultMemo{}}
}

// Blobs implements glacier.Store.
func (s *Store) Blobs() glacier.Blobs { return s.blobs }

// Batch implements glacier.Store.
func (s *Store) Batch(fn func(glacier.Tx) error) error {
	return s.eng.Batch(func(kv KV) error { return fn(tx{kv, s.memo}) })
}

// View implements glacier.Store.
func (s *Store) View(fn func(glacier.Tx) error) error {
	return s.eng.View(func(kv KV) error { return fn(tx{kv, s.memo}) })
}

// Update implements glacier.Store.
func (s *Store) Update(fn func(glacier.Tx) error) error {
	return s.eng.Update(func(kv KV) error { return fn(tx{kv, s.memo}) })
}

// Close implements glacier.Store.
func (s *Store) Close() error { return s.eng.Close() }

// tx implements glacier.Tx over one engine transaction.
type tx struct {
	kv   KV
	memo *vaultMemo
}

func scopeKey(s glacier.Scope) []byte {
	return []byte(s.Account + "/" + s.Region + "/")
}

func vaultKey(ref glacier.VaultRef) []byte {
	return append(scopeKey(ref.Scope), ref.Name...)
}

func get[T any](kv KV, bucket string, key []byte) (*T, error) {
	b := kv.Get(bucket, key)
	if b == nil {
		return nil, glacier.ErrNotFound
	}
	v := new(T)
	if err := decode(b, v, bucket, key); err != nil {
		return nil, err
	}
	return v, nil
}

func decode(b []byte, v any, bucket string, key []byte) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("kvstore: decode %s/%q: %w", bucket, key, err)
	}
	return nil
}

func put(kv KV, bucket string, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %s/%q: %w", bucket, key, err)
	}
	return kv.Put(bucket, key, b)
}

// list decodes up to limit records under prefix starting at from.
func list[T any](kv KV, bucket string, prefix, from []byte, limit int) ([]*T, error) {
	var out []*T
	var derr error
	err := kv.Scan(bucket, prefix, from, func(k, b []byte) bool {
		v := new(T)
		if derr = decode(b, v, bucket, k); derr != nil {
			return false
		}
		out = append(out, v)
		return limit <= 0 || len(out) < limit
	})
	if err == nil {
		err = derr
	}
	return out, err
}

func (t tx) Vault(ref glacier.VaultRef) (*glacier.Vault, error) {
	k := vaultKey(ref)
	raw := t.kv.Get(bVaults, k)
	if raw == nil {
		return nil, glacier.ErrNotFound
	}
	if v, ok := t.memo.get(k, raw); ok {
		return v, nil
	}
	v := new(glacier.Vault)
	if err := decode(raw, v, bVaults, k); err != nil {
		return nil, err
	}
	t.memo.put(k, raw, v)
	return v, nil
}

func (t tx) PutVault(v *glacier.Vault) error {
	k := vaultKey(v.Ref())
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %s/%q: %w", bVaults, k, err)
	}
	if err := t.kv.Put(bVaults, k, raw); err != nil {
		return err
	}
	// Seeding the memo is safe even if the transaction rolls back: the
	// memo answers only for these exact bytes.
	t.memo.put(k, raw, v)
	return nil
}

func (t tx) DeleteVault(ref glacier.VaultRef) error {
	k := vaultKey(ref)
	if t.kv.Get(bVaults, k) == nil {
		return glacier.ErrNotFound
	}
	t.memo.forget(k)
	return t.kv.Delete(bVaults, k)
}

func (t tx) ListVaults(s glacier.Scope, from string, limit int) ([]*glacier.Vault, error) {
	p := scopeKey(s)
	return list[glacier.Vault](t.kv, bVaults, p, append(p[:len(p):len(p)], from...), limit)
}

func (t tx) ScanAllVaults(fn func(*glacier.Vault) bool) error {
	var derr error
	err := t.kv.Scan(bVaults, nil, nil, func(k, b []byte) bool {
		v := new(glacier.Vault)
		if derr = decode(b, v, bVaults, k); derr != nil {
			return false
		}
		return fn(v)
	})
	if err == nil {
		err = derr
	}
	return err
}

func (t tx) CountVaults(s glacier.Scope) (int, error) {
	n := 0
	err := t.kv.Scan(bVaults, scopeKey(s), nil, func(_, _ []byte) bool { n++; return true })
	return n, err
}

func (t tx) RetrievalPolicy(s glacier.Scope) (*glacier.RetrievalPolicy, error) {
	return get[glacier.RetrievalPolicy](t.kv, bRetrieval, scopeKey(s))
}

func (t tx) PutRetrievalPolicy(s glacier.Scope, p *glacier.RetrievalPolicy) error {
	return put(t.kv, bRetrieval, scopeKey(s), p)
}

func (t tx) Capacities(s glacier.Scope) ([]*glacier.Capacity, error) {
	return list[glacier.Capacity](t.kv, bCapacity, scopeKey(s), nil, 0)
}

func (t tx) PutCapacity(s glacier.Scope, c *glacier.Capacity) error {
	k := fmt.Appendf(scopeKey(s), "%020d/%s", c.Start.UnixNano(), c.ID)
	return put(t.kv, bCapacity, k, c)
}
