package table

import (
	"reflect"
	"testing"
)

// TestCloneSharesNoNumbers changes every number of a clone and checks that
// the original keeps its own, while the clone starts equal to it.
func TestCloneSharesNoNumbers(t *testing.T) {
	orig := small()
	orig.X = []float64{1, 2, 3, 4}
	orig.ValueAdded = []float64{5, 6, 7, 8}
	orig.RegionValueAdded = []float64{9, 10}
	want := small()
	want.X = []float64{1, 2, 3, 4}
	want.ValueAdded = []float64{5, 6, 7, 8}
	want.RegionValueAdded = []float64{9, 10}

	c := orig.Clone()
	if !reflect.DeepEqual(c, orig) {
		t.Fatal("the clone differs from the original")
	}
	c.Z.Set(0, 0, -1)
	c.Y.Set(0, 0, -1)
	c.X[0], c.ValueAdded[0], c.RegionValueAdded[0] = -1, -1, -1
	for _, e := range c.Extensions {
		e.F.Set(0, 0, -1)
		if e.FY != nil {
			e.FY.Set(0, 0, -1)
		}
	}
	c.Extensions[0].Name = "changed"
	if !reflect.DeepEqual(orig, want) {
		t.Error("changing the clone changed the original")
	}
}
