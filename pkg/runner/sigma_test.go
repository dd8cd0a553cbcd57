package runner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/formats"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/spec"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// sigmaStressors are the stressors the jobs of these tests keep.
var sigmaStressors = []string{"emission_type1/air", "emission_type2/water"}

// sigmaFiles writes, into dir, a file of sigmas of S for the pymrio test
// MRIO (emission_type1 0.3 in reg1's sectors, 0 elsewhere; emission_type2
// 0.1 everywhere) and one of A (0.1 everywhere), and returns their paths.
func sigmaFiles(t *testing.T, dir string) (s, a string) {
	t.Helper()
	tab, err := formats.Open("pymrio", filepath.Join(dataDir(t), "pymrio-test-mrio", "saved"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tab.SelectStressors(sigmaStressors); err != nil {
		t.Fatal(err)
	}
	s, a = filepath.Join(dir, "S.txt"), filepath.Join(dir, "A.txt")
	write(t, s, sigmaS(tab))
	write(t, a, sigmaA(tab))
	return s, a
}

func write(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// productHeader writes the two header rows of columns by region and
// sector, after indexCols label cells.
func productHeader(b *bytes.Buffer, tab *table.Table, indexCols int) {
	pad := strings.Repeat("\t", indexCols-1)
	b.WriteString("region" + pad)
	for _, r := range tab.Regions {
		for range tab.Sectors {
			b.WriteString("\t" + r)
		}
	}
	b.WriteString("\nsector" + pad)
	for range tab.Regions {
		for _, s := range tab.Sectors {
			b.WriteString("\t" + s)
		}
	}
	b.WriteString("\n")
}

func sigmaS(tab *table.Table) string {
	var b bytes.Buffer
	productHeader(&b, tab, 2)
	b.WriteString("stressor\tcompartment" + strings.Repeat("\t", tab.N()) + "\n")
	for _, ext := range tab.Extensions {
		for _, st := range ext.Stressors {
			b.WriteString(strings.Replace(st, "/", "\t", 1))
			for j := range tab.N() {
				v := "0.1"
				if st == "emission_type1/air" {
					v = "0"
					if j < len(tab.Sectors) {
						v = "0.3"
					}
				}
				b.WriteString("\t" + v)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func sigmaA(tab *table.Table) string {
	var b bytes.Buffer
	productHeader(&b, tab, 2)
	b.WriteString("region\tsector" + strings.Repeat("\t", tab.N()) + "\n")
	for _, r := range tab.Regions {
		for _, s := range tab.Sectors {
			b.WriteString(r + "\t" + s + strings.Repeat("\t0.1", tab.N()) + "\n")
		}
	}
	return b.String()
}

// sigmaJob is a Monte Carlo job on the pymrio test MRIO whose scenarios
// take sigmas from the files sigmaFiles writes in dir: "s-table" S from
// its file and Y 0.05, "a-table" A from its file in reg1's electricity
// sector.
func sigmaJob(t *testing.T, dir string) *spec.Job {
	t.Helper()
	j := &spec.Job{
		Job:       "sig",
		Output:    filepath.Join(t.TempDir(), "out"),
		Dir:       dir,
		Tables:    []spec.Table{{Year: "2010", Format: "pymrio", Path: filepath.Join(dataDir(t), "pymrio-test-mrio", "saved")}},
		Stressors: sigmaStressors,
		Accounts:  []string{spec.AccountRegions},
		Scenarios: []spec.Scenario{
			{Name: "s-table", MonteCarlo: &spec.MonteCarlo{Draws: 30, Seed: 3,
				Sigma: spec.Sigma{Y: 0.05, Table: spec.SigmaTables{S: "S.txt"}}}},
			{Name: "a-table", MonteCarlo: &spec.MonteCarlo{Draws: 30, Seed: 3, Region: "reg1", Sector: "electricity",
				Sigma: spec.Sigma{Table: spec.SigmaTables{A: "A.txt"}}}},
		},
	}
	sigmaFiles(t, dir)
	j.SetDefaults()
	return j
}

// TestSigmaTableJob runs a job with files of sigmas on the embedded
// server: its summaries are the same to the bit for one worker and two.
func TestSigmaTableJob(t *testing.T) {
	dir := t.TempDir()
	var first map[string][]byte
	for _, workers := range []int{1, 2} {
		t.Run(fmt.Sprint(workers, " workers"), func(t *testing.T) {
			j := sigmaJob(t, dir)
			m := runMonteCarlo(t, j, workers, 10)
			if !m.Complete() {
				t.Fatalf("failures %+v", m.Failures)
			}
			if len(m.Inputs) != 1 || len(m.Inputs[0].Sigmas) != 2 {
				t.Fatalf("inputs %+v, want one table with two files of sigmas", m.Inputs)
			}
			got := map[string][]byte{}
			for _, sc := range []string{"s-table", "a-table"} {
				data, err := os.ReadFile(filepath.Join(j.Output, "sig", "year=2010", "scenario="+sc, "summary.arrow"))
				if err != nil {
					t.Fatal(err)
				}
				got[sc] = data
			}
			if first == nil {
				first = got
				varies := false
				for _, r := range readRows(t, filepath.Join(j.Output, "sig", "year=2010", "scenario=a-table", "summary.arrow")) {
					varies = varies || r["account"] == "production" && number(t, r["sd"]) > 0
				}
				if !varies {
					t.Error("no production of a-table varies across its draws")
				}
				return
			}
			for sc, data := range got {
				if !bytes.Equal(data, first[sc]) {
					t.Errorf("summary of %s with %d workers differs from one worker's", sc, workers)
				}
			}
		})
	}
}

// TestCheckSigmaErrors spoils the file of sigmas of S in turn: Check
// names the scenario, the target, the file, and the line and column.
func TestCheckSigmaErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(text string) string
		want string // after "runner: year 2010 (...): scenario s-table, montecarlo, sigma of S: "
	}{
		{"missing row", func(s string) string { return dropLine(s, 4) },
			`formats: <S>: labels do not agree: no row "emission_type2/water"; every stressor of the table needs a sigma in S.txt`},
		{"extra row", func(s string) string { return s + "emission_type3\tsoil" + strings.Repeat("\t0", 48) + "\n" },
			`formats: <S> line 6 column 1: labels do not agree: row "emission_type3/soil" is not a stressor of the table`},
		{"missing column", func(s string) string { return dropColumn(s, 49) },
			`formats: <S> line 2: labels do not agree: no column "reg6/other"; every product of the table needs a sigma in S.txt`},
		{"extra column", func(s string) string { return addColumn(s, "reg7", "food", "0") },
			`formats: <S> line 2 column 51: labels do not agree: column "reg7/food" is not a product (region/sector) of the table`},
		{"negative", func(s string) string { return setCell(s, 4, 5, "-0.2") },
			`formats: <S> line 5 column 6: sigma -0.2 is outside [0, 3] (row "emission_type2/water", column "reg1/electricity")`},
		{"NaN", func(s string) string { return setCell(s, 3, 2, "NaN") },
			`formats: <S> line 4 column 3: not a finite number: "NaN" (row "emission_type1/air", column "reg1/food")`},
		{"Inf", func(s string) string { return setCell(s, 3, 2, "Inf") },
			`formats: <S> line 4 column 3: not a finite number: "Inf" (row "emission_type1/air", column "reg1/food")`},
		{"ragged row", func(s string) string { return setCell(s, 4, 49, "") },
			`formats: <S> line 5 column 50: ragged row: 49 cells, want 50 as on line 1`},
		{"all zero", func(s string) string {
			return strings.NewReplacer("\t0.3", "\t0", "\t0.1", "\t0").Replace(s)
		}, `no sigma above 0, so no draw would differ from the table`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			j := sigmaJob(t, dir)
			j.Scenarios = j.Scenarios[:1]
			if tc.name == "all zero" {
				j.Scenarios[0].MonteCarlo.Sigma.Y = 0
			}
			s := filepath.Join(dir, "S.txt")
			data, err := os.ReadFile(s)
			if err != nil {
				t.Fatal(err)
			}
			write(t, s, tc.edit(string(data)))
			_, err = runner.Check(context.Background(), j)
			want := strings.ReplaceAll(tc.want, "<S>", s)
			if tc.name != "all zero" {
				want = "scenario s-table, montecarlo, sigma of S: " + want
			}
			if err == nil || !strings.HasPrefix(err.Error(), "runner: year 2010 (") || !strings.HasSuffix(err.Error(), want) {
				t.Fatalf("Check error\n got %v\nwant one ending %s", err, want)
			}
		})
	}
	t.Run("no file", func(t *testing.T) {
		j := sigmaJob(t, t.TempDir())
		j.Scenarios[0].MonteCarlo.Sigma.Table.S = "none.txt"
		_, err := runner.Check(context.Background(), j)
		if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "sigma of S") {
			t.Fatalf("Check error %v, want a missing file of sigmas", err)
		}
	})
}

// TestSigmaChanged: a file of sigmas edited after the check changes the
// digest of its tasks, and fails a worker that reads it with ErrChanged.
func TestSigmaChanged(t *testing.T) {
	dir := t.TempDir()
	j := sigmaJob(t, dir)
	check := func() []plan.Task {
		inputs, err := runner.Check(context.Background(), j)
		if err != nil {
			t.Fatal(err)
		}
		ts := tasks(t, j)
		plan.Pin(ts, inputs)
		return ts
	}
	before := check()
	task := before[0]
	if !strings.Contains(task.Scenario, "s-table") || task.Input == nil || len(task.Input.Sigmas) != 2 {
		t.Fatalf("first task %s with input %+v", task.ID(), task.Input)
	}
	r := runner.New(runner.Options{})
	if _, err := r.Run(context.Background(), task); err != nil {
		t.Fatalf("unchanged: %v", err)
	}
	s := filepath.Join(dir, "S.txt")
	data, err := os.ReadFile(s)
	if err != nil {
		t.Fatal(err)
	}
	write(t, s, setCell(string(data), 4, 2, "0.2"))
	after := check()
	for i := range before {
		changed := plan.TaskDigest(before[i], "1") != plan.TaskDigest(after[i], "1")
		if want := before[i].Scenario == "s-table"; changed != want {
			t.Errorf("task %s: digest changed %v, want %v", before[i].ID(), changed, want)
		}
	}
	_, err = r.Run(context.Background(), task)
	if !errors.Is(err, runner.ErrChanged) || !strings.Contains(err.Error(), "sigma of S") {
		t.Errorf("a task after the file changed: %v, want ErrChanged", err)
	}
}

// The edits of a file of sigmas: lines and cells 0-based.

func dropLine(s string, line int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(append(lines[:line], lines[line+1:]...), "\n")
}

func cells(s string, each func(line int, cells []string) []string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = strings.Join(each(i, strings.Split(l, "\t")), "\t")
		}
	}
	return strings.Join(lines, "\n")
}

func dropColumn(s string, cell int) string {
	return cells(s, func(_ int, c []string) []string { return append(c[:cell], c[cell+1:]...) })
}

func addColumn(s, region, sector, v string) string {
	return cells(s, func(line int, c []string) []string {
		return append(c, []string{region, sector, "", v}[min(line, 3)])
	})
}

func setCell(s string, line, cell int, v string) string {
	return cells(s, func(i int, c []string) []string {
		if i != line {
			return c
		}
		if v == "" {
			return c[:cell]
		}
		c[cell] = v
		return c
	})
}

// TestSigmaFromS3 reads the file of sigmas of S from a store: checked
// and read by its checksum, and a change there fails the task.
func TestSigmaFromS3(t *testing.T) {
	s3, st, _ := s3Tables(t)
	ctx := context.Background()
	dir := t.TempDir()
	j := sigmaJob(t, dir)
	j.Scenarios = j.Scenarios[:1]
	data, err := os.ReadFile(filepath.Join(dir, "S.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, "sigma/S.txt", data); err != nil {
		t.Fatal(err)
	}
	local, err := runner.Check(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	j.Scenarios[0].MonteCarlo.Sigma.Table.S = "s3://" + s3.Bucket + "/sigma/S.txt"
	r := runner.New(runner.Options{CacheDir: t.TempDir()})
	inputs, err := r.Check(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := inputs[0].Sigmas[0].File, local[0].Sigmas[0].File; got != want {
		t.Fatalf("file of sigmas from S3 %+v, on disk %+v", got, want)
	}
	task := tasks(t, j)[0]
	task.Input = &inputs[0]
	if _, err := r.Run(ctx, task); err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, "sigma/S.txt", []byte(setCell(string(data), 4, 2, "0.2"))); err != nil {
		t.Fatal(err)
	}
	_, err = runner.New(runner.Options{CacheDir: t.TempDir()}).Run(ctx, task)
	if !errors.Is(err, runner.ErrChanged) {
		t.Errorf("after the file in S3 changed: %v, want ErrChanged", err)
	}
}
