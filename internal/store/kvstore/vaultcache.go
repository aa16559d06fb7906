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
type vaultMemo struct {
	m sync.Map // string(key) -> *memoEntry
}

type memoEntry struct {
	raw []byte
	v   *glacier.Vault
}

const maxMemoRecord = 4 << 10 // larger records (big policies) are decoded each time

func (vm *vaultMemo) get(key, raw []byte) (*glacier.Vault, bool) {
	e, ok := vm.m.Load(string(key))
	if !ok {
		return nil, false
	}
	me := e.(*memoEntry)
	if !bytes.Equal(me.raw, raw) {
		return nil, false
	}
	return cloneVault(me.v), true
}

// put remembers v as the decoding of raw, a record read from the engine
// (a copy is kept: the engine's slice ends with its transaction).
func (vm *vaultMemo) put(key, raw []byte, v *glacier.Vault) {
	if len(raw) <= maxMemoRecord {
		vm.keep(key, bytes.Clone(raw), v)
	}
}

// keep is put for a raw that no one will modify: the memo keeps raw itself.
// PutVault's fresh encoding is one; the memo only compares it, and the
// engine only reads it (bbolt holds the slice until its commit).
func (vm *vaultMemo) keep(key, raw []byte, v *glacier.Vault) {
	if len(raw) > maxMemoRecord {
		return
	}
	vm.m.Store(string(key), &memoEntry{raw: raw, v: cloneVault(v)})
}

func (vm *vaultMemo) forget(key []byte) { vm.m.Delete(string(key)) }

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
