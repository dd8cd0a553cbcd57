package acceptance

import (
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestIdentities asserts MATH.md 11's identities, and those that tie the
// accounts to each other and to the inputs, on every output file of both
// example jobs. F_Y and Y come from the input files, Y with the scenario's
// shocks applied.
func TestIdentities(t *testing.T) {
	for _, tc := range []struct {
		run    *sharedRun
		system func(t testing.TB) (*system, *mat.Dense)
	}{
		{gaArrow, func(t testing.TB) (*system, *mat.Dense) { return gaSystem(t), nil }},
		{pymrioArrow, func(t testing.TB) (*system, *mat.Dense) {
			sys, exts := pymrioSystem(t)
			// World totals of F and F_Y per stressor, in sys's order.
			var k int
			for _, e := range exts {
				k += len(e.stressors)
			}
			tot := mat.NewDense(k, 1, nil)
			s := 0
			for _, e := range exts {
				for i := range e.stressors {
					v := mat.Sum(e.F.RowView(i))
					if e.FY != nil {
						v += mat.Sum(e.FY.RowView(i))
					}
					tot.Set(s, 0, v)
					s++
				}
			}
			return sys, tot
		}},
	} {
		t.Run(tc.run.job, func(t *testing.T) {
			dir := tc.run.dir(t)
			spec := readSpec(t, tc.run.exampleFile())
			base, flowTotals := tc.system(t)
			parts := scenarioFiles(t, dir, ".arrow")
			if len(parts) != len(spec.Scenarios) {
				t.Errorf("%d partitions, the spec has %d scenarios", len(parts), len(spec.Scenarios))
			}
			for part, files := range parts {
				_, scenario, _ := strings.Cut(part, "/scenario=")
				t.Run(scenario, func(t *testing.T) {
					sys := base.clone()
					sys.apply(t, spec.shocks(t, scenario))
					ids := newIdentities(t, files, sys)
					ids.check(t, spec.groupOf(t))
					if flowTotals != nil && len(spec.shocks(t, scenario)) == 0 {
						ids.flowForm(t, flowTotals)
					}
				})
			}
		})
	}
}

// identities holds one scenario's outputs, keyed by label, and its inputs.
type identities struct {
	sys       *system
	stressors []string // of every extension, in order
	fy        map[string][]float64
	regions   *outFile
	reg       map[string]map[string]float64 // column -> stressor|region -> value
	flows     map[string]float64            // stressor|from|to
	bySector  map[string]float64            // stressor|from|sector|to; nil without the file
	foot      map[string]float64            // stressor|region|sector
	total     map[string]float64            // stressor|region|sector
	groups    *outFile
	hasGroups bool
}

func newIdentities(t *testing.T, files map[string]string, sys *system) *identities {
	t.Helper()
	ids := &identities{sys: sys, fy: map[string][]float64{}, reg: map[string]map[string]float64{}}
	for _, e := range sys.exts {
		for s, st := range e.stressors {
			if _, dup := ids.fy[st]; dup {
				t.Fatalf("stressor %q in two extensions", st)
			}
			ids.stressors = append(ids.stressors, st)
			fy := make([]float64, len(sys.regions))
			if e.FY != nil {
				mat.Row(fy, s, e.FY)
			}
			ids.fy[st] = fy
		}
	}
	for _, name := range []string{"regions", "flows", "footprints", "multipliers"} {
		if files[name] == "" {
			t.Fatalf("no %s file", name)
		}
	}
	ids.regions = readOutput(t, files["regions"])
	for _, col := range []string{"production", "consumption", "imports", "exports", "net_exports",
		"value_added", "final_demand", "production_intensity", "consumption_intensity"} {
		ids.reg[col] = ids.regions.keyed(t, col, "stressor", "region")
	}
	ids.flows = readOutput(t, files["flows"]).keyed(t, "value", "stressor", "from_region", "to_region")
	ids.foot = readOutput(t, files["footprints"]).keyed(t, "value", "stressor", "region", "sector")
	ids.total = readOutput(t, files["multipliers"]).keyed(t, "total", "stressor", "region", "sector")
	if p := files["flows_by_sector"]; p != "" {
		ids.bySector = readOutput(t, p).keyed(t, "value", "stressor", "from_region", "from_sector", "to_region")
	}
	if p := files["groups"]; p != "" {
		ids.groups, ids.hasGroups = readOutput(t, p), true
	}
	return ids
}

// get returns a regions value, failing the test when there is no row.
func (ids *identities) get(t *testing.T, col, st, region string) float64 {
	t.Helper()
	return lookup(t, ids.reg[col], key(st, region))
}

// atol returns 1e-12 of the largest production, consumption, import or
// export of stressor st.
func (ids *identities) atol(t *testing.T, st string) float64 {
	t.Helper()
	var vals []float64
	for _, col := range []string{"production", "consumption", "imports", "exports"} {
		for _, r := range ids.sys.regions {
			vals = append(vals, ids.get(t, col, st, r))
		}
	}
	return scale(vals...)
}

const identityRtol = 1e-9

// check asserts every identity that holds in any scenario.
func (ids *identities) check(t *testing.T, groupOf map[string]string) {
	sys := ids.sys
	m := len(sys.sectors)
	type sums struct{ prod, cons float64 }
	world := newComparer(t, "world production = consumption", identityRtol)
	balance := newComparer(t, "consumption - production = imports - exports", identityRtol)
	foot := newComparer(t, "sum of footprints + F_Y = consumption", identityRtol)
	out := newComparer(t, "sum of flows out of p = production - F_Y", identityRtol)
	viaM := newComparer(t, "consumption = M y_r + F_Y (multipliers, input Y)", identityRtol)
	viaFlows := newComparer(t, "consumption = sum of flows into r + F_Y", identityRtol)
	paths := newComparer(t, "M y_r = sum of flows into r", identityRtol)
	net := newComparer(t, "net_exports = exports - imports", identityRtol)
	inten := newComparer(t, "intensities", 1e-12)
	sector := newComparer(t, "flows_by_sector summed over sectors = flows", identityRtol)
	for _, st := range ids.stressors {
		atol := ids.atol(t, st)
		var w sums
		for r, region := range sys.regions {
			p, c := ids.get(t, "production", st, region), ids.get(t, "consumption", st, region)
			i, e := ids.get(t, "imports", st, region), ids.get(t, "exports", st, region)
			fy := ids.fy[st][r]
			w.prod += p
			w.cons += c
			at := st + " " + region
			balance.check(at, c-p, i-e, atol)
			net.check(at, ids.get(t, "net_exports", st, region), e-i, atol)

			var fp, into, from, my float64
			for j, sec := range sys.sectors {
				fp += lookup(t, ids.foot, key(st, region, sec))
				for q, origin := range sys.regions {
					my += lookup(t, ids.total, key(st, origin, sec)) * sys.yr.At(q*m+j, r)
				}
			}
			for _, other := range sys.regions {
				into += lookup(t, ids.flows, key(st, other, region))
				fl := lookup(t, ids.flows, key(st, region, other))
				from += fl
				if ids.bySector != nil {
					bs := 0.0
					for _, sec := range sys.sectors {
						bs += lookup(t, ids.bySector, key(st, region, sec, other))
					}
					sector.check(at+" -> "+other, bs, fl, atol)
				}
			}
			foot.check(at, fp+fy, c, atol)
			out.check(at, from, p-fy, atol)
			viaM.check(at, my+fy, c, atol)
			viaFlows.check(at, into+fy, c, atol)
			paths.check(at, my, into, atol)

			va, fd := ids.get(t, "value_added", st, region), ids.get(t, "final_demand", st, region)
			inten.check(at+" production_intensity", ids.get(t, "production_intensity", st, region), ratio(p, va), 0)
			inten.check(at+" consumption_intensity", ids.get(t, "consumption_intensity", st, region), ratio(c, fd), 0)
		}
		world.check(st, w.prod, w.cons, atol*float64(len(sys.regions)))
	}
	for _, c := range []*comparer{world, balance, foot, out, viaM, viaFlows, paths, net, inten} {
		c.done()
	}
	if ids.bySector != nil {
		sector.done()
	}
	if ids.hasGroups {
		ids.checkGroups(t, groupOf)
	}
}

// ratio is a / b, NaN (a null) where b is zero or NaN.
func ratio(a, b float64) float64 {
	if b == 0 || math.IsNaN(b) {
		return math.NaN()
	}
	return a / b
}

// flowForm asserts, for a table in flow form without shocks, that world
// production equals the world total of F plus F_Y: x = L y holds to
// rounding. totals holds those totals, one row per stressor in order.
func (ids *identities) flowForm(t *testing.T, totals *mat.Dense) {
	cmp := newComparer(t, "world production = sum of F + F_Y", identityRtol)
	for s, st := range ids.stressors {
		sum := 0.0
		for _, r := range ids.sys.regions {
			sum += ids.get(t, "production", st, r)
		}
		cmp.check(st, sum, totals.At(s, 0), 0)
	}
	cmp.done()
}

// checkGroups asserts that the groups file holds the spec's groups (and
// "other" for the regions in none), that each value is the sum of the
// flows between the member regions, and that each producing group's
// shares sum to 1.
func (ids *identities) checkGroups(t *testing.T, groupOf map[string]string) {
	t.Helper()
	g := ids.groups
	values := g.keyed(t, "value", "stressor", "from_group", "to_group")
	shares := g.keyed(t, "share", "stressor", "from_group", "to_group")
	members := map[string][]string{}
	for _, r := range ids.sys.regions {
		name, ok := groupOf[r]
		if !ok {
			name = "other"
		}
		members[name] = append(members[name], r)
	}
	names := g.distinct(t, "from_group")
	for name := range members {
		if !slices.Contains(names, name) {
			t.Errorf("groups: no group %q (members %v); the file has %v", name, members[name], names)
		}
	}
	if want := len(ids.stressors) * len(names) * len(names); g.rows != want {
		t.Errorf("groups: %d rows, want %d stressors x %d x %d groups", g.rows, len(ids.stressors), len(names), len(names))
	}
	sum := newComparer(t, "group value = sum of member flows", identityRtol)
	one := newComparer(t, "shares of a producing group sum to 1", 1e-12)
	share := newComparer(t, "share = value / all the group emits", 1e-12)
	for _, st := range ids.stressors {
		atol := ids.atol(t, st)
		for _, from := range names {
			total, shareSum := 0.0, 0.0
			for _, to := range names {
				want := 0.0
				for _, q := range members[from] {
					for _, r := range members[to] {
						want += lookup(t, ids.flows, key(st, q, r))
					}
				}
				v := lookup(t, values, key(st, from, to))
				sum.check(st+" "+from+" -> "+to, v, want, atol)
				total += v
				shareSum += lookup(t, shares, key(st, from, to))
			}
			if total == 0 {
				for _, to := range names {
					share.check(st+" "+from+" -> "+to, lookup(t, shares, key(st, from, to)), math.NaN(), 0)
				}
				continue
			}
			one.check(st+" "+from, shareSum, 1, 0)
			for _, to := range names {
				share.check(st+" "+from+" -> "+to, lookup(t, shares, key(st, from, to)), lookup(t, values, key(st, from, to))/total, 1e-15)
			}
		}
	}
	sum.done()
	one.done()
	share.done()
}
