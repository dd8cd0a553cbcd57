package output_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/output"
)

// cell is one value of a row read back: text, a number, or null.
type cell struct {
	s    string
	f    float64
	null bool
}

type row map[string]cell

// rows flattens a table into rows keyed by column name.
func rows(t *testing.T, tbl arrow.Table) []row {
	t.Helper()
	out := make([]row, tbl.NumRows())
	for i := range out {
		out[i] = row{}
	}
	for c := range int(tbl.NumCols()) {
		col := tbl.Column(c)
		i := 0
		for _, chunk := range col.Data().Chunks() {
			for j := range chunk.Len() {
				var v cell
				switch a := chunk.(type) {
				case *array.String:
					v = cell{s: a.Value(j)}
				case *array.Float64:
					v = cell{f: a.Value(j)}
				case *array.Int64:
					v = cell{f: float64(a.Value(j))}
				default:
					t.Fatalf("column %s: unexpected array %T", col.Name(), chunk)
				}
				v.null = chunk.IsNull(j)
				out[i][col.Name()] = v
				i++
			}
		}
	}
	return out
}

// expect returns, for one row read back, the values the fixture holds for
// it: each number column's expected value, NaN for null. It looks the row's
// labels up in the fixture, so it checks labels and values together without
// relying on row order.
func expect(t *testing.T, account string, res *accounts.Result, groups []*accounts.Groups, r row) map[string]float64 {
	t.Helper()
	find := func(list []string, col string) int {
		i := slices.Index(list, r[col].s)
		if i < 0 {
			t.Fatalf("%s: %s %q is not in %v", account, col, r[col].s, list)
		}
		return i
	}
	m := len(res.Sectors)
	if account == output.Leontief {
		i := find(res.Regions, "from_region")*m + find(res.Sectors, "from_sector")
		j := find(res.Regions, "to_region")*m + find(res.Sectors, "to_sector")
		return map[string]float64{"value": inverseMatrix(res.Inverse).At(i, j)}
	}
	var names []string
	for _, e := range res.Extensions {
		names = append(names, e.Name)
	}
	x := find(names, "extension")
	e := res.Extensions[x]
	s := find(e.Stressors, "stressor")
	wantUnit := ""
	if e.Units != nil {
		wantUnit = e.Units[s]
	}
	if got := r["unit"]; got.null != (wantUnit == "") || got.s != wantUnit {
		t.Errorf("%s: %s/%s unit = %+v, want %q", account, e.Name, e.Stressors[s], got, wantUnit)
	}
	switch account {
	case output.Regions:
		c := find(res.Consumers, "region")
		return map[string]float64{
			"production":            e.Production.At(s, c),
			"consumption":           e.Consumption.At(s, c),
			"imports":               e.Imports.At(s, c),
			"exports":               e.Exports.At(s, c),
			"net_exports":           e.NetExports.At(s, c),
			"value_added":           res.ValueAdded[c],
			"final_demand":          res.FinalDemand[c],
			"production_intensity":  e.ProductionIntensity.At(s, c),
			"consumption_intensity": e.ConsumptionIntensity.At(s, c),
		}
	case output.Flows:
		p, c := find(res.Regions, "from_region"), find(res.Consumers, "to_region")
		return map[string]float64{"value": e.Flows[s].At(p, c)}
	case output.Footprints:
		c, j := find(res.Consumers, "region"), find(res.Sectors, "sector")
		return map[string]float64{"value": e.Footprints.At(s, c*m+j)}
	case output.Multipliers:
		p, i := find(res.Regions, "region"), find(res.Sectors, "sector")
		return map[string]float64{"direct": e.Direct.At(s, p*m+i), "total": e.Total.At(s, p*m+i)}
	case output.FlowsBySector:
		p, i, c := find(res.Regions, "from_region"), find(res.Sectors, "from_sector"), find(res.Consumers, "to_region")
		return map[string]float64{"value": e.FlowsBySector[s].At(p*m+i, c)}
	case output.GroupFlows:
		g := groups[x]
		p, c := find(g.Names, "from_group"), find(g.Names, "to_group")
		return map[string]float64{"value": g.Value[s].At(p, c), "share": g.Share[s].At(p, c)}
	}
	t.Fatalf("no expectation for account %q", account)
	return nil
}

