package accounts

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// wholeInverse reads every column of inv into one n×n matrix, checking
// that Each hands them out in order.
func wholeInverse(t testing.TB, inv *Inverse) *mat.Dense {
	t.Helper()
	n := inv.N()
	l := mat.NewDense(n, n, nil)
	next := 0
	err := inv.Each(func(first int, cols *mat.Dense) error {
		r, w := cols.Dims()
		if first != next || r != n {
			return fmt.Errorf("columns from %d (%d×%d), want from %d with %d rows", first, r, w, next, n)
		}
		l.Slice(0, n, first, first+w).(*mat.Dense).Copy(cols)
		next += w
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if next != n {
		t.Fatalf("Each handed out %d of %d columns", next, n)
	}
	return l
}

// TestInverseMillerBlair checks L against MATH.md's worked example and
// pymrio's file of it.
func TestInverseMillerBlair(t *testing.T) {
	z := readExpected(t, "miller_blair_ch2_Z.csv")
	fd := readExpected(t, "miller_blair_ch2_fd.csv")
	wantL := readExpected(t, "miller_blair_ch2_L.csv")
	tab := &table.Table{
		Source: "miller_blair", Regions: []string{"r"}, Sectors: z.cols,
		Consumers: []string{"r"}, Categories: fd.cols, Z: z.m, Y: fd.m,
	}
	res, err := Compute(tab, Options{Leontief: true})
	if err != nil {
		t.Fatal(err)
	}
	l := wholeInverse(t, res.Inverse)
	for i, want4 := range []float64{1.2541, 0.3300, 0.2640, 1.1221} {
		got, want := l.At(i/2, i%2), wantL.m.At(i/2, i%2)
		if d := got - want; math.Abs(d) > 0.5e-8 {
			t.Errorf("L[%d, %d] = %.10f, file says %.8f (difference %.3g)", i/2, i%2, got, want, d)
		}
		if math.Round(got*1e4)/1e4 != want4 {
			t.Errorf("L[%d, %d] = %.6f, want %.4f to 4 decimals", i/2, i%2, got, want4)
		}
	}
}

// TestInverseSmallMRIO checks L against pymrio's expected L of its
// 2-region, 3-sector system, and the test MRIO's against the explicit
// inverse of the reference.
func TestInverseSmallMRIO(t *testing.T) {
	for _, tc := range []struct {
		name string
		tab  func(testing.TB) *table.Table
		want func(testing.TB, *table.Table) *mat.Dense
	}{
		{"small_mrio", smallMRIO, func(t testing.TB, _ *table.Table) *mat.Dense {
			return readExpected(t, "small_mrio_L.csv").m
		}},
		{"test_mrio", testMRIO, explicitInverse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := tc.tab(t)
			res, err := Compute(tab, Options{Leontief: true, KeepA: true})
			if err != nil {
				t.Fatal(err)
			}
			checkDense(t, "L", wholeInverse(t, res.Inverse), tc.want(t, tab), 1e-9)
		})
	}
}

// explicitInverse returns (I - A)⁻¹ of a table in coefficient form by
// gonum's mat.Inverse, the reference's way.
func explicitInverse(t testing.TB, tab *table.Table) *mat.Dense {
	t.Helper()
	var ia, l mat.Dense
	ia.Sub(eye(tab.N()), tab.A)
	if err := l.Inverse(&ia); err != nil {
		t.Fatal(err)
	}
	return &l
}

// TestInverseIdentity checks L (I - A) = I and (I - A) L = I on random
// tables of several sizes, in both forms, with every backend: max |entry
// of the difference| <= 1e-10.
func TestInverseIdentity(t *testing.T) {
	for _, backend := range testBackends(t) {
		for _, tc := range []struct {
			regions, m, extra int
			flow              bool
		}{
			{1, 1, 0, false}, {2, 3, 1, true}, {3, 40, 0, false}, {4, 70, 2, true},
		} {
			t.Run(fmt.Sprintf("%s/%dx%d", backend.Name(), tc.regions, tc.m), func(t *testing.T) {
				tab := randomTable(rand.New(rand.NewPCG(7, uint64(tc.m))), tc.regions, tc.m, tc.extra, 2, []int{1}, tc.flow)
				res, err := Compute(tab, Options{Leontief: true, KeepA: true, Backend: backend})
				if err != nil {
					t.Fatal(err)
				}
				n := tab.N()
				l := wholeInverse(t, res.Inverse)
				var ia mat.Dense
				ia.Sub(eye(n), tab.A)
				for _, side := range []struct {
					name string
					a, b mat.Matrix
				}{{"L (I - A)", l, &ia}, {"(I - A) L", &ia, l}} {
					var p mat.Dense
					p.Mul(side.a, side.b)
					p.Sub(&p, eye(n))
					if d := mat.Norm(&p, math.Inf(1)); !(d <= 1e-10) {
						t.Errorf("%s - I: largest row sum of |entries| %.3g, want <= 1e-10", side.name, d)
					}
				}
			})
		}
	}
}

// TestInverseEachErrors checks that Each refuses blocks that do not tile
// L's columns, and passes f's error on.
func TestInverseEachErrors(t *testing.T) {
	col := func(first, n, w int) *InverseBlock {
		return &InverseBlock{First: first, L: mat.NewDense(n, w, nil)}
	}
	errStop := errors.New("stop")
	for _, tc := range []struct {
		name   string
		blocks []*InverseBlock
		f      func(int, *mat.Dense) error
		want   error
	}{
		{"gap", []*InverseBlock{col(0, 3, 1), col(2, 3, 1)}, nil, nil},
		{"overlap", []*InverseBlock{col(0, 3, 2), col(1, 3, 2)}, nil, nil},
		{"short", []*InverseBlock{col(0, 3, 2)}, nil, nil},
		{"too many", []*InverseBlock{col(0, 3, 3), col(3, 3, 1)}, nil, nil},
		{"wrong rows", []*InverseBlock{col(0, 2, 3)}, nil, nil},
		{"f fails", []*InverseBlock{col(0, 3, 3)}, func(int, *mat.Dense) error { return errStop }, errStop},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := InverseOfBlocks(3, func(yield func(*InverseBlock) error) error {
				for _, b := range tc.blocks {
					if err := yield(b); err != nil {
						return err
					}
				}
				return nil
			})
			f := tc.f
			if f == nil {
				f = func(int, *mat.Dense) error { return nil }
			}
			err := inv.Each(f)
			switch {
			case err == nil:
				t.Error("no error")
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
	// An empty block of a consumer that does not produce is fine.
	inv := InverseOfBlocks(3, func(yield func(*InverseBlock) error) error {
		for _, b := range []*InverseBlock{col(0, 3, 3), {First: 3, L: &mat.Dense{}}} {
			if err := yield(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err := inv.Each(func(int, *mat.Dense) error { return nil }); err != nil {
		t.Errorf("blocks with an empty one at the end: %v", err)
	}
}

func TestInverseBlockUnmarshalRejects(t *testing.T) {
	good, _ := (&InverseBlock{First: 1, L: mat.NewDense(2, 1, []float64{1, 2})}).MarshalBinary()
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"bad magic", append([]byte("MRIOPRT1"), good[8:]...)},
		{"cut short", good[:len(good)-3]},
		{"header only", good[:20]},
		{"too long", append(good, 0, 0, 0, 0, 0, 0, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b InverseBlock
			if err := b.UnmarshalBinary(tc.data); err == nil {
				t.Error("no error")
			}
		})
	}
	var b InverseBlock
	if err := b.UnmarshalBinary(good); err != nil || b.First != 1 || b.L.At(1, 0) != 2 {
		t.Errorf("round trip: %v, %+v", err, b)
	}
}

func FuzzInverseBlockUnmarshal(f *testing.F) {
	good, _ := (&InverseBlock{First: 1, L: mat.NewDense(2, 1, []float64{1, 2})}).MarshalBinary()
	f.Add(good)
	f.Fuzz(func(t *testing.T, data []byte) {
		var b InverseBlock
		if b.UnmarshalBinary(data) == nil {
			again, _ := b.MarshalBinary()
			if string(again) != string(data) {
				t.Errorf("decoded and encoded again, %d bytes became %d", len(data), len(again))
			}
		}
	})
}

// cols returns the number of columns of m, 0 for nil or empty.
func cols(m *mat.Dense) int {
	_, c := dims(m)
	return c
}
