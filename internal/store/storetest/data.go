package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"permafrost/internal/glacier"
)

// dataTests cover archives (archives.go), uploads, parts, jobs, bytes
// (blobs.go) and settings.
var dataTests = map[string]func(*testing.T, glacier.Store){
	"Archives":      testArchives,
	"Tombstones":    testTombstones,
	"UploadsParts":  testUploadsParts,
	"Jobs":          testJobs,
	"InlineAndRefs": testInlineRefs,
	"Blobs":         testBlobs,
	"BlobAbort":     testBlobAbort,
	"BlobLarge":     testBlobLarge,
	"BlobWriters":   testBlobWriters,
	"BlobBigAbort":  testBlobBigAbort,
	"BlobReadAt":    testBlobReadAt,
	"BlobDeleteRd":  testBlobDeleteWhileReading,
	"Settings":      testSettings,
	"Deletions":     testDeletions,
	"IssuedIDs":     testIssuedIDs,
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
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
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
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
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
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
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
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
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
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		if _, err := tx.Inline("i1"); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("deleted inline: %v", err)
		}
		return nil
	})
}

func testSettings(t *testing.T, s glacier.Store) {
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
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
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
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
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
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
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
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
