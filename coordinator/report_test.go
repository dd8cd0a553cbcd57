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
	html := filepath.Join(t.TempDir(), "sub", "s3.html")
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
