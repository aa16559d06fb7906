package storetest

import (
	"context"
	"errors"
	"testing"

	"permafrost/internal/glacier"
)

// testCancelled: a transaction asked for with a context already done does
// not run fn, returns the context's error and changes nothing (see the
// Store contract on contexts).
func testCancelled(t *testing.T, s glacier.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]func(context.Context, func(glacier.Tx) error) error{"View": s.View, "Update": s.Update, "Batch": s.Batch}
	for name, call := range calls {
		ran := false
		err := call(ctx, func(tx glacier.Tx) error {
			ran = true
			return tx.PutVault(vault(scopeA, "cancelled-"+name))
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v, want context.Canceled", name, err)
		}
		if ran {
			t.Errorf("%s with a cancelled context ran its function", name)
		}
	}
	if err := s.View(t.Context(), func(tx glacier.Tx) error {
		n, err := tx.CountVaults(scopeA)
		if err == nil && n != 0 {
			t.Errorf("cancelled transactions left %d vaults", n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
