package report

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestReadFrame(t *testing.T) {
	nan := math.NaN()
	base := []column{
		{name: "extension", strs: []string{"e", "e", "f"}, dict: true},
		{name: "region", strs: []string{"A", "B", "A"}, large: true},
		{name: "value", nums: []float64{1.5, nan, -2}},
		{name: "draws", ints: []int64{1, 2, 3}},
	}
	q := query{strs: []string{"region"}, nums: []string{"value", "draws", "absent"}}
	cases := []struct {
		name    string
		file    func(memory.Allocator) []byte
		key     string
		q       query
		regions []string
		values  []float64
		draws   []float64
		wantErr string
	}{
		{
			name: "arrow", key: "x/regions.arrow", q: q,
			file:    func(m memory.Allocator) []byte { return arrowFile(m, base) },
			regions: []string{"A", "B", "A"}, values: []float64{1.5, nan, -2}, draws: []float64{1, 2, 3},
		},
		{
			name: "parquet", key: "x/regions.parquet", q: q,
			file:    func(m memory.Allocator) []byte { return parquetFile(m, base) },
			regions: []string{"A", "B", "A"}, values: []float64{1.5, nan, -2}, draws: []float64{1, 2, 3},
		},
		{
			name: "where on a dictionary column", key: "x/regions.arrow",
			q:       query{strs: q.strs, nums: q.nums, where: map[string]string{"extension": "e"}},
			file:    func(m memory.Allocator) []byte { return arrowFile(m, base) },
			regions: []string{"A", "B"}, values: []float64{1.5, nan}, draws: []float64{1, 2},
		},
		{
			name: "where on a missing column keeps all", key: "x/regions.arrow",
			q:       query{strs: q.strs, nums: q.nums, where: map[string]string{"stressor": "CO2"}},
			file:    func(m memory.Allocator) []byte { return arrowFile(m, base) },
			regions: []string{"A", "B", "A"}, values: []float64{1.5, nan, -2}, draws: []float64{1, 2, 3},
		},
		{
			name: "missing string column", key: "x/regions.arrow",
			q:       query{strs: []string{"sector"}},
			file:    func(m memory.Allocator) []byte { return arrowFile(m, base) },
			wantErr: `x/regions.arrow: no column "sector"`,
		},
		{
			name: "number where a string belongs", key: "x/regions.arrow",
			q:       query{strs: []string{"value"}},
			file:    func(m memory.Allocator) []byte { return arrowFile(m, base) },
			wantErr: `x/regions.arrow: column "value": type float64, want a string`,
		},
		{
			name: "string where a number belongs", key: "x/regions.arrow",
			q:       query{strs: []string{"region"}, nums: []string{"extension"}},
			file:    func(m memory.Allocator) []byte { return arrowFile(m, base) },
			wantErr: `column "extension": type dictionary<values=utf8, indices=int16, ordered=false>, want a number`,
		},
		{
			name: "null label", key: "x/regions.arrow", q: q,
			file:    func(m memory.Allocator) []byte { return nullLabelFile(m) },
			wantErr: `row 1: column "region" is null`,
		},
		{
			name: "not arrow", key: "x/regions.arrow", q: q,
			file:    func(memory.Allocator) []byte { return []byte("PAR1 but not really") },
			wantErr: "x/regions.arrow: not an Arrow IPC file",
		},
		{
			name: "not parquet", key: "x/regions.parquet", q: q,
			file:    func(memory.Allocator) []byte { return []byte("ARROW1 but not really") },
			wantErr: "x/regions.parquet: not a Parquet file",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			data := c.file(memory.NewGoAllocator())
			f, err := readFrame(context.Background(), mem, c.key, data, c.q)
			mem.AssertSize(t, 0)
			if failed(t, err, c.wantErr) {
				return
			}
			if got := f.str("region"); !slices.Equal(got, c.regions) {
				t.Errorf("regions %q, want %q", got, c.regions)
			}
			vals, err := f.num("value")
			if err != nil {
				t.Fatal(err)
			}
			sameFloats(t, "value", vals, c.values)
			draws, _ := f.num("draws")
			sameFloats(t, "draws", draws, c.draws)
			if _, err := f.num("absent"); err == nil || !strings.Contains(err.Error(), `no column "absent"`) {
				t.Errorf("absent column: error %v", err)
			}
		})
	}
}

