package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"permafrost/internal/glacier"
)

// The isolation cases check the contract of glacier.Store's Update and
// Batch: serializable transactions. Each races transactions shaped like
// the domain's (read, decide, write) and checks an invariant that a store
// at a weaker isolation (READ COMMITTED, or snapshot isolation without
// conflict checks) breaks: lost updates, an overrun limit, two winners.
// Each transaction pauses between its read and its write (work a real
// caller does: encoding, hashing), which widens the race on a weak store
// and only costs time on a correct one.

// IsolationCase races transactions on s and reports a broken invariant.
type IsolationCase func(ctx context.Context, s glacier.Store) error

// IsolationCases are the cases by name.
var IsolationCases = map[string]IsolationCase{
	"ConcurrentArchiveCount":  isoArchiveCount,
	"VaultLimitRace":          isoVaultLimit,
	"JobCompletedOnce":        isoJobOnce,
	"MultipartCompletedOnce":  isoMultipartOnce,
	"DeleteVaultRacingUpload": isoDeleteVaultRace,
}

// RunIsolation runs every isolation case on a fresh store each.
func RunIsolation(t *testing.T, newStore Factory) {
	for name, c := range IsolationCases {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			defer s.Close()
			if err := c(t.Context(), s); err != nil {
				t.Error(err)
			}
		})
	}
}

// pause is the work between a transaction's read and its write.
const pause = 2 * time.Millisecond

var errRefused = errors.New("refused by the transaction's own check")

// race runs n transactions at once, through Update and Batch alternately,
// and reports which succeeded; errors other than errRefused and
// ErrNotFound are returned.
func race(ctx context.Context, s glacier.Store, n int, fn func(i int, tx glacier.Tx) error) ([]bool, error) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	oks := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			err := runAs(ctx, s, i)(func(tx glacier.Tx) error { return fn(i, tx) })
			switch {
			case err == nil:
				oks[i] = true
			case errors.Is(err, errRefused), errors.Is(err, glacier.ErrNotFound):
			default:
				errs[i] = err
			}
		})
	}
	close(start)
	wg.Wait()
	return oks, errors.Join(errs...)
}

// runAs is Update for even i, Batch for odd.
func runAs(ctx context.Context, s glacier.Store, i int) func(func(glacier.Tx) error) error {
	return func(fn func(glacier.Tx) error) error {
		if i%2 == 1 {
			return s.Batch(ctx, fn)
		}
		return s.Update(ctx, fn)
	}
}

func count(oks []bool) int {
	n := 0
	for _, ok := range oks {
		if ok {
			n++
		}
	}
	return n
}

func isoVault(ctx context.Context, s glacier.Store, name string) error {
	return s.Update(ctx, func(tx glacier.Tx) error { return tx.PutVault(vault(scopeA, name)) })
}

// isoArchiveCount: many uploads counting into one vault lose no count.
func isoArchiveCount(ctx context.Context, s glacier.Store) error {
	ref := scopeA.Ref("count")
	if err := isoVault(ctx, s, "count"); err != nil {
		return err
	}
	const writers, each = 8, 5
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("a-%d-%d", w, i)
				err := runAs(ctx, s, w)(func(tx glacier.Tx) error {
					v, err := tx.Vault(ref)
					if err != nil {
						return err
					}
					time.Sleep(pause)
					v.Archives++
					v.Size += 10
					if err := tx.PutArchive(ref, &glacier.Archive{ID: id, Vault: ref.Name, Created: t0, Size: 10, TreeHash: "h"}); err != nil {
						return err
					}
					return tx.PutVault(v)
				})
				if err != nil {
					errc <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return err
	}
	return s.View(ctx, func(tx glacier.Tx) error {
		v, err := tx.Vault(ref)
		if err != nil {
			return err
		}
		n := 0
		if err := tx.ScanArchives(ref, glacier.ArchiveCursor{}, func(*glacier.Archive) bool { n++; return true }); err != nil {
			return err
		}
		if v.Archives != writers*each || v.Size != 10*writers*each || n != writers*each {
			return fmt.Errorf("after %d concurrent uploads: NumberOfArchives %d, SizeInBytes %d, %d archive records: updates were lost",
				writers*each, v.Archives, v.Size, n)
		}
		return nil
	})
}

// isoVaultLimit: CreateVault's count-then-insert never overruns the limit.
func isoVaultLimit(ctx context.Context, s glacier.Store) error {
	const limit, tries = 3, 12
	oks, err := race(ctx, s, tries, func(i int, tx glacier.Tx) error {
		n, err := tx.CountVaults(scopeA)
		if err != nil {
			return err
		}
		if n >= limit {
			return errRefused
		}
		time.Sleep(pause)
		return tx.PutVault(vault(scopeA, fmt.Sprintf("v%02d", i)))
	})
	if err != nil {
		return err
	}
	var n int
	if err := s.View(ctx, func(tx glacier.Tx) (err error) { n, err = tx.CountVaults(scopeA); return }); err != nil {
		return err
	}
	if ok := count(oks); n != limit || ok != limit {
		return fmt.Errorf("%d CreateVaults raced a limit of %d: %d succeeded, %d vaults exist", tries, limit, ok, n)
	}
	return nil
}

