package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/mrioflow/mrioflow/pkg/montecarlo"
	"github.com/mrioflow/mrioflow/pkg/output"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// dirSource serves a local folder as a Source.
type dirSource struct{ root string }

func (s dirSource) Get(_ context.Context, key string) ([]byte, error) {
	return os.ReadFile(filepath.Join(s.root, filepath.FromSlash(key)))
}

func (s dirSource) List(_ context.Context, prefix string) ([]string, error) {
	var keys []string
	err := filepath.WalkDir(s.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return err
		}
		if key := filepath.ToSlash(rel); strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
		return nil
	})
	return keys, err
}

// column is one column of a fixture file: strings, numbers (NaN is
// written as null) or integers.
type column struct {
	name string
	strs []string
	nums []float64
	ints []int64
	// dict writes strs dictionary-encoded, large writes them as
	// large_string.
	dict, large bool
}

// record builds an Arrow record batch from columns of equal length.
func record(mem memory.Allocator, cols []column) arrow.RecordBatch {
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	n := 0
	for i, c := range cols {
		switch {
		case c.strs != nil && c.dict:
			dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}
			b := array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
			for _, s := range c.strs {
				if err := b.AppendString(s); err != nil {
					panic(err)
				}
			}
			fields[i], arrs[i], n = arrow.Field{Name: c.name, Type: dt}, b.NewArray(), len(c.strs)
			b.Release()
		case c.strs != nil && c.large:
			b := array.NewLargeStringBuilder(mem)
			b.AppendValues(c.strs, nil)
			fields[i], arrs[i], n = arrow.Field{Name: c.name, Type: arrow.BinaryTypes.LargeString}, b.NewArray(), len(c.strs)
			b.Release()
		case c.strs != nil:
			b := array.NewStringBuilder(mem)
			b.AppendValues(c.strs, nil)
			fields[i], arrs[i], n = arrow.Field{Name: c.name, Type: arrow.BinaryTypes.String}, b.NewArray(), len(c.strs)
			b.Release()
		case c.ints != nil:
			b := array.NewInt64Builder(mem)
			b.AppendValues(c.ints, nil)
			fields[i], arrs[i], n = arrow.Field{Name: c.name, Type: arrow.PrimitiveTypes.Int64, Nullable: true}, b.NewArray(), len(c.ints)
			b.Release()
		default:
			b := array.NewFloat64Builder(mem)
			for _, v := range c.nums {
				if math.IsNaN(v) {
					b.AppendNull()
				} else {
					b.Append(v)
				}
			}
			fields[i], arrs[i], n = arrow.Field{Name: c.name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}, b.NewArray(), len(c.nums)
			b.Release()
		}
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

// arrowFile writes columns as a zstd-compressed Arrow IPC file.
func arrowFile(mem memory.Allocator, cols []column) []byte {
	rec := record(mem, cols)
	defer rec.Release()
	return ipcFile(rec, ipc.WithZstd(), ipc.WithAllocator(mem))
}

// ipcFile writes one record batch as an Arrow IPC file.
func ipcFile(rec arrow.RecordBatch, opts ...ipc.Option) []byte {
	var buf bytes.Buffer
	w, err := ipc.NewFileWriter(&buf, append(opts, ipc.WithSchema(rec.Schema()))...)
	if err != nil {
		panic(err)
	}
	if err := w.Write(rec); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// parquetFile writes columns as a Parquet file.
func parquetFile(mem memory.Allocator, cols []column) []byte {
	rec := record(mem, cols)
	defer rec.Release()
	tbl := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
	defer tbl.Release()
	var buf bytes.Buffer
	if err := pqarrow.WriteTable(tbl, &buf, 1024, parquet.NewWriterProperties(parquet.WithAllocator(mem)),
		pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem))); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// fixture describes a job's output tree whose every number follows from
// a formula, so that tests can recompute what the report must show.
type fixture struct {
	job       string
	years     []string
	scenarios []string
	producers []string
	consumers []string // the producers, then regions that only consume
	stressors []Stressor
	accounts  []string // files written in each partition
	groups    spec.Groups
	failed    map[part]string // partitions not written, with the manifest's error
	summaries []part          // partitions with a Monte Carlo summary
	mc        []string        // Monte Carlo scenarios: the spec marks them, they write summaries alone
	manifest  bool
	requested []string // the spec's accounts; nil leaves them out
	parquet   bool     // write regions as Parquet
	zero      bool     // every flow and direct emission zero
	lost      []string // files the manifest lists but that are not written
}

func newFixture() *fixture {
	return &fixture{
		job:       "demo",
		years:     []string{"2010", "2011"},
		scenarios: []string{"baseline", "tax"},
		producers: []string{"North", "South", "East"},
		consumers: []string{"North", "South", "East", "Discrepancy"},
		stressors: []Stressor{
			{factorInputsExt, "Value Added", "M.EUR"},
			{"emissions", "CO2", "kt"},
			{"emissions", "CH4", "t"},
		},
		accounts:  []string{accRegions, accFlows, accFootprints, accMultipliers, accGroups},
		groups:    spec.Groups{{Name: "G-north", Regions: []string{"North"}}, {Name: "G-rest", Regions: []string{"South", "East"}}},
		failed:    map[part]string{},
		summaries: []part{{"2010", "baseline"}, {"2011", "baseline"}},
		manifest:  true,
	}
}

func (fx *fixture) scale(p part, s Stressor) float64 {
	k := slices.Index(fx.stressors, s)
	return float64(k+1) * (1 + 0.1*float64(slices.Index(fx.years, p.year))) * (1 - 0.2*float64(slices.Index(fx.scenarios, p.scenario)))
}

// flow is E[s; from, to]. East to South is zero and East to the
// consumer-only region negative, as inventory changes can make it.
func (fx *fixture) flow(s Stressor, p part, from, to string) float64 {
	i, j := slices.Index(fx.producers, from), slices.Index(fx.consumers, to)
	switch {
	case fx.zero:
		return 0
	case from == "East" && to == "South":
		return 0
	case from == "East" && j >= len(fx.producers):
		return -1.5
	}
	return 10*fx.scale(p, s)*float64(i+1)*float64(j+2) + 0.125*float64(7*i+3*j)
}

// direct is the F_Y part of a region: emissions of its final users.
func (fx *fixture) direct(s Stressor, p part, r string) float64 {
	if fx.zero || !slices.Contains(fx.producers, r) {
		return 0
	}
	return 2.5 * fx.scale(p, s) * float64(slices.Index(fx.producers, r)+1)
}

// regionRow holds one region's regional accounts (MATH.md 10, 12, 14).
func (fx *fixture) regionRow(s Stressor, p part, r string) map[string]float64 {
	nan := math.NaN()
	row := map[string]float64{}
	yf := 1 + 0.1*float64(slices.Index(fx.years, p.year))
	var cons, imp float64
	for _, q := range fx.producers {
		cons += fx.flow(s, p, q, r)
		if q != r {
			imp += fx.flow(s, p, q, r)
		}
	}
	cons += fx.direct(s, p, r)
	row[colConsumption], row[colImports] = cons, imp
	row[colFinalDemand] = 80 * yf * float64(slices.Index(fx.consumers, r)+1)
	row[colConsIntens] = cons / row[colFinalDemand]
	if !slices.Contains(fx.producers, r) {
		row[colProduction], row[colExports], row[colNetExports], row[colValueAdded], row[colProdIntens] = nan, nan, nan, nan, nan
		return row
	}
	var prod, exp float64
	for _, q := range fx.consumers {
		prod += fx.flow(s, p, r, q)
		if q != r {
			exp += fx.flow(s, p, r, q)
		}
	}
	prod += fx.direct(s, p, r)
	row[colProduction], row[colExports], row[colNetExports] = prod, exp, exp-imp
	row[colValueAdded] = 100 * yf * float64(slices.Index(fx.producers, r)+1)
	row[colProdIntens] = prod / row[colValueAdded]
	return row
}

// groupOf places a region in the fixture's groups, otherGroup if none.
func (fx *fixture) groupOf(r string) string {
	for _, g := range fx.groups {
		if slices.Contains(g.Regions, r) {
			return g.Name
		}
	}
	return otherGroup
}

func (fx *fixture) groupNames() []string {
	var names []string
	for _, g := range fx.groups {
		names = append(names, g.Name)
	}
	for _, r := range fx.consumers {
		if fx.groupOf(r) == otherGroup {
			return append(names, otherGroup)
		}
	}
	return names
}

// groupFlows is what groups.arrow holds: sums of E over member pairs.
func (fx *fixture) groupFlows(s Stressor, p part) []groupFlow {
	var out []groupFlow
	for _, gp := range fx.groupNames() {
		sum := map[string]float64{}
		total, any := 0.0, false
		for _, q := range fx.producers {
			if fx.groupOf(q) != gp {
				continue
			}
			for _, r := range fx.consumers {
				v := fx.flow(s, p, q, r)
				sum[fx.groupOf(r)] += v
				total += v
				any = true
			}
		}
		if !any {
			continue
		}
		for _, gr := range fx.groupNames() {
			out = append(out, groupFlow{gp, gr, sum[gr], sum[gr] / total})
		}
	}
	return out
}

// summaryRows are the Monte Carlo rows of stressor s in p, as
// montecarlo.Summarize gives them: the regional accounts of every
// region, then the flows, each spread around the value of the files, so
// that a summary's means are the values of regionRow and flow. The
// median differs from the mean, so that a swap of the two shows.
func (fx *fixture) summaryRows(s Stressor, p part) []summaryRow {
	stat := func(acc, from, to string, v float64) summaryRow {
		if math.IsNaN(v) {
			nan := math.NaN()
			return summaryRow{acc, from, to, nan, nan, nan, nan, nan, 0}
		}
		a := math.Abs(v)
		return summaryRow{acc, from, to, v, 0.1 * a, v - 0.2*a, v + 0.05*a, v + 0.3*a, 200}
	}
	var out []summaryRow
	for _, r := range fx.consumers {
		row := fx.regionRow(s, p, r)
		for _, acc := range regionNums {
			if !stressorAccount(acc) {
				continue
			}
			out = append(out, stat(acc, r, "", row[acc]))
		}
	}
	for _, from := range fx.producers {
		for _, to := range fx.consumers {
			out = append(out, stat(accFlowsRow, from, to, fx.flow(s, p, from, to)))
		}
	}
	return out
}

// summaryFile writes the summary of p as the pipeline does
// (output.EncodeSummary): value added and final demand per region,
// without a stressor, then every stressor's rows.
func (fx *fixture) summaryFile(p part) ([]byte, error) {
	var rows []montecarlo.Row
	units := make(map[[2]string]string)
	add := func(ext, str string, r summaryRow) {
		rows = append(rows, montecarlo.Row{
			Label: montecarlo.Label{Account: r.account, Extension: ext, Stressor: str, Region: r.region, ToRegion: r.toRegion},
			Draws: int(r.nd), Mean: r.mean, SD: r.sd, P05: r.p05, P50: r.p50, P95: r.p95,
		})
	}
	for _, acc := range []string{colValueAdded, colFinalDemand} {
		for _, r := range fx.consumers {
			v := fx.regionRow(fx.stressors[0], p, r)[acc]
			add("", "", summaryRow{acc, r, "", v, 1, v - 1, v, v + 1, 200})
		}
	}
	for _, s := range fx.stressors {
		units[[2]string{s.Extension, s.Name}] = s.Unit
		for _, r := range fx.summaryRows(s, p) {
			add(s.Extension, s.Name, r)
		}
	}
	data, _, err := output.EncodeSummary(rows, units, output.Arrow)
	return data, err
}

func (fx *fixture) parts() []part {
	var ps []part
	for _, y := range fx.years {
		for _, s := range fx.scenarios {
			ps = append(ps, part{y, s})
		}
	}
	return ps
}

// write lays the tree out under root/job.
func (fx *fixture) write(root string) error {
	mem := memory.NewGoAllocator()
	dir := filepath.Join(root, fx.job)
	put := func(rel string, data []byte) error {
		name := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		return os.WriteFile(name, data, 0o644)
	}
	// The manifest lists each output as the pipeline does: its key under
	// the output location, with the sha256 of its bytes.
	var outputs []map[string]any
	listed := func(name string, data []byte) {
		sum := sha256.Sum256(data)
		outputs = append(outputs, map[string]any{"key": fx.job + "/" + name, "sha256": hex.EncodeToString(sum[:])})
	}
	for _, p := range fx.parts() {
		if _, failed := fx.failed[p]; failed {
			continue
		}
		pdir := fmt.Sprintf("year=%s/scenario=%s/", p.year, p.scenario)
		for _, acc := range fx.accounts {
			if slices.Contains(fx.mc, p.scenario) {
				break
			}
			cols := fx.columns(p, acc)
			if cols == nil {
				continue
			}
			name, data := pdir+acc+".arrow", arrowFile(mem, cols)
			if acc == accRegions && fx.parquet {
				name, data = pdir+acc+".parquet", parquetFile(mem, cols)
			}
			listed(name, data)
			if slices.Contains(fx.lost, name) {
				continue
			}
			if err := put(name, data); err != nil {
				return err
			}
		}
		if slices.Contains(fx.summaries, p) {
			data, err := fx.summaryFile(p)
			if err != nil {
				return err
			}
			listed(pdir+accSummary+".arrow", data)
			if err := put(pdir+accSummary+".arrow", data); err != nil {
				return err
			}
		}
	}
	if !fx.manifest {
		return nil
	}
	m, err := json.MarshalIndent(fx.manifestJSON(outputs), "", "  ")
	if err != nil {
		return err
	}
	return put("manifest.json", m)
}

func (fx *fixture) manifestJSON(outputs []map[string]any) map[string]any {
	var tables, scen []map[string]any
	for _, y := range fx.years {
		tables = append(tables, map[string]any{"year": y, "format": "pymrio", "path": "tables/" + y})
	}
	for _, s := range fx.scenarios {
		sc := map[string]any{"name": s}
		if slices.Contains(fx.mc, s) {
			sc["montecarlo"] = map[string]any{"draws": 200, "seed": 7}
		}
		scen = append(scen, sc)
	}
	groups := map[string]any{}
	for _, g := range fx.groups {
		groups[g.Name] = g.Regions
	}
	sp := map[string]any{"job": fx.job, "output": "out", "tables": tables, "scenarios": scen}
	if len(fx.groups) > 0 {
		sp["groups"] = groups
	}
	if fx.requested != nil {
		sp["accounts"] = fx.requested
	}
	var failures []map[string]any
	for _, p := range sortedParts(fx.failed) {
		failures = append(failures, map[string]any{
			"task": fmt.Sprintf("%s/year=%s/scenario=%s", fx.job, p.year, p.scenario), "error": fx.failed[p]})
	}
	return map[string]any{
		"version": "0.0.0-test",
		"spec":    sp,
		"outputs": outputs,
		"warnings": []any{
			"balance: ||x - x~|| / ||x|| = 3e-9 in year 2010",
			map[string]any{"message": "zero output with emissions", "region": "East", "sector": "Mining", "amount": 1.25},
		},
		"failures": failures,
		"timings":  map[string]any{"total_s": 1.5},
	}
}

func sortedParts(m map[part]string) []part {
	var ps []part
	for p := range m {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b part) int { return strings.Compare(a.String(), b.String()) })
	return ps
}

