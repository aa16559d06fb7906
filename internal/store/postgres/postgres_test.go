package postgres

import (
	"testing"

	"permafrost/internal/glacier"
	"permafrost/internal/pgtest"
	"permafrost/internal/store/memory"
	"permafrost/internal/store/storetest"
)

func openTest(t *testing.T, o Options) *Engine {
	t.Helper()
	e, err := OpenEngine(pgtest.NewDatabase(t), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) glacier.Store {
		s, err := Open(pgtest.NewDatabase(t), memory.NewBlobs(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
