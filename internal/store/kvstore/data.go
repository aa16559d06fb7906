package kvstore

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"permafrost/internal/glacier"
)

// vaultPrefix is the key prefix of a vault's sub-records.
func vaultPrefix(ref glacier.VaultRef) []byte {
	return append(vaultKey(ref), '/')
}

func (t tx) Archive(ref glacier.VaultRef, id string) (*glacier.Archive, error) {
	k := archiveKey(t, ref, id)
	if k == nil {
		return nil, glacier.ErrNotFound
	}
	raw := t.kv.Get(bArchives, k)
	if raw == nil {
		return nil, glacier.ErrNotFound
	}
	a := new(glacier.Archive)
	if err := decodeArchiveRecord(raw, a, k); err != nil {
		return nil, err
	}
	if !a.Deleted.IsZero() {
		return nil, glacier.ErrNotFound
	}
	return a, nil
}

// decodeArchiveRecord reads the binary encoding, or JSON from older data.
func decodeArchiveRecord(raw []byte, a *glacier.Archive, key []byte) error {
	if len(raw) > 0 && raw[0] == '{' {
		return decode(raw, a, bArchives, key)
	}
	if err := decodeArchive(raw, a); err != nil {
		return fmt.Errorf("kvstore: decode %s/%q: %w", bArchives, key, err)
	}
	return nil
}

func (t tx) PutArchive(ref glacier.VaultRef, a *glacier.Archive) error {
	// An ID the store issued for this creation time needs no index entry.
	if k, ok := t.ids.direct(vaultPrefix(ref), a.ID, a.Created); ok {
		return t.kv.Put(bArchives, k, encodeArchive(a))
	}
	k := archiveKey(t, ref, a.ID)
	if k == nil {
		h := orderHead(a.Created)
		v := make([]byte, 0, len(ref.Name)+1+len(h))
		v = append(append(append(v, ref.Name...), '/'), h[:]...)
		if err := t.kv.Put(bArchiveIndex, append(scopeKey(ref.Scope), a.ID...), v); err != nil {
			return err
		}
		k = append(append(vaultPrefix(ref), h[:]...), a.ID...)
	}
	return t.kv.Put(bArchives, k, encodeArchive(a))
}

func (t tx) DeleteArchive(ref glacier.VaultRef, id string) error {
	k := archiveKey(t, ref, id)
	if k == nil {
		return nil
	}
	if err := t.kv.Delete(bArchiveIndex, append(scopeKey(ref.Scope), id...)); err != nil {
		return err
	}
	return t.kv.Delete(bArchives, k)
}

// BuryArchive keeps the archive's key (and index entry, for IDs the store
// did not issue), so that the tombstone is found again to be purged;
// Archive and ArchiveVault see the deletion time and answer ErrNotFound.
func (t tx) BuryArchive(ref glacier.VaultRef, a *glacier.Archive) error {
	if a.Deleted.IsZero() {
		return fmt.Errorf("kvstore: burying archive %s without a deletion time", a.ID)
	}
	k := archiveKey(t, ref, a.ID)
	if k == nil || t.kv.Get(bArchives, k) == nil {
		return glacier.ErrNotFound
	}
	return t.kv.Put(bArchives, k, encodeArchive(a))
}

// buried reports whether the record under key k is a tombstone.
func (t tx) buried(k []byte) bool {
	raw := t.kv.Get(bArchives, k)
	if raw == nil {
		return false
	}
	var a glacier.Archive
	return decodeArchiveRecord(raw, &a, k) == nil && !a.Deleted.IsZero()
}

func (t tx) ArchiveVault(s glacier.Scope, id string) (string, error) {
	v := t.kv.Get(bArchiveIndex, append(scopeKey(s), id...))
	if v == nil {
		// Archives keyed by their IDs alone have no index entry: look in
		// each vault of the scope (at most 1,000). Only DeleteArchive of
		// an archive its vault does not hold asks.
		h, ok := t.ids.head(id)
		if !ok {
			return "", glacier.ErrNotFound
		}
		sk := scopeKey(s)
		name := ""
		err := t.kv.Scan(bVaults, sk, nil, func(k, _ []byte) bool {
			key := append(append(append(bytes.Clone(k), '/'), h[:]...), id...)
			if t.kv.Get(bArchives, key) != nil && !t.buried(key) {
				name = string(k[len(sk):])
				return false
			}
			return true
		})
		if err == nil && name == "" {
			err = glacier.ErrNotFound
		}
		return name, err
	}
	name, _, _ := bytes.Cut(v, []byte("/"))
	if k := archiveKey(t, s.Ref(string(name)), id); k != nil && t.buried(k) {
		return "", glacier.ErrNotFound
	}
	return string(name), nil
}

