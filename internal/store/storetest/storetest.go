// Package storetest is the conformance suite every glacier.Store backend
// must pass. Backends call Run from their own tests with a constructor.
package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"permafrost/internal/glacier"
)

// Factory returns a fresh, empty store. The suite closes it.
type Factory func(t *testing.T) glacier.Store

var (
	scopeA = glacier.Scope{Account: "111111111111", Region: "us-east-1"}
	scopeB = glacier.Scope{Account: "111111111111", Region: "eu-west-1"}
	scopeC = glacier.Scope{Account: "222222222222", Region: "us-east-1"}
	t0     = time.Date(2024, 1, 2, 3, 4, 5, 6000000, time.UTC)
)

// Run runs the whole suite.
func Run(t *testing.T, newStore Factory) {
	tests := map[string]func(*testing.T, glacier.Store){
		"VaultRoundTrip":    testVaultRoundTrip,
		"VaultNotFound":     testVaultNotFound,
		"VaultOrderAndPage": testVaultOrder,
		"ScopesIsolated":    testScopes,
		"Rollback":          testRollback,
		"NoAliasing":        testNoAliasing,
		"RetrievalPolicy":   testRetrievalPolicy,
		"Capacities":        testCapacities,
		"CancelledContext":  testCancelled,
	}
	for name, fn := range dataTests {
		tests[name] = fn
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			defer s.Close()
			fn(t, s)
		})
	}
}

func mustUpdate(t *testing.T, s glacier.Store, fn func(glacier.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func vault(s glacier.Scope, name string) *glacier.Vault {
	return &glacier.Vault{Account: s.Account, Region: s.Region, Name: name, Created: t0, Tags: map[string]string{}}
}

func testVaultRoundTrip(t *testing.T, s glacier.Store) {
	v := vault(scopeA, "photos")
	v.Tags["k"] = "v"
	v.AccessPolicy = `{"Version":"2012-10-17"}`
	v.Notifications = &glacier.Notifications{Topic: "arn:aws:sns:us-east-1:111111111111:t", Events: []string{glacier.EventArchiveRetrievalCompleted}}
	v.Lock = &glacier.Lock{ID: "L", Policy: "{}", Created: t0, Locked: true}
	v.Archives, v.Size = 3, 42
	mustUpdate(t, s, func(tx glacier.Tx) error { return tx.PutVault(v) })
	err := s.View(t.Context(), func(tx glacier.Tx) error {
		got, err := tx.Vault(scopeA.Ref("photos"))
		if err != nil {
			return err
		}
		if got.Name != "photos" || !got.Created.Equal(t0) || got.Tags["k"] != "v" || got.AccessPolicy != v.AccessPolicy ||
			got.Notifications == nil || got.Notifications.Events[0] != glacier.EventArchiveRetrievalCompleted ||
			got.Lock == nil || !got.Lock.Locked || got.Archives != 3 || got.Size != 42 {
			return fmt.Errorf("round trip mismatch: %+v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, s, func(tx glacier.Tx) error { return tx.DeleteVault(scopeA.Ref("photos")) })
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		if _, err := tx.Vault(scopeA.Ref("photos")); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("after delete: %v, want ErrNotFound", err)
		}
		return nil
	})
}

func testVaultNotFound(t *testing.T, s glacier.Store) {
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		if _, err := tx.Vault(scopeA.Ref("nope")); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("Vault: %v, want ErrNotFound", err)
		}
		return nil
	})
	err := s.Update(t.Context(), func(tx glacier.Tx) error { return tx.DeleteVault(scopeA.Ref("nope")) })
	if !errors.Is(err, glacier.ErrNotFound) {
		t.Errorf("DeleteVault: %v, want ErrNotFound", err)
	}
}

func testVaultOrder(t *testing.T, s glacier.Store) {
	names := []string{"b", "a", "A", "_x", "a.b", "a-b", "0", "z", "a0"}
	mustUpdate(t, s, func(tx glacier.Tx) error {
		for _, n := range names {
			if err := tx.PutVault(vault(scopeA, n)); err != nil {
				return err
			}
		}
		return nil
	})
	want := []string{"0", "A", "_x", "a", "a-b", "a.b", "a0", "b", "z"}
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		all, err := tx.ListVaults(scopeA, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := namesOf(all); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("order = %v, want %v", got, want)
		}
		page, _ := tx.ListVaults(scopeA, "a-", 3)
		if got := namesOf(page); fmt.Sprint(got) != "[a-b a.b a0]" {
			t.Errorf("page = %v", got)
		}
		if n, _ := tx.CountVaults(scopeA); n != len(names) {
			t.Errorf("count = %d", n)
		}
		return nil
	})
}

