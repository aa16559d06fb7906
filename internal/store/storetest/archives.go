package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"permafrost/internal/glacier"
)

func testArchives(t *testing.T, s glacier.Store) {
	ref := scopeA.Ref("v")
	// IDs carry no order: creation time does (c-3, b-2, a-1, -d-4).
	created := map[string]time.Time{"b-2": t0.Add(time.Hour), "a-1": t0.Add(2 * time.Hour), "c-3": t0, "-d-4": t0.Add(3 * time.Hour)}
	mustUpdate(t, s, func(tx glacier.Tx) error {
		for _, id := range []string{"b-2", "a-1", "c-3", "-d-4"} {
			a := &glacier.Archive{ID: id, Vault: "v", Size: 7, TreeHash: "h", Created: created[id],
				Segments: []glacier.Segment{{Blob: "blob-" + id, Size: 7}}}
			if err := tx.PutArchive(ref, a); err != nil {
				return err
			}
		}
		return tx.PutArchive(scopeA.Ref("v2"), &glacier.Archive{ID: "z-9", Vault: "v2"})
	})
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		a, err := tx.Archive(ref, "a-1")
		if err != nil || a.Size != 7 || len(a.Segments) != 1 || a.Segments[0].Blob != "blob-a-1" {
			t.Errorf("Archive = %+v, %v", a, err)
		}
		if _, err := tx.Archive(ref, "z-9"); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("archive of another vault visible: %v", err)
		}
		if v, err := tx.ArchiveVault(scopeA, "z-9"); err != nil || v != "v2" {
			t.Errorf("ArchiveVault = %q, %v", v, err)
		}
		if _, err := tx.ArchiveVault(scopeB, "z-9"); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("archive index leaked across regions")
		}
		scanFrom := func(c glacier.ArchiveCursor) string {
			var got []string
			if err := tx.ScanArchives(ref, c, func(a *glacier.Archive) bool { got = append(got, a.ID); return true }); err != nil {
				t.Errorf("ScanArchives(%+v): %v", c, err)
			}
			return strings.Join(got, " ")
		}
		if got := scanFrom(glacier.ArchiveCursor{}); got != "c-3 b-2 a-1 -d-4" {
			t.Errorf("ScanArchives from the start = %q, want creation order", got)
		}
		if got := scanFrom(glacier.ArchiveCursor{ID: "b-2", Created: created["b-2"]}); got != "b-2 a-1 -d-4" {
			t.Errorf("ScanArchives from b-2 = %q", got)
		}
		// An archive that is gone: its place in creation order.
		if got := scanFrom(glacier.ArchiveCursor{ID: "x-0", Created: t0.Add(90 * time.Minute)}); got != "a-1 -d-4" {
			t.Errorf("ScanArchives from a deleted archive = %q", got)
		}
		return nil
	})
	mustUpdate(t, s, func(tx glacier.Tx) error { return tx.DeleteArchive(ref, "a-1") })
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		if _, err := tx.Archive(ref, "a-1"); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("deleted archive: %v", err)
		}
		if _, err := tx.ArchiveVault(scopeA, "a-1"); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("deleted archive still indexed")
		}
		return nil
	})
}

