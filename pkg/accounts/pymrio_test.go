package accounts

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/table"
)

// TestMillerBlair checks MATH.md's worked example: Miller and Blair,
// chapter 2, against pymrio's expected files.
func TestMillerBlair(t *testing.T) {
	z := readExpected(t, "miller_blair_ch2_Z.csv")
	fd := readExpected(t, "miller_blair_ch2_fd.csv")
	wantX := readExpected(t, "miller_blair_ch2_x.csv")
	wantA := readExpected(t, "miller_blair_ch2_A.csv")
	wantL := readExpected(t, "miller_blair_ch2_L.csv")

	// An extension with F = diag(x), so that S = I and the multipliers M
	// are L itself.
	x := mat.Col(nil, 0, wantX.m)
	tab := &table.Table{
		Source: "miller_blair", Regions: []string{"r"}, Sectors: z.cols,
		Consumers: []string{"r"}, Categories: fd.cols,
		Z: z.m, Y: fd.m,
		Extensions: []*table.Extension{{
			Name: "unit", Stressors: z.cols, Units: []string{"1", "1"},
			F: mat.NewDense(2, 2, []float64{x[0], 0, 0, x[1]}),
		}},
	}
	res, err := Compute(tab, Options{KeepA: true})
	if err != nil {
		t.Fatal(err)
	}
	checkValues(t, "x", tab.X, x, 1e-15)
	checkDense(t, "A", tab.A, wantA.m, 1e-15)
	// L as the file writes it, to 8 decimals, and as MATH.md does, to 4.
	l := res.Extensions[0].Total
	for i, want4 := range []float64{1.2541, 0.3300, 0.2640, 1.1221} {
		got := l.At(i/2, i%2)
		if d := got - wantL.m.At(i/2, i%2); math.Abs(d) > 0.5e-8 {
			t.Errorf("L[%d, %d] = %.10f, file says %.8f (difference %.3g)", i/2, i%2, got, wantL.m.At(i/2, i%2), d)
		}
		if math.Round(got*1e4)/1e4 != want4 {
			t.Errorf("L[%d, %d] = %.6f, want %.4f to 4 decimals", i/2, i%2, got, want4)
		}
	}
}

// TestMillerBlairNewDemand solves the chapter's second case in coefficient
// form, x given by nothing but A and the new final demand (600, 1500), and
// checks the output and the labour it needs.
func TestMillerBlairNewDemand(t *testing.T) {
	a := readExpected(t, "miller_blair_ch2_A.csv")
	lab := readExpected(t, "miller_blair_ch2_labcoeff.csv")
	wantX := readExpected(t, "miller_blair_ch2_xnew.csv")
	wantLab := readExpected(t, "miller_blair_ch2_labtot.csv")
	tab := &table.Table{
		Source: "miller_blair", Regions: []string{"r"}, Sectors: a.cols,
		Consumers: []string{"r"}, Categories: []string{"fd"},
		A: a.m, Y: mat.NewDense(2, 1, []float64{600, 1500}),
		Extensions: []*table.Extension{{Name: "labour", Stressors: lab.rows, Units: []string{"jobs"}, S: lab.m}},
	}
	res, err := Compute(tab, Options{FlowsBySector: true})
	if err != nil {
		t.Fatal(err)
	}
	checkValues(t, "x~", res.Output, mat.Col(nil, 0, wantX.m), 1e-4)
	bySector := res.Extensions[0].FlowsBySector[0]
	checkValues(t, "labour by sector", mat.Col(nil, 0, bySector), mat.Row(nil, 0, wantLab.m), 1e-4)
	if res.Residual != 0 {
		t.Errorf("Residual = %g without a given x, want 0", res.Residual)
	}
}

