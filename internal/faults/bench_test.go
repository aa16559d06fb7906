package faults_test

import (
	"context"
	"sync/atomic"
	"testing"

	"permafrost/internal/faults"
	"permafrost/internal/store/memory"
)

// BenchmarkNoRules is the whole per-request cost of the fault rules when
// there are none (Engine.Active), beside its reference: one atomic
// pointer load.
func BenchmarkNoRules(b *testing.B) {
	st := memory.New()
	defer st.Close()
	e := faults.New(st, nil)
	if err := e.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Run("Active", func(b *testing.B) {
		n := 0
		for b.Loop() {
			if e.Active() {
				n++
			}
		}
		_ = n
	})
	b.Run("reference-atomic-load", func(b *testing.B) {
		var p atomic.Pointer[[]int]
		p.Store(&[]int{})
		n := 0
		for b.Loop() {
			if q := p.Load(); q != nil && len(*q) > 0 {
				n++
			}
		}
		_ = n
	})
}
