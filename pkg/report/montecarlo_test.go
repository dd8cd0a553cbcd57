package report

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/montecarlo"
	"github.com/mrioflow/mrioflow/pkg/output"
)

// monteCarloOnly is a job whose every scenario is a Monte Carlo one: each
// partition holds summary.arrow alone, as the pipeline writes it.
func monteCarloOnly() *fixture {
	fx := newFixture()
	fx.years = []string{"2011"}
	fx.scenarios = []string{"uncertain", "uncertain-power"}
	fx.accounts = nil
	fx.summaries = []part{{"2011", "uncertain"}, {"2011", "uncertain-power"}}
	return fx
}

// TestReportMonteCarloOnly: without regions files the stressor, its unit
// and the regions come from the summaries, and each scenario's figure
// draws production, consumption and net exports of that stressor alone.
func TestReportMonteCarloOnly(t *testing.T) {
	fx := monteCarloOnly()
	co2, ch4 := fx.stressors[1], fx.stressors[2]
	unc, power := part{"2011", "uncertain"}, part{"2011", "uncertain-power"}
	cases := []struct {
		name string
		opts Options
		want Stressor
	}{
		{"default", Options{}, co2},
		{"chosen", Options{Stressor: "CH4"}, ch4},
		{"chosen with extension", Options{Extension: factorInputsExt, Stressor: "Value Added"}, fx.stressors[0]},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, page := buildFixture(t, fx, c.opts)
			if rep.Header.Stressor != c.want {
				t.Errorf("stressor %+v, want %+v (unit from the summary)", rep.Header.Stressor, c.want)
			}
			if !slices.Equal(rep.Header.Stressors, fx.stressors) {
				t.Errorf("catalogue %v, want %v: rows without a stressor name none", rep.Header.Stressors, fx.stressors)
			}
			pg := parsePage(t, page)
			for _, p := range []part{unc, power} {
				id := "monte-carlo-" + p.scenario
				checkSVG(t, id, pg.figures[id])
				checkTable(t, id, pg.figures[id], fx.wantMonteCarlo(c.want, p))
			}
			note := "Scenario uncertain is a Monte Carlo scenario: for year 2011 it writes summary.arrow, not regions.arrow."
			if f := pg.figures["production-consumption-2011"]; f == nil || f.note != note {
				t.Errorf("production-consumption-2011: %+v, want the note %q", f, note)
			}
		})
	}
}

// TestReportMonteCarloTable checks a few cells of the figure against
// numbers worked out by hand, and that the figure leaves out what it
// must: intensities, flows, value added and final demand.
func TestReportMonteCarloTable(t *testing.T) {
	fx := monteCarloOnly()
	rep, _ := buildFixture(t, fx, Options{})
	var f *Figure
	for _, g := range rep.Figures {
		if g.ID == "monte-carlo-uncertain" {
			f = g
		}
	}
	if f == nil || f.Table == nil {
		t.Fatalf("no table for monte-carlo-uncertain in %v", rep.Figures)
	}
	wantHead := []string{"Region", "Account", "Mean (kt)", "SD", "p05", "p50", "p95", "Draws"}
	if !slices.Equal(f.Table.Header, wantHead) {
		t.Errorf("header %q, want %q", f.Table.Header, wantHead)
	}
	co2, p := fx.stressors[1], part{"2011", "uncertain"}
	north := fx.regionRow(co2, p, "North")[colProduction]
	cases := []struct {
		name, region, account string
		want                  []float64 // mean, sd, p05, p50, p95, draws
	}{
		{"production", "North", colProduction, []float64{north, 0.1 * north, 0.8 * north, 1.05 * north, 1.3 * north, 200}},
		{"consumer only", "Discrepancy", colProduction, []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			i := slices.IndexFunc(f.Table.Rows, func(r []Cell) bool { return r[0].Text == c.region && r[1].Text == c.account })
			if i < 0 {
				t.Fatalf("no row for %s %s", c.region, c.account)
			}
			for k, w := range c.want {
				got := f.Table.Rows[i][2+k].Value
				if !(got == w || math.IsNaN(w) && math.IsNaN(got)) && math.Abs(got-w) > 1e-12*math.Abs(w) {
					t.Errorf("%s: %s = %v, want %v (difference %g)", c.name, wantHead[2+k], got, w, got-w)
				}
			}
		})
	}
	for _, r := range f.Table.Rows {
		if !slices.Contains(mcAccounts, r[1].Text) {
			t.Errorf("row %q: only %v are drawn", r[0].Text+" "+r[1].Text, mcAccounts)
		}
	}
	if n, want := len(f.Table.Rows), 3*len(fx.consumers); n != want {
		t.Errorf("%d rows, want %d (three accounts per region)", n, want)
	}
}

// TestReadSummaryFlows: flows are keyed by producing and consuming
// region, so two flows from one region are two rows, and a repeat is an
// error naming both regions and the file's row.
func TestReadSummaryFlows(t *testing.T) {
	flow := func(from, to string, v float64) montecarlo.Row {
		return montecarlo.Row{Label: montecarlo.Label{Account: montecarlo.Flows, Extension: "emissions", Stressor: "CO2",
			Region: from, ToRegion: to}, Draws: 10, Mean: v, SD: 1, P05: v - 1, P50: v, P95: v + 1}
	}
	va := montecarlo.Row{Label: montecarlo.Label{Account: montecarlo.ValueAdded, Region: "A"}, Draws: 10, Mean: 5}
	cases := []struct {
		name    string
		rows    []montecarlo.Row
		want    int
		wantErr string
	}{
		{"two flows from one region", []montecarlo.Row{va, flow("A", "A", 1), flow("A", "B", 2)}, 2, ""},
		{"a repeated flow", []montecarlo.Row{va, flow("A", "B", 1), flow("A", "B", 2)}, 0,
			`summary.arrow: row 2: account "flows" of region "A" to "B" repeats for stressor emissions / CO2`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, _, err := output.EncodeSummary(c.rows, nil, output.Arrow)
			if err != nil {
				t.Fatal(err)
			}
			root := t.TempDir()
			dir := filepath.Join(root, "mc", "year=2011", "scenario=mc")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "summary.arrow"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			rep, err := Build(context.Background(), dirSource{root}, Options{Job: "mc"})
			if failed(t, err, c.wantErr) {
				return
			}
			if rep.Header.Stressor != (Stressor{"emissions", "CO2", ""}) {
				t.Errorf("stressor %+v, want emissions / CO2", rep.Header.Stressor)
			}
			var f *Figure
			for _, g := range rep.Figures {
				if g.ID == "monte-carlo-mc" {
					f = g
				}
			}
			// Flows alone give the figure nothing to draw.
			if f == nil || !strings.Contains(f.Note, "no production, consumption or net exports") {
				t.Errorf("monte-carlo-mc: %+v, want a note that nothing is drawn", f)
			}
		})
	}
}