// TestSmallMRIO compares with pymrio's expected accounts of its 2-region,
// 3-sector test system.
func TestSmallMRIO(t *testing.T) {
	tab := smallMRIO(t)
	f := mat.DenseCopyOf(tab.Extensions[0].F)
	fy := finalUse(tab)
	res, err := Compute(tab, Options{FlowsBySector: true, KeepA: true})
	if err != nil {
		t.Fatal(err)
	}
	const rtol = 1e-9
	e := res.Extensions[0]
	checkValues(t, "x", tab.X, mat.Col(nil, 0, readExpected(t, "small_mrio_x.csv").m), rtol)
	checkDense(t, "A", tab.A, readExpected(t, "small_mrio_A.csv").m, rtol)
	checkDense(t, "S", e.Direct, readExpected(t, "small_mrio_S.csv").m, rtol)
	checkDense(t, "M", e.Total, readExpected(t, "small_mrio_M.csv").m, rtol)
	checkDense(t, "D_cba", e.Footprints, readExpected(t, "small_mrio_D_cba.csv").m, rtol)

	// pymrio's D_pba and D_exp are by producing sector, D_imp by consuming
	// product: rebuild them from the flows by sector, and sum per region.
	R, m := len(res.Regions), len(res.Sectors)
	k, n := f.Dims()
	pba, exp := mat.NewDense(k, n, nil), mat.NewDense(k, n, nil)
	for s := range k {
		for i := range n {
			for r := range len(res.Consumers) {
				v := e.FlowsBySector[s].At(i, r)
				pba.Set(s, i, pba.At(s, i)+v)
				if r != i/m {
					exp.Set(s, i, exp.At(s, i)+v)
				}
			}
		}
	}
	checkDense(t, "D_pba", pba, readExpected(t, "small_mrio_D_pba.csv").m, rtol)
	checkDense(t, "D_pba = F", pba, f, rtol)
	checkDense(t, "D_exp", exp, readExpected(t, "small_mrio_D_exp.csv").m, rtol)
	perRegion := func(d *mat.Dense, plus *mat.Dense) *mat.Dense {
		out := mat.NewDense(k, R, nil)
		for s := range k {
			for j := range n {
				out.Set(s, j/m, out.At(s, j/m)+d.At(s, j))
			}
			for r := range R {
				if plus != nil {
					out.Set(s, r, out.At(s, r)+plus.At(s, r))
				}
			}
		}
		return out
	}
	checkDense(t, "D_imp per region", e.Imports, perRegion(readExpected(t, "small_mrio_D_imp.csv").m, nil), rtol)
	checkDense(t, "D_exp per region", e.Exports, perRegion(readExpected(t, "small_mrio_D_exp.csv").m, nil), rtol)
	checkDense(t, "D_pba per region + F_Y", e.Production, perRegion(readExpected(t, "small_mrio_D_pba.csv").m, fy[0]), rtol)
	checkDense(t, "D_cba per region + F_Y", e.Consumption, perRegion(readExpected(t, "small_mrio_D_cba.csv").m, fy[0]), rtol)
	checkIdentities(t, res, fy, 1e-13)
}

// TestTestMRIO compares with pymrio's expected value-added accounts of its
// 6-region, 8-sector test MRIO, and every account with the explicit-inverse
// reference.
func TestTestMRIO(t *testing.T) {
	tab := testMRIO(t)
	ref := reference(t, tab)
	var sumF, sumFY [][]float64
	for _, e := range tab.Extensions {
		sumF = append(sumF, rowTotals(e.F))
		sumFY = append(sumFY, rowTotals(e.FY))
	}
	fy := finalUse(tab)
	res, err := Compute(tab, Options{FlowsBySector: true})
	if err != nil {
		t.Fatal(err)
	}
	va := res.Extensions[1]
	if va.Name != "factor_inputs" {
		t.Fatalf("extension 1 is %q", va.Name)
	}
	checkDense(t, "factor_inputs M", va.Total, readExpected(t, "test_mrio_factor_inputs_M.csv").m, 1e-5)
	checkDense(t, "factor_inputs D_imp_reg", va.Imports, readExpected(t, "test_mrio_factor_inputs_D_imp_reg.csv").m, 1e-9)
	checkResult(t, res, ref, 1e-9)
	checkIdentities(t, res, fy, 1e-13)

	// Flow form: the demand-driven production adds up to the table's F and
	// F_Y, since x = L y holds for x = Z 1 + Y 1.
	for x, e := range res.Extensions {
		for s := range e.Stressors {
			var prod float64
			for r := range res.Regions {
				prod += e.Production.At(s, r)
			}
			want := sumF[x][s]
			if sumFY[x] != nil {
				want += sumFY[x][s]
			}
			if !agree(prod, want, 1e-12, 0) {
				t.Errorf("%s/%s: production %.17g, F + F_Y %.17g", e.Name, e.Stressors[s], prod, want)
			}
		}
	}
	if res.Residual > 1e-14 {
		t.Errorf("Residual = %g for x = Z 1 + Y 1", res.Residual)
	}
}

// rowTotals returns the sum of every row of d, or nil for nil d.
func rowTotals(d *mat.Dense) []float64 {
	if d == nil {
		return nil
	}
	r, _ := d.Dims()
	out := make([]float64, r)
	for i := range r {
		out[i] = mat.Sum(d.RowView(i))
	}
	return out
}
