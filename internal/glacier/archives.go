package glacier

import (
	"context"
	"errors"
)

// ArchiveResult is what a successful upload returns.
type ArchiveResult struct {
	ID       string
	TreeHash string
}

func checkDescription(d string) error {
	if !ValidDescription(d) {
		return invalid("Invalid archive description: the description must be at most %d printable ASCII characters (0x20-0x7E).", MaxDescriptionLen)
	}
	return nil
}

// checkUpload validates what an UploadArchive declares.
func checkUpload(description string, p Payload) error {
	if err := checkDescription(description); err != nil {
		return err
	}
	if p.TreeHash == "" {
		return Errorf(MissingParameterValue, "Required parameter missing: x-amz-sha256-tree-hash")
	}
	switch {
	case p.Size < 0:
		return Errorf(MissingParameterValue, "Required parameter missing: Content-Length")
	case p.Size == 0:
		return invalid("Invalid Content-Length: 0")
	case p.Size > MaxArchiveSize:
		return invalid("Invalid Content-Length: %d", p.Size)
	}
	return nil
}

// UploadArchive stores an archive of 1 byte to 4 GiB sent in one request.
//
// Its authorization (a WithAccess context's) comes first, as every
// operation's does, without a read of its own where it can: a large body
// is not read for a vault that is missing or not the caller's (one read
// authorizes and checks the vault); a small one is read first, and the
// batch that stores it checks the same (the store's authorization guard,
// then the vault), which saves a read transaction, a twentieth of a small
// upload's work. A request that is refused gets its refusal before any
// error of its own, and a body that is refused gets the missing vault's
// error before its own.
func (s *Service) UploadArchive(ctx context.Context, ref VaultRef, description string, p Payload) (ArchiveResult, error) {
	if err := checkUpload(description, p); err != nil {
		return ArchiveResult{}, s.refusedFirst(ctx, err)
	}
	early := !p.inline()
	if early {
		if _, err := s.viewVault(ctx, ref); err != nil {
			return ArchiveResult{}, err
		}
	}
	rec, err := s.receive(ctx, p)
	if err != nil {
		if !early {
			// Not cancelled with the request: a body cut short has ended it.
			if _, verr := s.viewVault(context.WithoutCancel(ctx), ref); verr != nil {
				return ArchiveResult{}, verr
			}
		}
		return ArchiveResult{}, err
	}
	now := s.clock.Now()
	a := &Archive{
		ID:          s.store.NewID(ArchiveIDLen, now),
		Vault:       ref.Name,
		Description: description,
		Created:     now,
		Size:        rec.seg.Size,
		TreeHash:    rec.tree.String(),
		Segments:    []Segment{rec.seg},
	}
	err = s.store.Batch(ctx, func(tx Tx) error {
		if err := rec.keep(tx); err != nil {
			return err
		}
		// addArchive may move the creation time (daily inventories): a
		// run that is rolled back and run again starts from the original.
		b := *a
		return s.addArchive(tx, ref, &b)
	})
	rec.release() // the store has its own copy by now
	if err != nil {
		s.discard(ctx, rec, err)
		return ArchiveResult{}, err
	}
	return ArchiveResult{ID: a.ID, TreeHash: a.TreeHash}, nil
}

// addArchive stores a and counts it in its vault.
func (s *Service) addArchive(tx Tx, ref VaultRef, a *Archive) error {
	v, err := loadVault(tx, ref)
	if err != nil {
		return err
	}
	if s.daily {
		a.Created = s.noteWrite(v, a.Created)
	}
	if err := tx.PutArchive(ref, a); err != nil {
		return err
	}
	v.Archives++
	v.Size += a.Size
	v.LastInventory = a.Created
	return tx.PutVault(v)
}

// DeleteArchive deletes an archive. Deleting one that is already gone
// succeeds; an archive of another vault is refused. Jobs already initiated
// keep their own reference to its bytes until they are due, and then fail
// (see complete); the deletion is remembered for DeletedArchiveWindow.
func (s *Service) DeleteArchive(ctx context.Context, ref VaultRef, id string) error {
	var dead []string
	err := s.store.Update(ctx, func(tx Tx) error {
		dead = nil
		v, err := loadVault(tx, ref)
		if err != nil {
			return err
		}
		a, err := tx.Archive(ref, id)
		if errors.Is(err, ErrNotFound) {
			if other, err := tx.ArchiveVault(ref.Scope, id); err == nil && other != ref.Name {
				return invalid("Invalid vault name: %s", ref.ARN())
			}
			return nil
		}
		if err != nil {
			return err
		}
		if dead, err = release(tx, a.Segments); err != nil {
			return err
		}
		now := s.clock.Now()
		if s.daily {
			// The last inventory still lists the archive: keep its
			// tombstone until a later inventory is taken.
			now = s.noteWrite(v, now)
			a.Deleted, a.Segments = now, nil
			v.Inv.Tombstones++
			err = tx.BuryArchive(ref, a)
		} else {
			err = tx.DeleteArchive(ref, id)
		}
		if err != nil {
			return err
		}
		del := &ArchiveDeletion{ID: id, Created: a.Created, Deleted: s.clock.Now(), Size: a.Size, TreeHash: a.TreeHash, Description: a.Description}
		if err := tx.PutArchiveDeletion(ref, del); err != nil {
			return err
		}
		v.Archives--
		v.Size -= a.Size
		v.LastInventory = now
		return tx.PutVault(v)
	})
	if err == nil {
		s.deleteBlobs(ctx, dead)
	}
	return err
}

// SweepArchiveDeletions forgets deleted archives older than
// DeletedArchiveWindow: retrieval jobs for them are 404 from then on.
func (s *Service) SweepArchiveDeletions(ctx context.Context) (int, error) {
	before := s.clock.Now().Add(-DeletedArchiveWindow)
	var n int
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		n, err = tx.TrimArchiveDeletions(before)
		return err
	})
	return n, err
}
