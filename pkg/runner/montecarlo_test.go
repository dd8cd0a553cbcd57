package runner_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mrioflow/mrioflow/pkg/output"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// monteCarloJob is the pymrio test MRIO with the baseline, a Monte Carlo
// scenario that varies S, Y and A after a shock, and one whose sigmas are
// all but zero.
func monteCarloJob(t *testing.T) *spec.Job {
	j := &spec.Job{
		Job:      "mc",
		Output:   filepath.Join(t.TempDir(), "out"),
		Tables:   []spec.Table{{Year: "2010", Format: "pymrio", Path: filepath.Join(dataDir(t), "pymrio-test-mrio", "saved")}},
		Accounts: []string{spec.AccountRegions},
		Scenarios: []spec.Scenario{
			{Name: "baseline"},
			{Name: "wide",
				Shocks:     []spec.Shock{{Target: spec.TargetS, Region: "reg1", Sector: "electricity", Scale: 0.7}},
				MonteCarlo: &spec.MonteCarlo{Draws: 40, Seed: 11, Sigma: spec.Sigma{S: 0.2, Y: 0.05, A: 0.1}}},
			{Name: "near",
				MonteCarlo: &spec.MonteCarlo{Draws: 40, Seed: 5, Sigma: spec.Sigma{S: 1e-9, Y: 1e-9, A: 1e-9}}},
		},
	}
	j.SetDefaults()
	return j
}

// runMonteCarlo runs j with workers in-process workers and blocks of
// perTask draws, and returns the manifest.
func runMonteCarlo(t *testing.T, j *spec.Job, workers, perTask int) *plan.Manifest {
	t.Helper()
	b := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := runner.New(runner.Options{})
	var ws []*worker
	for i := range workers {
		ws = append(ws, serveBus(t, b, r, runner.ServeOptions{Worker: fmt.Sprint("w", i)}))
	}
	m, err := runner.Coordinate(ctx, b, j, runner.CoordinateOptions{Version: "test", DrawsPerTask: perTask})
	for _, w := range ws {
		w.halt(t)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMonteCarloJob(t *testing.T) {
	var first []byte
	for _, tt := range []struct {
		name             string
		workers, perTask int
		blocks           []string
	}{
		{"one worker, blocks of 15", 1, 15, []string{"draws-0000-0014", "draws-0015-0029", "draws-0030-0039"}},
		{"three workers, blocks of 15", 3, 15, []string{"draws-0000-0014", "draws-0015-0029", "draws-0030-0039"}},
		{"two workers, one block", 2, 40, []string{"draws-0000-0039"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j := monteCarloJob(t)
			m := runMonteCarlo(t, j, tt.workers, tt.perTask)
			if !m.Complete() {
				t.Fatalf("failures %+v", m.Failures)
			}
			// Tasks: baseline, the blocks of each scenario, then the two
			// summaries.
			var got []string
			for _, rec := range m.Tasks {
				if rec.Scenario == "wide" {
					got = append(got, rec.Block)
				}
			}
			want := append(append([]string(nil), tt.blocks...), plan.SummaryBlock)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("blocks of wide: %v, want %v", got, want)
			}
			var parts, summaries int
			for _, o := range m.Outputs {
				switch {
				case o.Account == plan.AccountDraws && o.Scenario == "wide":
					parts++
				case o.Account == output.Summary:
					summaries++
				}
			}
			if parts != len(tt.blocks) || summaries != 2 {
				t.Errorf("manifest lists %d parts of wide (want %d) and %d summaries (want 2)", parts, len(tt.blocks), summaries)
			}

			data, err := os.ReadFile(filepath.Join(j.Output, "mc", "year=2010", "scenario=wide", "summary.arrow"))
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = data
			} else if !bytes.Equal(data, first) {
				t.Errorf("summary.arrow differs from the first case's (%d bytes, %d before)", len(data), len(first))
			}
			checkNearBaseline(t, j.Output)
		})
	}
}

// checkNearBaseline compares the mean production of the scenario with
// sigmas near 0 with the baseline's production.
func checkNearBaseline(t *testing.T, out string) {
	t.Helper()
	dir := filepath.Join(out, "mc", "year=2010")
	base := readRows(t, filepath.Join(dir, "scenario=baseline", "regions.arrow"))
	sum := readRows(t, filepath.Join(dir, "scenario=near", "summary.arrow"))
	want := map[string]float64{}
	for _, r := range base {
		want[r["extension"]+"/"+r["stressor"]+"/"+r["region"]] = number(t, r["production"])
	}
	n := 0
	for _, r := range sum {
		if r["account"] != "production" {
			continue
		}
		key := r["extension"] + "/" + r["stressor"] + "/" + r["region"]
		w, ok := want[key]
		if !ok {
			t.Errorf("summary row %s has no baseline", key)
			continue
		}
		got := number(t, r["mean"])
		if d := math.Abs(got-w) / math.Max(math.Abs(w), 1); d > 1e-7 || r["draws"] != "40" {
			t.Errorf("production %s: mean %v over %s draws, baseline %v, relative difference %.3g", key, got, r["draws"], w, d)
		}
		n++
	}
	if n != len(want) || n == 0 {
		t.Errorf("%d production rows in the summary, %d in the baseline", n, len(want))
	}
}

// readRows reads an Arrow file as rows of column name -> value as text.
func readRows(t *testing.T, name string) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := output.ReadTable(data, output.Arrow)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	rows := make([]map[string]string, tbl.NumRows())
	for i := range rows {
		rows[i] = map[string]string{}
	}
	for c := range int(tbl.NumCols()) {
		col := tbl.Column(c)
		i := 0
		for _, chunk := range col.Data().Chunks() {
			for k := range chunk.Len() {
				v := ""
				if !chunk.IsNull(k) {
					v = valueStr(chunk, k)
				}
				rows[i][col.Name()] = v
				i++
			}
		}
	}
	return rows
}

// valueStr is a value as text; dictionaries give their value.
func valueStr(a interface {
	ValueStr(int) string
}, k int) string {
	if d, ok := a.(*array.Dictionary); ok {
		return d.Dictionary().ValueStr(d.GetValueIndex(k))
	}
	return a.ValueStr(k)
}

func number(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

func TestCheckMonteCarloNames(t *testing.T) {
	tests := []struct {
		name           string
		region, sector string
		want           string // in the error; "" for none
	}{
		{"all sectors", "", "", ""},
		{"a region and a sector", "reg1", "electricity", ""},
		{"unknown region", "nowhere", "", `scenario near, montecarlo, region "nowhere"`},
		{"sector matching none", "", "steel*", `scenario near, montecarlo, sector "steel*"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := monteCarloJob(t)
			j.Scenarios[2].MonteCarlo.Region, j.Scenarios[2].MonteCarlo.Sector = tt.region, tt.sector
			_, err := runner.Check(context.Background(), j)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Check: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Check: %v; want an error with %s", err, tt.want)
			}
		})
	}
}
