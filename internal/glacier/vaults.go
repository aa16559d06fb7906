package glacier

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// VaultInfo is what DescribeVault and ListVaults report about a vault.
type VaultInfo struct {
	ARN              string
	Name             string
	Created          time.Time
	LastInventory    *time.Time
	NumberOfArchives int64
	SizeInBytes      int64
}

// info reports v as of now: its live state, or with daily inventories its
// last inventory. SizeInBytes counts the per-archive overhead.
func (s *Service) info(v *Vault, now time.Time) VaultInfo {
	date, n, size := v.LastInventory, v.Archives, v.Size
	if s.daily {
		date, n, size = v.lastInventory(now)
	}
	in := VaultInfo{
		ARN:              v.Ref().ARN(),
		Name:             v.Name,
		Created:          v.Created,
		NumberOfArchives: n,
		SizeInBytes:      size + n*s.overhead,
	}
	if !date.IsZero() {
		in.LastInventory = &date
	}
	return in
}

// CreateVault creates a vault; creating an existing vault succeeds and
// changes nothing.
func (s *Service) CreateVault(ctx context.Context, ref VaultRef) error {
	if !ValidVaultName(ref.Name) {
		return invalid("The vault name is invalid: %s. Vault names must be 1 to 255 characters long and may contain only a-z, A-Z, 0-9, '_' (underscore), '-' (hyphen), and '.' (period).", ref.Name)
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Vault(ref); err == nil {
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		n, err := tx.CountVaults(ref.Scope)
		if err != nil {
			return err
		}
		if n >= MaxVaults {
			return Errorf(LimitExceeded, "The maximum number of vaults (%d) has been reached for account %s in region %s.", MaxVaults, ref.Account, ref.Region)
		}
		return tx.PutVault(&Vault{
			Account: ref.Account,
			Region:  ref.Region,
			Name:    ref.Name,
			Created: s.clock.Now(),
			Tags:    map[string]string{},
		})
	})
}

// DescribeVault returns a vault's information.
func (s *Service) DescribeVault(ctx context.Context, ref VaultRef) (VaultInfo, error) {
	v, err := s.viewVault(ctx, ref)
	if err != nil {
		return VaultInfo{}, err
	}
	return s.info(v, s.clock.Now()), nil
}

// ListVaultsInput selects a page of ListVaults. Limit and Marker are the raw
// query values ("" when absent).
type ListVaultsInput struct {
	Limit  string
	Marker string
}

// ListVaultsOutput is one page of vaults; Marker is "" on the last page.
type ListVaultsOutput struct {
	Vaults []VaultInfo
	Marker string
}

// ListVaults lists the scope's vaults in ASCII order of name. The marker is
// the ARN of the first vault of the page (inclusive), as the service's own
// example shows.
func (s *Service) ListVaults(ctx context.Context, scope Scope, in ListVaultsInput) (ListVaultsOutput, error) {
	limit, err := parseLimit(in.Limit, DefaultListVaults, MaxListVaults)
	if err != nil {
		return ListVaultsOutput{}, err
	}
	from := ""
	if in.Marker != "" {
		prefix := scope.Ref("").ARN()
		if !strings.HasPrefix(in.Marker, prefix) || !ValidVaultName(in.Marker[len(prefix):]) {
			return ListVaultsOutput{}, invalid("Invalid marker: %s", in.Marker)
		}
		from = in.Marker[len(prefix):]
	}
	var out ListVaultsOutput
	now := s.clock.Now()
	err = s.store.View(ctx, func(tx Tx) error {
		vs, err := tx.ListVaults(scope, from, limit+1)
		if err != nil {
			return err
		}
		if len(vs) > limit {
			out.Marker = vs[limit].Ref().ARN()
			vs = vs[:limit]
		}
		out.Vaults = make([]VaultInfo, len(vs))
		for i, v := range vs {
			out.Vaults[i] = s.info(v, now)
		}
		return nil
	})
	return out, err
}

// DeleteVault deletes a vault that holds no archives, with its policies,
// tags and notification configuration.
func (s *Service) DeleteVault(ctx context.Context, ref VaultRef) error {
	var dead []string
	err := s.store.Update(ctx, func(tx Tx) error {
		dead = nil
		v, err := loadVault(tx, ref)
		if err != nil {
			return err
		}
		if s.daily && !v.LastInventory.IsZero() {
			// Written to: deletable once the last inventory is empty
			// and nothing was written after it.
			date, n, _ := v.lastInventory(s.clock.Now())
			if date.IsZero() || n > 0 || v.LastInventory.After(date) {
				return invalid("Vault not empty or recently written to: %s", ref.ARN())
			}
		}
		if v.Archives > 0 {
			return invalid("Vault not empty or recently written to: %s", ref.ARN())
		}
		if v.Inv != nil && v.Inv.Tombstones > 0 {
			if err := dropTombstones(tx, ref); err != nil {
				return err
			}
		}
		// Jobs and uploads go with the vault, so that a new vault of the
		// same name starts empty.
		if dead, err = dropVaultJobsAndUploads(tx, ref); err != nil {
			return err
		}
		return tx.DeleteVault(ref)
	})
	if err == nil {
		s.deleteBlobs(ctx, dead)
	}
	return err
}

// dropVaultJobsAndUploads deletes a vault's jobs and multipart uploads and
// releases the bytes they hold.
func dropVaultJobsAndUploads(tx Tx, ref VaultRef) ([]string, error) {
	var dead []string
	jobs, err := tx.ListJobs(ref, "", 0)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		d, err := dropJob(tx, ref, j)
		if err != nil {
			return nil, err
		}
		dead = append(dead, d...)
	}
	uploads, err := tx.ListUploads(ref, "", 0)
	if err != nil {
		return nil, err
	}
	for _, u := range uploads {
		d, err := dropUpload(tx, ref, u.ID)
		if err != nil {
			return nil, err
		}
		dead = append(dead, d...)
	}
	return dead, nil
}

// parseLimit validates a raw limit query value: "" gives def; anything but
// a positive decimal integer is rejected; values above max are clamped.
func parseLimit(raw string, def, max int) (int, error) {
	if raw == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 1 || raw[0] == '+' {
		return 0, invalid("Invalid limit: %s. The limit must be a positive integer.", raw)
	}
	if n > int64(max) {
		return max, nil
	}
	return int(n), nil
}
