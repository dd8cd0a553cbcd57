package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/internal/testenv"
)

func TestReportUsageAndErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file")
	badGroups := filepath.Join(dir, "groups.yaml")
	for name, body := range map[string]string{file: "x", badGroups: "north: [reg1]\nsouth: [reg1]\n"} {
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"help", []string{"report", "-h"}, exitOK, "usage: coordinator report OUTPUT/JOB"},
		{"no folder", []string{"report"}, exitUsage, "want one job output folder, got 0 arguments"},
		{"two folders", []string{"report", empty, empty}, exitUsage, "got 2 arguments"},
		{"extension alone", []string{"report", empty, "--extension", "emissions"}, exitUsage, "--extension needs --stressor"},
		{"empty out", []string{"report", empty, "--out", ""}, exitUsage, "--out: want a file name"},
		{"missing folder", []string{"report", filepath.Join(dir, "nope")}, exitFail, "nope: no such folder"},
		{"a file", []string{"report", file}, exitFail, "is a file; want a job's output folder"},
		{"empty folder", []string{"report", empty}, exitFail, "holds no manifest.json and no account files"},
		{"bad groups", []string{"report", empty, "--groups", badGroups}, exitFail, `groups.yaml: report: groups: line 2: region "reg1" is in group "north" and in group "south"`},
		{"missing groups", []string{"report", empty, "--groups", filepath.Join(dir, "none.yaml")}, exitFail, "none.yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, c.args...)
			if code != c.code || !strings.Contains(stderr, c.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, c.code, c.stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err == nil {
		t.Error("a failed report left report.html behind")
	}
}

// TestReportPartial reports on a job whose second scenario failed and
// whose baseline lost a file: the report is written and says so.
func TestReportPartial(t *testing.T) {
	scale := 1 / spectralRadius(t)
	specPath, out := pymrioSpec(t, "pymrio-partial", fmt.Sprintf(`  - name: baseline
  - name: singular
    shocks: [{target: A, scale: %.17g}]
`, scale))
	if code, _, _ := runCLI(t, "run", "--workers", "2", specPath); code != exitFail {
		t.Fatalf("run: exit %d, want %d", code, exitFail)
	}
	job := filepath.Join(out, "pymrio-partial")
	if err := os.Remove(filepath.Join(job, "year=2010", "scenario=baseline", "flows.arrow")); err != nil {
		t.Fatal(err)
	}
	// The default --out is report.html in the working folder.
	work := t.TempDir()
	t.Chdir(work)
	png := filepath.Join(work, "figures")
	code, stdout, _ := runCLI(t, "report", "--png", png, job, "--stressor", "emission_type1/air", "--extension", "emissions")
	if code != exitOK {
		t.Fatalf("report: exit %d, want %d", code, exitOK)
	}
	page, err := os.ReadFile(filepath.Join(work, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"report: " + filepath.Join(work, "report.html") + "\n",
		"PNG files in " + png,
		"failed task: pymrio-partial/2010/singular/all:",
		"no chart: Flows of emission_type1/air from producing to consuming region, 2010: " +
			"flows.arrow is missing for year 2010, scenario baseline, though manifest.json lists it.",
		"no chart: Change of emission_type1/air in scenario singular against baseline, 2010: The task for year 2010, scenario singular failed",
		"missing: manifest.json lists output files that are not there: year=2010/scenario=baseline/flows.arrow.",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	for _, want := range []string{"<h2>Failed tasks</h2>", "flows.arrow is missing for year 2010, scenario baseline", "emission_type1/air in extension emissions"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	pngs, err := filepath.Glob(filepath.Join(png, "*.png"))
	if err != nil || len(pngs) < 3 {
		t.Errorf("PNGs %v (%v), want several", pngs, err)
	}
}

func TestReportS3(t *testing.T) {
	s3 := testenv.StartS3(t)
	t.Setenv("AWS_ENDPOINT_URL_S3", s3.Endpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", s3.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3.SecretKey)
	specPath, _ := pymrioSpec(t, "pymrio-report-s3", "  - name: baseline\n")
	location := "s3://" + s3.Bucket + "/runs"
	if code, _, _ := runCLI(t, "run", specPath, "--output", location, "--workers", "1"); code != exitOK {
		t.Fatalf("run: exit %d", code)
	}
	html := filepath.Join(t.TempDir(), "s3.html")
	code, stdout, _ := runCLI(t, "report", location+"/pymrio-report-s3", "--out", html)
	if code != exitOK || !strings.Contains(stdout, "report: "+html) {
		t.Fatalf("report: exit %d, stdout %q", code, stdout)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "Report: pymrio-report-s3") || strings.Contains(string(page), "There is no manifest.json") {
		t.Error("the page does not report the job in the bucket")
	}
	if code, _, stderr := runCLI(t, "report", location+"/no-such-job"); code != exitFail || !strings.Contains(stderr, "holds no manifest.json") {
		t.Errorf("a missing job in the bucket: exit %d, stderr %q", code, stderr)
	}
}

func TestSplitJob(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join("testdata-none", "out", "job"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in, root, job string
		err           string
	}{
		{"s3://bucket/prefix/job", "s3://bucket/prefix", "job", ""},
		{"s3://bucket/a/b/job/", "s3://bucket/a/b", "job", ""},
		{"s3://bucket/job", "s3://bucket", "job", ""},
		{"s3://bucket", "s3://bucket", "", ""},
		{"s3:///job", "", "", "want s3://bucket/prefix/JOB"},
		{abs, "", "", "no such folder"},
	}
	for _, c := range cases {
		root, job, err := splitJob(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("splitJob(%q): error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || root != c.root || job != c.job {
			t.Errorf("splitJob(%q) = %q, %q, %v; want %q, %q", c.in, root, job, err, c.root, c.job)
		}
	}
	dir := t.TempDir()
	root, job, err := splitJob(dir + string(filepath.Separator))
	if err != nil || root != filepath.Dir(dir) || job != filepath.Base(dir) {
		t.Errorf("splitJob(%q) = %q, %q, %v", dir, root, job, err)
	}
}

// reportJob runs a one-year baseline job on pymrio's test MRIO and
// returns its output folder.
func reportJob(t *testing.T, name string) string {
	t.Helper()
	specPath, out := pymrioSpec(t, name, "  - name: baseline\n")
	if code, _, _ := runCLI(t, "run", specPath, "--workers", "1"); code != exitOK {
		t.Fatalf("run: exit %d", code)
	}
	return filepath.Join(out, name)
}

// fileTree lists every path under dir with its size and modification
// time, one a line, to tell whether a command changed anything.
func fileTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %s\n", p, info.Size(), info.ModTime())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestReportTargets: the page and the PNGs never go into the job's own
// folder, never replace a file that is not a report, and never make
// more than the PNG folder itself.
func TestReportTargets(t *testing.T) {
	job := reportJob(t, "pymrio-targets")
	dir := t.TempDir()
	notReport := filepath.Join(dir, "notes.html")
	if err := os.WriteFile(notReport, []byte("<!DOCTYPE html>\n<p>my notes</p>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	earlier := filepath.Join(dir, "earlier.html")
	if code, _, _ := runCLI(t, "report", job, "--out", earlier); code != exitOK {
		t.Fatalf("first report: exit %d", code)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(job, link); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"over the manifest", []string{"--out", filepath.Join(job, "manifest.json")}, exitFail,
			"--out " + filepath.Join(job, "manifest.json") + " is inside the job's output folder " + job},
		{"a new file in the job", []string{"--out", filepath.Join(job, "year=2010", "r.html")}, exitFail, "is inside the job's output folder"},
		{"the job folder itself", []string{"--out", job}, exitFail, "is inside the job's output folder"},
		{"through a link to the job", []string{"--out", filepath.Join(link, "r.html")}, exitFail, "is inside the job's output folder"},
		{"missing folder", []string{"--out", filepath.Join(dir, "no", "such", "r.html")}, exitFail,
			"--out: report: folder " + filepath.Join(dir, "no", "such") + " does not exist; create it first"},
		{"a file that is not a report", []string{"--out", notReport}, exitFail,
			notReport + " exists and is not a report this program wrote; not replacing it"},
		{"an earlier report", []string{"--out", earlier}, exitOK, ""},
		{"PNGs in the job", []string{"--out", filepath.Join(dir, "r.html"), "--png", filepath.Join(job, "png")}, exitFail,
			"--png " + filepath.Join(job, "png") + " is inside the job's output folder"},
		{"PNGs in a missing folder", []string{"--out", filepath.Join(dir, "r.html"), "--png", filepath.Join(dir, "no", "png")}, exitFail,
			"--png: report: folder " + filepath.Join(dir, "no") + " does not exist; create it first"},
		{"PNGs in a file", []string{"--out", filepath.Join(dir, "r.html"), "--png", notReport}, exitFail, "notes.html is not a folder"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			jobBefore, dirBefore := fileTree(t, job), fileTree(t, dir)
			code, _, stderr := runCLI(t, append([]string{"report", job}, c.args...)...)
			if code != c.code || !strings.Contains(stderr, c.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, c.code, c.stderr)
			}
			if after := fileTree(t, job); after != jobBefore {
				t.Errorf("the job's folder changed:\n%s\nwas\n%s", after, jobBefore)
			}
			if after := fileTree(t, dir); code != exitOK && after != dirBefore {
				t.Errorf("a refused report changed the folder:\n%s\nwas\n%s", after, dirBefore)
			}
		})
	}
}

// TestReportBadOutputs: a damaged or swapped account file, or one that
// no longer matches the manifest's sha256, fails the report with an
// error naming the file, and no page is written; a missing file only
// gives a note.
func TestReportBadOutputs(t *testing.T) {
	good := reportJob(t, "pymrio-bad")
	regions := filepath.Join("year=2010", "scenario=baseline", "regions.arrow")
	flows := filepath.Join("year=2010", "scenario=baseline", "flows.arrow")
	read := func(t *testing.T, name string) []byte {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	rewrite := func(rel string, change func(old []byte) []byte) func(t *testing.T, job string) {
		return func(t *testing.T, job string) {
			name := filepath.Join(job, rel)
			if err := os.WriteFile(name, change(read(t, name)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	noManifest := func(t *testing.T, job string) {
		if err := os.Remove(filepath.Join(job, "manifest.json")); err != nil {
			t.Fatal(err)
		}
	}
	flowsOverRegions := func(t *testing.T, job string) {
		rewrite(regions, func([]byte) []byte { return read(t, filepath.Join(job, flows)) })(t, job)
	}
	random := func([]byte) []byte { return []byte("\x13\x37 random bytes, not Arrow \xfe\xff") }
	truncated := func(old []byte) []byte { return old[:len(old)*2/3] }
	empty := func([]byte) []byte { return nil }
	cases := []struct {
		name   string
		damage []func(t *testing.T, job string)
		code   int
		stderr []string
	}{
		{"random bytes", []func(*testing.T, string){rewrite(regions, random)}, exitFail,
			[]string{"pymrio-bad/year=2010/scenario=baseline/regions.arrow: sha256 ", "the file changed after the job wrote it (it does not start with ARROW1"}},
		{"random bytes, no manifest", []func(*testing.T, string){rewrite(regions, random), noManifest}, exitFail,
			[]string{"pymrio-bad/year=2010/scenario=baseline/regions.arrow: not an Arrow IPC file"}},
		{"truncated", []func(*testing.T, string){rewrite(flows, truncated)}, exitFail,
			[]string{"pymrio-bad/year=2010/scenario=baseline/flows.arrow: sha256 ", "(it does not end with ARROW1, as every .arrow file does: truncated?)"}},
		{"truncated, no manifest", []func(*testing.T, string){rewrite(flows, truncated), noManifest}, exitFail,
			[]string{"pymrio-bad/year=2010/scenario=baseline/flows.arrow: not an Arrow IPC file"}},
		{"empty", []func(*testing.T, string){rewrite(regions, empty)}, exitFail,
			[]string{"pymrio-bad/year=2010/scenario=baseline/regions.arrow: sha256 ", "(it is empty)"}},
		{"empty, no manifest", []func(*testing.T, string){rewrite(regions, empty), noManifest}, exitFail,
			[]string{"pymrio-bad/year=2010/scenario=baseline/regions.arrow: empty file"}},
		{"flows over regions", []func(*testing.T, string){flowsOverRegions}, exitFail,
			[]string{"pymrio-bad/year=2010/scenario=baseline/regions.arrow: sha256 ", "the file changed after the job wrote it"}},
		{"flows over regions, no manifest", []func(*testing.T, string){flowsOverRegions, noManifest}, exitFail,
			[]string{`pymrio-bad/year=2010/scenario=baseline/regions.arrow: no column "region"; its columns are`}},
		{"manifest truncated", []func(*testing.T, string){rewrite("manifest.json", truncated)}, exitFail,
			[]string{"pymrio-bad/manifest.json: not a JSON object"}},
		{"a missing file is a note", []func(*testing.T, string){func(t *testing.T, job string) {
			if err := os.Remove(filepath.Join(job, flows)); err != nil {
				t.Fatal(err)
			}
		}}, exitOK, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			job := filepath.Join(t.TempDir(), "pymrio-bad")
			if err := os.CopyFS(job, os.DirFS(good)); err != nil {
				t.Fatal(err)
			}
			for _, d := range c.damage {
				d(t, job)
			}
			html := filepath.Join(t.TempDir(), "r.html")
			code, stdout, stderr := runCLI(t, "report", job, "--out", html)
			if code != c.code {
				t.Errorf("exit %d, want %d", code, c.code)
			}
			for _, want := range c.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q lacks %q", stderr, want)
				}
			}
			_, err := os.Stat(html)
			switch {
			case c.code == exitOK && err != nil:
				t.Errorf("no page: %v", err)
			case c.code != exitOK && err == nil:
				t.Error("a failed report wrote a page")
			case c.code != exitOK && strings.Contains(stdout, "report: "):
				t.Errorf("a failed report says where it went: %q", stdout)
			}
		})
	}
}

// TestReportExamples reports on the README's examples. The Monte Carlo
// one has no deterministic scenario and no groups: the single-year
// figures show the first scenario's means and say so, no change figure
// takes a Monte Carlo scenario as its baseline unless --baseline names
// one, and one line each says why the change and group figures are left
// out. The GA one keeps its group and change figures.
func TestReportExamples(t *testing.T) {
	dataDir(t)
	cases := []struct {
		name, spec, job string
		args            []string
		has, hasNot     []string // in the page
		leftOut         int      // "left out:" lines on stdout
	}{
		{
			name: "Monte Carlo", spec: "pymrio-montecarlo.yaml", job: "pymrio-montecarlo",
			has: []string{"uncertain (Monte Carlo)", "single-year figures show uncertain",
				`id="production-consumption-test"`, `id="flow-matrix"`, `id="intensities"`, `id="monte-carlo-uncertain-by-sector"`,
				"Scenario uncertain is a Monte Carlo scenario: its numbers are the mean over 200 draws.",
				"Changes against a baseline: every scenario is a Monte Carlo scenario",
				"Flows between groups: the job names no groups"},
			hasNot:  []string{"not regions.arrow", "not flows.arrow", "against uncertain", `id="group-flows"`, "(the baseline)"},
			leftOut: 2,
		},
		{
			name: "Monte Carlo against a named baseline", spec: "pymrio-montecarlo.yaml", job: "pymrio-montecarlo",
			args: []string{"--baseline", "uncertain"},
			has: []string{"uncertain (the baseline) (Monte Carlo)", "in scenario uncertain-power against uncertain",
				"Both are Monte Carlo scenarios: their numbers are the mean over 200 draws.", "uncertain-power, mean (kg)"},
			hasNot:  []string{"Changes against a baseline", `id="group-flows"`},
			leftOut: 1,
		},
		{
			name: "GA", spec: "ga-2019.yaml", job: "ga-2019",
			has:     []string{"baseline (the baseline)", `id="group-flows"`, `id="scenario-cleaner-power"`},
			hasNot:  []string{"Monte Carlo", "Left out", "mean over"},
			leftOut: 0,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			if code, _, _ := runCLI(t, "run", filepath.Join("..", "examples", c.spec), "--output", out, "--workers", "2"); code != exitOK {
				t.Fatalf("run: exit %d, want %d", code, exitOK)
			}
			page := filepath.Join(t.TempDir(), "report.html")
			args := append([]string{"report", filepath.Join(out, c.job), "--out", page}, c.args...)
			code, stdout, _ := runCLI(t, args...)
			if code != exitOK {
				t.Fatalf("report: exit %d, want %d", code, exitOK)
			}
			if n := strings.Count(stdout, "left out: "); n != c.leftOut {
				t.Errorf("%d lines on figures left out, want %d", n, c.leftOut)
			}
			if strings.Contains(stdout, "no chart: ") {
				t.Errorf("a figure has no chart:\n%s", stdout)
			}
			data, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range c.has {
				if !strings.Contains(string(data), want) {
					t.Errorf("the page does not say %q", want)
				}
			}
			for _, bad := range c.hasNot {
				if strings.Contains(string(data), bad) {
					t.Errorf("the page says %q", bad)
				}
			}
		})
	}
}