// testTombstones: a buried archive is gone for Archive, ArchiveVault and
// ScanArchives, but ScanArchiveHistory still lists it with its deletion
// time, until DeleteArchive removes it.
func testTombstones(t *testing.T, s glacier.Store) {
	ref := scopeA.Ref("tv")
	mustUpdate(t, s, func(tx glacier.Tx) error {
		for _, id := range []string{"t-1", "t-2"} {
			if err := tx.PutArchive(ref, &glacier.Archive{ID: id, Vault: "tv", Size: 3, TreeHash: "h", Created: t0,
				Segments: []glacier.Segment{{Blob: "blob-" + id, Size: 3}}}); err != nil {
				return err
			}
		}
		return tx.BuryArchive(ref, &glacier.Archive{ID: "t-1", Vault: "tv", Size: 3, TreeHash: "h", Created: t0, Deleted: t0.Add(time.Hour)})
	})
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		if _, err := tx.Archive(ref, "t-1"); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("tombstone visible to Archive: %v", err)
		}
		if _, err := tx.ArchiveVault(scopeA, "t-1"); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("tombstone still indexed: %v", err)
		}
		var live, all []string
		_ = tx.ScanArchives(ref, glacier.ArchiveCursor{}, func(a *glacier.Archive) bool { live = append(live, a.ID); return true })
		var deleted time.Time
		_ = tx.ScanArchiveHistory(ref, glacier.ArchiveCursor{}, func(a *glacier.Archive) bool {
			all = append(all, a.ID)
			if a.ID == "t-1" {
				deleted = a.Deleted
			}
			return true
		})
		if len(live) != 1 || live[0] != "t-2" || len(all) != 2 || !deleted.Equal(t0.Add(time.Hour)) {
			t.Errorf("ScanArchives = %v, ScanArchiveHistory = %v (deleted %v)", live, all, deleted)
		}
		return nil
	})
	mustUpdate(t, s, func(tx glacier.Tx) error { return tx.DeleteArchive(ref, "t-1") })
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		n := 0
		_ = tx.ScanArchiveHistory(ref, glacier.ArchiveCursor{}, func(*glacier.Archive) bool { n++; return true })
		if n != 1 {
			t.Errorf("%d records after deleting the tombstone, want 1", n)
		}
		return nil
	})
}

