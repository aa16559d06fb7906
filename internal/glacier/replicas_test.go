package glacier_test

import (
	"testing"

	"permafrost/internal/glacier"
	"permafrost/internal/store/memory"
)

// twoServices returns two Services over one shared store, as two replicas
// over one database, with a vault created through the second.
func twoServices(t *testing.T, o glacier.Options) (a, b *glacier.Service, ref glacier.VaultRef) {
	t.Helper()
	if o.Store == nil {
		o.Store = memory.New()
	}
	var err error
	if a, err = glacier.New(o); err != nil {
		t.Fatal(err)
	}
	if b, err = glacier.New(o); err != nil {
		t.Fatal(err)
	}
	ref = glacier.Scope{Account: "111122223333", Region: "us-east-1"}.Ref("v")
	if err := b.CreateVault(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	return a, b, ref
}

// A vault lock or access policy set through one Service is enforced by
// another over the same store on its next request.
func TestReplicasEnforcePolicySetElsewhere(t *testing.T) {
	for _, set := range []struct {
		name string
		fn   func(*glacier.Service, glacier.VaultRef) error
	}{
		{"lock", func(s *glacier.Service, ref glacier.VaultRef) error {
			_, err := s.InitiateVaultLock(t.Context(), ref, denyDeleteArchive)
			return err
		}},
		{"access-policy", func(s *glacier.Service, ref glacier.VaultRef) error {
			return s.SetVaultAccessPolicy(t.Context(), ref, denyDeleteArchive)
		}},
	} {
		t.Run(set.name, func(t *testing.T) {
			a, b, ref := twoServices(t, glacier.Options{})
			owner := glacier.AccessRequest{Caller: glacier.Caller{Account: ref.Account}, Action: "DeleteArchive", Vault: ref}
			if err := b.Authorize(t.Context(), owner); err != nil {
				t.Fatalf("before any policy: %v", err)
			}
			if err := set.fn(a, ref); err != nil {
				t.Fatal(err)
			}
			mustDenyOwner(t, b, ref)
			// And the other way round: deleting the vault through B and
			// re-creating it through A leaves no stale denial in either.
			if err := b.DeleteVault(t.Context(), ref); err != nil {
				t.Fatal(err)
			}
			if err := a.CreateVault(t.Context(), ref); err != nil {
				t.Fatal(err)
			}
			for _, s := range []*glacier.Service{a, b} {
				if err := s.Authorize(t.Context(), owner); err != nil {
					t.Errorf("on the re-created vault without a policy: %v", err)
				}
			}
		})
	}
}
