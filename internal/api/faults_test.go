package api

import (
	"slices"
	"testing"

	"permafrost/internal/faults"
	"permafrost/internal/glacier"
)

// The fault rules name exactly this package's operations, and their
// presets answer as this package's error table says.
func TestFaultsAgreeWithAPI(t *testing.T) {
	var ops []string
	for op := range handlers {
		ops = append(ops, string(op))
	}
	want := slices.Clone(faults.Operations)
	slices.Sort(ops)
	slices.Sort(want)
	if !slices.Equal(ops, want) {
		t.Errorf("faults.Operations = %v, the handlers are %v", want, ops)
	}
	for code, p := range faults.Presets {
		row, ok := errorTable[glacier.Code(code)]
		if !ok || row.Status != p.Status || row.Type != p.Type {
			t.Errorf("preset %s is %d %s, the error table says %d %s (known %v)", code, p.Status, p.Type, row.Status, row.Type, ok)
		}
	}
}
