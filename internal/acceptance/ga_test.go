package acceptance

import (
	"path"
	"path/filepath"
	"slices"
	"testing"
)

// TestGAMultipliersMatchModel checks the GA 2019 baseline's multipliers
// against the model's own answers: total against M.csv within 1e-9
// relative, direct against B.csv exactly, for every stressor and sector.
func TestGAMultipliersMatchModel(t *testing.T) {
	dir := gaArrow.dir(t)
	f := readOutput(t, partition(t, dir, "2019", "baseline", ".arrow")["multipliers"])
	total := f.keyed(t, "total", "stressor", "region", "sector")
	direct := f.keyed(t, "direct", "stressor", "region", "sector")
	for _, tc := range []struct {
		file string
		got  map[string]float64
		rtol float64
	}{
		{"M.csv", total, 1e-9},
		{"B.csv", direct, 0}, // read, not computed: bit for bit
	} {
		want := readCSV(t, filepath.Join(gaDir(t), tc.file))
		cmp := newComparer(t, "multipliers vs "+tc.file, tc.rtol)
		for s, st := range want.rows {
			for j, c := range want.cols {
				code, region := splitCode(t, c[0])
				k := key(st[0], region, code)
				got, ok := tc.got[k]
				if !ok {
					t.Errorf("multipliers: no row for %s", k)
					continue
				}
				cmp.check(k, got, want.v.At(s, j), 0)
			}
		}
		cmp.done()
		if r, c := want.v.Dims(); len(tc.got) != r*c {
			t.Errorf("multipliers: %d rows, %s has %d x %d values", len(tc.got), tc.file, r, c)
		}
	}
}

// TestGAMatchesOracle compares every account of both GA scenarios with
// the oracle on the model's A, B, demand vectors and B_h, the scenario's
// shocks applied; and checks the oracle's L against the model's L.csv.
func TestGAMatchesOracle(t *testing.T) {
	dir := gaArrow.dir(t)
	spec := readSpec(t, gaArrow.exampleFile())
	base := gaSystem(t)
	for _, sc := range spec.Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			sys := base.clone()
			sys.apply(t, sc.Shocks)
			ans := solve(t, sys)
			if sc.Name == "baseline" {
				checkL(t, ans, readCSV(t, filepath.Join(gaDir(t), "L.csv")))
			}
			accountCheck{files: partition(t, dir, "2019", sc.Name, ".arrow"), sys: sys, ans: ans, rtol: 1e-9}.run(t)
		})
	}
}

// checkL compares the oracle's inverse with the model's own L.
func checkL(t *testing.T, ans *answer, want *labeled) {
	t.Helper()
	cmp := newComparer(t, "oracle L vs L.csv", 1e-12)
	r, c := want.v.Dims()
	for i := range r {
		for j := range c {
			cmp.check(want.rows[i][0]+","+want.cols[j][0], ans.L.At(i, j), want.v.At(i, j), 1e-15)
		}
	}
	cmp.done()
}

// TestGACleanerPower checks the cleaner-power scenario against the
// baseline: direct multipliers of US-GA's 22* sectors are 0.8 times the
// baseline's and every other one is unchanged; US-GA's production falls
// for every stressor its utilities emit, by 0.2 S x~ of those sectors, and
// nothing else changes.
func TestGACleanerPower(t *testing.T) {
	dir := gaArrow.dir(t)
	read := func(scenario, account string) *outFile {
		return readOutput(t, partition(t, dir, "2019", scenario, ".arrow")[account])
	}
	base := read("baseline", "multipliers").keyed(t, "direct", "stressor", "region", "sector")
	clean := read("cleaner-power", "multipliers").keyed(t, "direct", "stressor", "region", "sector")
	mf := read("baseline", "multipliers")
	stressors, regions, sectors := mf.labels(t, "stressor"), mf.labels(t, "region"), mf.labels(t, "sector")
	shocked := 0
	for i := range mf.rows {
		k := key(stressors[i], regions[i], sectors[i])
		want := base[k]
		if ok, _ := path.Match("22*", sectors[i]); ok && regions[i] == "US-GA" {
			want *= 0.8
			shocked++
		}
		if got := clean[k]; !agree(got, want, 1e-15, 0) {
			t.Errorf("cleaner-power direct %s: %.17g, want %.17g (baseline %.17g)", k, got, want, base[k])
		}
	}
	if shocked == 0 {
		t.Fatal("no US-GA sector matches 22*")
	}

	sys := gaSystem(t)
	ans := solve(t, sys)
	bp := read("baseline", "regions").keyed(t, "production", "stressor", "region")
	cp := read("cleaner-power", "regions").keyed(t, "production", "stressor", "region")
	m, ga := len(sys.sectors), slices.Index(sys.regions, "US-GA")
	if ga < 0 {
		t.Fatalf("no region US-GA in %v", sys.regions)
	}
	lower := 0
	for s, st := range sys.exts[0].stressors {
		cut := 0.0 // 0.2 S x~ over US-GA's 22* sectors
		for j, code := range sys.sectors {
			if ok, _ := path.Match("22*", code); ok {
				i := ga*m + j
				cut += 0.2 * sys.exts[0].S.At(s, i) * ans.xTot[i]
			}
		}
		gk, rous := key(st, "US-GA"), key(st, "RoUS")
		drop := bp[gk] - cp[gk]
		if cut > 0 {
			lower++
			if !(cp[gk] < bp[gk]) {
				t.Errorf("%s: US-GA production %.17g under cleaner-power, baseline %.17g: not lower", st, cp[gk], bp[gk])
			}
		}
		if !agree(drop, cut, 1e-9, 1e-12*bp[gk]) {
			t.Errorf("%s: US-GA production falls by %.17g, want 0.2 S x~ of its 22* sectors = %.17g", st, drop, cut)
		}
		if !agree(cp[rous], bp[rous], 1e-12, 0) {
			t.Errorf("%s: RoUS production %.17g under cleaner-power, baseline %.17g: want unchanged", st, cp[rous], bp[rous])
		}
	}
	if lower == 0 {
		t.Errorf("no stressor of US-GA's utilities: the scenario changes nothing")
	}
	t.Logf("%d of %d stressors are emitted by US-GA's 22* sectors", lower, len(sys.exts[0].stressors))
}
