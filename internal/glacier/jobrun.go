package glacier

import (
	"context"
	"errors"
	"fmt"
	"io"

	"permafrost/internal/inventory"
	"permafrost/internal/treehash"
)

// outcome is what completing a job produced, prepared outside the
// transaction that records it.
type outcome struct {
	status, message string
	treeHash        string
	output          *received
	nextMarker      string
	// A select job's bytes scanned and returned.
	scanned, returned int64
	selectErr         *SelectError
}

// complete completes a due job: it prepares the output (the inventory, or
// the checksum of a retrieved range), records the job as done and queues
// its notifications. Completing a job twice is harmless.
//
// A read that finds a job due completes it on the way, so when the store
// cannot record the completion (a full disk), the read must still answer:
// the failure is logged and the job returned is nil (it is shown as
// stored, in progress, and completed by a later attempt). Only the
// job's own absence is an error.
//
// Only the holder of the job's lease (JobLease) prepares it: a read that
// finds another process completing the job waits for it (at most until
// the lease expires, when it takes the job over); the scheduler (wait
// false) leaves it and returns the job as it is.
func (s *Service) complete(ctx context.Context, ref VaultRef, id string) (*Job, error) {
	// The work is the job's, not the asking request's: the request's end
	// does not cancel it (its values, such as a deadline's absence, stay).
	return s.completeJob(context.WithoutCancel(ctx), ref, id, true)
}

func (s *Service) completeJob(ctx context.Context, ref VaultRef, id string, wait bool) (*Job, error) {
	j, err := s.tryComplete(ctx, ref, id, wait)
	if err != nil && !errors.Is(err, ErrNotFound) {
		s.log.Warn("a due job could not be completed now; it stays in progress until a later attempt", "job", id, "err", err)
		return nil, nil
	}
	return j, err
}

func (s *Service) tryComplete(ctx context.Context, ref VaultRef, id string, wait bool) (*Job, error) {
	name := jobLeaseName(ref, id)
	j, held, err := s.claimJob(ctx, ref, id, name, wait)
	if err != nil || !held {
		return j, err
	}
	defer s.working.Delete(name)
	// This Service holds the job's lease: it alone prepares the output,
	// renewing the lease while it works (if this process dies, the lease
	// expires and another takes the job over).
	out, err := s.prepareLeased(ctx, ref, j, name)
	if err != nil {
		if rerr := s.ReleaseLease(context.WithoutCancel(ctx), name); rerr != nil {
			s.log.Warn("releasing a job's lease", "job", id, "err", rerr)
		}
		return nil, err
	}
	var dead []string
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Job(ref, id)
		if err != nil {
			return err
		}
		if cur.done() {
			j = cur
			return errAlreadyDone
		}
		j = cur
		j.Completed, j.Status, j.StatusMessage = j.Due, out.status, out.message
		j.TreeHash, j.NextMarker = out.treeHash, out.nextMarker
		if j.Select != nil {
			j.Select.Scanned, j.Select.Returned, j.Select.Error = out.scanned, out.returned, out.selectErr
		}
		dead = nil
		if j.Action == ActionArchiveRetrieval || j.Action == ActionSelect {
			gone, err := archiveGone(tx, ref, j.ArchiveID)
			if err != nil {
				return err
			}
			if gone {
				// Deleted while the job was in progress (or before it
				// began): the job fails and lets go of the bytes.
				j.Status, j.StatusMessage, j.TreeHash = StatusFailed, archiveDeletedMessage, ""
				if dead, err = release(tx, j.Segments); err != nil {
					return err
				}
				j.Segments = nil
			}
		}
		if out.output != nil {
			if err := out.output.keep(tx); err != nil {
				return err
			}
			j.Output = out.output.seg
		}
		if err := s.queueNotifications(tx, ref, j); err != nil {
			return err
		}
		// Whoever holds the lease now (this Service, or one that took an
		// expired lease over) has nothing left to do.
		if err := tx.DeleteLease(name); err != nil {
			return err
		}
		return tx.PutJob(ref, j)
	})
	if err != nil {
		// Lost the race to another completer, or failed: either way the
		// prepared output is not referenced.
		if out.output != nil {
			s.discard(ctx, *out.output, err)
		}
		if errors.Is(err, errAlreadyDone) {
			return j, nil
		}
		return j, err
	}
	s.deleteBlobs(ctx, dead)
	s.wake()
	return j, nil
}

var errAlreadyDone = errors.New("job already completed")

// archiveDeletedMessage is the StatusMessage of a retrieval job whose
// archive was deleted before the job completed. AWS documents that such a
// job fails, not its message: the wording is permafrost's.
const archiveDeletedMessage = "The archive was deleted before the job completed, so its data could not be retrieved."

// archiveGone reports whether the archive a retrieval job names no longer
// exists.
func archiveGone(tx Tx, ref VaultRef, id string) (bool, error) {
	_, err := tx.Archive(ref, id)
	if errors.Is(err, ErrNotFound) {
		return true, nil
	}
	return false, err
}

// A job whose output cannot be stored (a full disk) is not completed: it
// stays InProgress, the error is returned, and a later attempt completes
// it. Only what no retry can change (unreadable archive bytes) fails it.
// prepareLeased is prepare while the job's lease is renewed; the renewal
// stops however prepare ends (a goroutine that dies in it included).
func (s *Service) prepareLeased(ctx context.Context, ref VaultRef, j *Job, lease string) (outcome, error) {
	defer s.keepLease(ctx, lease, s.jobLease)()
	return s.prepare(ctx, ref, j)
}

