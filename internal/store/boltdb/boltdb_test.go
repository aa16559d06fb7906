package boltdb

import (
	"testing"

	"permafrost/internal/glacier"
	"permafrost/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) glacier.Store {
		s, err := Open(t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopenKeepsState(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ref := glacier.Scope{Account: "123456789012", Region: "us-east-1"}.Ref("kept")
	if err := s.Update(t.Context(), func(tx glacier.Tx) error {
		return tx.PutVault(&glacier.Vault{Account: ref.Account, Region: ref.Region, Name: ref.Name})
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.View(t.Context(), func(tx glacier.Tx) error { _, err := tx.Vault(ref); return err }); err != nil {
		t.Fatalf("vault lost across reopen: %v", err)
	}
}

func TestIsolation(t *testing.T) {
	storetest.RunIsolation(t, func(t *testing.T) glacier.Store {
		s, err := Open(t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
