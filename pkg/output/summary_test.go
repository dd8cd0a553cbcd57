package output_test

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mrioflow/mrioflow/pkg/montecarlo"
	"github.com/mrioflow/mrioflow/pkg/output"
)

// summaryFixture summarizes five draws of six values: value added (no
// stressor), production with a null in one draw, the production of a
// region that never produces (every statistic null), an intensity, a flow,
// and a stressor without a unit.
func summaryFixture() ([]montecarlo.Row, map[[2]string]string) {
	labels := []montecarlo.Label{
		{Account: montecarlo.ValueAdded, Region: "A"},
		{Account: montecarlo.Production, Extension: "air", Stressor: "CO2", Region: "A"},
		{Account: montecarlo.Production, Extension: "air", Stressor: "CO2", Region: "DISC"},
		{Account: montecarlo.ConsumptionIntensity, Extension: "air", Stressor: "CO2", Region: "B"},
		{Account: montecarlo.Flows, Extension: "air", Stressor: "CO2", Region: "A", ToRegion: "B"},
		{Account: montecarlo.Consumption, Extension: "water", Stressor: "use", Region: "B"},
	}
	nan := math.NaN()
	values := []float64{
		10, 3, nan, 0.5, 1.25, 7,
		11, nan, nan, 0.25, 1.5, 8,
		12, 5, nan, 0.75, -1e-300, 9,
		13, 6, nan, 1, 2, 10,
		14, 7, nan, 0.125, 3, 11,
	}
	s := &montecarlo.Samples{Labels: labels, Count: 5, Values: values}
	units := map[[2]string]string{{"air", "CO2"}: "kg", {"", ""}: "never written"}
	return montecarlo.Summarize(s), units
}

// optional is what a nullable text column holds for v: null for "".
func optional(v string) cell { return cell{s: v, null: v == ""} }

func TestSummaryRoundTrip(t *testing.T) {
	sum, units := summaryFixture()
	if sum[2].Draws != 0 || !math.IsNaN(sum[2].Mean) || math.IsNaN(sum[1].SD) != (sum[1].Draws < 2) {
		t.Fatalf("fixture: %+v", sum)
	}
	for _, f := range []output.Format{output.Arrow, output.Parquet} {
		for _, batch := range []int{1 << 16, 2} {
			t.Run(fmt.Sprintf("%v/batch=%d", f, batch), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				data, n, err := output.EncodeSummary(sum, units, f,
					output.WithAllocator(mem), output.WithBatchRows(batch), output.WithMetadata("year", "2019"))
				if err != nil {
					t.Fatal(err)
				}
				if n != int64(len(sum)) {
					t.Errorf("EncodeSummary reports %d rows, want %d", n, len(sum))
				}
				tbl, err := output.ReadTable(data, f, output.WithAllocator(mem))
				if err != nil {
					t.Fatal(err)
				}
				defer tbl.Release()
				if v, _ := tbl.Schema().Metadata().GetValue(output.MetaAccount); v != output.Summary {
					t.Errorf("%s = %q, want %q", output.MetaAccount, v, output.Summary)
				}
				got := rows(t, tbl)
				if len(got) != len(sum) {
					t.Fatalf("%d rows read back, want %d", len(got), len(sum))
				}
				for i, want := range sum {
					r := got[i]
					unit := ""
					if want.Stressor != "" {
						unit = units[[2]string{want.Extension, want.Stressor}]
					}
					texts := map[string]cell{
						"account":   {s: want.Account},
						"extension": optional(want.Extension),
						"stressor":  optional(want.Stressor),
						"unit":      optional(unit),
						"region":    {s: want.Region},
						"to_region": optional(want.ToRegion),
					}
					for col, w := range texts {
						if r[col] != w {
							t.Errorf("row %d %s = %+v, want %+v", i, col, r[col], w)
						}
					}
					nums := map[string]float64{"draws": float64(want.Draws), "mean": want.Mean, "sd": want.SD,
						"p05": want.P05, "p50": want.P50, "p95": want.P95}
					for col, w := range nums {
						g := r[col]
						switch {
						case math.IsNaN(w) && !g.null:
							t.Errorf("row %d %s = %v, want null", i, col, g.f)
						case !math.IsNaN(w) && (g.null || g.f != w):
							t.Errorf("row %d %s = %+v, want %v (diff %g)", i, col, g, w, g.f-w)
						}
					}
				}
			})
		}
	}
}

