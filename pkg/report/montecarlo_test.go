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
	fx.mc = fx.scenarios
	fx.accounts = []string{accRegions, accFlows} // what the job asks for; its Monte Carlo scenarios write none
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
			// The single-year figures show the first scenario's means.
			checkTable(t, "production-consumption-2011", pg.figures["production-consumption-2011"], fx.wantProdCons(c.want, unc))
			if f := figure(rep, "production-consumption-2011"); f == nil || !strings.Contains(f.Caption, meanOf200("uncertain")) {
				t.Errorf("production-consumption-2011: %+v, want a caption that says %q", f, meanOf200("uncertain"))
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

// figure returns the figure of rep with the ID id, or nil.
func figure(rep *Report, id string) *Figure {
	for _, f := range rep.Figures {
		if f.ID == id {
			return f
		}
	}
	return nil
}

// meanOf200 is what a caption says of a Monte Carlo scenario of the
// fixture, whose summaries have 200 draws.
func meanOf200(s string) string {
	return "Scenario " + s + " is a Monte Carlo scenario: its numbers are the mean over 200 draws."
}

// TestReportMonteCarloMeans: the single-year figures of a Monte Carlo
// scenario show its summary's means and say so; the change figures
// compare with a deterministic baseline, or, when there is none, are
// left out with one line unless a baseline is named; and the figure of
// flows between groups needs groups. The fixture's means are the values
// of its files, so the expected tables are those of the files.
func TestReportMonteCarloMeans(t *testing.T) {
	co2 := newFixture().stressors[1]
	unc := part{"2011", "uncertain"}
	noBaseline := "Changes against a baseline: every scenario is a Monte Carlo scenario"
	singleYear := func(t *testing.T, fx *fixture, rep *Report, pg *parsedPage, p part, mean bool) {
		t.Helper()
		checkTable(t, "production-consumption-2011", pg.figures["production-consumption-2011"], fx.wantProdCons(co2, p))
		checkTable(t, "net-exports", pg.figures["net-exports"], fx.wantNetExports(co2, p))
		checkTable(t, "flow-matrix", pg.figures["flow-matrix"], fx.wantFlowMatrix(co2, p))
		checkTable(t, "consumer-shares", pg.figures["consumer-shares"], fx.wantShares(co2, p, fx.groupOf, fx.groupNames()))
		checkTable(t, "intensities", pg.figures["intensities"], fx.wantIntensities(co2, p))
		for _, id := range []string{"production-consumption-2011", "net-exports", "flow-matrix", "consumer-shares", "intensities"} {
			f := figure(rep, id)
			if got := strings.Contains(f.Caption, meanOf200(p.scenario)); got != mean {
				t.Errorf("%s: caption %q says it shows means: %v, want %v", id, f.Caption, got, mean)
			}
		}
	}
	cases := []struct {
		name     string
		edit     func(fx *fixture)
		opts     Options
		baseline string   // Header.Baseline
		shown    string   // Header.Scenario
		order    []string // figure IDs
		left     []string // lines on figures left out
		check    func(t *testing.T, fx *fixture, rep *Report, pg *parsedPage)
	}{
		{
			name:  "every scenario Monte Carlo",
			edit:  func(*fixture) {},
			shown: "uncertain",
			order: []string{"production-consumption-2011", "net-exports", "flow-matrix", "group-flows", "consumer-shares",
				"intensities", "monte-carlo-uncertain", "monte-carlo-uncertain-power"},
			left: []string{noBaseline},
			check: func(t *testing.T, fx *fixture, rep *Report, pg *parsedPage) {
				singleYear(t, fx, rep, pg, unc, true)
				checkTable(t, "group-flows", pg.figures["group-flows"], fx.wantGroupFlows(co2, unc))
				if f := figure(rep, "group-flows"); !strings.Contains(f.Caption, "the mean flows of summary.arrow") {
					t.Errorf("group-flows: caption %q, want it to name the mean flows as its source", f.Caption)
				}
				if f := figure(rep, "intensities"); !strings.Contains(f.Caption, "not the ratio of the means") {
					t.Errorf("intensities: caption %q, want it to say a mean intensity is no ratio of means", f.Caption)
				}
				for _, want := range []string{"uncertain (Monte Carlo), uncertain-power (Monte Carlo); single-year figures show uncertain"} {
					if !strings.Contains(pg.text, want) {
						t.Errorf("the header does not say %q", want)
					}
				}
			},
		},
		{
			name:  "every scenario Monte Carlo, no groups",
			edit:  func(fx *fixture) { fx.groups = nil },
			shown: "uncertain",
			order: []string{"production-consumption-2011", "net-exports", "flow-matrix", "consumer-shares",
				"intensities", "monte-carlo-uncertain", "monte-carlo-uncertain-power"},
			left: []string{noGroups, noBaseline},
		},
		{
			name:     "a Monte Carlo scenario named as the baseline",
			edit:     func(*fixture) {},
			opts:     Options{Baseline: "uncertain-power"},
			baseline: "uncertain-power",
			shown:    "uncertain-power",
			order: []string{"production-consumption-2011", "net-exports", "flow-matrix", "group-flows", "consumer-shares",
				"intensities", "scenario-uncertain", "monte-carlo-uncertain-power", "monte-carlo-uncertain"},
			check: func(t *testing.T, fx *fixture, rep *Report, pg *parsedPage) {
				power := part{"2011", "uncertain-power"}
				singleYear(t, fx, rep, pg, power, true)
				f := pg.figures["scenario-uncertain"]
				checkTable(t, "scenario-uncertain", f, fx.wantChange(co2, power, unc))
				want := []string{"Region", "Account", "uncertain-power, mean (kt)", "uncertain, mean (kt)", "Change (kt)"}
				if f != nil && !slices.Equal(f.header, want) {
					t.Errorf("scenario-uncertain: header %q, want %q", f.header, want)
				}
				both := "Both are Monte Carlo scenarios: their numbers are the mean over 200 draws."
				if c := figure(rep, "scenario-uncertain").Caption; !strings.Contains(c, both) {
					t.Errorf("scenario-uncertain: caption %q, want it to say %q", c, both)
				}
			},
		},
		{
			name: "a deterministic scenario after a Monte Carlo one",
			edit: func(fx *fixture) {
				fx.scenarios, fx.mc = []string{"uncertain", "plain"}, []string{"uncertain"}
				fx.accounts = []string{accRegions, accFlows, accGroups}
			},
			baseline: "plain",
			shown:    "plain",
			order: []string{"production-consumption-2011", "net-exports", "flow-matrix", "group-flows", "consumer-shares",
				"intensities", "scenario-uncertain", "monte-carlo-uncertain"},
			check: func(t *testing.T, fx *fixture, rep *Report, pg *parsedPage) {
				plain := part{"2011", "plain"}
				singleYear(t, fx, rep, pg, plain, false)
				checkTable(t, "scenario-uncertain", pg.figures["scenario-uncertain"], fx.wantChange(co2, plain, unc))
				f := figure(rep, "scenario-uncertain")
				if !strings.Contains(f.Title, "in scenario uncertain against plain") || !strings.Contains(f.Caption, meanOf200("uncertain")) {
					t.Errorf("scenario-uncertain: title %q, caption %q; want uncertain's means against plain", f.Title, f.Caption)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx := monteCarloOnly()
			c.edit(fx)
			fx.summaries = nil
			for _, s := range fx.mc {
				fx.summaries = append(fx.summaries, part{"2011", s})
			}
			rep, page := buildFixture(t, fx, c.opts)
			pg := parsePage(t, page)
			checkOffline(t, page)
			if rep.Header.Baseline != c.baseline || rep.Header.Scenario != c.shown {
				t.Errorf("baseline %q, shown %q; want %q and %q", rep.Header.Baseline, rep.Header.Scenario, c.baseline, c.shown)
			}
			if !slices.Equal(rep.Header.MonteCarlo, fx.mc) && !slices.Equal(slices.Sorted(slices.Values(rep.Header.MonteCarlo)), fx.mc) {
				t.Errorf("Monte Carlo scenarios %q, want %q", rep.Header.MonteCarlo, fx.mc)
			}
			if !slices.Equal(pg.order, c.order) {
				t.Errorf("figures %q\nwant %q", pg.order, c.order)
			}
			for _, id := range pg.order {
				checkSVG(t, id, pg.figures[id])
			}
			if len(pg.leftOut) != len(c.left) {
				t.Errorf("left out %q, want %d lines", pg.leftOut, len(c.left))
			}
			for i, want := range c.left {
				if i < len(pg.leftOut) && !strings.HasPrefix(pg.leftOut[i], want) {
					t.Errorf("left out line %d: %q, want it to start %q", i, pg.leftOut[i], want)
				}
			}
			if strings.Contains(pg.text, "not regions.arrow") || strings.Contains(pg.text, "not flows.arrow") {
				t.Error("the page still says a Monte Carlo scenario lacks regions or flows")
			}
			if c.check != nil {
				c.check(t, fx, rep, pg)
			}
		})
	}
}
