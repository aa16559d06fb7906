package kvstore

import (
	"bytes"
	"time"

	"permafrost/internal/glacier"
)

// Archive, job and upload IDs are random in every position, as the real
// service's are, so they cannot order anything. Records are stored under
// "account/region/vault/" + head + ID, where head encodes the creation
// time in 11 characters that sort in time order: a scan in key order is a
// scan in creation order, and the ID carries no time. An index maps each ID
// to its head (for archives, the archive index's value is "vault/head").
//
// Records written before the IDs were random are keyed by the ID alone;
// their IDs begin with the same 11-character head, so they sort among the
// new ones by time. Their index entries have no head (archives) or do not
// exist (jobs, uploads), and lookups fall back to the ID as key.

// sortable is a 64-character alphabet in ASCII order.
const sortable = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

const headLen = 11

// orderHead encodes t (in nanoseconds) in headLen sortable characters.
func orderHead(t time.Time) (h [headLen]byte) {
	u := uint64(max(t.UnixNano(), 0))
	for i := headLen - 1; i >= 0; i-- {
		h[i] = sortable[u&63]
		u >>= 6
	}
	return h
}

// ordered is a bucket of time-ordered records with its index bucket
// ("account/region/vault/id" -> head).
type ordered struct{ bucket, index string }

var (
	orderedJobs    = ordered{bJobs, bJobIndex}
	orderedUploads = ordered{bUploads, bUploadIndex}
)

// key returns the record key of id in vault ref, or nil when there is none.
func (o ordered) key(t tx, ref glacier.VaultRef, id string) []byte {
	kv := t.kv
	p := vaultPrefix(ref)
	if k := t.ids.lookup(kv, o.bucket, p[:len(p):len(p)], id); k != nil {
		return k
	}
	if h := kv.Get(o.index, append(p[:len(p):len(p)], id...)); h != nil {
		return append(append(p, h...), id...)
	}
	if legacy := append(p, id...); kv.Get(o.bucket, legacy) != nil {
		return legacy
	}
	return nil
}

// put stores val for id, created at created, keeping an existing key.
func (o ordered) put(t tx, ref glacier.VaultRef, id string, created time.Time, val any) error {
	kv := t.kv
	k, direct := t.ids.direct(vaultPrefix(ref), id, created)
	if !direct {
		k = o.key(t, ref, id)
	}
	if k == nil {
		p := vaultPrefix(ref)
		h := orderHead(created)
		if err := kv.Put(o.index, append(p[:len(p):len(p)], id...), h[:]); err != nil {
			return err
		}
		k = append(append(p, h[:]...), id...)
	}
	return put(kv, o.bucket, k, val)
}

func (o ordered) delete(t tx, ref glacier.VaultRef, id string) error {
	kv := t.kv
	k := o.key(t, ref, id)
	if k == nil {
		return nil
	}
	if err := kv.Delete(o.bucket, k); err != nil {
		return err
	}
	p := vaultPrefix(ref)
	return kv.Delete(o.index, append(p, id...))
}

// list returns up to limit records from the one whose ID is from (all of
// them when from is ""; none when from is unknown).
func listFrom[T any](t tx, o ordered, ref glacier.VaultRef, from string, limit int) ([]*T, error) {
	p := vaultPrefix(ref)
	start := p
	if from != "" {
		if start = o.key(t, ref, from); start == nil {
			return nil, nil
		}
	}
	return list[T](t.kv, o.bucket, p, start, limit)
}

// archiveKey returns the record key of archive id of vault ref, or nil.
// The key of an archive the index holds is returned without a look at the
// record.
func archiveKey(t tx, ref glacier.VaultRef, id string) []byte {
	kv := t.kv
	if k := t.ids.lookup(kv, bArchives, vaultPrefix(ref), id); k != nil {
		return k
	}
	v := kv.Get(bArchiveIndex, append(scopeKey(ref.Scope), id...))
	if v == nil {
		return nil
	}
	name, head, timed := bytes.Cut(v, []byte("/"))
	if string(name) != ref.Name {
		return nil
	}
	k := vaultPrefix(ref)
	if timed {
		k = append(k, head...)
	}
	return append(k, id...)
}