func sameFloats(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// nullLabelFile has a null in a string column, which no output writer
// should write.
func nullLabelFile(mem memory.Allocator) []byte {
	b := array.NewStringBuilder(mem)
	b.AppendValues([]string{"A", ""}, []bool{true, false})
	arr := b.NewArray()
	defer arr.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{arr}, 2)
	defer rec.Release()
	return ipcFile(rec, ipc.WithAllocator(mem))
}

func TestScanTree(t *testing.T) {
	keys := []string{
		"job/manifest.json",
		"job/year=2010/scenario=baseline/regions.arrow",
		"job/year=2010/scenario=baseline/regions.parquet",
		"job/year=2010/scenario=high%20tax/flows.parquet",
		"job/year=2010/scenario=baseline/notes.txt",
		"job/year=2010/regions.arrow",
		"other/year=2010/scenario=baseline/regions.arrow",
	}
	tr := scanTree("job", keys)
	if tr.manifest != "job/manifest.json" {
		t.Errorf("manifest %q", tr.manifest)
	}
	if got := tr.files[part{"2010", "baseline"}][accRegions]; got != "job/year=2010/scenario=baseline/regions.arrow" {
		t.Errorf("regions %q, want the Arrow file over the Parquet one", got)
	}
	if got := tr.files[part{"2010", "high tax"}][accFlows]; got != "job/year=2010/scenario=high%20tax/flows.parquet" {
		t.Errorf("escaped scenario: %q", got)
	}
	if len(tr.files) != 2 || len(tr.other) != 3 {
		t.Errorf("%d partitions and %d other keys, want 2 and 3: %v", len(tr.files), len(tr.other), tr.other)
	}
}

func TestSortYears(t *testing.T) {
	cases := []struct{ in, want []string }{
		{[]string{"2010", "995", "2009"}, []string{"995", "2009", "2010"}},
		{[]string{"2010b", "2010a", "2009"}, []string{"2009", "2010a", "2010b"}},
		{nil, nil},
	}
	for _, c := range cases {
		got := slices.Clone(c.in)
		sortYears(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("sortYears(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestReadOptionalStrings: a column such as unit may be null or missing.
func TestReadOptionalStrings(t *testing.T) {
	mem := memory.NewGoAllocator()
	f, err := readFrame(context.Background(), mem, "k.arrow", nullLabelFile(mem), query{optStrs: []string{"region", "unit"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.str("region"); !slices.Equal(got, []string{"A", ""}) {
		t.Errorf("region %q, want a null read as empty", got)
	}
	if !f.absent["unit"] || f.str("unit") != nil {
		t.Errorf("missing unit: absent %v, values %q", f.absent["unit"], f.str("unit"))
	}
}

// FuzzReadFrame: any bytes, as Arrow or as Parquet, give a frame whose
// columns all have one length, or an error naming the file; never a
// panic. Fuzzing long enough finds files on which arrow-go runs out of
// memory: see TODO(arrow-fuzz) in read.go.
func FuzzReadFrame(f *testing.F) {
	mem := memory.NewGoAllocator()
	cols := []column{
		{name: "extension", strs: []string{"e", "e", "f"}, dict: true},
		{name: "region", strs: []string{"A", "B", "A"}, large: true},
		{name: "value", nums: []float64{1.5, math.NaN(), -2}},
	}
	for _, data := range [][]byte{arrowFile(mem, cols), parquetFile(mem, cols)} {
		f.Add(data, false)
		f.Add(data, true)
		f.Add(data[:len(data)/2], false)
		f.Add(data[len(data)/2:], true)
	}
	f.Add([]byte{}, false)
	q := query{strs: []string{"region"}, nums: []string{"value"}, where: map[string]string{"extension": "e"}}
	f.Fuzz(func(t *testing.T, data []byte, parquet bool) {
		key := "x/regions.arrow"
		if parquet {
			key = "x/regions.parquet"
		}
		fr, err := readFrame(context.Background(), memory.NewGoAllocator(), key, data, q)
		if err != nil {
			if !strings.HasPrefix(err.Error(), key+": ") {
				t.Fatalf("error %q does not start with the file's name", err)
			}
			return
		}
		if len(fr.str("region")) != fr.rows || len(fr.nums["value"]) != fr.rows || len(fr.line) != fr.rows {
			t.Fatalf("%d rows, but columns of %d and %d, %d lines", fr.rows, len(fr.str("region")), len(fr.nums["value"]), len(fr.line))
		}
	})
}
