package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/scenario"
)

func TestParseMonteCarlo(t *testing.T) {
	src := minimal + `scenarios:
  - name: baseline
  - name: mc
    shocks: [{target: S, region: r1, scale: 0.5}]
    montecarlo:
      draws: 200
      seed: 18446744073709551615
      sigma: {S: 0.2, Y: 5e-2}
      region: r1
      sector: "elec*"
      per_draw: false
  - name: mc-default-seed
    montecarlo: {draws: 1, sigma: {A: 1}, per_draw: true}
`
	j, err := Parse([]byte(src), "job.yaml", ".")
	if err != nil {
		t.Fatal(err)
	}
	if j.Scenarios[0].MonteCarlo != nil {
		t.Errorf("baseline MonteCarlo = %+v, want nil", j.Scenarios[0].MonteCarlo)
	}
	want := &MonteCarlo{Draws: 200, Seed: math.MaxUint64, Sigma: Sigma{S: 0.2, Y: 0.05},
		Region: "r1", Sector: "elec*"}
	if got := j.Scenarios[1].MonteCarlo; !reflect.DeepEqual(got, want) {
		t.Errorf("MonteCarlo = %+v, want %+v", got, want)
	}
	if got := j.Scenarios[1].Shocks; len(got) != 1 || got[0].Scale != 0.5 {
		t.Errorf("shocks beside montecarlo = %+v", got)
	}
	want = &MonteCarlo{Draws: 1, Sigma: Sigma{A: 1}, PerDraw: true}
	if got := j.Scenarios[2].MonteCarlo; !reflect.DeepEqual(got, want) {
		t.Errorf("MonteCarlo without seed, per draw = %+v, want %+v", got, want)
	}
}

// TestMonteCarloJSON checks that a job survives JSON, the form tasks carry
// it in, with its Monte Carlo scenario and a seed above 2^53 intact.
func TestMonteCarloJSON(t *testing.T) {
	mc := &MonteCarlo{Draws: 7, Seed: 1<<63 + 1, Sigma: Sigma{S: 0.1, A: 0.3}, Sector: "2?", PerDraw: true}
	in := Scenario{Name: "mc", MonteCarlo: mc}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Scenario
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, in) {
		t.Errorf("through JSON %s:\n got %+v\nwant %+v", data, out.MonteCarlo, in.MonteCarlo)
	}
	if want := `"montecarlo":{"draws":7,"seed":9223372036854775809,"sigma":{"S":0.1,"A":0.3},"sector":"2?","per_draw":true}`; !strings.Contains(string(data), want) {
		t.Errorf("JSON %s lacks %s", data, want)
	}
	data, err = json.Marshal(Scenario{Name: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "montecarlo") {
		t.Errorf("a scenario without draws writes %s", data)
	}
}

