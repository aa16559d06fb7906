package regions

import (
	"slices"
	"testing"
)

func TestKnown(t *testing.T) {
	for _, r := range []string{"us-east-1", "eu-west-1", "ap-southeast-3", "cn-northwest-1", "us-gov-west-1", "us-isob-east-1"} {
		if !Known(r) {
			t.Errorf("%s is not known", r)
		}
	}
	for _, r := range []string{"", "US-EAST-1", "us-east-1 ", "us-east-9", "xx-fake-1", "fips-us-east-1", "aws-global", "ap-south-2", "local"} {
		if Known(r) {
			t.Errorf("%q is known", r)
		}
	}
}

func TestAll(t *testing.T) {
	a := All()
	if len(a) != 29 || !slices.IsSorted(a) || slices.Compact(slices.Clone(a)) == nil || len(slices.Compact(slices.Clone(a))) != len(a) {
		t.Errorf("All() = %d regions %v, want 29 sorted and distinct", len(a), a)
	}
	a[0] = "changed"
	if All()[0] == "changed" {
		t.Error("All returns the package's own slice")
	}
}
