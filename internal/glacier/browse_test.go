package glacier_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"permafrost/internal/clock"
	"permafrost/internal/glacier"
	"permafrost/internal/store/memory"
	"permafrost/internal/treehash"
)

func newBrowseService(t testing.TB) (*glacier.Service, *clock.Fake, glacier.Store) {
	t.Helper()
	fake := clock.NewFake(time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC))
	st := memory.New()
	svc, err := glacier.New(glacier.Options{Store: st, Clock: fake})
	if err != nil {
		t.Fatal(err)
	}
	return svc, fake, st
}

// TestBrowseVaults lists vaults of three scopes newest first, in pages,
// with the figures, tags and lock states the API reports.
func TestBrowseVaults(t *testing.T) {
	svc, fake, _ := newBrowseService(t)
	a := glacier.Scope{Account: "111122223333", Region: "us-east-1"}
	b := glacier.Scope{Account: "111122223333", Region: "eu-west-1"}
	c := glacier.Scope{Account: "444455556666", Region: "us-east-1"}
	var want []glacier.VaultRef // newest first
	for i, ref := range []glacier.VaultRef{a.Ref("v1"), b.Ref("v2"), c.Ref("v3"), a.Ref("v4"), b.Ref("v5")} {
		if err := svc.CreateVault(t.Context(), ref); err != nil {
			t.Fatal(err)
		}
		want = append([]glacier.VaultRef{ref}, want...)
		fake.Advance(time.Duration(i+1) * time.Minute)
	}
	body := []byte("hello, vault")
	if _, err := svc.UploadArchive(t.Context(), a.Ref("v1"), "d", glacier.Payload{Body: bytes.NewReader(body), Size: int64(len(body)), TreeHash: treehash.Sum(body).String()}); err != nil {
		t.Fatal(err)
	}
	if err := svc.AddTagsToVault(t.Context(), a.Ref("v1"), map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	lockID, err := svc.InitiateVaultLock(t.Context(), b.Ref("v2"), denyDeleteArchive)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.InitiateVaultLock(t.Context(), c.Ref("v3"), denyDeleteArchive); err != nil {
		t.Fatal(err)
	}
	if err := svc.CompleteVaultLock(t.Context(), b.Ref("v2"), lockID); err != nil {
		t.Fatal(err)
	}

	var got []glacier.VaultSummary
	for off := 0; ; off += 2 {
		page, total, err := svc.BrowseVaults(t.Context(), off, 2)
		if err != nil {
			t.Fatal(err)
		}
		if total != len(want) {
			t.Fatalf("total %d, want %d", total, len(want))
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
	}
	if len(got) != len(want) {
		t.Fatalf("paged through %d vaults, want %d", len(got), len(want))
	}
	locks := map[string]string{"v2": glacier.LockLocked, "v3": glacier.LockInProgress}
	for i, v := range got {
		if v.Scope != want[i].Scope || v.Name != want[i].Name {
			t.Errorf("vault %d is %v/%s, want %v", i, v.Scope, v.Name, want[i])
		}
		d, err := svc.DescribeVault(t.Context(), want[i])
		if err != nil {
			t.Fatal(err)
		}
		if v.NumberOfArchives != d.NumberOfArchives || v.SizeInBytes != d.SizeInBytes || !v.Created.Equal(d.Created) || v.ARN != d.ARN {
			t.Errorf("%s: browsed %+v, DescribeVault %+v", v.Name, v.VaultInfo, d)
		}
		if v.LockState != locks[v.Name] {
			t.Errorf("%s: lock state %q, want %q", v.Name, v.LockState, locks[v.Name])
		}
	}
	if last := got[len(got)-1]; last.Tags["k"] != "v" || last.NumberOfArchives != 1 || last.SizeInBytes != int64(len(body)) {
		t.Errorf("v1 browsed as %+v", last)
	}
	if page, _, err := svc.BrowseVaults(t.Context(), 99, 10); err != nil || len(page) != 0 {
		t.Errorf("past the end: %d vaults, %v", len(page), err)
	}
}

// TestBrowseArchives pages through a vault's archives by cursor, in
// creation order, without the deleted one.
func TestBrowseArchives(t *testing.T) {
	svc, fake, _ := newBrowseService(t)
	ref := glacier.Scope{Account: "111122223333", Region: "us-east-1"}.Ref("v")
	if err := svc.CreateVault(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	var want []glacier.ArchiveInfo
	for i := range 8 {
		body := bytes.Repeat([]byte{'x'}, i+1)
		res, err := svc.UploadArchive(t.Context(), ref, fmt.Sprint("a", i), glacier.Payload{Body: bytes.NewReader(body), Size: int64(len(body)), TreeHash: treehash.Sum(body).String()})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, glacier.ArchiveInfo{ID: res.ID, Description: fmt.Sprint("a", i), Created: fake.Now(), Size: int64(len(body)), TreeHash: treehash.Sum(body).String()})
		fake.Advance(time.Second)
	}
	if err := svc.DeleteArchive(t.Context(), ref, want[3].ID); err != nil {
		t.Fatal(err)
	}
	want = append(want[:3], want[4:]...)
	var got []glacier.ArchiveInfo
	var cur glacier.ArchiveCursor
	pages := 0
	for {
		page, next, err := svc.BrowseArchives(t.Context(), ref, cur, 3)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page...)
		if next == (glacier.ArchiveCursor{}) {
			break
		}
		cur = next
	}
	if pages != 3 || len(got) != len(want) {
		t.Fatalf("%d archives in %d pages, want %d in 3", len(got), pages, len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Size != want[i].Size || got[i].TreeHash != want[i].TreeHash || got[i].Description != want[i].Description || !got[i].Created.Equal(want[i].Created) {
			t.Errorf("archive %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	_, _, err := svc.BrowseArchives(t.Context(), ref.Scope.Ref("nope"), glacier.ArchiveCursor{}, 3)
	var ge *glacier.Error
	if !errors.As(err, &ge) || ge.Code != glacier.ResourceNotFound {
		t.Errorf("unknown vault: %v, want ResourceNotFoundException", err)
	}
}

// BenchmarkBrowseArchives reads a page of 50 archives from the middle of
// a vault of 1,000 and of 1,000,000 archives: a page costs the same.
func BenchmarkBrowseArchives(b *testing.B) {
	for _, n := range []int{1000, 1_000_000} {
		b.Run(fmt.Sprint("archives=", n), func(b *testing.B) {
			svc, _, st := newBrowseService(b)
			ref := glacier.Scope{Account: "111122223333", Region: "us-east-1"}.Ref("v")
			if err := svc.CreateVault(b.Context(), ref); err != nil {
				b.Fatal(err)
			}
			t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			var mid glacier.ArchiveCursor
			for i := 0; i < n; i += 10_000 {
				err := st.Update(b.Context(), func(tx glacier.Tx) error {
					for j := i; j < min(i+10_000, n); j++ {
						a := &glacier.Archive{ID: fmt.Sprintf("archive-%09d", j), Vault: "v", Created: t0.Add(time.Duration(j) * time.Millisecond), Size: 1, TreeHash: "00"}
						if j == n/2 {
							mid = glacier.ArchiveCursor{Created: a.Created, ID: a.ID}
						}
						if err := tx.PutArchive(ref, a); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for range b.N {
				page, _, err := svc.BrowseArchives(b.Context(), ref, mid, 50)
				if err != nil || len(page) != 50 || page[0].ID != mid.ID {
					b.Fatalf("page of %d from %s: %v", len(page), mid.ID, err)
				}
			}
		})
	}
}
