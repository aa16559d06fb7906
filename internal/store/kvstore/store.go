package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"permafrost/internal/glacier"
)

// Store is a glacier.Store over an Engine and a blob store.
type Store struct {
	eng   Engine
	blobs glacier.Blobs
	memo  *vaultMemo
	ids   *idCipher
}

var _ glacier.Store = (*Store)(nil)

// New returns a Store over eng with its large bytes in blobs. If the ID
// key cannot be read, IDs are issued unmasked, as Open would refuse.
//
// A store written before the due-time index existed gets it built here,
// once; an engine that cannot be written now gets it at a later open.
func New(eng Engine, blobs glacier.Blobs) *Store {
	_ = indexDueJobs(eng)
	ids, _ := loadIDCipher(eng)
	return &Store{eng: eng, blobs: blobs, memo: &vaultMemo{}, ids: ids}
}

// Open is New for an engine shared by several processes, which must all
// mask IDs with the store's key: it fails when the key cannot be read
// instead of going on without it.
func Open(eng Engine, blobs glacier.Blobs) (*Store, error) {
	ids, err := loadIDCipher(eng)
	if err != nil {
		return nil, fmt.Errorf("kvstore: read the ID key: %w", err)
	}
	_ = indexDueJobs(eng)
	return &Store{eng: eng, blobs: blobs, memo: &vaultMemo{}, ids: ids}, nil
}

// NewID implements glacier.Store: see ids.go.
func (s *Store) NewID(n int, created time.Time) string { return s.ids.newID(n, created) }

// Blobs implements glacier.Store.
func (s *Store) Blobs() glacier.Blobs { return s.blobs }

// Batch implements glacier.Store.
func (s *Store) Batch(ctx context.Context, fn func(glacier.Tx) error) error {
	return s.eng.Batch(ctx, func(kv KV) error { return fn(tx{kv, s.memo, s.ids}) })
}

// View implements glacier.Store.
func (s *Store) View(ctx context.Context, fn func(glacier.Tx) error) error {
	return s.eng.View(ctx, func(kv KV) error { return fn(tx{kv, s.memo, s.ids}) })
}

// Update implements glacier.Store.
func (s *Store) Update(ctx context.Context, fn func(glacier.Tx) error) error {
	return s.eng.Update(ctx, func(kv KV) error { return fn(tx{kv, s.memo, s.ids}) })
}

// Close implements glacier.Store.
func (s *Store) Close() error { return s.eng.Close() }

// tx implements glacier.Tx over one engine transaction.
type tx struct {
	kv   KV
	memo *vaultMemo
	ids  *idCipher
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

// scan decodes each record under prefix from from, in key order, and hands
// it to fn until fn returns false. dec is the record's decoder.
func scan[T any](kv KV, bucket string, prefix, from []byte, dec func(raw []byte, v *T, key []byte) error, fn func(key []byte, v *T) bool) error {
	var derr error
	err := kv.Scan(bucket, prefix, from, func(k, b []byte) bool {
		v := new(T)
		if derr = dec(b, v, k); derr != nil {
			return false
		}
		return fn(k, v)
	})
	if err == nil {
		err = derr
	}
	return err
}

// jsonDecoder decodes JSON records of bucket.
func jsonDecoder[T any](bucket string) func([]byte, *T, []byte) error {
	return func(raw []byte, v *T, key []byte) error { return decode(raw, v, bucket, key) }
}

// list decodes up to limit JSON records under prefix starting at from.
func list[T any](kv KV, bucket string, prefix, from []byte, limit int) ([]*T, error) {
	var out []*T
	err := scan(kv, bucket, prefix, from, jsonDecoder[T](bucket), func(_ []byte, v *T) bool {
		out = append(out, v)
		return limit <= 0 || len(out) < limit
	})
	return out, err
}

func (t tx) Vault(ref glacier.VaultRef) (*glacier.Vault, error) {
	k := vaultKey(ref)
	if d, ok := t.kv.(Deferrer); ok {
		if v, ok := d.Deferred(bVaults, k); ok {
			return cloneVault(v.(*glacier.Vault)), nil
		}
	}
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
	if d, ok := t.kv.(Deferrer); ok && plainVault(v) {
		// Held back until the batch's last call: a batch of uploads to
		// one vault encodes and writes its record once. Only records the
		// hand-written encoder takes, which cannot fail to encode.
		return d.Defer(bVaults, k, cloneVault(v), t.writeVault)
	}
	return t.writeVault(t.kv, v)
}

// writeVault encodes v and puts it through kv.
func (t tx) writeVault(kv KV, val any) error {
	v := val.(*glacier.Vault)
	k := vaultKey(v.Ref())
	raw, err := encodeVault(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %s/%q: %w", bVaults, k, err)
	}
	if err := kv.Put(bVaults, k, raw); err != nil {
		return err
	}
	// Seeding the memo is safe even if the transaction rolls back: the
	// memo answers only for these exact bytes, which no one modifies.
	t.memo.keep(k, raw, v)
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
	return scan(t.kv, bVaults, nil, nil, jsonDecoder[glacier.Vault](bVaults),
		func(_ []byte, v *glacier.Vault) bool { return fn(v) })
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

// Dump calls fn with every record of every bucket, bucket by bucket in key
// order, from one snapshot: for tests and diagnostics that compare whole
// states. The slices are valid only during the call.
func (s *Store) Dump(ctx context.Context, fn func(bucket string, k, v []byte)) error {
	return s.eng.View(ctx, func(kv KV) error {
		for _, b := range Buckets {
			if err := kv.Scan(b, nil, nil, func(k, v []byte) bool { fn(b, k, v); return true }); err != nil {
				return err
			}
		}
		return nil
	})
}
