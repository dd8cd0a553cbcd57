package browsertest

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const baseline = "baseline"

// partition is the chosen stressor's rows of one (year, scenario).
type partition struct {
	regions map[string]map[string]float64 // region -> column -> value
	order   []string                      // regions in file order
	flows   map[[2]string]float64         // (from, to) -> value
	groups  map[[2]string][2]float64      // (from, to) -> value, share
}

// stressor is what the page says it shows.
type stressor struct{ ext, name, unit string }

// loadOutputs reads the regions, flows and groups files of every
// partition under a job's folder, keeping the rows of s.
func loadOutputs(t *testing.T, dir string, s stressor) map[[2]string]*partition {
	t.Helper()
	years, err := filepath.Glob(filepath.Join(dir, "year=*", "scenario=*"))
	if err != nil {
		t.Fatal(err)
	}
	parts := make(map[[2]string]*partition)
	for _, pdir := range years {
		key := [2]string{
			strings.TrimPrefix(filepath.Base(filepath.Dir(pdir)), "year="),
			strings.TrimPrefix(filepath.Base(pdir), "scenario="),
		}
		p := &partition{regions: map[string]map[string]float64{}, flows: map[[2]string]float64{}, groups: map[[2]string][2]float64{}}
		mine := func(r *arrowRows, i int) bool {
			return r.strs["extension"][i] == s.ext && r.strs["stressor"][i] == s.name
		}
		if r := readArrow(t, filepath.Join(pdir, "regions.arrow")); r != nil {
			for i := range r.n {
				if !mine(r, i) {
					continue
				}
				reg := r.strs["region"][i]
				p.order = append(p.order, reg)
				p.regions[reg] = map[string]float64{}
				for col, vals := range r.nums {
					p.regions[reg][col] = vals[i]
				}
			}
		}
		if r := readArrow(t, filepath.Join(pdir, "flows.arrow")); r != nil {
			for i := range r.n {
				if mine(r, i) {
					p.flows[[2]string{r.strs["from_region"][i], r.strs["to_region"][i]}] = r.nums["value"][i]
				}
			}
		}
		if r := readArrow(t, filepath.Join(pdir, "groups.arrow")); r != nil {
			for i := range r.n {
				if mine(r, i) {
					p.groups[[2]string{r.strs["from_group"][i], r.strs["to_group"][i]}] = [2]float64{r.nums["value"][i], r.nums["share"][i]}
				}
			}
		}
		parts[key] = p
	}
	return parts
}

// defaultStressor is the report's documented default: the first
// stressor, in file order, of the first extension other than
// factor_inputs, in the first year's baseline.
func defaultStressor(t *testing.T, dir string) stressor {
	t.Helper()
	years, err := filepath.Glob(filepath.Join(dir, "year=*"))
	if err != nil || len(years) == 0 {
		t.Fatalf("no year folders in %s: %v", dir, err)
	}
	r := readArrow(t, filepath.Join(years[0], "scenario="+baseline, "regions.arrow"))
	for i := range r.n {
		if r.strs["extension"][i] != "factor_inputs" {
			return stressor{r.strs["extension"][i], r.strs["stressor"][i], r.strs["unit"][i]}
		}
	}
	t.Fatal("no stressor outside factor_inputs")
	return stressor{}
}

// problems collects what a check finds wrong, so that a test can both
// report them and check that a check finds them.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// want compares a table cell with the value it must show: exactly when
// tol is 0, else within tol relative to scale.
func (p *problems) want(where string, c cell, v, tol, scale float64) {
	if math.IsNaN(v) {
		if !c.Null || c.Value != nil {
			p.add("%s: %q (data-value %v), want null", where, c.Text, c.Value)
		}
		return
	}
	if c.Value == nil {
		p.add("%s: %q has no data-value, want %v", where, c.Text, v)
		return
	}
	got, err := strconv.ParseFloat(*c.Value, 64)
	if err != nil {
		p.add("%s: data-value %q: %v", where, *c.Value, err)
		return
	}
	if d := math.Abs(got - v); (tol == 0 && got != v) || d > tol*math.Max(scale, math.Abs(v)) {
		p.add("%s: %v, want %v (difference %g)", where, got, v, d)
	}
	// The text a reader sees must be that number, rounded.
	if shown, err := strconv.ParseFloat(c.Text, 64); err != nil || math.Abs(shown-got) > 5e-6*math.Abs(got) {
		p.add("%s: shows %q for %v", where, c.Text, got)
	}
}