// keyColumns repeats each stressor's extension, name and unit n times.
func (fx *fixture) keyColumns(n int) []column {
	var ext, str, unit []string
	for _, s := range fx.stressors {
		for range n {
			ext, str, unit = append(ext, s.Extension), append(str, s.Name), append(unit, s.Unit)
		}
	}
	return []column{{name: colExtension, strs: ext, dict: true}, {name: colStressor, strs: str}, {name: colUnit, strs: unit, large: true}}
}

// columns builds one account file of p; nil for an account it does not
// know.
func (fx *fixture) columns(p part, acc string) []column {
	sectors := []string{"Mining", "Services"}
	switch acc {
	case accRegions:
		cols := fx.keyColumns(len(fx.consumers))
		var reg []string
		nums := map[string][]float64{}
		for _, s := range fx.stressors {
			for _, r := range fx.consumers {
				reg = append(reg, r)
				row := fx.regionRow(s, p, r)
				for _, c := range regionNums {
					nums[c] = append(nums[c], row[c])
				}
			}
		}
		cols = append(cols, column{name: colRegion, strs: reg})
		for _, c := range regionNums {
			cols = append(cols, column{name: c, nums: nums[c]})
		}
		return cols
	case accFlows:
		n := len(fx.producers) * len(fx.consumers)
		cols := fx.keyColumns(n)
		var from, to []string
		var val []float64
		for _, s := range fx.stressors {
			for _, q := range fx.producers {
				for _, r := range fx.consumers {
					from, to, val = append(from, q), append(to, r), append(val, fx.flow(s, p, q, r))
				}
			}
		}
		return append(cols, column{name: colFrom, strs: from}, column{name: colTo, strs: to}, column{name: colValue, nums: val})
	case accGroups:
		if len(fx.groups) == 0 {
			return nil
		}
		var ext, str, unit, from, to []string
		var val, share []float64
		for _, s := range fx.stressors {
			for _, g := range fx.groupFlows(s, p) {
				ext, str, unit = append(ext, s.Extension), append(str, s.Name), append(unit, s.Unit)
				from, to, val, share = append(from, g.from), append(to, g.to), append(val, g.value), append(share, g.share)
			}
		}
		return []column{{name: colExtension, strs: ext}, {name: colStressor, strs: str}, {name: colUnit, strs: unit},
			{name: colFromGroup, strs: from}, {name: colToGroup, strs: to}, {name: colValue, nums: val}, {name: colShare, nums: share}}
	case accFootprints, accMultipliers:
		n := len(fx.producers) * len(sectors)
		cols := fx.keyColumns(n)
		var reg, sec []string
		var a, b []float64
		for range fx.stressors {
			for i, r := range fx.producers {
				for j, sc := range sectors {
					reg, sec = append(reg, r), append(sec, sc)
					a, b = append(a, float64(i+j)), append(b, float64(2*i+j))
				}
			}
		}
		cols = append(cols, column{name: colRegion, strs: reg}, column{name: "sector", strs: sec})
		if acc == accFootprints {
			return append(cols, column{name: colValue, nums: a})
		}
		return append(cols, column{name: "direct", nums: a}, column{name: "total", nums: b})
	}
	return nil
}
