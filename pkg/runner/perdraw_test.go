package runner_test

import (
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/output"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// TestMonteCarloPerDraw runs 5 draws with per_draw in blocks of 2 on two
// workers: each draw has its regions and flows files, listed in the
// manifest, and the mean of their production is the summary's mean.
func TestMonteCarloPerDraw(t *testing.T) {
	const draws = 5
	j := monteCarloJob(t)
	j.Scenarios = []spec.Scenario{j.Scenarios[0], j.Scenarios[1]}
	j.Scenarios[1].MonteCarlo.Draws = draws
	j.Scenarios[1].MonteCarlo.PerDraw = true
	m := runMonteCarlo(t, j, 2, 2)
	if !m.Complete() {
		t.Fatalf("failures %+v", m.Failures)
	}

	listed := map[string]string{} // key -> account
	for _, o := range m.Outputs {
		if _, _, d, _, _, err := output.ParseDrawKey(o.Key[len("mc/"):]); err == nil && d >= 0 {
			listed[o.Key] = o.Account
		}
	}
	if len(listed) != 2*draws {
		t.Errorf("manifest lists %d per-draw files, want %d: %v", len(listed), 2*draws, listed)
	}

	dir := filepath.Join(j.Output, "mc", "year=2010", "scenario=wide")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var folders []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "draw=") {
			folders = append(folders, e.Name())
		}
	}
	want := []string{"draw=0", "draw=1", "draw=2", "draw=3", "draw=4"}
	if !slices.Equal(folders, want) {
		t.Fatalf("folders %v, want %v", folders, want)
	}

	sum := map[string]float64{} // extension/stressor/region -> sum of production over the draws
	for d := range draws {
		for _, acct := range []string{output.Regions, output.Flows} {
			key := path.Join("mc", output.DrawKey("2010", "wide", d, acct, output.Arrow))
			if listed[key] != acct {
				t.Errorf("%s listed as account %q, want %q", key, listed[key], acct)
			}
			data, err := os.ReadFile(filepath.Join(j.Output, filepath.FromSlash(key)))
			if err != nil {
				t.Fatal(err)
			}
			tbl, err := output.ReadTable(data, output.Arrow)
			if err != nil {
				t.Fatal(err)
			}
			if !tbl.Schema().Equal(output.Schema(acct)) {
				t.Errorf("%s: schema\n%v\nwant that of %s\n%v", key, tbl.Schema(), acct, output.Schema(acct))
			}
			if tbl.NumRows() == 0 {
				t.Errorf("%s: no rows", key)
			}
			tbl.Release()
		}
		for _, r := range readRows(t, filepath.Join(dir, fmt.Sprintf("draw=%d", d), "regions.arrow")) {
			if r["production"] != "" {
				sum[r["extension"]+"/"+r["stressor"]+"/"+r["region"]] += number(t, r["production"])
			}
		}
	}

	n := 0
	for _, r := range readRows(t, filepath.Join(dir, "summary.arrow")) {
		if r["account"] != "production" || r["mean"] == "" {
			continue
		}
		key := r["extension"] + "/" + r["stressor"] + "/" + r["region"]
		got, mean := sum[key]/draws, number(t, r["mean"])
		if d := math.Abs(got - mean); d > 1e-12*math.Max(math.Abs(mean), 1) {
			t.Errorf("production %s: mean of the draws' files %v, summary %v (difference %g)", key, got, mean, d)
		}
		n++
	}
	if n == 0 || n != len(sum) {
		t.Errorf("%d production means in the summary, %d in the draws' files", n, len(sum))
	}
}