func TestParseMonteCarloErrors(t *testing.T) {
	// The key montecarlo is on line 7, the lines of each case from line 8.
	const head = minimal + "scenarios:\n  - name: mc\n    montecarlo:\n"
	tests := []struct {
		name string
		mc   string // the lines of the montecarlo mapping
		want string // the first error, in full or its start
	}{
		{"not a mapping", "      - 200\n",
			"spec: job.yaml line 8: scenarios[0].montecarlo: want a mapping of keys to values, got a list"},
		{"unknown key", "      draws: 1\n      sigma: {S: 1}\n      sigmas: {S: 1}\n",
			`spec: job.yaml line 10: scenarios[0].montecarlo: unknown key "sigmas" (known: draws, seed, sigma, region, sector, per_draw)`},
		{"draws missing", "      sigma: {S: 1}\n",
			"spec: job.yaml line 7: scenarios[0].montecarlo: draws is missing"},
		{"sigma missing", "      draws: 1\n",
			"spec: job.yaml line 7: scenarios[0].montecarlo: sigma is missing"},
		{"draws zero", "      draws: 0\n      sigma: {S: 1}\n",
			"spec: job.yaml line 8: scenarios[0].montecarlo.draws: draws 0 must be from 1 to 1000000"},
		{"draws negative", "      draws: -3\n      sigma: {S: 1}\n",
			"spec: job.yaml line 8: scenarios[0].montecarlo.draws: draws -3 must be from 1 to 1000000"},
		{"draws above the most", "      draws: 1000001\n      sigma: {S: 1}\n",
			"spec: job.yaml line 8: scenarios[0].montecarlo.draws: draws 1000001 must be from 1 to 1000000"},
		{"draws not whole", "      draws: 2.5\n      sigma: {S: 1}\n",
			`spec: job.yaml line 8: scenarios[0].montecarlo.draws: want a whole number, got "2.5"`},
		{"draws a string", "      draws: \"200\"\n      sigma: {S: 1}\n",
			`spec: job.yaml line 8: scenarios[0].montecarlo.draws: want a whole number, got "200"`},
		{"seed negative", "      draws: 1\n      seed: -1\n      sigma: {S: 1}\n",
			`spec: job.yaml line 9: scenarios[0].montecarlo.seed: want a whole number from 0 to 18446744073709551615, got "-1"`},
		{"seed above uint64", "      draws: 1\n      seed: 18446744073709551616\n      sigma: {S: 1}\n",
			`spec: job.yaml line 9: scenarios[0].montecarlo.seed: want a whole number from 0 to 18446744073709551615, got "18446744073709551616"`},
		{"seed not whole", "      draws: 1\n      seed: 1.5\n      sigma: {S: 1}\n",
			`spec: job.yaml line 9: scenarios[0].montecarlo.seed: want a whole number`},
		{"sigma not a mapping", "      draws: 1\n      sigma: 0.2\n",
			`spec: job.yaml line 9: scenarios[0].montecarlo.sigma: want a mapping of keys to values, got "0.2"`},
		{"sigma unknown target", "      draws: 1\n      sigma: {S: 0.1, F: 0.2}\n",
			`spec: job.yaml line 9: scenarios[0].montecarlo.sigma: unknown key "F" (known: S, Y, A)`},
		{"sigma lower case", "      draws: 1\n      sigma: {s: 0.1}\n",
			`spec: job.yaml line 9: scenarios[0].montecarlo.sigma: unknown key "s" (known: S, Y, A)`},
		{"sigma twice", "      draws: 1\n      sigma:\n        S: 0.1\n        S: 0.2\n",
			`spec: job.yaml line 11: scenarios[0].montecarlo.sigma: key "S" is given twice`},
		{"sigma not a number", "      draws: 1\n      sigma: {Y: high}\n",
			`spec: job.yaml line 9: scenarios[0].montecarlo.sigma.Y: want a number, got "high"`},
		{"sigma negative", "      draws: 1\n      sigma:\n        S: 0.1\n        A: -0.1\n",
			"spec: job.yaml line 11: scenarios[0].montecarlo.sigma.A: sigma of A -0.1 must be a number from 0 to 3"},
		{"sigma infinite", "      draws: 1\n      sigma: {Y: .inf}\n",
			"spec: job.yaml line 9: scenarios[0].montecarlo.sigma.Y: sigma of Y +Inf must be a number from 0 to 3"},
		{"sigma NaN", "      draws: 1\n      sigma: {S: .nan}\n",
			"spec: job.yaml line 9: scenarios[0].montecarlo.sigma.S: sigma of S NaN must be a number from 0 to 3"},
		{"sigma above the most", "      draws: 1\n      sigma: {S: 50}\n",
			"spec: job.yaml line 9: scenarios[0].montecarlo.sigma.S: sigma of S 50 must be a number from 0 to 3"},
		{"sigma table not a mapping", "      draws: 1\n      sigma: {S: {table: [a.txt]}}\n",
			"spec: job.yaml line 9: scenarios[0].montecarlo.sigma.S.table: want a single value, got a list"},
		{"sigma table empty", "      draws: 1\n      sigma: {S: {table: \"\"}}\n",
			"spec: job.yaml line 9: scenarios[0].montecarlo.sigma.S: table is empty; write the path of a file of sigmas"},
		{"sigma table missing", "      draws: 1\n      sigma: {Y: {}}\n",
			"spec: job.yaml line 9: scenarios[0].montecarlo.sigma.Y: table is missing; write a number or {table: PATH}"},
		{"sigma table misspelt", "      draws: 1\n      sigma:\n        A: {tables: a.txt}\n",
			`spec: job.yaml line 10: scenarios[0].montecarlo.sigma.A: unknown key "tables" (known: table)`},
		{"sigma all zero", "      draws: 1\n      sigma: {S: 0, Y: 0, A: 0}\n",
			"spec: job.yaml line 9: scenarios[0].montecarlo.sigma: no sigma above 0 (of S, Y or A)"},
		{"sigma empty", "      draws: 1\n      sigma: {}\n",
			"spec: job.yaml line 9: scenarios[0].montecarlo.sigma: no sigma above 0"},
		{"bad sector pattern", "      draws: 1\n      sigma: {S: 1}\n      sector: \"[a-\"\n",
			`spec: job.yaml line 10: scenarios[0].montecarlo.sector: sector pattern "[a-": syntax error in pattern`},
		{"region a list", "      draws: 1\n      sigma: {S: 1}\n      region: [r1]\n",
			"spec: job.yaml line 10: scenarios[0].montecarlo.region: want a single value, got a list"},
		{"per_draw not a bool", "      draws: 1\n      sigma: {S: 1}\n      per_draw: yes\n",
			`spec: job.yaml line 10: scenarios[0].montecarlo.per_draw: want true or false, got "yes"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := Parse([]byte(head+tt.mc), "job.yaml", ".")
			if err == nil {
				t.Fatalf("Parse() = %+v, want error %q", j.Scenarios[0].MonteCarlo, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse() error %q is no *Error", err)
			}
			if !strings.HasPrefix(e.Error(), tt.want) {
				t.Fatalf("Parse() first error\n got %q\nwant %q\n all: %v", e.Error(), tt.want, err)
			}
		})
	}
}

// TestMonteCarloAgreesWithScenario checks that the spec accepts a Monte
// Carlo scenario exactly when package scenario's Check does, within the
// spec's bound on draws.
func TestMonteCarloAgreesWithScenario(t *testing.T) {
	sigmas := []Sigma{{}, {S: 0.2}, {Y: 1e-9}, {A: 3}, {S: -1, Y: 1}, {S: math.NaN()}, {A: math.Inf(1)}, {S: 0.1, Y: 0.1, A: 0.1}}
	for _, draws := range []int{-1, 0, 1, 200, MaxDraws} {
		for _, sg := range sigmas {
			t.Run(fmt.Sprintf("draws=%d/sigma=%+v", draws, sg), func(t *testing.T) {
				mc := MonteCarlo{Draws: draws, Seed: 3, Sigma: sg}
				specErr := join(mc.problems("mc"))
				scenErr := scenario.MonteCarlo{Draws: mc.Draws, Seed: mc.Seed,
					Sigma: scenario.Sigma{S: sg.S, Y: sg.Y, A: sg.A}}.Check()
				if (specErr == nil) != (scenErr == nil) {
					t.Errorf("spec says %v, scenario says %v", specErr, scenErr)
				}
			})
		}
	}
}

func TestParseSigmaTable(t *testing.T) {
	src := minimal + `scenarios:
  - name: mc
    montecarlo:
      draws: 10
      sigma:
        S: {table: uncertainty/S.txt}
        Y: 0.05
        A: {table: "s3://bucket/sigma/A.txt"}
`
	j, err := Parse([]byte(src), "job.yaml", "jobs")
	if err != nil {
		t.Fatal(err)
	}
	want := Sigma{Y: 0.05, Table: SigmaTables{S: "uncertainty/S.txt", A: "s3://bucket/sigma/A.txt"}}
	got := j.Scenarios[0].MonteCarlo.Sigma
	if got != want {
		t.Fatalf("Sigma = %+v, want %+v", got, want)
	}
	files := got.Table.Files()
	if len(files) != 2 || files[0] != (SigmaFile{TargetS, "uncertainty/S.txt"}) || files[1].Target != TargetA {
		t.Errorf("Files() = %+v", files)
	}
	for _, tc := range []struct{ path, want string }{
		{files[0].Path, filepath.Join("jobs", "uncertainty", "S.txt")},
		{files[1].Path, "s3://bucket/sigma/A.txt"},
		{"/abs/S.txt", "/abs/S.txt"},
	} {
		if p := j.SigmaPath(tc.path); p != tc.want {
			t.Errorf("SigmaPath(%q) = %q, want %q", tc.path, p, tc.want)
		}
	}
	// Only a table of sigmas: the scenario varies.
	only := strings.Replace(src, "        Y: 0.05\n", "", 1)
	if _, err := Parse([]byte(only), "job.yaml", "."); err != nil {
		t.Errorf("tables alone: %v", err)
	}
}

// TestSigmaJSON checks the JSON a task carries a sigma in: a number, or
// {"table": PATH}, and back.
func TestSigmaJSON(t *testing.T) {
	cases := []struct {
		sigma Sigma
		json  string
	}{
		{Sigma{S: 0.1, A: 0.3}, `{"S":0.1,"A":0.3}`},
		{Sigma{Y: 0.05, Table: SigmaTables{S: "u/S.txt"}}, `{"S":{"table":"u/S.txt"},"Y":0.05}`},
		{Sigma{Table: SigmaTables{Y: "Y.txt", A: "s3://b/A.txt"}}, `{"Y":{"table":"Y.txt"},"A":{"table":"s3://b/A.txt"}}`},
		{Sigma{}, `{}`},
	}
	for _, tc := range cases {
		data, err := json.Marshal(tc.sigma)
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != tc.json {
			t.Errorf("Marshal(%+v) = %s, want %s", tc.sigma, data, tc.json)
		}
		var back Sigma
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if back != tc.sigma {
			t.Errorf("through JSON %s: %+v, want %+v", data, back, tc.sigma)
		}
	}
	for _, bad := range []string{`{"F":1}`, `{"S":{"path":"a"}}`, `{"S":"a"}`, `[1]`} {
		var s Sigma
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("Unmarshal(%s) = %+v, want an error", bad, s)
		}
	}
}

func TestSigmaNumberAndTable(t *testing.T) {
	mc := MonteCarlo{Draws: 1, Sigma: Sigma{S: 0.1, Table: SigmaTables{S: "S.txt"}}}
	err := join(mc.problems("mc"))
	if err == nil || !strings.Contains(err.Error(), "mc.sigma.S: sigma of S is both the number 0.1 and the table S.txt; give one") {
		t.Errorf("err = %v", err)
	}
}
