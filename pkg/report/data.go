package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"path"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Columns of the account files.
const (
	colExtension = "extension"
	colStressor  = "stressor"
	colUnit      = "unit"
	colRegion    = "region"
	colFrom      = "from_region"
	colTo        = "to_region"
	colFromGroup = "from_group"
	colToGroup   = "to_group"
	colValue     = "value"
	colShare     = "share"
)

// The number columns of regions.arrow.
const (
	colProduction   = "production"
	colConsumption  = "consumption"
	colImports      = "imports"
	colExports      = "exports"
	colNetExports   = "net_exports"
	colValueAdded   = "value_added"
	colFinalDemand  = "final_demand"
	colProdIntens   = "production_intensity"
	colConsIntens   = "consumption_intensity"
	factorInputsExt = "factor_inputs"
)

var regionNums = []string{colProduction, colConsumption, colImports, colExports, colNetExports,
	colValueAdded, colFinalDemand, colProdIntens, colConsIntens}

// colAccount names, in a Monte Carlo summary, the account a row
// summarises: a column of regions.arrow ("production", ...) or "flows".
const colAccount = "account"

// accFlowsRow is the account value of a summary row of a flow.
const accFlowsRow = "flows"

var summaryNums = []string{"mean", "sd", "p05", "p50", "p95", "draws"}

// Stressor is one stressor of one extension, with its unit.
type Stressor struct {
	Extension, Name, Unit string
}

// String writes the stressor as "extension / name", or as its name alone
// when it has no extension.
func (s Stressor) String() string {
	if s.Extension == "" {
		return s.Name
	}
	return s.Extension + " / " + s.Name
}

// regionData is the chosen stressor's rows of one regions file.
type regionData struct {
	key     string
	regions []string                      // in file order
	cols    map[string]map[string]float64 // column -> region -> value
	absent  map[string]bool
	// draws is 0 when the values are the file's own, and n when they
	// are means over n Monte Carlo draws from a summary.
	draws int
}

// column returns column name by region, or an error naming the file.
func (r *regionData) column(name string) (map[string]float64, error) {
	if r.absent[name] {
		return nil, fmt.Errorf("%s has no column %q", r.key, name)
	}
	return r.cols[name], nil
}

// get returns one value; NaN when the region has no row.
func (r *regionData) get(col, region string) float64 {
	v, ok := r.cols[col][region]
	if !ok {
		return math.NaN()
	}
	return v
}

// flowData is the chosen stressor's rows of one flows file.
type flowData struct {
	from, to []string // regions in first-seen order
	value    map[[2]string]float64
	draws    int // as in regionData
}

// groupFlow is one row of groups.arrow.
type groupFlow struct {
	from, to     string
	value, share float64
}

// summaryRow is one row of a Monte Carlo summary. For flows, region is
// the producing region and toRegion the consuming one; otherwise
// toRegion is empty.
type summaryRow struct {
	account, region, toRegion   string
	mean, sd, p05, p50, p95, nd float64
}

// loaded holds what one account file gave, or why it gave nothing.
type loaded[T any] struct {
	data T
	note string // non-empty when data is unusable
}

// dataset is the chosen stressor's view of a job's outputs.
type dataset struct {
	tree      *tree
	man       *manifest
	years     []string
	scenarios []string
	baseline  string // "" when no scenario can be one
	main      string // the scenario of the single-year figures
	year      string // the year of the single-year figures
	// mcScenario holds the Monte Carlo scenarios, which write summaries alone.
	mcScenario map[string]bool
	stressor   Stressor
	catalogue  []Stressor
	regions    []string // every region, in first-seen order
	groups     grouping
	groupFrom  string // where the groups came from, for captions

	regionsOf map[part]loaded[*regionData]
	flowsOf   map[part]loaded[*flowData]
	groupsOf  map[part]loaded[[]groupFlow]
	summaryOf map[part]loaded[[]summaryRow]

	problems []string // what is missing, for the header
	leftOut  []string // figures left out and why, for the header
}

