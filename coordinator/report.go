package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/report"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// reportFlags are the flags of the report command.
type reportFlags struct {
	out, png, groups string
	opts             report.Options
}

func (f *reportFlags) parse(args []string, stderr io.Writer) (location string, err error) {
	fs := flag.NewFlagSet("coordinator report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: coordinator report OUTPUT/JOB [flags]")
		fmt.Fprintln(fs.Output(), "OUTPUT/JOB is a job's output folder, local or s3://bucket/prefix/JOB (credentials from the AWS_* environment).")
		fs.PrintDefaults()
	}
	fs.StringVar(&f.out, "out", "report.html", "`file` the HTML report is written to; its folder must exist, outside the job's, and a file there is replaced only when it is an earlier report")
	fs.StringVar(&f.png, "png", "", "`folder` to write each figure to as a PNG image, made when missing (not its parents), outside the job's; empty writes none")
	fs.StringVar(&f.opts.Stressor, "stressor", "", "`name` of the stressor the figures show; default: the first of the first extension other than factor_inputs")
	fs.StringVar(&f.opts.Extension, "extension", "", "`name` of the stressor's extension, when the stressor's name is not unique")
	fs.StringVar(&f.opts.Year, "year", "", "`year` of the single-year figures; default: the latest with outputs of the scenario they show")
	fs.StringVar(&f.opts.Baseline, "baseline", "", "`scenario` the others are compared with and the single-year figures show; default: baseline, "+
		"else the job's first that is not a Monte Carlo scenario; a Monte Carlo scenario is compared by its means")
	fs.StringVar(&f.groups, "groups", "", "YAML or JSON `file` mapping groups to regions ({group: [regions]}); default: the job spec's groups")

	pos, err := parseArgs(fs, args)
	if err != nil {
		return "", err
	}
	switch {
	case len(pos) != 1:
		err = fmt.Errorf("want one job output folder, got %d arguments", len(pos))
	case f.out == "":
		err = errors.New("--out: want a file name")
	case f.opts.Extension != "" && f.opts.Stressor == "":
		err = errors.New("--extension needs --stressor")
	}
	if err != nil {
		fmt.Fprintf(stderr, "coordinator report: %v\n", err)
		fs.Usage()
		return "", err
	}
	return pos[0], nil
}

// reportCommand writes the HTML report of a job's outputs, and its
// figures as PNGs when asked, and returns the exit status.
func reportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f reportFlags
	location, err := f.parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "coordinator: %v\n", err)
		return exitFail
	}
	if f.groups != "" {
		data, err := os.ReadFile(f.groups)
		if err != nil {
			return fail(err)
		}
		if f.opts.Groups, err = report.ParseGroups(data); err != nil {
			return fail(fmt.Errorf("%s: %w", f.groups, err))
		}
	}
	root, job, err := splitJob(location)
	if err != nil {
		return fail(err)
	}
	// Refuse a bad target before reading a job that may be large or
	// far away.
	if err := checkTargets(localJob(root, job), f.out, f.png); err != nil {
		return fail(err)
	}
	st, err := store.Open(ctx, root, store.Options{})
	if err != nil {
		return fail(err)
	}
	f.opts.Job = job

	rep, err := report.Build(ctx, st, f.opts)
	if err != nil {
		return fail(err)
	}
	if rep.Empty() {
		return fail(fmt.Errorf("%s holds no manifest.json and no account files: not a job's output folder "+
			"(want OUTPUT/JOB, such as out/ga-2019)", location))
	}
	if err := rep.WriteHTMLFile(f.out); err != nil {
		return fail(fmt.Errorf("--out: %w", err))
	}
	abs, err := filepath.Abs(f.out)
	if err != nil {
		abs = f.out
	}
	fmt.Fprintf(stdout, "report: %s\n", abs)
	if f.png != "" {
		names, err := rep.WritePNGs(f.png)
		if err != nil {
			return fail(fmt.Errorf("--png: %w", err))
		}
		fmt.Fprintf(stdout, "figures: %d PNG files in %s\n", len(names), f.png)
	}
	writeGaps(stdout, rep)
	return exitOK
}

