package glacier_test

import (
	"bytes"
	"context"
	"testing"

	"permafrost/internal/glacier"
	"permafrost/internal/store/memory"
	"permafrost/internal/treehash"
)

// hookStore runs before (or after) once, around the next Update.
type hookStore struct {
	glacier.Store
	before, after func()
}

func (h *hookStore) Update(ctx context.Context, fn func(glacier.Tx) error) error {
	if f := h.before; f != nil {
		h.before = nil
		f()
	}
	err := h.Store.Update(ctx, fn)
	if f := h.after; f != nil {
		h.after = nil
		f()
	}
	return err
}

const denyDeleteArchive = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"glacier:DeleteArchive","Resource":"*"}]}`

func newHookedService(t *testing.T) (*glacier.Service, *hookStore, glacier.VaultRef) {
	t.Helper()
	st := &hookStore{Store: memory.New()}
	svc, err := glacier.New(glacier.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	ref := glacier.Scope{Account: "111122223333", Region: "us-east-1"}.Ref("v")
	if err := svc.CreateVault(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	return svc, st, ref
}

func mustDenyOwner(t *testing.T, svc *glacier.Service, ref glacier.VaultRef) {
	t.Helper()
	err := svc.Authorize(t.Context(), glacier.AccessRequest{Caller: glacier.Caller{Account: ref.Account}, Action: "DeleteArchive", Vault: ref})
	if glacier.ErrorCode(err) != glacier.AccessDenied {
		t.Fatalf("owner DeleteArchive under a Deny policy: %v, want AccessDeniedException", err)
	}
}

// A vault deleted, re-created and locked while DeleteVault is still
// returning keeps its lock enforced for its owner.
func TestAuthorizeLockSetAfterDeleteCommits(t *testing.T) {
	svc, st, ref := newHookedService(t)
	if _, err := svc.InitiateVaultLock(t.Context(), ref, denyDeleteArchive); err != nil {
		t.Fatal(err)
	}
	st.after = func() {
		if err := svc.CreateVault(t.Context(), ref); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.InitiateVaultLock(t.Context(), ref, denyDeleteArchive); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.DeleteVault(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	mustDenyOwner(t, svc, ref)
}

// A policy call that began before a DeleteVault and commits on the vault
// re-created after it is enforced for the owner.
func TestAuthorizePolicySetAcrossDelete(t *testing.T) {
	svc, st, ref := newHookedService(t)
	if err := svc.SetVaultAccessPolicy(t.Context(), ref, denyDeleteArchive); err != nil {
		t.Fatal(err)
	}
	st.before = func() {
		if err := svc.DeleteVault(t.Context(), ref); err != nil {
			t.Fatal(err)
		}
		if err := svc.CreateVault(t.Context(), ref); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.SetVaultAccessPolicy(t.Context(), ref, denyDeleteArchive); err != nil {
		t.Fatal(err)
	}
	mustDenyOwner(t, svc, ref)
}

// A lock policy committed after a request was authorized on its own
// (Authorize) but before the operation's transaction refuses the
// operation when it runs under WithAccess: the decision is taken again in
// the transaction that would delete the archive, which is kept.
func TestAuthorizeInTheOperationsTransaction(t *testing.T) {
	svc, st, ref := newHookedService(t)
	body := []byte("kept")
	res, err := svc.UploadArchive(t.Context(), ref, "", glacier.Payload{Body: bytes.NewReader(body), Size: int64(len(body)), TreeHash: treehash.Sum(body).String()})
	if err != nil {
		t.Fatal(err)
	}
	req := glacier.AccessRequest{Caller: glacier.Caller{Account: ref.Account}, Action: "DeleteArchive", Vault: ref, ArchiveID: res.ID}
	if err := svc.Authorize(t.Context(), req); err != nil {
		t.Fatalf("DeleteArchive before the lock: %v", err)
	}
	st.before = func() { // between the separate check and the operation
		if _, err := svc.InitiateVaultLock(t.Context(), ref, denyDeleteArchive); err != nil {
			t.Fatal(err)
		}
	}
	err = svc.DeleteArchive(glacier.WithAccess(t.Context(), req), ref, res.ID)
	if glacier.ErrorCode(err) != glacier.AccessDenied {
		t.Fatalf("DeleteArchive under a lock committed before its transaction: %v, want AccessDeniedException", err)
	}
	if info, err := svc.DescribeVault(t.Context(), ref); err != nil || info.NumberOfArchives != 1 {
		t.Fatalf("after the refused delete: %+v, %v; want the archive kept", info, err)
	}
	// Without a policy in the way the same context lets the operation run.
	if err := svc.AbortVaultLock(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteArchive(glacier.WithAccess(t.Context(), req), ref, res.ID); err != nil {
		t.Fatalf("DeleteArchive once the lock is aborted: %v", err)
	}
}
