package glacier

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// This file holds the reads of the web console (internal/console): views
// across scopes and cursor pages that the Glacier API itself has no
// operation for. They report what the API reports (DescribeVault's
// figures, ListTagsForVault's tags, GetVaultLock's state) and change
// nothing.

// VaultSummary is a vault as the console lists it.
type VaultSummary struct {
	Scope
	VaultInfo
	Tags map[string]string
	// LockState is "" without a lock policy, else LockInProgress or
	// LockLocked, as GetVaultLock reports it.
	LockState string
}

// BrowseVaults returns the vaults of every scope, newest first (ties in
// order of account, region and name), from the offset-th, at most limit,
// and how many vaults there are in all. Each scope holds at most
// MaxVaults, so the scan is bounded by the number of scopes in use.
func (s *Service) BrowseVaults(ctx context.Context, offset, limit int) ([]VaultSummary, int, error) {
	var all []*Vault
	err := s.store.View(ctx, func(tx Tx) error {
		all = all[:0]
		return tx.ScanAllVaults(func(v *Vault) bool {
			all = append(all, v)
			return true
		})
	})
	if err != nil {
		return nil, 0, err
	}
	slices.SortFunc(all, func(a, b *Vault) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Name, b.Name))
	})
	total := len(all)
	offset = min(max(offset, 0), total)
	page := all[offset:min(offset+max(limit, 0), total)]
	now := s.clock.Now()
	out := make([]VaultSummary, len(page))
	for i, v := range page {
		out[i] = VaultSummary{Scope: v.Ref().Scope, VaultInfo: s.info(v, now), Tags: v.Tags}
		if out[i].Tags == nil {
			out[i].Tags = map[string]string{}
		}
		if l := activeLock(v, now); l != nil {
			out[i].LockState = LockInProgress
			if l.Locked {
				out[i].LockState = LockLocked
			}
		}
	}
	return out, total, nil
}

// ArchiveInfo is an archive as the console and inventories list it.
type ArchiveInfo struct {
	ID          string
	Description string
	Created     time.Time
	Size        int64
	TreeHash    string
}

// BrowseArchives returns at most limit of the vault's archives in creation
// order from the cursor from (the zero cursor is the start), and the
// cursor of the next page (zero after the last). It reads through the
// store's cursor scan, so a page costs the same in a vault of a million
// archives as in one of ten. These are the vault's archives now, as the
// next inventory will list them.
func (s *Service) BrowseArchives(ctx context.Context, ref VaultRef, from ArchiveCursor, limit int) ([]ArchiveInfo, ArchiveCursor, error) {
	limit = max(limit, 1)
	var out []ArchiveInfo
	var next ArchiveCursor
	err := s.store.View(ctx, func(tx Tx) error {
		out, next = out[:0], ArchiveCursor{}
		if _, err := loadVault(tx, ref); err != nil {
			return err
		}
		return tx.ScanArchives(ref, from, func(a *Archive) bool {
			if len(out) == limit {
				next = ArchiveCursor{Created: a.Created, ID: a.ID}
				return false
			}
			out = append(out, ArchiveInfo{ID: a.ID, Description: a.Description, Created: a.Created, Size: a.Size, TreeHash: a.TreeHash})
			return true
		})
	})
	if err != nil {
		return nil, ArchiveCursor{}, err
	}
	return out, next, nil
}
