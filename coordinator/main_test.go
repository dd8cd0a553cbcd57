package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/mrioflow/mrioflow/internal/shareddata"
	"io/fs"
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/internal/testenv"
	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/formats"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// dataDir is the shared data folder beside the repository; the test is
// skipped without it.
func dataDir(t *testing.T) string {
	t.Helper()
	return shareddata.Dir(t)
}

// pymrioSpec writes a job on pymrio's test MRIO to a temporary folder,
// with the scenarios given as YAML, and returns its path and the output
// folder it names.
func pymrioSpec(t *testing.T, job, scenarios string) (path, out string) {
	t.Helper()
	dir := t.TempDir()
	out = filepath.Join(dir, "out")
	spec := fmt.Sprintf(`job: %s
output: %s
tables:
  - {year: "2010", format: pymrio, path: %s}
accounts: [regions, flows, footprints, multipliers, groups]
groups:
  north: [reg1, reg2]
scenarios:
%s`, job, out, filepath.Join(dataDir(t), "pymrio-test-mrio", "saved"), scenarios)
	path = filepath.Join(dir, "job.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, out
}

// runCLI runs the command line and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var o, e bytes.Buffer
	code = cli(ctx, args, &o, &e)
	t.Logf("coordinator %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, o.String(), e.String())
	return code, o.String(), e.String()
}

// readManifest reads <out>/<job>/manifest.json.
func readManifest(t *testing.T, out, job string) plan.Manifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, job, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m plan.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// outputFiles lists the files below dir, relative and slash-separated.
func outputFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

// checkOutputs asserts that the manifest lists exactly the files written
// besides itself, with their sizes and checksums, and that it was written
// after every one of them.
func checkOutputs(t *testing.T, out string, m plan.Manifest) {
	t.Helper()
	manifest, err := os.Stat(filepath.Join(out, m.Job, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, o := range m.Outputs {
		listed = append(listed, o.Key)
		p := filepath.Join(out, filepath.FromSlash(o.Key))
		data, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("output %s: %v", o.Key, err)
			continue
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != o.SHA256 || int64(len(data)) != o.Bytes || o.Rows <= 0 {
			t.Errorf("output %s: %d bytes, sha256 %x; manifest says %d bytes, %s, %d rows", o.Key, len(data), sum, o.Bytes, o.SHA256, o.Rows)
		}
		if info, err := os.Stat(p); err == nil && info.ModTime().After(manifest.ModTime()) {
			t.Errorf("output %s written after the manifest", o.Key)
		}
	}
	listed = append(listed, m.Job+"/manifest.json")
	slices.Sort(listed)
	if got := outputFiles(t, out); !slices.Equal(got, listed) {
		t.Errorf("files written:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(listed, "\n"))
	}
}

func TestRunPymrio(t *testing.T) {
	specPath, out := pymrioSpec(t, "pymrio-e2e", `  - name: baseline
  - name: cleaner
    shocks: [{target: S, region: reg1, sector: electricity, scale: 0.5}]
`)
	code, stdout, _ := runCLI(t, "run", specPath, "--workers", "2")
	if code != exitOK {
		t.Fatalf("exit %d, want %d", code, exitOK)
	}
	m := readManifest(t, out, "pymrio-e2e")
	if len(m.Failures) != 0 || len(m.Tasks) != 2 {
		t.Fatalf("manifest: %d tasks, failures %+v; want 2 tasks, no failure", len(m.Tasks), m.Failures)
	}
	var want []string
	for _, s := range []string{"baseline", "cleaner"} {
		for _, a := range []string{"flows", "footprints", "groups", "multipliers", "regions"} {
			want = append(want, fmt.Sprintf("pymrio-e2e/year=2010/scenario=%s/%s.arrow", s, a))
		}
	}
	var got []string
	for _, o := range m.Outputs {
		got = append(got, o.Key)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("outputs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	checkOutputs(t, out, m)
	if len(m.Inputs) != 1 || len(m.Inputs[0].Files) == 0 || m.Inputs[0].Files[0].SHA256 == "" {
		t.Errorf("inputs: %+v, want the table's files with checksums", m.Inputs)
	}
	if !strings.Contains(stdout, "2 of 2 tasks done, 0 reused, 0 failed") {
		t.Errorf("stdout does not sum the run up: %q", stdout)
	}
}

// spectralRadius returns the largest modulus of an eigenvalue of A of
// pymrio's test MRIO.
func spectralRadius(t *testing.T) float64 {
	t.Helper()
	tb, err := formats.Open("pymrio", filepath.Join(dataDir(t), "pymrio-test-mrio", "saved"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.Coefficients(tb); err != nil {
		t.Fatal(err)
	}
	var eig mat.Eigen
	if !eig.Factorize(tb.A, mat.EigenNone) {
		t.Fatal("eigenvalues of A did not converge")
	}
	rho := 0.0
	for _, v := range eig.Values(nil) {
		rho = math.Max(rho, cmplx.Abs(v))
	}
	return rho
}

func TestRunFailingTaskKeepsTheOthers(t *testing.T) {
	// Scaling A by 1/rho(A) puts an eigenvalue of A at 1: I - A is
	// singular, and that scenario's task fails in the solve.
	scale := 1 / spectralRadius(t)
	specPath, out := pymrioSpec(t, "pymrio-fail", fmt.Sprintf(`  - name: baseline
  - name: singular
    shocks: [{target: A, scale: %.17g}]
`, scale))
	code, stdout, stderr := runCLI(t, "run", "--workers", "2", specPath)
	if code != exitFail {
		t.Fatalf("exit %d, want %d", code, exitFail)
	}
	m := readManifest(t, out, "pymrio-fail")
	if len(m.Failures) != 1 {
		t.Fatalf("failures: %+v, want one", m.Failures)
	}
	f := m.Failures[0]
	if f.Task != "pymrio-fail/2010/singular/all" || f.Year != "2010" || f.Scenario != "singular" ||
		!strings.Contains(f.Error, "scenario singular") || !strings.Contains(f.Error, "singular") {
		t.Errorf("failure: %+v, want the singular scenario's own message", f)
	}
	for _, o := range m.Outputs {
		if !strings.Contains(o.Key, "scenario=baseline/") {
			t.Errorf("output of the failed task listed: %s", o.Key)
		}
	}
	if len(m.Outputs) != 5 {
		t.Errorf("%d outputs, want the baseline's 5", len(m.Outputs))
	}
	checkOutputs(t, out, m)
	if !strings.Contains(stdout, "failed: pymrio-fail/2010/singular/all") || !strings.Contains(stderr, "tasks failed") {
		t.Errorf("the failure is not reported on stdout and stderr")
	}
}

func TestRunInvalidWritesNothing(t *testing.T) {
	tests := []struct {
		name      string
		scenarios string
		edit      func(spec string) string
		wantErr   []string
	}{
		{
			name:      "unknown shock region",
			scenarios: "  - name: mars\n    shocks: [{target: S, region: reg9, scale: 0.5}]\n",
			wantErr:   []string{"year 2010", "scenario mars", `"reg9"`},
		},
		{
			name:      "sector pattern matches nothing",
			scenarios: "  - name: wood\n    shocks: [{target: A, sector: 'forestry*', scale: 0.5}]\n",
			wantErr:   []string{"scenario wood", "forestry*"},
		},
		{
			name:      "unknown stressor",
			scenarios: "  - name: baseline\n",
			edit:      func(s string) string { return s + "stressors: [CO2]\n" },
			wantErr:   []string{"year 2010", `"CO2"`},
		},
		{
			name:      "unknown group region",
			scenarios: "  - name: baseline\n",
			edit:      func(s string) string { return strings.Replace(s, "[reg1, reg2]", "[reg1, atlantis]", 1) },
			wantErr:   []string{"group north", `"atlantis"`},
		},
		{
			name:      "missing table",
			scenarios: "  - name: baseline\n",
			edit:      func(s string) string { return strings.Replace(s, "saved}", "nowhere}", 1) },
			wantErr:   []string{"year 2010", "nowhere"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			specPath, out := pymrioSpec(t, "invalid", tt.scenarios)
			if tt.edit != nil {
				data, _ := os.ReadFile(specPath)
				os.WriteFile(specPath, []byte(tt.edit(string(data))), 0o644)
			}
			code, _, stderr := runCLI(t, "run", specPath, "--workers", "1")
			if code != exitFail {
				t.Errorf("exit %d, want %d", code, exitFail)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not name %s", w)
				}
			}
			if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("output folder: %v, want none", err)
			}
		})
	}
}

func TestRunOutputBelowAFile(t *testing.T) {
	specPath, _ := pymrioSpec(t, "below-file", "  - name: baseline\n")
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "run", specPath, "--output", filepath.Join(file, "out"))
	if code != exitFail || !strings.Contains(stderr, "is a file") {
		t.Errorf("exit %d, stderr %q; want %d and the file named", code, stderr, exitFail)
	}
}

func TestRunParquetOutsideNATSAndStatus(t *testing.T) {
	srv, err := bus.StartServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	specPath, _ := pymrioSpec(t, "pymrio-pq", "  - name: baseline\n")
	// Relative --output is taken from the working folder.
	t.Chdir(t.TempDir())
	code, _, _ := runCLI(t, "run", "--output-format", "parquet", "--output", "here", specPath, "--nats", srv.URL(), "--workers", "1", "-v")
	if code != exitOK {
		t.Fatalf("exit %d, want %d", code, exitOK)
	}
	m := readManifest(t, "here", "pymrio-pq")
	for _, o := range m.Outputs {
		if !strings.HasSuffix(o.Key, ".parquet") {
			t.Errorf("output %s is not parquet", o.Key)
		}
	}
	checkOutputs(t, "here", m)

	code, stdout, _ := runCLI(t, "status", "pymrio-pq", "--nats", srv.URL())
	if code != exitOK || !strings.Contains(stdout, "tasks: 1: done 1, running 0, queued 0, failed 0") {
		t.Errorf("status: exit %d, stdout %q", code, stdout)
	}
	if code, _, _ := runCLI(t, "status", "no-such-job", "--nats", srv.URL()); code != exitFail {
		t.Errorf("status of an unknown job: exit %d, want %d", code, exitFail)
	}
}

func TestRunToS3(t *testing.T) {
	s3 := testenv.StartS3(t)
	t.Setenv("AWS_ENDPOINT_URL_S3", s3.Endpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", s3.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3.SecretKey)
	specPath, out := pymrioSpec(t, "pymrio-s3", "  - name: baseline\n")
	location := "s3://" + s3.Bucket + "/runs"
	code, stdout, _ := runCLI(t, "run", specPath, "--output", location, "--workers", "1")
	if code != exitOK {
		t.Fatalf("exit %d, want %d", code, exitOK)
	}
	if !strings.Contains(stdout, location+"/pymrio-s3/manifest.json") {
		t.Errorf("stdout does not give the manifest's URL: %q", stdout)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, location, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := st.Get(ctx, "pymrio-s3/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var m plan.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	keys, err := st.List(ctx, "pymrio-s3/")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Outputs) != 5 || len(keys) != len(m.Outputs)+1 {
		t.Errorf("manifest lists %d outputs; the bucket holds %v", len(m.Outputs), keys)
	}
	for _, o := range m.Outputs {
		data, err := st.Get(ctx, o.Key)
		if err != nil {
			t.Errorf("output %s: %v", o.Key, err)
			continue
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != o.SHA256 {
			t.Errorf("output %s: checksum differs from the manifest's", o.Key)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the spec's local output was made: %v", err)
	}

	code, _, stderr := runCLI(t, "run", specPath, "--output", "s3://no-such-bucket/runs", "--workers", "1")
	if code != exitFail || !strings.Contains(stderr, "no-such-bucket") {
		t.Errorf("missing bucket: exit %d, stderr %q; want %d naming the bucket", code, stderr, exitFail)
	}
}

func TestRunGAExample(t *testing.T) {
	dataDir(t)
	out := t.TempDir()
	code, _, _ := runCLI(t, "run", filepath.Join("..", "examples", "ga-2019.yaml"), "--output", out, "--workers", "2")
	if code != exitOK {
		t.Fatalf("exit %d, want %d", code, exitOK)
	}
	m := readManifest(t, out, "ga-2019")
	if len(m.Tasks) != 2 || len(m.Failures) != 0 {
		t.Fatalf("manifest: %d tasks, failures %+v", len(m.Tasks), m.Failures)
	}
	checkOutputs(t, out, m)
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, exitUsage},
		{"unknown command", []string{"walk"}, exitUsage},
		{"help", []string{"help"}, exitOK},
		{"run without a file", []string{"run", "--workers", "1"}, exitUsage},
		{"run with two files", []string{"run", "a.yaml", "b.yaml"}, exitUsage},
		{"negative workers", []string{"run", "a.yaml", "--workers", "-1"}, exitUsage},
		{"no workers and no server", []string{"run", "a.yaml", "--workers", "0"}, exitUsage},
		{"unknown output format", []string{"run", "a.yaml", "--output-format", "csv"}, exitUsage},
		{"unknown flag", []string{"run", "a.yaml", "--fast"}, exitUsage},
		{"bad log level", []string{"run", "a.yaml", "--log-level", "loud"}, exitUsage},
		{"unknown backend", []string{"run", "a.yaml", "--backend", "cuda"}, exitUsage},
		{"cache limit not a size", []string{"run", "a.yaml", "--cache-max", "lots"}, exitUsage},
		{"lease too short", []string{"run", "a.yaml", "--lease", "10ms"}, exitUsage},
		{"no attempt", []string{"run", "a.yaml", "--max-attempts", "0"}, exitUsage},
		{"ack wait too short", []string{"run", "a.yaml", "--ack-wait", "0s"}, exitUsage},
		{"status without nats", []string{"status", "job"}, exitUsage},
		{"missing job file", []string{"run", "no-such.yaml"}, exitFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, _ := runCLI(t, tt.args...); code != tt.want {
				t.Errorf("exit %d, want %d", code, tt.want)
			}
		})
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantPos []string
		wantN   int
	}{
		{"flags after", []string{"job.yaml", "--n", "2"}, []string{"job.yaml"}, 2},
		{"flags before", []string{"--n", "3", "job.yaml"}, []string{"job.yaml"}, 3},
		{"flags around", []string{"-n=4", "a", "--n", "5", "b"}, []string{"a", "b"}, 5},
		{"double dash", []string{"a", "--", "--n", "6"}, []string{"a", "--n", "6"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFlagSet()
			n := fs.Int("n", 0, "")
			pos, err := parseArgs(fs, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pos, tt.wantPos) || *n != tt.wantN {
				t.Errorf("got %q, n=%d; want %q, n=%d", pos, *n, tt.wantPos, tt.wantN)
			}
		})
	}
}

func newFlagSet() *flag.FlagSet { return flag.NewFlagSet("test", flag.ContinueOnError) }
