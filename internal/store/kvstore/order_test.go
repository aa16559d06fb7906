package kvstore_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"permafrost/internal/glacier"
	"permafrost/internal/store/kvstore"
	"permafrost/internal/store/memory"
)

// TestLegacyRecords: records written when IDs began with their time (keyed
// by the ID alone, with no index head) are still found, listed in creation
// order among new ones, and deleted.
func TestLegacyRecords(t *testing.T) {
	eng := memory.NewEngine()
	st := kvstore.New(eng, memory.NewBlobs())
	ref := glacier.Scope{Account: "111111111111", Region: "us-east-1"}.Ref("v")
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	// A legacy ID: 11 characters of time (t0+1h), then random ones.
	legacy := legacyHead(t0.Add(time.Hour)) + strings.Repeat("x", glacier.ArchiveIDLen-11)
	legacyJob := legacyHead(t0.Add(time.Hour)) + strings.Repeat("j", glacier.JobIDLen-11)
	err := eng.Update(t.Context(), func(kv kvstore.KV) error {
		p := "111111111111/us-east-1/v/"
		a := &glacier.Archive{ID: legacy, Vault: "v", Created: t0.Add(time.Hour), Size: 1}
		raw, _ := json.Marshal(a)
		if err := kv.Put("archives", []byte(p+legacy), raw); err != nil {
			return err
		}
		if err := kv.Put("archive-index", []byte("111111111111/us-east-1/"+legacy), []byte("v")); err != nil {
			return err
		}
		j, _ := json.Marshal(&glacier.Job{ID: legacyJob, Vault: "v", Created: t0.Add(time.Hour)})
		return kv.Put("jobs", []byte(p+legacyJob), j)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(t.Context(), func(tx glacier.Tx) error {
		for i, id := range []string{"-early", "zlate"} {
			at := t0.Add(time.Duration(i) * 2 * time.Hour) // t0 and t0+2h
			if err := tx.PutArchive(ref, &glacier.Archive{ID: id, Vault: "v", Created: at, Size: 1}); err != nil {
				return err
			}
			if err := tx.PutJob(ref, &glacier.Job{ID: id, Vault: "v", Created: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.View(t.Context(), func(tx glacier.Tx) error {
		if a, err := tx.Archive(ref, legacy); err != nil || a.ID != legacy {
			t.Errorf("legacy archive: %+v, %v", a, err)
		}
		if v, err := tx.ArchiveVault(ref.Scope, legacy); err != nil || v != "v" {
			t.Errorf("legacy ArchiveVault = %q, %v", v, err)
		}
		var got []string
		_ = tx.ScanArchives(ref, glacier.ArchiveCursor{}, func(a *glacier.Archive) bool { got = append(got, a.ID); return true })
		if len(got) != 3 || got[0] != "-early" || got[1] != legacy || got[2] != "zlate" {
			t.Errorf("archives in order %v, want -early, the legacy one, zlate", got)
		}
		got = nil
		_ = tx.ScanArchives(ref, glacier.ArchiveCursor{ID: legacy, Created: t0.Add(time.Hour)}, func(a *glacier.Archive) bool { got = append(got, a.ID); return true })
		if len(got) != 2 || got[0] != legacy {
			t.Errorf("archives from the legacy one: %v", got)
		}
		js, err := tx.ListJobs(ref, "", 0)
		if err != nil || len(js) != 3 || js[1].ID != legacyJob {
			t.Errorf("jobs in order: %v, %v", js, err)
		}
		if js, err := tx.ListJobs(ref, legacyJob, 0); err != nil || len(js) != 2 {
			t.Errorf("jobs from the legacy one: %v, %v", js, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(t.Context(), func(tx glacier.Tx) error {
		if err := tx.DeleteArchive(ref, legacy); err != nil {
			return err
		}
		return tx.DeleteJob(ref, legacyJob)
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = st.View(t.Context(), func(tx glacier.Tx) error {
		if _, err := tx.Archive(ref, legacy); err == nil {
			t.Error("legacy archive still there after its deletion")
		}
		if _, err := tx.Job(ref, legacyJob); err == nil {
			t.Error("legacy job still there after its deletion")
		}
		return nil
	})
}

// legacyHead is the 11-character time prefix of the old IDs.
func legacyHead(t time.Time) string {
	const sortable = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
	var h [11]byte
	u := uint64(t.UnixNano())
	for i := 10; i >= 0; i-- {
		h[i] = sortable[u&63]
		u >>= 6
	}
	return string(h[:])
}
