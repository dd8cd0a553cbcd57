package spec

import (
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// minimal is the smallest valid spec; cases below append to it.
const minimal = `job: j
output: out
tables:
  - {year: 2019, format: pymrio, path: t2019}
`

func TestParseDefaults(t *testing.T) {
	j, err := Parse([]byte(minimal), "job.yaml", "jobs")
	if err != nil {
		t.Fatal(err)
	}
	want := &Job{
		Job:          "j",
		Output:       "out",
		OutputFormat: OutputArrow,
		Tables:       []Table{{Year: "2019", Format: "pymrio", Path: "t2019"}},
		Accounts:     []string{"regions", "flows", "footprints", "multipliers"},
		Scenarios:    []Scenario{{Name: "baseline"}},
		Dir:          "jobs",
	}
	if !reflect.DeepEqual(j, want) {
		t.Errorf("Parse(minimal) =\n%+v\nwant\n%+v", j, want)
	}
}

func TestParseFull(t *testing.T) {
	src := `job: full
output: s3://bucket/prefix
output_format: parquet
tables:
  - year: "2018"
    format: useeio
    path: /data/2018
    options: {demand: Consumption_Complete, demand_year: 2018}
  - {year: 2019, format: pymrio, path: ../t2019}
stressors: [CO2, CH4]
groups:
  zeta: [z1, z2]
  alpha: [a1]
scenarios:
  - name: baseline
  - name: cut
    shocks:
      - {target: S, region: z1, sector: "22*", scale: 0.8}
      - {target: Y, region: a1, from_region: z2, from_sector: "[1-3]*", scale: 1.5e0}
      - {target: A, scale: 0}
`
	j, err := Parse([]byte(src), "full.yaml", "jobs")
	if err != nil {
		t.Fatal(err)
	}
	wantGroups := Groups{{Name: "zeta", Regions: []string{"z1", "z2"}}, {Name: "alpha", Regions: []string{"a1"}}}
	if !reflect.DeepEqual(j.Groups, wantGroups) {
		t.Errorf("groups = %+v, want %+v (in the order written)", j.Groups, wantGroups)
	}
	wantAccounts := []string{"regions", "flows", "footprints", "multipliers", "groups"}
	if !reflect.DeepEqual(j.Accounts, wantAccounts) {
		t.Errorf("default accounts with groups = %v, want %v", j.Accounts, wantAccounts)
	}
	if got := j.Tables[0].Options; !reflect.DeepEqual(got, map[string]string{"demand": "Consumption_Complete", "demand_year": "2018"}) {
		t.Errorf("options = %v", got)
	}
	wantShock := Shock{Target: "Y", Region: "a1", FromRegion: "z2", FromSector: "[1-3]*", Scale: 1.5}
	if got := j.Scenarios[1].Shocks[1]; got != wantShock {
		t.Errorf("shock = %+v, want %+v", got, wantShock)
	}
	if j.OutputFormat != OutputParquet || j.Output != "s3://bucket/prefix" || len(j.Stressors) != 2 {
		t.Errorf("job = %+v", j)
	}
	paths := []string{j.TablePath(j.Tables[0]), j.TablePath(j.Tables[1])}
	if want := []string{"/data/2018", filepath.Join("jobs", "..", "t2019")}; !reflect.DeepEqual(paths, want) {
		t.Errorf("table paths = %q, want %q", paths, want)
	}
}

func TestTablePath(t *testing.T) {
	j := &Job{Dir: filepath.Join("a", "b")}
	tests := []struct{ name, path, want string }{
		{"relative", "../data/t", filepath.Join("a", "data", "t")},
		{"plain", "t", filepath.Join("a", "b", "t")},
		{"absolute", "/srv/t", "/srv/t"},
		{"s3", "s3://bucket/t/2019", "s3://bucket/t/2019"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := j.TablePath(Table{Path: tt.path}); got != tt.want {
				t.Errorf("TablePath(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestParseAlias(t *testing.T) {
	src := minimal + `scenarios:
  - name: a
    shocks:
      - &cut {target: S, sector: "22", scale: 0.5}
  - name: b
    shocks: [*cut]
`
	j, err := Parse([]byte(src), "alias.yaml", ".")
	if err != nil {
		t.Fatal(err)
	}
	if got := j.Scenarios[1].Shocks[0]; got.Sector != "22" || got.Scale != 0.5 {
		t.Errorf("aliased shock = %+v", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // the first error, in full
	}{
		{"empty", "", "spec: job.yaml: the job spec is empty"},
		{"comments only", "# nothing\n", "spec: job.yaml: the job spec is empty"},
		{"syntax", "job: [a\n", "spec: job.yaml line 1: YAML: did not find expected ',' or ']'"},
		{"two documents", minimal + "---\njob: k\n", "spec: job.yaml line 5: more than one YAML document; a job spec is one"},
		{"tab indentation", "job: j\n\toutput: o\n", "spec: job.yaml line 2: YAML: found a tab character that violates indentation"},
		{"not a mapping", "- a\n", "spec: job.yaml line 1: want a mapping of keys to values, got a list"},
		{"unknown key", minimal + "tabels: []\n",
			`spec: job.yaml line 5: unknown key "tabels" (known: job, output, output_format, tables, stressors, accounts, groups, scenarios)`},
		{"key twice", minimal + "output: again\n", `spec: job.yaml line 5: key "output" is given twice`},
		{"unknown table key", "job: j\noutput: o\ntables:\n  - {year: 1, format: pymrio, path: p, formt: x}\n",
			`spec: job.yaml line 4: tables[0]: unknown key "formt" (known: year, format, path, options)`},
		{"unknown shock key", minimal + "scenarios:\n  - name: s\n    shocks: [{target: S, scale: 1, regoin: r}]\n",
			`spec: job.yaml line 7: scenarios[0].shocks[0]: unknown key "regoin"`},
		{"job is a list", "job: [a]\noutput: o\ntables: [{year: 1, format: pymrio, path: p}]\n",
			`spec: job.yaml line 1: job: want a single value, got a list`},
		{"tables not a list", "job: j\noutput: o\ntables: t\n", `spec: job.yaml line 3: tables: want a list, got "t"`},
		{"empty accounts", minimal + "accounts: []\n", "spec: job.yaml line 5: accounts: empty list; leave the key out for the default"},
		{"empty output format", minimal + "output_format:\n", "spec: job.yaml line 5: output_format: output_format is empty"},
		{"job missing", "output: o\ntables: [{year: 1, format: pymrio, path: p}]\n", "spec: job.yaml line 1: job: job name is missing"},
		{"job not a path segment", "job: a/b\noutput: o\ntables: [{year: 1, format: pymrio, path: p}]\n",
			`spec: job.yaml line 1: job: job name "a/b" has '/'; use letters, digits, '.', '_' and '-' only`},
		{"job is dot dot", "job: ..\noutput: o\ntables: [{year: 1, format: pymrio, path: p}]\n",
			`spec: job.yaml line 1: job: job name ".." starts with '.'`},
		{"output missing", "job: j\ntables: [{year: 1, format: pymrio, path: p}]\n", "spec: job.yaml line 1: output: output is missing"},
		{"output format unknown", minimal + "output_format: csv\n",
			`spec: job.yaml line 5: output_format: unknown output format "csv" (known: arrow, parquet)`},
		{"no tables", "job: j\noutput: o\n", "spec: job.yaml line 1: tables: no tables"},
		{"two tables with one year", minimal + "  - {year: 2019, format: useeio, path: other}\n",
			`spec: job.yaml line 5: tables[1].year: year "2019" is given twice (also tables[0].year)`},
		{"unknown format", "job: j\noutput: o\ntables:\n  - year: 1\n    format: exiobase9\n    path: p\n",
			`spec: job.yaml line 5: tables[0].format: unknown format "exiobase9" (known: eora26, exiobase1, exiobase2, exiobase3, gloria, oecd-icio, pymrio, sut, useeio, wiod)`},
		{"path missing", "job: j\noutput: o\ntables:\n  - year: 1\n    format: pymrio\n",
			"spec: job.yaml line 4: tables[0].path: path is missing"},
		{"stressor twice", minimal + "stressors: [CO2, CH4, CO2]\n",
			`spec: job.yaml line 5: stressors[2]: stressor "CO2" is given twice (also stressors[0])`},
		{"unknown account", minimal + "accounts: [regions, totals]\n",
			`spec: job.yaml line 5: accounts[1]: unknown account "totals"`},
		{"misspelt leontief", minimal + "accounts: [leontif]\n",
			`spec: job.yaml line 5: accounts[0]: unknown account "leontif" (known: regions, flows, footprints, multipliers, flows_by_sector, groups, leontief)`},
		{"groups account without groups", minimal + "accounts: [groups]\n",
			"spec: job.yaml line 5: accounts[0]: the groups account needs groups"},
		{"region in two groups", minimal + "groups:\n  a: [r1, r2]\n  b: [r3, r2]\n",
			`spec: job.yaml line 7: groups.b[1]: region "r2" is in group "a" and in group "b"`},
		{"group named other", minimal + "groups:\n  other: [r1]\n",
			`spec: job.yaml line 6: groups.other: the group name "other" is reserved`},
		{"group twice", minimal + "groups:\n  a: [r1]\n  a: [r2]\n", `spec: job.yaml line 7: groups: key "a" is given twice`},
		{"empty group", minimal + "groups:\n  a: []\n", "spec: job.yaml line 6: groups.a: empty list"},
		{"two scenarios with one name", minimal + "scenarios:\n  - name: base\n  - name: cut\n  - name: base\n",
			`spec: job.yaml line 8: scenarios[2].name: scenario name "base" is given twice (also scenarios[0].name)`},
		{"scenario without name", minimal + "scenarios:\n  - shocks: [{target: S, scale: 1}]\n",
			"spec: job.yaml line 6: scenarios[0].name: scenario name is missing"},
		{"scenario name with space", minimal + "scenarios:\n  - name: clean power\n",
			`spec: job.yaml line 6: scenarios[0].name: scenario name "clean power" has ' '`},
		{"unknown target", minimal + "scenarios:\n  - name: s\n    shocks: [{target: Z, scale: 1}]\n",
			`spec: job.yaml line 7: scenarios[0].shocks[0].target: unknown shock target "Z" (known: S, A, Y)`},
		{"negative scale", minimal + "scenarios:\n  - name: s\n    shocks:\n      - {target: S, scale: -0.5}\n",
			"spec: job.yaml line 8: scenarios[0].shocks[0].scale: scale -0.5 must be a finite number >= 0"},
		{"infinite scale", minimal + "scenarios:\n  - name: s\n    shocks: [{target: S, scale: .inf}]\n",
			"spec: job.yaml line 7: scenarios[0].shocks[0].scale: scale +Inf must be a finite number >= 0"},
		{"NaN scale", minimal + "scenarios:\n  - name: s\n    shocks: [{target: S, scale: .nan}]\n",
			"spec: job.yaml line 7: scenarios[0].shocks[0].scale: scale NaN must be a finite number >= 0"},
		{"scale not a number", minimal + "scenarios:\n  - name: s\n    shocks: [{target: S, scale: \"0.8\"}]\n",
			`spec: job.yaml line 7: scenarios[0].shocks[0].scale: want a number, got "0.8"`},
		{"scale missing", minimal + "scenarios:\n  - name: s\n    shocks:\n      - {target: S}\n",
			"spec: job.yaml line 8: scenarios[0].shocks[0]: scale is missing"},
		{"bad sector pattern", minimal + "scenarios:\n  - name: s\n    shocks: [{target: A, sector: \"22[\", scale: 1}]\n",
			`spec: job.yaml line 7: scenarios[0].shocks[0].sector: sector pattern "22[": syntax error in pattern`},
		{"from_region with target S", minimal + "scenarios:\n  - name: s\n    shocks: [{target: S, from_region: r, scale: 1}]\n",
			"spec: job.yaml line 7: scenarios[0].shocks[0].from_region: from_region applies to target Y only"},
		{"sector with target Y", minimal + "scenarios:\n  - name: s\n    shocks: [{target: Y, sector: \"1*\", scale: 1}]\n",
			"spec: job.yaml line 7: scenarios[0].shocks[0].sector: target Y selects a consuming region, not sectors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := Parse([]byte(tt.src), "job.yaml", ".")
			if err == nil {
				t.Fatalf("Parse() = %+v, want error %q", j, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse() error %q is no *Error", err)
			}
			if !strings.HasPrefix(e.Error(), tt.want) {
				t.Fatalf("Parse() first error\n got %q\nwant %q", e.Error(), tt.want)
			}
		})
	}
}

// TestLeontiefAccount checks that a job may ask for the Leontief inverse,
// alone or with others, and never gets it by default.
func TestLeontiefAccount(t *testing.T) {
	for _, tc := range []struct {
		name, accounts string
		want           []string
	}{
		{"alone", "accounts: [leontief]\n", []string{AccountLeontief}},
		{"with others", "accounts: [regions, leontief, flows]\n", []string{AccountRegions, AccountLeontief, AccountFlows}},
		{"default", "", DefaultAccounts()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, err := Parse([]byte(minimal+tc.accounts), "job.yaml", ".")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(j.Accounts, tc.want) {
				t.Errorf("accounts = %v, want %v", j.Accounts, tc.want)
			}
		})
	}
	if slices.Contains(DefaultAccounts(), AccountLeontief) {
		t.Errorf("DefaultAccounts() = %v holds %s", DefaultAccounts(), AccountLeontief)
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	src := minimal + `  - {year: 2019, format: nope, path: p}
scenarios:
  - name: a
  - name: a
`
	_, err := Parse([]byte(src), "job.yaml", ".")
	if err == nil {
		t.Fatal("Parse() = nil error")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		`spec: job.yaml line 5: tables[1].format: unknown format "nope" (known: eora26, exiobase1, exiobase2, exiobase3, gloria, oecd-icio, pymrio, sut, useeio, wiod)`,
		`spec: job.yaml line 5: tables[1].year: year "2019" is given twice (also tables[0].year)`,
		`spec: job.yaml line 8: scenarios[1].name: scenario name "a" is given twice (also scenarios[0].name)`,
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestValidateInCode(t *testing.T) {
	j := &Job{Job: "j", Output: "o", Tables: []Table{{Year: "1", Format: "useeio", Path: "p"}}}
	if err := j.Validate(); err == nil {
		t.Error("Validate() before SetDefaults = nil, want an error for the missing accounts")
	}
	j.SetDefaults()
	if err := j.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
	j.Scenarios = append(j.Scenarios, Scenario{Name: "baseline"})
	err := j.Validate()
	want := `spec: scenarios[1].name: scenario name "baseline" is given twice (also scenarios[0].name)`
	if err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want %q", err, want)
	}
}

func TestRegisterFormat(t *testing.T) {
	src := strings.Replace(minimal, "pymrio", "exiobase3-test", 1)
	if _, err := Parse([]byte(src), "job.yaml", "."); err == nil {
		t.Fatal("an unregistered format was accepted")
	}
	RegisterFormat("exiobase3-test")
	t.Cleanup(func() {
		formats.Lock()
		defer formats.Unlock()
		formats.names = formats.names[:len(formats.names)-1]
	})
	if _, err := Parse([]byte(src), "job.yaml", "."); err != nil {
		t.Fatalf("after RegisterFormat: %v", err)
	}
	if got := Formats(); !reflect.DeepEqual(got, []string{"eora26", "exiobase1", "exiobase2", "exiobase3", "exiobase3-test", "gloria", "oecd-icio", "pymrio", "sut", "useeio", "wiod"}) {
		t.Errorf("Formats() = %v", got)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	if err == nil || !strings.HasPrefix(err.Error(), "spec: open ") {
		t.Errorf("Load(missing) = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(minimal + "groups:\n  a: [r1]\nscenarios:\n  - name: s\n    shocks: [{target: Y, region: r1, scale: 2}]\n"))
	f.Add([]byte(minimal + "scenarios:\n  - name: mc\n    montecarlo: {draws: 20, seed: 7, sigma: {S: 0.2, Y: 0.05}, sector: \"e*\", per_draw: true}\n"))
	f.Add([]byte("job: [a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := Parse(data, "fuzz.yaml", ".")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %q is no *Error", err)
			}
			return
		}
		if err := j.Validate(); err != nil {
			t.Fatalf("Parse accepted a job that Validate rejects: %v", err)
		}
	})
}