func testDeletions(t *testing.T, s glacier.Store) {
	a, b := scopeA.Ref("v"), scopeC.Ref("v")
	mustUpdate(t, s, func(tx glacier.Tx) error {
		for i, ref := range []glacier.VaultRef{a, b, a} {
			d := &glacier.ArchiveDeletion{ID: fmt.Sprint("arch", i), Deleted: t0.Add(time.Duration(i) * time.Hour), Size: int64(i + 1), TreeHash: "h", Description: "d"}
			if err := tx.PutArchiveDeletion(ref, d); err != nil {
				return err
			}
		}
		return nil
	})
	err := s.View(t.Context(), func(tx glacier.Tx) error {
		d, err := tx.ArchiveDeletion(a, "arch2")
		if err != nil || d.Size != 3 || !d.Deleted.Equal(t0.Add(2*time.Hour)) || d.TreeHash != "h" || d.Description != "d" {
			return fmt.Errorf("ArchiveDeletion = %+v, %v", d, err)
		}
		if _, err := tx.ArchiveDeletion(b, "arch0"); !errors.Is(err, glacier.ErrNotFound) {
			return fmt.Errorf("another scope's deletion: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	mustUpdate(t, s, func(tx glacier.Tx) error {
		var err error
		n, err = tx.TrimArchiveDeletions(t0.Add(90 * time.Minute))
		return err
	})
	if n != 2 {
		t.Fatalf("TrimArchiveDeletions forgot %d, want 2", n)
	}
	err = s.View(t.Context(), func(tx glacier.Tx) error {
		for _, c := range []struct {
			ref  glacier.VaultRef
			id   string
			kept bool
		}{{a, "arch0", false}, {b, "arch1", false}, {a, "arch2", true}} {
			_, err := tx.ArchiveDeletion(c.ref, c.id)
			if c.kept && err != nil || !c.kept && !errors.Is(err, glacier.ErrNotFound) {
				return fmt.Errorf("%s after the trim: %v (kept %v)", c.id, err, c.kept)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testIssuedIDs: records under IDs the store issued are found, listed in
// creation order (which the IDs do not give), located by ArchiveVault and
// deleted, like records under IDs it did not issue.
func testIssuedIDs(t *testing.T, s glacier.Store) {
	ref, other := scopeA.Ref("v"), scopeA.Ref("w")
	var archives, jobs, uploads []string
	mustUpdate(t, s, func(tx glacier.Tx) error {
		for _, v := range []glacier.VaultRef{ref, other} {
			if err := tx.PutVault(vault(v.Scope, v.Name)); err != nil {
				return err
			}
		}
		for i := range 40 {
			at := t0.Add(time.Duration(i) * time.Second)
			a := &glacier.Archive{ID: s.NewID(glacier.ArchiveIDLen, at), Vault: "v", Created: at, Size: int64(i)}
			j := &glacier.Job{ID: s.NewID(glacier.JobIDLen, at), Vault: "v", Created: at}
			u := &glacier.Upload{ID: s.NewID(glacier.UploadIDLen, at), Vault: "v", Created: at}
			archives, jobs, uploads = append(archives, a.ID), append(jobs, j.ID), append(uploads, u.ID)
			if err := tx.PutArchive(ref, a); err != nil {
				return err
			}
			if err := tx.PutJob(ref, j); err != nil {
				return err
			}
			if err := tx.PutUpload(ref, u); err != nil {
				return err
			}
		}
		return nil
	})
	for _, ids := range [][]string{archives, jobs, uploads} {
		sorted := true
		for i := 1; i < len(ids); i++ {
			sorted = sorted && ids[i-1] < ids[i]
		}
		if sorted {
			t.Errorf("issued IDs sort in creation order: %v", ids)
		}
	}
	err := s.View(t.Context(), func(tx glacier.Tx) error {
		var got []string
		if err := tx.ScanArchives(ref, glacier.ArchiveCursor{}, func(a *glacier.Archive) bool { got = append(got, a.ID); return true }); err != nil {
			return err
		}
		if strings.Join(got, " ") != strings.Join(archives, " ") {
			return fmt.Errorf("the scan order differs from creation order")
		}
		got = nil
		if err := tx.ScanArchives(ref, glacier.ArchiveCursor{ID: archives[30], Created: t0.Add(30 * time.Second)}, func(a *glacier.Archive) bool { got = append(got, a.ID); return true }); err != nil {
			return err
		}
		if len(got) != 10 || got[0] != archives[30] {
			return fmt.Errorf("the scan from the 31st = %d archives", len(got))
		}
		if a, err := tx.Archive(ref, archives[7]); err != nil || a.Size != 7 {
			return fmt.Errorf("the archive: %+v, %v", a, err)
		}
		if _, err := tx.Archive(other, archives[7]); !errors.Is(err, glacier.ErrNotFound) {
			return fmt.Errorf("archive visible in another vault: %v", err)
		}
		if v, err := tx.ArchiveVault(scopeA, archives[7]); err != nil || v != "v" {
			return fmt.Errorf("its vault: %q, %v", v, err)
		}
		if _, err := tx.ArchiveVault(scopeC, archives[7]); !errors.Is(err, glacier.ErrNotFound) {
			return fmt.Errorf("its vault in another scope: %v", err)
		}
		js, err := tx.ListJobs(ref, jobs[35], 0)
		if err != nil || len(js) != 5 || js[0].ID != jobs[35] {
			return fmt.Errorf("jobs from the 36th = %d jobs, %v", len(js), err)
		}
		us, err := tx.ListUploads(ref, "", 3)
		if err != nil || len(us) != 3 || us[0].ID != uploads[0] || us[2].ID != uploads[2] {
			return fmt.Errorf("the first uploads: %v, %v", us, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, s, func(tx glacier.Tx) error {
		if err := tx.DeleteArchive(ref, archives[7]); err != nil {
			return err
		}
		if err := tx.DeleteJob(ref, jobs[7]); err != nil {
			return err
		}
		return tx.DeleteUpload(ref, uploads[7])
	})
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		if _, err := tx.Archive(ref, archives[7]); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("deleted archive: %v", err)
		}
		if _, err := tx.ArchiveVault(scopeA, archives[7]); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("deleted archive still located: %v", err)
		}
		if _, err := tx.Job(ref, jobs[7]); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("deleted job: %v", err)
		}
		if _, err := tx.Upload(ref, uploads[7]); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("deleted upload: %v", err)
		}
		return nil
	})
}
