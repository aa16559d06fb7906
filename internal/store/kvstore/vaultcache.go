package kvstore

import (
	"bytes"
	"maps"
	"slices"
	"sync"

	"permafrost/internal/glacier"
)

// vaultMemo remembers the decoding of each vault record. It is keyed by the
// record's exact bytes, so it can never return stale data: a record that
// changed (or a write that was rolled back) simply misses. DescribeVault,
// the hottest read, then costs a byte comparison and a copy instead of a
// JSON decode.
//
// Each vault keeps three versions: the two last written (PutVault's fresh
// encodings) and the one last decoded from a read. Under a stream of
// uploads the committer writes one record after another while readers
// still see the last committed one, and with one version each side
// evicted the other's, so that nearly every read and write decoded JSON.
// With one written version, readers still decoded once per batch: the
// committer writes the next batch's record before that batch is synced,
// and until then readers see the record written before it. Keeping that
// one as well, readers decode only what someone else wrote (another
// process, or a record too large to keep).
type vaultMemo struct {
	m  sync.Map   // string(key) -> *memoEntry; read without locking
	mu sync.Mutex // serializes stores, so that none drops another's slot
}

// memoEntry is immutable once stored: a change stores a new entry.
type memoEntry struct {
	raw [3][]byte // [written], [previous] and [read]; nil when unused
	v   [3]*glacier.Vault
}

const (
	written  = 0
	previous = 1 // the version written before [written]
	read     = 2
)

const maxMemoRecord = 4 << 10 // larger records (big policies) are decoded each time

func (vm *vaultMemo) get(key, raw []byte) (*glacier.Vault, bool) {
	e, ok := vm.m.Load(string(key))
	if !ok {
		return nil, false
	}
	me := e.(*memoEntry)
	for i, r := range me.raw {
		if r != nil && bytes.Equal(r, raw) {
			return cloneVault(me.v[i]), true
		}
	}
	return nil, false
}

// put remembers v as the decoding of raw, a record read from the engine
// (a copy is kept: the engine's slice ends with its transaction).
func (vm *vaultMemo) put(key, raw []byte, v *glacier.Vault) {
	if len(raw) <= maxMemoRecord {
		vm.store(key, read, bytes.Clone(raw), v)
	}
}

// keep remembers v as the decoding of raw, a fresh encoding that no one
// will modify, so the memo keeps raw itself: the memo only compares it,
// and the engine only reads it (bbolt holds the slice until its commit).
func (vm *vaultMemo) keep(key, raw []byte, v *glacier.Vault) {
	if len(raw) <= maxMemoRecord {
		vm.store(key, written, raw, v)
	}
}

// store replaces one slot of key's entry, keeping the others; a new
// written version moves the one before it to [previous]. Stores are few
// (the committer's writes, once per batch, and readers' rare misses), so
// they take a lock; gets never do.
func (vm *vaultMemo) store(key []byte, slot int, raw []byte, v *glacier.Vault) {
	ne, c := &memoEntry{}, cloneVault(v)
	k := string(key)
	vm.mu.Lock()
	defer vm.mu.Unlock()
	if e, ok := vm.m.Load(k); ok {
		*ne = *e.(*memoEntry)
	}
	if slot == written {
		ne.raw[previous], ne.v[previous] = ne.raw[written], ne.v[written]
	}
	ne.raw[slot], ne.v[slot] = raw, c
	vm.m.Store(k, ne)
}

func (vm *vaultMemo) forget(key []byte) {
	vm.mu.Lock()
	defer vm.mu.Unlock()
	vm.m.Delete(string(key))
}

// cloneVault deep-copies v so callers may modify what they get.
func cloneVault(v *glacier.Vault) *glacier.Vault {
	c := *v
	c.Tags = maps.Clone(v.Tags)
	if v.Notifications != nil {
		n := *v.Notifications
		n.Events = slices.Clone(n.Events)
		c.Notifications = &n
	}
	if v.Lock != nil {
		l := *v.Lock
		c.Lock = &l
	}
	if v.Inv != nil {
		st := *v.Inv
		c.Inv = &st
	}
	return &c
}