func namesOf(vs []*glacier.Vault) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name
	}
	return out
}

func testScopes(t *testing.T, s glacier.Store) {
	mustUpdate(t, s, func(tx glacier.Tx) error {
		for _, sc := range []glacier.Scope{scopeA, scopeB, scopeC} {
			if err := tx.PutVault(vault(sc, "v-"+sc.Region)); err != nil {
				return err
			}
		}
		// A region whose name extends another's must not leak into it.
		return tx.PutVault(vault(glacier.Scope{Account: scopeA.Account, Region: scopeA.Region + "0"}, "leak"))
	})
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		for _, sc := range []glacier.Scope{scopeA, scopeB, scopeC} {
			vs, _ := tx.ListVaults(sc, "", 0)
			if len(vs) != 1 || vs[0].Name != "v-"+sc.Region {
				t.Errorf("scope %v sees %v", sc, namesOf(vs))
			}
		}
		if _, err := tx.Vault(scopeB.Ref("v-us-east-1")); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("vault visible across regions")
		}
		return nil
	})
}

func testRollback(t *testing.T, s glacier.Store) {
	boom := errors.New("boom")
	err := s.Update(t.Context(), func(tx glacier.Tx) error {
		if err := tx.PutVault(vault(scopeA, "ghost")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		if _, err := tx.Vault(scopeA.Ref("ghost")); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("write of a failed transaction is visible: %v", err)
		}
		return nil
	})
}

func testNoAliasing(t *testing.T, s glacier.Store) {
	v := vault(scopeA, "v")
	mustUpdate(t, s, func(tx glacier.Tx) error { return tx.PutVault(v) })
	v.Tags["changed"] = "after put"
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		got, _ := tx.Vault(scopeA.Ref("v"))
		if len(got.Tags) != 0 {
			t.Errorf("store kept the caller's pointer: %v", got.Tags)
		}
		got.Tags["x"] = "y"
		again, _ := tx.Vault(scopeA.Ref("v"))
		if len(again.Tags) != 0 {
			t.Errorf("store returned a shared record")
		}
		return nil
	})
}

func testRetrievalPolicy(t *testing.T, s glacier.Store) {
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		if _, err := tx.RetrievalPolicy(scopeA); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("unset policy: %v", err)
		}
		return nil
	})
	n := int64(1 << 40)
	p := &glacier.RetrievalPolicy{Rules: []glacier.RetrievalRule{{Strategy: glacier.StrategyBytesPerHour, BytesPerHour: &n}}}
	mustUpdate(t, s, func(tx glacier.Tx) error { return tx.PutRetrievalPolicy(scopeA, p) })
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		got, err := tx.RetrievalPolicy(scopeA)
		if err != nil || got.Rules[0].Strategy != glacier.StrategyBytesPerHour || *got.Rules[0].BytesPerHour != n {
			t.Errorf("policy = %+v, %v", got, err)
		}
		if _, err := tx.RetrievalPolicy(scopeB); !errors.Is(err, glacier.ErrNotFound) {
			t.Errorf("policy leaked across regions")
		}
		return nil
	})
}

func testCapacities(t *testing.T, s glacier.Store) {
	mustUpdate(t, s, func(tx glacier.Tx) error {
		for i, id := range []string{"second", "first"} {
			c := &glacier.Capacity{ID: id, Start: t0.Add(-time.Duration(i) * time.Hour), Expiration: t0.AddDate(0, 1, 0)}
			if err := tx.PutCapacity(scopeA, c); err != nil {
				return err
			}
		}
		return nil
	})
	_ = s.View(t.Context(), func(tx glacier.Tx) error {
		cs, err := tx.Capacities(scopeA)
		if err != nil || len(cs) != 2 || cs[0].ID != "first" || cs[1].ID != "second" {
			t.Errorf("capacities = %+v, %v", cs, err)
		}
		if cs, _ := tx.Capacities(scopeC); len(cs) != 0 {
			t.Errorf("capacities leaked across accounts")
		}
		return nil
	})
}
