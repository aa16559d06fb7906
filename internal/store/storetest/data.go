package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"permafrost/internal/glacier"
)

// dataTests cover archives, uploads, parts, jobs, bytes and settings.
var dataTests = map[string]func(*testing.T, glacier.Store){
	"Archives":      testArchives,
	"Tombstones":    testTombstones,
	"UploadsParts":  testUploadsParts,
	"Jobs":          testJobs,
	"InlineAndRefs": testInlineRefs,
	"Blobs":         testBlobs,
	"BlobAbort":     testBlobAbort,
	"Settings":      testSettings,
	"Deletions":     testDeletions,
	"IssuedIDs":     testIssuedIDs,
}

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
	_ = s.View(func(tx glacier.Tx) error {
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
	_ = s.View(func(tx glacier.Tx) error {
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
	_ = s.View(func(tx glacier.Tx) error {
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
	_ = s.View(func(tx glacier.Tx) error {
		n := 0
		_ = tx.ScanArchiveHistory(ref, glacier.ArchiveCursor{}, func(*glacier.Archive) bool { n++; return true })
		if n != 1 {
			t.Errorf("%d records after deleting the tombstone, want 1", n)
		}
		return nil
	})
}

func testUploadsParts(t *testing.T, s glacier.Store) {
	ref := scopeA.Ref("v")
	mustUpdate(t, s, func(tx glacier.Tx) error {
		// Creation order u3, u2, u1.
		for i, id := range []string{"u2", "u1", "u3"} {
			at := t0.Add(time.Duration(i+1) * time.Hour)
			if id == "u3" {
				at = t0
			}
			if err := tx.PutUpload(ref, &glacier.Upload{ID: id, Vault: "v", PartSize: 1 << 20, Created: at}); err != nil {
				return err
			}
		}
		for _, i := range []int64{2, 0, 10, 1} {
			if err := tx.PutPart(ref, "u1", &glacier.Part{Index: i, Size: 1 << 20, TreeHash: "h"}); err != nil {
				return err
			}
		}
		return tx.PutPart(ref, "u2", &glacier.Part{Index: 0})
	})
	_ = s.View(func(tx glacier.Tx) error {
		us, err := tx.ListUploads(ref, "u2", 0)
		if err != nil || len(us) != 2 || us[0].ID != "u2" || us[1].ID != "u1" {
			t.Errorf("ListUploads from u2 = %v, %v; want u2 u1 (creation order)", us, err)
		}
		if us, err := tx.ListUploads(ref, "", 1); err != nil || len(us) != 1 || us[0].ID != "u3" {
			t.Errorf("ListUploads limit 1 = %v, %v; want the oldest, u3", us, err)
		}
		if us, err := tx.ListUploads(ref, "u9", 0); err != nil || len(us) != 0 {
			t.Errorf("ListUploads from an unknown upload = %v, %v; want none", us, err)
		}
		ps, err := tx.ListParts(ref, "u1", 1, 2)
		if err != nil || len(ps) != 2 || ps[0].Index != 1 || ps[1].Index != 2 {
			t.Errorf("ListParts(1, 2) = %v, %v", ps, err)
		}
		all, _ := tx.ListParts(ref, "u1", 0, 0)
		if len(all) != 4 || all[3].Index != 10 {
			t.Errorf("parts are not in index order: %v", all)
		}
		n := 0
		_ = tx.ScanAllUploads(func(r glacier.VaultRef, u *glacier.Upload) bool {
			if r != ref {
				t.Errorf("ScanAllUploads vault = %+v", r)
			}
			n++
			return true
		})
		if n != 3 {
			t.Errorf("ScanAllUploads saw %d", n)
		}
		return nil
	})
	mustUpdate(t, s, func(tx glacier.Tx) error {
		if err := tx.DeletePart(ref, "u1", 10); err != nil {
			return err
		}
		return tx.DeleteUpload(ref, "u3")
	})
	_ = s.View(func(tx glacier.Tx) error {
		if _, err := tx.Part(ref, "u1", 10); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("deleted part: %v", err)
		}
		if _, err := tx.Upload(ref, "u3"); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("deleted upload: %v", err)
		}
		return nil
	})
}

func testJobs(t *testing.T, s glacier.Store) {
	mustUpdate(t, s, func(tx glacier.Tx) error {
		for _, j := range []struct {
			sc  glacier.Scope
			v   string
			ids []string
		}{{scopeA, "v", []string{"j2", "j1"}}, {scopeA, "w", []string{"j3"}}, {scopeB, "v", []string{"j4"}}} {
			for i, id := range j.ids {
				// Initiation order j2, j1.
				job := &glacier.Job{ID: id, Vault: j.v, Action: glacier.ActionArchiveRetrieval, Created: t0.Add(time.Duration(i) * time.Minute)}
				if err := tx.PutJob(j.sc.Ref(j.v), job); err != nil {
					return err
				}
			}
		}
		return nil
	})
	_ = s.View(func(tx glacier.Tx) error {
		js, err := tx.ListJobs(scopeA.Ref("v"), "", 0)
		if err != nil || len(js) != 2 || js[0].ID != "j2" || js[1].ID != "j1" {
			t.Errorf("ListJobs = %v, %v; want j2 j1 (initiation order)", js, err)
		}
		if js, err := tx.ListJobs(scopeA.Ref("v"), "j1", 0); err != nil || len(js) != 1 || js[0].ID != "j1" {
			t.Errorf("ListJobs from j1 = %v, %v", js, err)
		}
		if j, err := tx.Job(scopeA.Ref("v"), "j1"); err != nil || !j.Created.Equal(t0.Add(time.Minute)) {
			t.Errorf("Job j1 = %+v, %v", j, err)
		}
		n := 0
		_ = tx.ScanJobs(scopeA, func(r glacier.VaultRef, j *glacier.Job) bool {
			if r.Scope != scopeA || r.Name != j.Vault {
				t.Errorf("ScanJobs ref %+v for job %+v", r, j)
			}
			n++
			return true
		})
		all := 0
		_ = tx.ScanJobs(glacier.Scope{}, func(glacier.VaultRef, *glacier.Job) bool { all++; return true })
		if n != 3 || all != 4 {
			t.Errorf("ScanJobs: scope saw %d (want 3), all saw %d (want 4)", n, all)
		}
		return nil
	})
}

func testInlineRefs(t *testing.T, s glacier.Store) {
	mustUpdate(t, s, func(tx glacier.Tx) error {
		if err := tx.PutInline("i1", []byte("hello")); err != nil {
			return err
		}
		return tx.SetRefs("i1", 2)
	})
	_ = s.View(func(tx glacier.Tx) error {
		b, err := tx.Inline("i1")
		if err != nil || string(b) != "hello" {
			t.Errorf("Inline = %q, %v", b, err)
		}
		if n, _ := tx.Refs("i1"); n != 2 {
			t.Errorf("Refs = %d", n)
		}
		if n, _ := tx.Refs("unknown"); n != 0 {
			t.Errorf("Refs of unknown = %d", n)
		}
		return nil
	})
	mustUpdate(t, s, func(tx glacier.Tx) error {
		if err := tx.SetRefs("i1", 0); err != nil {
			return err
		}
		return tx.DeleteInline("i1")
	})
	_ = s.View(func(tx glacier.Tx) error {
		if _, err := tx.Inline("i1"); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("deleted inline: %v", err)
		}
		return nil
	})
}

func testBlobs(t *testing.T, s glacier.Store) {
	bs := s.Blobs()
	data := bytes.Repeat([]byte("0123456789abcdef"), 200000) // 3.2 MB, several chunks
	w, err := bs.Create()
	if err != nil {
		t.Fatal(err)
	}
	for p := data; len(p) > 0; {
		k := min(len(p), 70001)
		if _, err := w.Write(p[:k]); err != nil {
			t.Fatal(err)
		}
		p = p[k:]
	}
	id, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	w.Abort() // after Commit: nothing happens
	b, err := bs.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	if b.Size() != int64(len(data)) {
		t.Errorf("Size = %d", b.Size())
	}
	got, err := io.ReadAll(io.NewSectionReader(b, 0, b.Size()))
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("bytes differ (%v)", err)
	}
	buf := make([]byte, 10)
	if n, err := b.ReadAt(buf, int64(len(data))-5); n != 5 || err != io.EOF {
		t.Errorf("ReadAt past the end = %d, %v", n, err)
	}
	b.Close()
	listed := false
	_ = bs.List(func(x string) bool { listed = listed || x == id; return true })
	if !listed {
		t.Errorf("committed blob not listed")
	}
	if err := bs.Delete(id); err != nil {
		t.Fatal(err)
	}
	if err := bs.Delete(id); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if _, err := bs.Open(id); !errors.Is(err, glacier.ErrNotFound) {
		t.Errorf("deleted blob: %v", err)
	}
	if _, err := bs.Open("no-such-blob"); !errors.Is(err, glacier.ErrNotFound) {
		t.Errorf("unknown blob: %v", err)
	}
}

func testBlobAbort(t *testing.T, s glacier.Store) {
	bs := s.Blobs()
	w, err := bs.Create()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("never committed"))
	w.Abort()
	w.Abort()
	n := 0
	_ = bs.List(func(string) bool { n++; return true })
	if n != 0 {
		t.Errorf("an aborted blob is listed")
	}
}