// reader fetches, checks and decodes account files.
type reader struct {
	ctx  context.Context
	src  Source
	mem  memory.Allocator
	tree *tree
	man  *manifest
}

// fetch reads the file of acc in p with query q. A missing file gives a
// note that says why it is missing; a failing source, a file whose
// sha256 differs from the one the manifest lists, and a file that does
// not decode or lacks a column q requires give an error naming the file.
func (r *reader) fetch(p part, acc string, q query) (*frame, string, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, "", fmt.Errorf("report: %w", err)
	}
	key, ok := r.tree.files[p][acc]
	if !ok {
		return nil, r.why(p, acc), nil
	}
	data, err := r.src.Get(r.ctx, key)
	if err != nil {
		return nil, "", fmt.Errorf("report: %w", err)
	}
	// A file that changed since the job wrote it never reaches the
	// decoder, which trusts the sizes a file gives.
	if err := r.checkSum(key, data); err != nil {
		return nil, "", err
	}
	f, err := readFrame(r.ctx, r.mem, key, data, q)
	if err != nil {
		return nil, "", fmt.Errorf("report: %w", err)
	}
	return f, "", nil
}

// checkSum compares data, the object under key, with the sha256 the
// manifest lists for it; nil when the manifest lists none.
func (r *reader) checkSum(key string, data []byte) error {
	want := r.man.sums(r.tree.rel(key))
	if len(want) == 0 {
		return nil
	}
	sum := sha256.Sum256(data)
	got := hex.EncodeToString(sum[:])
	for _, w := range want {
		if strings.EqualFold(w, got) {
			return nil
		}
	}
	return fmt.Errorf("report: %s: sha256 %s, but manifest.json lists %s: the file changed after the job wrote it%s",
		key, got, want[0], sniff(key, data))
}

// sniff says, from its size and magic bytes alone, what is plainly wrong
// with a file; "" when nothing is.
func sniff(key string, data []byte) string {
	magic := "ARROW1"
	if path.Ext(key) == ".parquet" {
		magic = "PAR1"
	}
	switch {
	case len(data) == 0:
		return " (it is empty)"
	case !bytes.HasPrefix(data, []byte(magic)):
		return fmt.Sprintf(" (it does not start with %s, as every %s file does)", magic, path.Ext(key))
	case !bytes.HasSuffix(data, []byte(magic)):
		return fmt.Sprintf(" (it does not end with %s, as every %s file does: truncated?)", magic, path.Ext(key))
	}
	return ""
}

// why explains a missing account file, naming the failed task when the
// manifest records one.
func (r *reader) why(p part, acc string) string {
	if f, ok := r.man.failed(p); ok {
		msg := fmt.Sprintf("The task for %s failed", p)
		if f.Error != "" {
			msg += ": " + f.Error
		}
		return msg + "."
	}
	if r.tree.files[p] == nil {
		if r.man.lists(p, acc) {
			return fmt.Sprintf("There are no outputs for %s, though manifest.json lists them.", p)
		}
		return fmt.Sprintf("There are no outputs for %s.", p)
	}
	if r.man.lists(p, acc) {
		return fmt.Sprintf("%s.arrow is missing for %s, though manifest.json lists it.", acc, p)
	}
	if !r.man.requested(acc) {
		return fmt.Sprintf("The job did not ask for the %s account.", acc)
	}
	if _, mc := r.tree.files[p][accSummary]; mc && len(r.tree.files[p]) == 1 {
		return fmt.Sprintf("Scenario %s is a Monte Carlo scenario: for year %s it writes %s.arrow, not %s.arrow.",
			p.scenario, p.year, accSummary, acc)
	}
	return fmt.Sprintf("%s.arrow is missing for %s.", acc, p)
}