// isoJobOnce: of concurrent "complete this job if it is in progress", one
// wins.
func isoJobOnce(ctx context.Context, s glacier.Store) error {
	ref := scopeA.Ref("jobs")
	for round := range 5 {
		id := fmt.Sprint("job-", round)
		if err := s.Update(ctx, func(tx glacier.Tx) error {
			return tx.PutJob(ref, &glacier.Job{ID: id, Vault: ref.Name, Action: "InventoryRetrieval", Created: t0})
		}); err != nil {
			return err
		}
		oks, err := race(ctx, s, 4, func(i int, tx glacier.Tx) error {
			j, err := tx.Job(ref, id)
			if err != nil {
				return err
			}
			if !j.Completed.IsZero() {
				return errRefused
			}
			time.Sleep(pause)
			j.Completed, j.Status, j.StatusMessage = t0.Add(time.Hour), glacier.StatusSucceeded, fmt.Sprint("completer ", i)
			return tx.PutJob(ref, j)
		})
		if err != nil {
			return err
		}
		if ok := count(oks); ok != 1 {
			return fmt.Errorf("round %d: %d of 4 concurrent completions of one job succeeded, want exactly 1", round, ok)
		}
	}
	return nil
}

// isoMultipartOnce: of two concurrent Completes of one multipart upload,
// one creates the archive.
func isoMultipartOnce(ctx context.Context, s glacier.Store) error {
	ref := scopeA.Ref("mpu")
	if err := isoVault(ctx, s, "mpu"); err != nil {
		return err
	}
	const rounds = 5
	for round := range rounds {
		id := fmt.Sprint("upload-", round)
		if err := s.Update(ctx, func(tx glacier.Tx) error {
			return tx.PutUpload(ref, &glacier.Upload{ID: id, Vault: ref.Name, PartSize: 1 << 20, Created: t0})
		}); err != nil {
			return err
		}
		oks, err := race(ctx, s, 2, func(i int, tx glacier.Tx) error {
			u, err := tx.Upload(ref, id)
			if err != nil {
				return err
			}
			v, err := tx.Vault(ref)
			if err != nil {
				return err
			}
			time.Sleep(pause)
			if err := tx.DeleteUpload(ref, u.ID); err != nil {
				return err
			}
			a := &glacier.Archive{ID: fmt.Sprintf("%s-by-%d", id, i), Vault: ref.Name, Created: t0, Size: 1, TreeHash: "h"}
			if err := tx.PutArchive(ref, a); err != nil {
				return err
			}
			v.Archives++
			return tx.PutVault(v)
		})
		if err != nil {
			return err
		}
		if ok := count(oks); ok != 1 {
			return fmt.Errorf("round %d: %d of 2 concurrent Completes of one upload succeeded, want exactly 1", round, ok)
		}
	}
	return s.View(ctx, func(tx glacier.Tx) error {
		v, err := tx.Vault(ref)
		if err != nil {
			return err
		}
		n := 0
		if err := tx.ScanArchives(ref, glacier.ArchiveCursor{}, func(*glacier.Archive) bool { n++; return true }); err != nil {
			return err
		}
		if n != rounds || v.Archives != rounds {
			return fmt.Errorf("%d uploads completed twice each at once: %d archives, NumberOfArchives %d, want %d", rounds, n, v.Archives, rounds)
		}
		return nil
	})
}

// isoDeleteVaultRace: DeleteVault (of an empty vault) racing an upload
// into it: never both, so no archive outlives its vault and no deleted
// vault comes back.
func isoDeleteVaultRace(ctx context.Context, s glacier.Store) error {
	for round := range 8 {
		name := fmt.Sprint("dv-", round)
		ref := scopeA.Ref(name)
		if err := isoVault(ctx, s, name); err != nil {
			return err
		}
		oks, err := race(ctx, s, 2, func(i int, tx glacier.Tx) error {
			v, err := tx.Vault(ref)
			if err != nil {
				return err
			}
			time.Sleep(pause)
			if i == 0 { // DeleteVault: only when empty
				if v.Archives != 0 {
					return errRefused
				}
				if err := tx.DeleteVault(ref); err != nil {
					return err
				}
			} else { // UploadArchive
				if err := tx.PutArchive(ref, &glacier.Archive{ID: "a-" + name, Vault: name, Created: t0, Size: 1, TreeHash: "h"}); err != nil {
					return err
				}
				v.Archives++
				if err := tx.PutVault(v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		var exists bool
		var n, counted int
		if err := s.View(ctx, func(tx glacier.Tx) error {
			v, err := tx.Vault(ref)
			if exists = err == nil; exists {
				counted = int(v.Archives)
			}
			return tx.ScanArchives(ref, glacier.ArchiveCursor{}, func(*glacier.Archive) bool { n++; return true })
		}); err != nil {
			return err
		}
		if (oks[0] && oks[1]) || (exists && counted != n) || (!exists && n > 0) {
			return fmt.Errorf("round %d: DeleteVault raced an upload (deleted %v, uploaded %v): vault exists %v, NumberOfArchives %d, %d archive records",
				round, oks[0], oks[1], exists, counted, n)
		}
	}
	return nil
}