// wantRows is the number of rows each account of the fixture has:
// 3 stressors in all, 2 producing regions, 3 consumers, 2 sectors, 2 groups.
var wantRows = map[string]int64{
	output.Regions:       3 * 3,
	output.Flows:         3 * 2 * 3,
	output.Footprints:    3 * 3 * 2,
	output.Multipliers:   3 * 2 * 2,
	output.FlowsBySector: 3 * 2 * 2 * 3,
	output.GroupFlows:    3 * 2 * 2,
	output.Leontief:      4 * 4,
}

// wantNulls is the number of null numbers each account of the fixture has.
var wantNulls = map[string]int{
	// DISC: production, exports, net exports, value added, production
	// intensity, for 3 stressors; air CH4 consumption intensity in B.
	output.Regions:    3*5 + 1,
	output.GroupFlows: 2,
}

// checkTable compares a table read back with the fixture, cell by cell.
func checkTable(t *testing.T, account string, tbl arrow.Table, res *accounts.Result, groups []*accounts.Groups) {
	t.Helper()
	if err := output.CheckSchema(tbl.Schema()); err != nil {
		t.Fatal(err)
	}
	if got, want := tbl.NumRows(), wantRows[account]; got != want {
		t.Fatalf("%s: %d rows, want %d", account, got, want)
	}
	seen := map[string]bool{}
	nulls := 0
	for i, r := range rows(t, tbl) {
		var key []string
		for _, f := range output.Schema(account).Fields() {
			if f.Type.ID() == arrow.STRING {
				key = append(key, r[f.Name].s)
			}
		}
		k := strings.Join(key, "|")
		if seen[k] {
			t.Errorf("%s: row %d repeats labels %s", account, i, k)
		}
		seen[k] = true
		for col, want := range expect(t, account, res, groups, r) {
			got := r[col]
			if got.null {
				nulls++
			}
			switch {
			case math.IsNaN(want) && !got.null:
				t.Errorf("%s row %d (%s) %s = %v, want null", account, i, k, col, got.f)
			case !math.IsNaN(want) && (got.null || got.f != want):
				t.Errorf("%s row %d (%s) %s = %+v, want %v (diff %g)", account, i, k, col, got, want, got.f-want)
			}
		}
	}
	if nulls != wantNulls[account] {
		t.Errorf("%s: %d nulls, want %d", account, nulls, wantNulls[account])
	}
}

func TestRoundTrip(t *testing.T) {
	res, groups := fixture(1)
	for _, account := range output.Accounts() {
		for _, f := range []output.Format{output.Arrow, output.Parquet} {
			for _, batch := range []int{1 << 16, 5} {
				t.Run(fmt.Sprintf("%s/%v/batch=%d", account, f, batch), func(t *testing.T) {
					mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
					defer mem.AssertSize(t, 0)
					data, n, err := output.Encode(account, f, res, groups,
						output.WithAllocator(mem), output.WithBatchRows(batch))
					if err != nil {
						t.Fatal(err)
					}
					if n != wantRows[account] {
						t.Errorf("Encode reports %d rows, want %d", n, wantRows[account])
					}
					tbl, err := output.ReadTable(data, f, output.WithAllocator(mem))
					if err != nil {
						t.Fatal(err)
					}
					defer tbl.Release()
					checkTable(t, account, tbl, res, groups)
				})
			}
		}
	}
}