// value returns m[k], NaN when absent.
func value[K comparable](m map[K]float64, k K) float64 {
	if v, ok := m[k]; ok {
		return v
	}
	return math.NaN()
}

// column is the value of a regions column, NaN when absent.
func (p *partition) column(region, col string) float64 {
	r, ok := p.regions[region]
	if !ok {
		return math.NaN()
	}
	return value(r, col)
}

// checkNumbers compares every figure's table with the Arrow outputs of
// stressor s, and checks the accounts' identities on the numbers shown.
func checkNumbers(j job, pg page, s stressor, parts map[[2]string]*partition) problems {
	var bad problems
	if len(pg.Stressor) != 3 || (stressor{pg.Stressor[0], pg.Stressor[1], pg.Stressor[2]}) != s {
		bad.add("stressor shown %q, want the default %+v", pg.Stressor, s)
		return bad
	}
	focus := parts[[2]string{j.year, baseline}]
	if focus == nil {
		bad.add("no outputs for year %s, %s", j.year, baseline)
		return bad
	}
	group := func(r string) string {
		if g, ok := j.groups[r]; ok {
			return g
		}
		return "other"
	}
	shown := map[string]*figure{}
	for i := range pg.Figures {
		shown[pg.Figures[i].ID] = &pg.Figures[i]
	}
	for _, f := range pg.Figures {
		if len(f.Rows) == 0 {
			if f.SVG != nil {
				bad.add("%s: a chart without the table of its numbers", f.ID)
			}
			continue
		}
		at := func(i, k int) string {
			return fmt.Sprintf("%s row %d (%s) column %q", f.ID, i, f.Rows[i][0].Text, f.Header[k])
		}
		switch {
		case strings.HasPrefix(f.ID, "production-consumption-"):
			p := parts[[2]string{strings.TrimPrefix(f.ID, "production-consumption-"), baseline}]
			if len(f.Rows) != len(p.order) {
				bad.add("%s: %d rows, want %d regions", f.ID, len(f.Rows), len(p.order))
			}
			for i, row := range f.Rows {
				bad.want(at(i, 1), row[1], p.column(row[0].Text, "production"), 0, 0)
				bad.want(at(i, 2), row[2], p.column(row[0].Text, "consumption"), 0, 0)
			}
			if f.Header[1] != "Production ("+s.unit+")" {
				bad.add("%s: header %q, want the unit %q", f.ID, f.Header[1], s.unit)
			}
		case f.ID == "net-exports":
			for i, row := range f.Rows {
				r := row[0].Text
				for k, col := range []string{"exports", "imports", "net_exports"} {
					bad.want(at(i, k+1), row[k+1], focus.column(r, col), 0, 0)
				}
				// MATH.md 10: production - consumption = exports - imports.
				prod, cons := focus.column(r, "production"), focus.column(r, "consumption")
				scale := math.Max(math.Abs(prod), math.Abs(cons))
				bad.want(at(i, 3)+" against production - consumption", row[3], prod-cons, 1e-9, scale)
				bad.want(at(i, 3)+" against exports - imports", row[3], focus.column(r, "exports")-focus.column(r, "imports"), 1e-12, scale)
			}
		case f.ID == "flow-matrix":
			for i, row := range f.Rows {
				for k := 1; k < len(row); k++ {
					bad.want(at(i, k), row[k], value(focus.flows, [2]string{row[0].Text, f.Header[k]}), 0, 0)
				}
			}
			if n := len(f.Rows) * (len(f.Header) - 1); n != len(focus.flows) {
				bad.add("%s: %d cells, want the %d flows", f.ID, n, len(focus.flows))
			}
		case f.ID == "group-flows":
			pairs := 0
			for i, row := range f.Rows {
				k := [2]string{row[0].Text, row[1].Text}
				g, ok := focus.groups[k]
				if !ok {
					// Only the last row may sum the pairs not drawn.
					if i != len(f.Rows)-1 || !strings.HasPrefix(k[0], "the other ") {
						bad.add("%s: row %q is no pair of groups.arrow", f.ID, k)
					}
					continue
				}
				pairs++
				bad.want(at(i, 2), row[2], g[0], 0, 0)
				bad.want(at(i, 3), row[3], 100*g[1], 0, 0)
			}
			if pairs == 0 {
				bad.add("%s: no pair of groups drawn", f.ID)
			}
		case f.ID == "consumer-shares":
			for i, row := range f.Rows {
				p := row[0].Text
				total, part := 0.0, map[string]float64{}
				for k, v := range focus.flows {
					if k[0] == p && !math.IsNaN(v) {
						total += v
						part[group(k[1])] += v
					}
				}
				sum := 0.0
				for k := 1; k < len(row)-1; k++ {
					g := strings.TrimSuffix(f.Header[k], " (%)")
					bad.want(at(i, k), row[k], 100*part[g]/total, 1e-12, 100)
					if v, err := strconv.ParseFloat(deref(row[k].Value), 64); err == nil {
						sum += v
					}
				}
				bad.want(at(i, len(row)-1), row[len(row)-1], total, 1e-12, 0)
				if math.Abs(sum-100) > 1e-9 {
					bad.add("%s: the shares of %s sum to %v, want 100", f.ID, p, sum)
				}
			}
		case f.ID == "intensities":
			cols := []string{"production", "value_added", "production_intensity", "consumption", "final_demand", "consumption_intensity"}
			for i, row := range f.Rows {
				for k, col := range cols {
					bad.want(at(i, k+1), row[k+1], focus.column(row[0].Text, col), 0, 0)
				}
			}
		case f.ID == "over-time":
			for i, row := range f.Rows {
				p := parts[[2]string{row[0].Text, baseline}]
				bad.want(at(i, 2), row[2], p.column(row[1].Text, "production"), 0, 0)
				bad.want(at(i, 3), row[3], p.column(row[1].Text, "consumption"), 0, 0)
			}
		case strings.HasPrefix(f.ID, "scenario-"):
			alt := parts[[2]string{j.year, strings.TrimPrefix(f.ID, "scenario-")}]
			cols := map[string]string{"production": "production", "consumption": "consumption", "net exports": "net_exports"}
			for i, row := range f.Rows {
				col, ok := cols[row[1].Text]
				if !ok {
					bad.add("%s: account %q", f.ID, row[1].Text)
					continue
				}
				b, a := focus.column(row[0].Text, col), alt.column(row[0].Text, col)
				bad.want(at(i, 2), row[2], b, 0, 0)
				bad.want(at(i, 3), row[3], a, 0, 0)
				bad.want(at(i, 4), row[4], a-b, 0, 0)
			}
		default:
			bad.add("%s: no check for this figure's numbers", f.ID)
		}
	}
	// The page's own numbers agree across figures: net exports are the
	// difference of the production and consumption shown.
	pc, ne := shown["production-consumption-"+j.year], shown["net-exports"]
	if pc != nil && ne != nil && len(pc.Rows) > 0 {
		net := map[string]cell{}
		for _, row := range ne.Rows {
			net[row[0].Text] = row[3]
		}
		for _, row := range pc.Rows {
			prod, _ := strconv.ParseFloat(deref(row[1].Value), 64)
			cons, _ := strconv.ParseFloat(deref(row[2].Value), 64)
			if c, ok := net[row[0].Text]; ok {
				bad.want("net exports of "+row[0].Text+" against the production and consumption shown", c, prod-cons, 1e-9, math.Max(prod, cons))
			}
		}
	}
	return bad
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