func (s *Service) prepare(ctx context.Context, ref VaultRef, j *Job) (outcome, error) {
	ok := outcome{status: StatusSucceeded, message: StatusSucceeded}
	if j.Fault != nil && j.Fault.Fail != "" {
		// An injected failure: no output is prepared.
		return outcome{status: StatusFailed, message: j.Fault.Fail}, nil
	}
	switch j.Action {
	case ActionArchiveRetrieval:
		var gone bool
		if err := s.store.View(ctx, func(tx Tx) error {
			var err error
			gone, err = archiveGone(tx, ref, j.ArchiveID)
			return err
		}); err != nil {
			return outcome{}, err
		}
		switch {
		case gone:
			// complete fails the job (no hashing of bytes it will not keep).
		case j.RangeStart == 0 && j.RangeEnd == j.ArchiveSize-1:
			ok.treeHash = j.ArchiveTreeHash
		case j.rangeAligned():
			h, err := s.rangeTreeHash(ctx, j.Segments, j.RangeStart, j.RangeEnd)
			if err != nil {
				s.log.Error("job failed", "job", j.ID, "err", err)
				return outcome{status: StatusFailed, message: "The archive data could not be read."}, nil
			}
			ok.treeHash = h
		}
	case ActionInventoryRetrieval:
		rec, next, err := s.buildInventory(ctx, ref, j)
		if err != nil {
			return outcome{}, fmt.Errorf("storing the inventory of job %s: %w", j.ID, err)
		}
		ok.output, ok.nextMarker = &rec, next
	case ActionSelect:
		var gone bool
		if err := s.store.View(ctx, func(tx Tx) error {
			var err error
			gone, err = archiveGone(tx, ref, j.ArchiveID)
			return err
		}); err != nil || gone {
			return ok, err // complete fails a job whose archive is gone
		}
		return s.runSelect(ctx, ref, j)
	}
	return ok, nil
}

// rangeTreeHash computes the tree hash of bytes [start, end] of segs.
func (s *Service) rangeTreeHash(ctx context.Context, segs []Segment, start, end int64) (string, error) {
	sr, err := s.openSegments(ctx, segs)
	if err != nil {
		return "", err
	}
	defer sr.Close()
	// Completing a job belongs to no request: nothing cancels it.
	return sectionTreeHash(context.Background(), sr, start, end-start+1)
}

// hashChunk is how much sectionTreeHash reads between looks at its context.
const hashChunk = 256 << 10

// sectionTreeHash returns the tree hash of n bytes of r from offset off. It
// stops with ctx's error as soon as ctx is done, so that a download whose
// client has gone does not go on hashing a range of up to 40 TiB.
func sectionTreeHash(ctx context.Context, r io.ReaderAt, off, n int64) (string, error) {
	w := treehash.New()
	defer w.Close()
	buf := make([]byte, min(n, hashChunk))
	for done := int64(0); done < n; {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		k, err := r.ReadAt(buf[:min(int64(len(buf)), n-done)], off+done)
		w.Write(buf[:k])
		done += int64(k)
		if err == io.EOF && done < n {
			err = io.ErrUnexpectedEOF
		}
		if err != nil && err != io.EOF {
			return "", err
		}
	}
	return w.Sum().String(), nil
}

// countingWriter counts what passes through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// buildInventory writes the vault's inventory, as of now, to a blob.
func (s *Service) buildInventory(ctx context.Context, ref VaultRef, j *Job) (received, string, error) {
	bw, err := s.store.Blobs().Create(ctx)
	if err != nil {
		return received{}, "", err
	}
	cw := &countingWriter{w: bw}
	var iw inventory.Writer
	next := ""
	err = s.store.View(ctx, func(tx Tx) error {
		// Live: the archives of the moment the job is due. Daily: the
		// vault's last inventory when the job is due, or a later one if
		// one was recorded before the job completed (the tombstones an
		// older one needs may be gone).
		date, scan, visible := j.Due, tx.ScanArchives, func(*Archive) bool { return true }
		if s.daily {
			v, err := loadVault(tx, ref)
			if err != nil {
				return err
			}
			if d, _, _ := v.lastInventory(j.Due); !d.IsZero() {
				if v.Inv != nil && v.Inv.Date.After(d) {
					d = v.Inv.Date
				}
				date, scan = d, tx.ScanArchiveHistory
				visible = func(a *Archive) bool { return inSnapshot(a, d) }
			}
		}
		var err error
		if j.Format == FormatCSV {
			iw, err = inventory.NewCSV(cw)
		} else {
			iw, err = inventory.NewJSON(cw, ref.ARN(), date)
		}
		if err != nil {
			return err
		}
		var n int64
		var werr error
		err = scan(ref, ArchiveCursor{Created: j.MarkerFrom, ID: j.Marker}, func(a *Archive) bool {
			if !visible(a) {
				return true
			}
			if j.StartDate != nil && a.Created.Before(*j.StartDate) || j.EndDate != nil && !a.Created.Before(*j.EndDate) {
				return true
			}
			if j.Limit > 0 && n == j.Limit {
				next = a.ID
				return false
			}
			n++
			werr = iw.Add(inventory.Entry{ArchiveID: a.ID, Description: a.Description, Created: a.Created, Size: a.Size, TreeHash: a.TreeHash})
			return werr == nil
		})
		if err == nil {
			err = werr
		}
		return err
	})
	if err == nil {
		err = iw.Close()
	}
	if err != nil {
		bw.Abort()
		return received{}, "", err
	}
	id, err := bw.Commit()
	if err != nil {
		return received{}, "", err
	}
	return received{seg: Segment{Blob: id, Size: cw.n}}, next, nil
}