// catalogue lists the stressors of a regions file, or of a flows file
// when the partition has no regions file, or of a Monte Carlo summary
// when it has neither, in file order. A summary's rows without a
// stressor (value_added, final_demand) name none and are skipped.
func (r *reader) catalogue(p part) ([]Stressor, error) {
	for _, acc := range []string{accRegions, accFlows, accSummary} {
		if _, ok := r.tree.files[p][acc]; !ok {
			continue
		}
		q := query{strs: []string{colExtension, colStressor}, optStrs: []string{colUnit}}
		if acc == accSummary {
			q = query{strs: []string{colAccount}, optStrs: []string{colExtension, colStressor, colUnit}}
		}
		f, note, err := r.fetch(p, acc, q)
		if err != nil || note != "" {
			return nil, err
		}
		if f.absent[colStressor] {
			return nil, fmt.Errorf("report: %s: no column %q", f.key, colStressor)
		}
		var out []Stressor
		seen := make(map[Stressor]bool)
		ext, str, unit := f.str(colExtension), f.str(colStressor), f.str(colUnit)
		for i := range f.rows {
			if str[i] == "" {
				if acc == accSummary && !stressorAccount(f.str(colAccount)[i]) {
					continue
				}
				return nil, fmt.Errorf("report: %s: row %d: column %q is empty", f.key, f.line[i], colStressor)
			}
			s := Stressor{Name: str[i]}
			if ext != nil {
				s.Extension = ext[i]
			}
			if unit != nil {
				s.Unit = unit[i]
			}
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
		return out, nil
	}
	return nil, nil
}

// stressorAccount reports whether a summary row of account acc belongs
// to a stressor; value added and final demand belong to none.
func stressorAccount(acc string) bool {
	return acc != colValueAdded && acc != colFinalDemand
}

func (r *reader) where(s Stressor) map[string]string {
	return map[string]string{colExtension: s.Extension, colStressor: s.Name}
}

func (r *reader) regions(p part, s Stressor) (loaded[*regionData], error) {
	f, note, err := r.fetch(p, accRegions, query{strs: []string{colRegion}, nums: regionNums, where: r.where(s)})
	if err != nil || note != "" {
		return loaded[*regionData]{note: note}, err
	}
	if f.rows == 0 {
		return loaded[*regionData]{note: noRows(f.key, s)}, nil
	}
	rd := &regionData{key: f.key, cols: make(map[string]map[string]float64), absent: f.absent}
	for _, c := range regionNums {
		rd.cols[c] = make(map[string]float64, f.rows)
	}
	for i, reg := range f.str(colRegion) {
		if _, dup := rd.cols[colProduction][reg]; dup {
			return loaded[*regionData]{}, fmt.Errorf("report: %s: row %d: region %q repeats for stressor %s", f.key, f.line[i], reg, s)
		}
		rd.regions = append(rd.regions, reg)
		for _, c := range regionNums {
			rd.cols[c][reg] = f.nums[c][i]
		}
	}
	return loaded[*regionData]{data: rd}, nil
}

func (r *reader) flows(p part, s Stressor) (loaded[*flowData], error) {
	f, note, err := r.fetch(p, accFlows, query{strs: []string{colFrom, colTo}, nums: []string{colValue}, where: r.where(s)})
	if err != nil || note != "" {
		return loaded[*flowData]{note: note}, err
	}
	if f.absent[colValue] {
		return loaded[*flowData]{}, fmt.Errorf("report: %s: no column %q", f.key, colValue)
	}
	if f.rows == 0 {
		return loaded[*flowData]{note: noRows(f.key, s)}, nil
	}
	fd := &flowData{value: make(map[[2]string]float64, f.rows)}
	from, to, val := f.str(colFrom), f.str(colTo), f.nums[colValue]
	for i := range f.rows {
		k := [2]string{from[i], to[i]}
		if _, dup := fd.value[k]; dup {
			return loaded[*flowData]{}, fmt.Errorf("report: %s: row %d: the flow from %q to %q repeats for stressor %s",
				f.key, f.line[i], from[i], to[i], s)
		}
		fd.value[k] = val[i]
		if !slices.Contains(fd.from, from[i]) {
			fd.from = append(fd.from, from[i])
		}
		if !slices.Contains(fd.to, to[i]) {
			fd.to = append(fd.to, to[i])
		}
	}
	return loaded[*flowData]{data: fd}, nil
}

func (r *reader) groupFlows(p part, s Stressor) (loaded[[]groupFlow], error) {
	f, note, err := r.fetch(p, accGroups, query{strs: []string{colFromGroup, colToGroup}, nums: []string{colValue, colShare}, where: r.where(s)})
	if err != nil || note != "" {
		return loaded[[]groupFlow]{note: note}, err
	}
	if f.absent[colValue] {
		return loaded[[]groupFlow]{}, fmt.Errorf("report: %s: no column %q", f.key, colValue)
	}
	var out []groupFlow
	from, to := f.str(colFromGroup), f.str(colToGroup)
	for i := range f.rows {
		out = append(out, groupFlow{from[i], to[i], f.nums[colValue][i], f.nums[colShare][i]})
	}
	if len(out) == 0 {
		return loaded[[]groupFlow]{note: noRows(f.key, s)}, nil
	}
	return loaded[[]groupFlow]{data: out}, nil
}

// summary reads the chosen stressor's rows of a Monte Carlo summary,
// and the rows without a stressor (value_added, final_demand), which
// are in the money unit, not the stressor's. A summary without the
// stressor's rows gives a note.
func (r *reader) summary(p part, s Stressor) (loaded[[]summaryRow], error) {
	if _, ok := r.tree.files[p][accSummary]; !ok {
		return loaded[[]summaryRow]{}, nil
	}
	f, note, err := r.fetch(p, accSummary, query{strs: []string{colAccount, colRegion},
		optStrs: []string{colTo, colExtension, colStressor}, nums: summaryNums})
	if err != nil || note != "" {
		return loaded[[]summaryRow]{note: note}, err
	}
	var out []summaryRow
	acc, reg, to := f.str(colAccount), f.str(colRegion), f.str(colTo)
	ext, str := f.str(colExtension), f.str(colStressor)
	// A column the file lacks keeps every row, as query.where does.
	is := func(col []string, i int, want string) bool { return col == nil || col[i] == want }
	seen := make(map[[3]string]bool, f.rows)
	col := func(name string, i int) float64 { return f.nums[name][i] }
	ofStressor := 0
	for i := range f.rows {
		if stressorAccount(acc[i]) {
			if !is(ext, i, s.Extension) || !is(str, i, s.Name) {
				continue
			}
			ofStressor++
		}
		row := summaryRow{acc[i], reg[i], "", col("mean", i), col("sd", i), col("p05", i), col("p50", i), col("p95", i), col("draws", i)}
		if to != nil {
			row.toRegion = to[i]
		}
		if row.account == accFlowsRow && row.toRegion == "" {
			return loaded[[]summaryRow]{}, fmt.Errorf("report: %s: row %d: a flow from %q without column %q",
				f.key, f.line[i], row.region, colTo)
		}
		k := [3]string{row.account, row.region, row.toRegion}
		if seen[k] {
			return loaded[[]summaryRow]{}, fmt.Errorf("report: %s: row %d: account %q of region %q%s repeats for stressor %s",
				f.key, f.line[i], row.account, row.region, toSuffix(row.toRegion), s)
		}
		seen[k] = true
		out = append(out, row)
	}
	if ofStressor == 0 {
		return loaded[[]summaryRow]{note: noRows(f.key, s)}, nil
	}
	return loaded[[]summaryRow]{data: out}, nil
}

// toSuffix names a flow's consuming region in an error; "" when there is
// none.
func toSuffix(to string) string {
	if to == "" {
		return ""
	}
	return fmt.Sprintf(" to %q", to)
}

func noRows(key string, s Stressor) string {
	return fmt.Sprintf("%s has no rows for stressor %s.", key, s)
}