func testSettings(t *testing.T, s glacier.Store) {
	_ = s.View(func(tx glacier.Tx) error {
		if _, err := tx.Setting("x"); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("unset setting: %v", err)
		}
		return nil
	})
	mustUpdate(t, s, func(tx glacier.Tx) error {
		if err := tx.PutSetting("x", []byte{1, 2}); err != nil {
			return err
		}
		for _, id := range []string{"n2", "n1"} {
			if err := tx.PutNotification(&glacier.Notification{ID: id, Topic: "t", Message: "m"}); err != nil {
				return err
			}
		}
		return nil
	})
	_ = s.View(func(tx glacier.Tx) error {
		if b, err := tx.Setting("x"); err != nil || !bytes.Equal(b, []byte{1, 2}) {
			t.Errorf("Setting = %v, %v", b, err)
		}
		ns, err := tx.Notifications()
		if err != nil || len(ns) != 2 || ns[0].ID != "n1" {
			t.Errorf("Notifications = %v, %v", ns, err)
		}
		if p, err := tx.PendingNotifications(); err != nil || len(p) != 2 {
			t.Errorf("PendingNotifications = %v, %v", p, err)
		}
		return nil
	})
	mustUpdate(t, s, func(tx glacier.Tx) error {
		n, err := tx.Notification("n1")
		if err != nil {
			return err
		}
		n.Delivered = true
		return tx.PutNotification(n)
	})
	_ = s.View(func(tx glacier.Tx) error {
		p, err := tx.PendingNotifications()
		if err != nil || len(p) != 1 || p[0].ID != "n2" {
			t.Errorf("after delivering n1, PendingNotifications = %v, %v", p, err)
		}
		if all, _ := tx.Notifications(); len(all) != 2 {
			t.Errorf("the log lost a delivered notification: %d left", len(all))
		}
		if _, err := tx.Notification("nope"); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("unknown notification: %v", err)
		}
		return nil
	})
	// Trimming keeps the newest, delivered or not, and their outbox.
	mustUpdate(t, s, func(tx glacier.Tx) error {
		for _, id := range []string{"n3", "n4", "n5"} {
			if err := tx.PutNotification(&glacier.Notification{ID: id, Topic: "t", Message: "m"}); err != nil {
				return err
			}
		}
		if n, err := tx.TrimNotifications(5); n != 0 || err != nil {
			t.Errorf("TrimNotifications(5) of 5 = %d, %v", n, err)
		}
		if n, err := tx.TrimNotifications(2); n != 3 || err != nil {
			t.Errorf("TrimNotifications(2) of 5 = %d, %v", n, err)
		}
		return nil
	})
	_ = s.View(func(tx glacier.Tx) error {
		var ids []string
		all, _ := tx.Notifications()
		for _, n := range all {
			ids = append(ids, n.ID)
		}
		var pending []string
		p, _ := tx.PendingNotifications()
		for _, n := range p {
			pending = append(pending, n.ID)
		}
		if fmt.Sprint(ids) != "[n4 n5]" || fmt.Sprint(pending) != "[n4 n5]" {
			t.Errorf("after trimming to 2: kept %v, pending %v; want [n4 n5] for both", ids, pending)
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
	err := s.View(func(tx glacier.Tx) error {
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
	err = s.View(func(tx glacier.Tx) error {
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
	err := s.View(func(tx glacier.Tx) error {
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
	_ = s.View(func(tx glacier.Tx) error {
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