func (t tx) ScanArchives(ref glacier.VaultRef, from glacier.ArchiveCursor, fn func(*glacier.Archive) bool) error {
	return t.ScanArchiveHistory(ref, from, func(a *glacier.Archive) bool { return !a.Deleted.IsZero() || fn(a) })
}

func (t tx) ScanArchiveHistory(ref glacier.VaultRef, from glacier.ArchiveCursor, fn func(*glacier.Archive) bool) error {
	p := vaultPrefix(ref)
	start := p
	if from.ID != "" {
		if start = archiveKey(t, ref, from.ID); start == nil {
			// Gone: its place in creation order.
			hd := orderHead(from.Created)
			start = append(append(p[:len(p):len(p)], hd[:]...), from.ID...)
		}
	}
	return scan(t.kv, bArchives, p, start, decodeArchiveRecord,
		func(_ []byte, a *glacier.Archive) bool { return fn(a) })
}

func (t tx) Upload(ref glacier.VaultRef, id string) (*glacier.Upload, error) {
	k := orderedUploads.key(t, ref, id)
	if k == nil {
		return nil, glacier.ErrNotFound
	}
	return get[glacier.Upload](t.kv, bUploads, k)
}

func (t tx) PutUpload(ref glacier.VaultRef, u *glacier.Upload) error {
	return orderedUploads.put(t, ref, u.ID, u.Created, u)
}

func (t tx) DeleteUpload(ref glacier.VaultRef, id string) error {
	return orderedUploads.delete(t, ref, id)
}

func (t tx) ListUploads(ref glacier.VaultRef, from string, limit int) ([]*glacier.Upload, error) {
	return listFrom[glacier.Upload](t, orderedUploads, ref, from, limit)
}

func (t tx) ScanAllUploads(fn func(glacier.VaultRef, *glacier.Upload) bool) error {
	return scanVaultRecords(t.kv, bUploads, nil, fn)
}

// scanVaultRecords decodes every JSON record of a bucket keyed
// "account/region/vault/id" under prefix and hands it to fn with its vault.
func scanVaultRecords[T any](kv KV, bucket string, prefix []byte, fn func(glacier.VaultRef, *T) bool) error {
	var kerr error
	err := scan(kv, bucket, prefix, nil, jsonDecoder[T](bucket), func(k []byte, v *T) bool {
		f := strings.SplitN(string(k), "/", 4)
		if len(f) != 4 {
			kerr = fmt.Errorf("kvstore: malformed %s key %q", bucket, k)
			return false
		}
		return fn(glacier.Scope{Account: f[0], Region: f[1]}.Ref(f[2]), v)
	})
	if err == nil {
		err = kerr
	}
	return err
}

func partPrefix(ref glacier.VaultRef, uploadID string) []byte {
	return append(append(vaultPrefix(ref), uploadID...), '/')
}

func partKey(ref glacier.VaultRef, uploadID string, index int64) []byte {
	return fmt.Appendf(partPrefix(ref, uploadID), "%010d", index)
}

func (t tx) PutPart(ref glacier.VaultRef, uploadID string, p *glacier.Part) error {
	return put(t.kv, bParts, partKey(ref, uploadID, p.Index), p)
}

func (t tx) Part(ref glacier.VaultRef, uploadID string, index int64) (*glacier.Part, error) {
	return get[glacier.Part](t.kv, bParts, partKey(ref, uploadID, index))
}

func (t tx) DeletePart(ref glacier.VaultRef, uploadID string, index int64) error {
	return t.kv.Delete(bParts, partKey(ref, uploadID, index))
}

func (t tx) ListParts(ref glacier.VaultRef, uploadID string, from int64, limit int) ([]*glacier.Part, error) {
	return list[glacier.Part](t.kv, bParts, partPrefix(ref, uploadID), partKey(ref, uploadID, from), limit)
}

func (t tx) Inline(id string) ([]byte, error) {
	b := t.kv.Get(bInline, []byte(id))
	if b == nil {
		return nil, glacier.ErrNotFound
	}
	return append([]byte(nil), b...), nil
}

func (t tx) PutInline(id string, data []byte) error { return t.kv.Put(bInline, []byte(id), data) }

func (t tx) DeleteInline(id string) error { return t.kv.Delete(bInline, []byte(id)) }

func (t tx) Refs(id string) (int64, error) {
	b := t.kv.Get(bRefs, []byte(id))
	if b == nil {
		return 0, nil
	}
	return strconv.ParseInt(string(b), 10, 64)
}

func (t tx) SetRefs(id string, n int64) error {
	if n <= 0 {
		return t.kv.Delete(bRefs, []byte(id))
	}
	return t.kv.Put(bRefs, []byte(id), strconv.AppendInt(nil, n, 10))
}
