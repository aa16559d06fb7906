package memory

import (
	"testing"

	"permafrost/internal/glacier"
	"permafrost/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) glacier.Store { return New() })
}

func TestIsolation(t *testing.T) {
	storetest.RunIsolation(t, func(t *testing.T) glacier.Store { return New() })
}