func TestSchemas(t *testing.T) {
	lead := []string{"extension", "stressor", "unit"}
	tests := []struct {
		account string
		columns []string
	}{
		{output.Regions, []string{"region", "production", "consumption", "imports", "exports",
			"net_exports", "value_added", "final_demand", "production_intensity", "consumption_intensity"}},
		{output.Flows, []string{"from_region", "to_region", "value"}},
		{output.Footprints, []string{"region", "sector", "value"}},
		{output.Multipliers, []string{"region", "sector", "direct", "total"}},
		{output.FlowsBySector, []string{"from_region", "from_sector", "to_region", "value"}},
		{output.GroupFlows, []string{"from_group", "to_group", "value", "share"}},
		{output.Leontief, []string{"from_region", "from_sector", "to_region", "to_sector", "value"}},
	}
	var names []string
	for _, tc := range tests {
		names = append(names, tc.account)
		t.Run(tc.account, func(t *testing.T) {
			lead := lead
			if tc.account == output.Leontief { // L is not per stressor
				lead = nil
			}
			sc := output.Schema(tc.account)
			var got []string
			for _, f := range sc.Fields() {
				got = append(got, f.Name)
				wantType := arrow.FLOAT64
				if slices.Contains(lead, f.Name) || !f.Nullable {
					wantType = arrow.STRING
				}
				if f.Type.ID() != wantType {
					t.Errorf("column %s: type %s, want %s", f.Name, f.Type, wantType)
				}
				if d, ok := f.Metadata.GetValue(output.MetaDescription); !ok || d == "" {
					t.Errorf("column %s has no description", f.Name)
				}
			}
			if want := append(slices.Clone(lead), tc.columns...); !slices.Equal(got, want) {
				t.Errorf("columns\n got %v\nwant %v", got, want)
			}
			md := sc.Metadata()
			if v, _ := md.GetValue(output.MetaAccount); v != tc.account {
				t.Errorf("%s = %q", output.MetaAccount, v)
			}
			if v, _ := md.GetValue(output.MetaSchemaVersion); v != output.SchemaVersion {
				t.Errorf("%s = %q", output.MetaSchemaVersion, v)
			}
			if err := output.CheckSchema(sc); err != nil {
				t.Error(err)
			}
		})
	}
	if got := output.Accounts(); !slices.Equal(got, names) {
		t.Errorf("Accounts() = %v, want %v", got, names)
	}
}

func TestSchemaPanicsOnUnknownAccount(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Schema(\"nope\") did not panic")
		}
	}()
	output.Schema("nope")
}

