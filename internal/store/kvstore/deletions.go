package kvstore

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"permafrost/internal/glacier"
)

// Deleted archives are remembered under two keys: "account/region/vault/id"
// for lookups and "<deletion time, 20 digits>/account/region/vault/id" in
// bDeletionOrder, so that forgetting old ones reads only those.

func deletionOrderKey(at time.Time, key []byte) []byte {
	return append(fmt.Appendf(nil, "%020d/", max(at.UnixNano(), 0)), key...)
}

func (t tx) PutArchiveDeletion(ref glacier.VaultRef, d *glacier.ArchiveDeletion) error {
	k := append(vaultPrefix(ref), d.ID...)
	if err := put(t.kv, bDeletions, k, d); err != nil {
		return err
	}
	return t.kv.Put(bDeletionOrder, deletionOrderKey(d.Deleted, k), nil)
}

func (t tx) ArchiveDeletion(ref glacier.VaultRef, id string) (*glacier.ArchiveDeletion, error) {
	return get[glacier.ArchiveDeletion](t.kv, bDeletions, append(vaultPrefix(ref), id...))
}

func (t tx) TrimArchiveDeletions(before time.Time) (int, error) {
	limit := []byte(fmt.Sprintf("%020d/", max(before.UnixNano(), 0)))
	var old [][]byte
	err := t.kv.Scan(bDeletionOrder, nil, nil, func(k, _ []byte) bool {
		if bytes.Compare(k, limit) >= 0 {
			return false
		}
		old = append(old, bytes.Clone(k))
		return true
	})
	if err != nil {
		return 0, err
	}
	for _, k := range old {
		nanos, key, ok := bytes.Cut(k, []byte("/"))
		if _, err := strconv.ParseInt(string(nanos), 10, 64); !ok || err != nil {
			return 0, fmt.Errorf("kvstore: malformed %s key %q", bDeletionOrder, k)
		}
		// A later deletion record under the same key (none is expected:
		// archive IDs are never reused) is kept.
		if d, err := get[glacier.ArchiveDeletion](t.kv, bDeletions, key); err == nil && !d.Deleted.Before(before) {
			continue
		}
		if err := t.kv.Delete(bDeletions, key); err != nil {
			return 0, err
		}
		if err := t.kv.Delete(bDeletionOrder, k); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}