// TestSummarySchema checks the columns the report reads (account and
// region as non-null text, the statistics as numbers) and that Summary is
// an account of files but not of Results.
func TestSummarySchema(t *testing.T) {
	want := []struct {
		name     string
		typ      arrow.DataType
		nullable bool
	}{
		{"account", arrow.BinaryTypes.String, false},
		{"extension", arrow.BinaryTypes.String, true},
		{"stressor", arrow.BinaryTypes.String, true},
		{"unit", arrow.BinaryTypes.String, true},
		{"region", arrow.BinaryTypes.String, false},
		{"to_region", arrow.BinaryTypes.String, true},
		{"draws", arrow.PrimitiveTypes.Int64, false},
		{"mean", arrow.PrimitiveTypes.Float64, true},
		{"sd", arrow.PrimitiveTypes.Float64, true},
		{"p05", arrow.PrimitiveTypes.Float64, true},
		{"p50", arrow.PrimitiveTypes.Float64, true},
		{"p95", arrow.PrimitiveTypes.Float64, true},
	}
	sc := output.Schema(output.Summary)
	if sc.NumFields() != len(want) {
		t.Fatalf("%d columns, want %d: %v", sc.NumFields(), len(want), sc)
	}
	for i, w := range want {
		f := sc.Field(i)
		if f.Name != w.name || !arrow.TypeEqual(f.Type, w.typ) || f.Nullable != w.nullable {
			t.Errorf("column %d = %s %s nullable=%t, want %s %s nullable=%t",
				i, f.Name, f.Type, f.Nullable, w.name, w.typ, w.nullable)
		}
		if d, ok := f.Metadata.GetValue(output.MetaDescription); !ok || d == "" {
			t.Errorf("column %s has no description", f.Name)
		}
	}
	if err := output.CheckSchema(sc); err != nil {
		t.Error(err)
	}
	if !output.IsAccount(output.Summary) {
		t.Error("IsAccount(Summary) = false")
	}
	if slices.Contains(output.Accounts(), output.Summary) {
		t.Errorf("Accounts() = %v holds %q, which no Result has", output.Accounts(), output.Summary)
	}
	key := output.Key("2019", "mc", output.Summary, output.Parquet)
	if key != "year=2019/scenario=mc/summary.parquet" {
		t.Errorf("Key = %q", key)
	}
	y, s, acct, f, err := output.ParseKey(key)
	if err != nil || y != "2019" || s != "mc" || acct != output.Summary || f != output.Parquet {
		t.Errorf("ParseKey(%q) = %q, %q, %q, %v, %v", key, y, s, acct, f, err)
	}
}

func TestSummaryErrors(t *testing.T) {
	good, units := summaryFixture()
	with := func(change func(r *montecarlo.Row)) []montecarlo.Row {
		rows := slices.Clone(good)
		change(&rows[4])
		return rows
	}
	tests := []struct {
		name string
		rows []montecarlo.Row
		want []string
	}{
		{"infinite mean", with(func(r *montecarlo.Row) { r.Mean = math.Inf(1) }),
			[]string{`account "flows"`, `stressor "CO2"`, `region "A"`, `to_region "B"`, "mean is +Inf"}},
		{"infinite p95", with(func(r *montecarlo.Row) { r.P95 = math.Inf(-1) }), []string{"p95 is -Inf"}},
		{"no region", with(func(r *montecarlo.Row) { r.Region = "" }), []string{"row 4", "no account or no region"}},
		{"no account", with(func(r *montecarlo.Row) { r.Account = "" }), []string{"row 4", "no account or no region"}},
	}
	for _, tc := range tests {
		for _, f := range []output.Format{output.Arrow, output.Parquet} {
			t.Run(tc.name+"/"+f.String(), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				data, n, err := output.EncodeSummary(tc.rows, units, f, output.WithAllocator(mem))
				checkFailed(t, data, n, err, tc.want)
			})
		}
	}
}

// TestSummaryWrongAccount checks that summary rows and Results do not mix:
// each on the other's Writer fails, and the Writer stays failed.
func TestSummaryWrongAccount(t *testing.T) {
	sum, units := summaryFixture()
	res, groups := fixture(1)
	tests := []struct {
		name    string
		account string
		write   func(w *output.Writer) error
		want    string
	}{
		{"Result to summary", output.Summary, func(w *output.Writer) error { return w.Write(res, groups) }, "use WriteSummary"},
		{"summary to flows", output.Flows, func(w *output.Writer) error { return w.WriteSummary(sum, units) }, "summary rows go to the summary account only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			var buf bytes.Buffer
			w, err := output.NewWriter(&buf, tc.account, output.Arrow, output.WithAllocator(mem))
			if err != nil {
				t.Fatal(err)
			}
			first := tc.write(w)
			if first == nil || !strings.Contains(first.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", first, tc.want)
			}
			if err := w.WriteSummary(sum, units); err != first {
				t.Errorf("WriteSummary after failure: %v, want %v", err, first)
			}
			if err := w.Close(); err != first {
				t.Errorf("Close: %v, want %v", err, first)
			}
		})
	}
}

// TestSummaryAppends writes the summary in two calls, as a caller with the
// rows of several scenarios might, and after Close fails to write more.
func TestSummaryAppends(t *testing.T) {
	sum, units := summaryFixture()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var buf bytes.Buffer
	w, err := output.NewWriter(&buf, output.Summary, output.Parquet, output.WithAllocator(mem), output.WithBatchRows(4))
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range [][]montecarlo.Row{sum[:3], sum[3:]} {
		if err := w.WriteSummary(part, units); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteSummary(sum, units); err == nil {
		t.Error("WriteSummary after Close succeeded")
	}
	if w.Rows() != int64(len(sum)) {
		t.Errorf("Rows() = %d, want %d", w.Rows(), len(sum))
	}
	whole, _, err := output.EncodeSummary(sum, units, output.Parquet)
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]byte{buf.Bytes(), whole} {
		tbl, err := output.ReadTable(data, output.Parquet, output.WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		got := rows(t, tbl)
		tbl.Release()
		if len(got) != len(sum) || got[5]["stressor"].s != "use" || !got[5]["unit"].null {
			t.Errorf("read back %d rows, last %+v", len(got), got[len(got)-1])
		}
	}
}

func TestSummaryNegativeDrawsPanics(t *testing.T) {
	sum, units := summaryFixture()
	sum[0].Draws = -1
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), "has -1 draws") {
			t.Errorf("recovered %v, want a panic naming the draws", r)
		}
	}()
	output.EncodeSummary(sum, units, output.Arrow)
}