func TestCheckSchema(t *testing.T) {
	good := output.Schema(output.Flows)
	md := func(kv ...string) *arrow.Metadata {
		m := arrow.MetadataFrom(map[string]string{})
		for i := 0; i < len(kv); i += 2 {
			m = arrow.NewMetadata(append(m.Keys(), kv[i]), append(m.Values(), kv[i+1]))
		}
		return &m
	}
	fields := good.Fields()
	renamed := slices.Clone(fields)
	renamed[4].Name = "destination"
	retyped := slices.Clone(fields)
	retyped[5].Type = arrow.PrimitiveTypes.Float32
	nonNull := slices.Clone(fields)
	nonNull[5].Nullable = false
	version := good.Metadata()
	tests := []struct {
		name   string
		schema *arrow.Schema
		want   string // in the error; "" for none
	}{
		{"good", good, ""},
		{"extra metadata", arrow.NewSchema(fields, md(output.MetaAccount, "flows", output.MetaSchemaVersion, output.SchemaVersion, "year", "2019")), ""},
		{"no account", arrow.NewSchema(fields, nil), "not an output file"},
		{"unknown account", arrow.NewSchema(fields, md(output.MetaAccount, "stocks")), `unknown account "stocks"`},
		{"old version", arrow.NewSchema(fields, md(output.MetaAccount, "flows", output.MetaSchemaVersion, "0")), `schema version "0"`},
		{"fewer columns", arrow.NewSchema(fields[:5], &version), "5 columns, want 6"},
		{"renamed", arrow.NewSchema(renamed, &version), `column 4 is "destination"`},
		{"retyped", arrow.NewSchema(retyped, &version), `"value" has type float32`},
		{"nullability", arrow.NewSchema(nonNull, &version), `"value" nullable=false`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := output.CheckSchema(tc.schema)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	noSectorFlows, groups := fixture(1)
	noSectorFlows.Extensions[1].FlowsBySector = nil
	infinite, _ := fixture(1)
	infinite.Extensions[0].Flows[1].Set(1, 2, math.Inf(-1))
	infiniteVA, _ := fixture(1)
	infiniteVA.ValueAdded[1] = math.Inf(1)
	good, _ := fixture(1)
	noInverse, _ := fixture(1)
	noInverse.Inverse = nil
	infiniteL, _ := fixture(1)
	l := inverseMatrix(infiniteL.Inverse)
	l.Set(2, 1, math.Inf(1))
	infiniteL.Inverse = inverseOf(l, 3)
	errBlocks := errors.New("block 2 is gone")
	failingL, _ := fixture(1)
	failingL.Inverse = accounts.InverseOfBlocks(4, func(yield func(*accounts.InverseBlock) error) error {
		if err := yield(&accounts.InverseBlock{First: 0, L: mat.NewDense(4, 1, nil)}); err != nil {
			return err
		}
		return errBlocks
	})
	shortL, _ := fixture(1)
	shortL.Inverse = accounts.InverseOfBlocks(4, func(yield func(*accounts.InverseBlock) error) error {
		return yield(&accounts.InverseBlock{First: 0, L: mat.NewDense(4, 3, nil)})
	})
	tests := []struct {
		name    string
		account string
		format  output.Format
		res     *accounts.Result
		groups  []*accounts.Groups
		want    []string
	}{
		{"unknown account", "stocks", output.Arrow, good, groups, []string{`unknown account "stocks"`, "flows_by_sector"}},
		{"unknown format", output.Flows, output.Format(7), good, groups, []string{"unknown format Format(7)"}},
		{"sector flows not computed", output.FlowsBySector, output.Arrow, noSectorFlows, groups, []string{`extension "water"`, "not computed"}},
		{"no groups", output.GroupFlows, output.Parquet, good, nil, []string{"no groups"}},
		{"a nil group", output.GroupFlows, output.Arrow, good, []*accounts.Groups{groups[0], nil}, []string{`extension "water" has no groups`}},
		{"infinite flow", output.Flows, output.Arrow, infinite, groups,
			[]string{`extension "air"`, `stressor "CH4"`, `from_region "B"`, `to_region "DISC"`, "value is -Inf"}},
		{"infinite value added", output.Regions, output.Parquet, infiniteVA, groups,
			[]string{`stressor "CO2"`, `region "B"`, "value_added is +Inf"}},
		{"no Leontief inverse", output.Leontief, output.Arrow, noInverse, groups, []string{"leontief", "Options.Leontief"}},
		{"infinite L", output.Leontief, output.Parquet, infiniteL, groups,
			[]string{`from_region "B"`, `from_sector "s1"`, `to_region "A"`, `to_sector "s2"`, "value is +Inf"}},
		{"blocks of L fail", output.Leontief, output.Arrow, failingL, groups, []string{errBlocks.Error()}},
		{"blocks of L fall short", output.Leontief, output.Arrow, shortL, groups, []string{"cover 3 of 4 columns"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			data, n, err := output.Encode(tc.account, tc.format, tc.res, tc.groups, output.WithAllocator(mem))
			checkFailed(t, data, n, err, tc.want)
		})
	}
}

// checkFailed checks what a failed encoding returned: an error holding
// every string of want, and neither data nor rows.
func checkFailed(t *testing.T, data []byte, n int64, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; %d bytes, %d rows", len(data), n)
	}
	if data != nil || n != 0 {
		t.Errorf("failed encoding returned %d bytes and %d rows", len(data), n)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

func TestShapeMismatchPanics(t *testing.T) {
	res, groups := fixture(1)
	res.Extensions[0].Footprints = res.Extensions[0].Direct // k x n, not k x R'm
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), "air footprints is 2 x 4, want 2 x 6") {
			t.Errorf("recovered %v, want a panic naming the footprints' shape", r)
		}
	}()
	output.Encode(output.Footprints, output.Arrow, res, groups)
}

// failingWriter accepts budget bytes, then fails every write.
type failingWriter struct{ budget int }

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.budget {
		n := w.budget
		w.budget = 0
		return n, errDiskFull
	}
	w.budget -= len(p)
	return len(p), nil
}