// splitJob splits a job's output location into the store's root and
// the job's folder under it: out/ga-2019 into out and ga-2019,
// s3://bucket/prefix/job into s3://bucket/prefix and job.
func splitJob(location string) (root, job string, err error) {
	if scheme, rest, ok := strings.Cut(location, "://"); ok && scheme != "file" {
		bucket, key, _ := strings.Cut(strings.TrimRight(rest, "/"), "/")
		if bucket == "" {
			return "", "", fmt.Errorf("%s: want %s://bucket/prefix/JOB", location, scheme)
		}
		if key == "" {
			return scheme + "://" + bucket, "", nil
		}
		dir, base := path.Split(key)
		return strings.TrimSuffix(scheme+"://"+bucket+"/"+dir, "/"), base, nil
	}
	local := strings.TrimPrefix(location, "file://")
	abs, err := filepath.Abs(local)
	if err != nil {
		return "", "", err
	}
	info, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("%s: no such folder; want a job's output folder, such as out/ga-2019", location)
	}
	if err != nil {
		return "", "", err
	}
	if !info.IsDir() {
		return "", "", fmt.Errorf("%s is a file; want a job's output folder, such as out/ga-2019", location)
	}
	return filepath.Dir(abs), filepath.Base(abs), nil
}

// localJob returns the job's folder on this machine, or "" when the
// outputs are in a bucket.
func localJob(root, job string) string {
	if strings.Contains(root, "://") {
		return ""
	}
	return filepath.Join(root, job)
}

// checkTargets returns an error when the page or the PNG folder would go
// inside the job's folder jobDir ("" for a bucket), where they could
// replace its outputs, or where the report package refuses to write
// (a missing folder, a file that is not an earlier report).
func checkTargets(jobDir, out, png string) error {
	for _, t := range []struct{ flag, name string }{{"--out", out}, {"--png", png}} {
		if t.name == "" || jobDir == "" {
			continue
		}
		in, err := within(jobDir, t.name)
		if err != nil {
			return fmt.Errorf("%s: %w", t.flag, err)
		}
		if in {
			return fmt.Errorf("%s %s is inside the job's output folder %s; write the report elsewhere", t.flag, t.name, jobDir)
		}
	}
	if err := report.CheckHTMLFile(out); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if png != "" {
		if err := report.CheckPNGFolder(png); err != nil {
			return fmt.Errorf("--png: %w", err)
		}
	}
	return nil
}

// within reports whether name, which need not exist, is dir or lies
// under it, once links are followed.
func within(dir, name string) (bool, error) {
	d, err := realPath(dir)
	if err != nil {
		return false, err
	}
	n, err := realPath(name)
	if err != nil {
		return false, err
	}
	rel, err := filepath.Rel(d, n)
	if err != nil {
		return false, nil
	}
	return rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)), nil
}

// realPath returns name made absolute with links followed, as far as it
// exists; the part that does not exist yet is joined on as it is.
func realPath(name string) (string, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return "", err
	}
	var rest []string
	for p := abs; ; p = filepath.Dir(p) {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(p) == p {
			return "", err
		}
		rest = append([]string{filepath.Base(p)}, rest...)
	}
}

// writeGaps says what the report could not show: failed tasks, files
// that could not be read, figures left out and figures left without a
// chart.
func writeGaps(w io.Writer, rep *report.Report) {
	for _, f := range rep.Header.Failures {
		fmt.Fprintf(w, "failed task: %s: %s\n", f.Task, f.Error)
	}
	for _, n := range rep.Header.Notes {
		fmt.Fprintf(w, "missing: %s\n", n)
	}
	for _, n := range rep.Header.LeftOut {
		fmt.Fprintf(w, "left out: %s\n", n)
	}
	for _, f := range rep.Figures {
		if f.Note != "" {
			fmt.Fprintf(w, "no chart: %s: %s\n", f.Title, f.Note)
		}
	}
}
