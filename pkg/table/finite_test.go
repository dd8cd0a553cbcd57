package table

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestFiniteFirstInOrder checks that the check in blocks of rows names the
// first bad entry in row-major order, whichever goroutine finds which.
func TestFiniteFirstInOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	tab := &Table{Source: "big"}
	label := func(i int) string { return fmt.Sprint(i) }
	for _, tc := range []struct {
		name string
		bad  [][2]int
		want string
	}{
		{"none", nil, ""},
		{"one", [][2]int{{700, 1}}, `m["700", "1"] is NaN`},
		{"later blocks too", [][2]int{{900, 0}, {300, 2}, {299, 0}, {520, 1}}, `m["299", "0"] is NaN`},
		{"same row", [][2]int{{42, 2}, {42, 1}}, `m["42", "1"] is NaN`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mat.NewDense(1000, 3, nil)
			for _, at := range tc.bad {
				m.Set(at[0], at[1], math.NaN())
			}
			err := tab.finite("m", m, label, label)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %s", err, tc.want)
			}
		})
	}
}