func TestWriterStaysFailed(t *testing.T) {
	res, groups := fixture(1)
	tests := []struct {
		name   string
		format output.Format
		budget float64 // the share of the whole file the writer accepts
		// failAt is where the first error shows: "new", "write" or
		// "close". Parquet writes its magic number at once, then buffers
		// a row group and writes it at Close.
		failAt string
	}{
		{"arrow, nothing writable", output.Arrow, 0, "write"},
		{"arrow, fails half way", output.Arrow, 0.5, "write"},
		{"parquet, nothing writable", output.Parquet, 0, "new"},
		{"parquet, fails half way", output.Parquet, 0.5, "close"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := []output.Option{output.WithBatchRows(2)}
			whole, _, err := output.Encode(output.Flows, tc.format, res, groups, opts...)
			if err != nil {
				t.Fatal(err)
			}
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			fw := &failingWriter{budget: int(tc.budget * float64(len(whole)))}
			w, err := output.NewWriter(fw, output.Flows, tc.format, append(opts, output.WithAllocator(mem))...)
			if tc.failAt == "new" {
				if !errors.Is(err, errDiskFull) {
					t.Errorf("NewWriter: %v, want %v", err, errDiskFull)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			first := w.Write(res, groups)
			if tc.failAt == "write" {
				if !errors.Is(first, errDiskFull) {
					t.Fatalf("Write: %v, want %v", first, errDiskFull)
				}
			} else {
				if first != nil {
					t.Fatalf("Write: %v, want the error at Close", first)
				}
				first = w.Close()
				if !errors.Is(first, errDiskFull) {
					t.Fatalf("Close: %v, want %v", first, errDiskFull)
				}
			}
			if err := w.Write(res, groups); err != first {
				t.Errorf("second Write: %v, want the first error %v", err, first)
			}
			if err := w.Close(); err != first {
				t.Errorf("Close: %v, want the first error %v", err, first)
			}
			if err := w.Close(); err != first {
				t.Errorf("second Close: %v, want the first error %v", err, first)
			}
		})
	}
}

func TestWriterStaysFailedAfterBadData(t *testing.T) {
	good, groups := fixture(1)
	bad, _ := fixture(1)
	bad.Extensions[1].Direct.Set(0, 3, math.Inf(1))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var buf bytes.Buffer
	w, err := output.NewWriter(&buf, output.Multipliers, output.Arrow, output.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	first := w.Write(bad, groups)
	if first == nil || !strings.Contains(first.Error(), `sector "s2"`) {
		t.Fatalf("Write: %v, want an error naming sector s2", first)
	}
	if err := w.Write(good, groups); err != first {
		t.Errorf("Write of good data after failure: %v, want %v", err, first)
	}
	if err := w.Close(); err != first {
		t.Errorf("Close: %v, want %v", err, first)
	}
}

func TestWriteAfterClose(t *testing.T) {
	res, groups := fixture(1)
	var buf bytes.Buffer
	w, err := output.NewWriter(&buf, output.Regions, output.Arrow)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(res, groups); err == nil {
		t.Error("Write after Close succeeded")
	}
	// An empty file is still a file.
	tbl, err := output.ReadTable(buf.Bytes(), output.Arrow)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != 0 {
		t.Errorf("empty file has %d rows", tbl.NumRows())
	}
}

// TestWriterAppends writes two Results into one file and reads both back.
func TestWriterAppends(t *testing.T) {
	one, groups := fixture(1)
	two, _ := fixture(2)
	for _, f := range []output.Format{output.Arrow, output.Parquet} {
		t.Run(f.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			var buf bytes.Buffer
			w, err := output.NewWriter(&buf, output.Multipliers, f,
				output.WithAllocator(mem), output.WithBatchRows(7))
			if err != nil {
				t.Fatal(err)
			}
			for _, res := range []*accounts.Result{one, two} {
				if err := w.Write(res, groups); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if got, want := w.Rows(), 2*wantRows[output.Multipliers]; got != want {
				t.Errorf("Rows() = %d, want %d", got, want)
			}
			tbl, err := output.ReadTable(buf.Bytes(), f, output.WithAllocator(mem))
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Release()
			all := rows(t, tbl)
			n := int(wantRows[output.Multipliers])
			for part, res := range []*accounts.Result{one, two} {
				for i, r := range all[part*n : (part+1)*n] {
					for col, want := range expect(t, output.Multipliers, res, groups, r) {
						if got := r[col]; got.null || got.f != want {
							t.Errorf("part %d row %d %s = %+v, want %v", part, i, col, got, want)
						}
					}
				}
			}
		})
	}
}
