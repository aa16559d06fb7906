package glacier_test

import (
	"context"
	"testing"

	"permafrost/internal/glacier"
	"permafrost/internal/store/memory"
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
