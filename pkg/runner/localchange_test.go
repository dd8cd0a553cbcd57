package runner_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// localCopy points j's table at a copy of pymrio's test MRIO in a
// temporary folder and returns the folder.
func localCopy(t *testing.T, j *spec.Job) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "saved")
	copyDir(t, filepath.Join(dataDir(t), "pymrio-test-mrio", "saved"), dir)
	j.Tables[0].Path = dir
	return dir
}

// pinned plans j with opts, checks its tables and returns the tasks
// carrying the checksums (plan.Pin), with the inputs.
func pinned(t *testing.T, j *spec.Job, opts plan.Options) ([]plan.Task, []plan.Input) {
	t.Helper()
	inputs, err := runner.Check(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	opts.Run = "r1"
	ts, err := plan.Make(j, opts)
	if err != nil {
		t.Fatal(err)
	}
	plan.Pin(ts, inputs)
	return ts, inputs
}

// fileOf returns the planned checksum of the file at rel in in.
func fileOf(t *testing.T, in plan.Input, rel string) plan.File {
	t.Helper()
	i := slices.IndexFunc(in.Files, func(f plan.File) bool { return f.Path == rel })
	if i < 0 {
		t.Fatalf("no %s among the files of %s", rel, in.Path)
	}
	return in.Files[i]
}

// wantChanged fails t unless err is a final TaskError wrapping
// runner.ErrChanged whose message holds every one of parts.
func wantChanged(t *testing.T, err error, parts ...string) {
	t.Helper()
	var te *runner.TaskError
	if !errors.As(err, &te) || !errors.Is(err, runner.ErrChanged) || te.Temporary() {
		t.Fatalf("got %v; want a final TaskError wrapping ErrChanged", err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%q\ndoes not say %q", err, p)
		}
	}
}

// TestLocalTableChanged runs a task on a local table changed after the
// job was planned: the task fails with ErrChanged, naming the table, the
// file and both checksums, writes nothing, and trying again would not
// help. An unchanged table passes, and a task without the checksums
// reads the table as it is.
func TestLocalTableChanged(t *testing.T) {
	tests := []struct {
		name    string
		changed string // the file changed, slash-separated; "" for none
		change  func(t *testing.T, file string)
		unpin   bool   // run the task without its Input
		says    string // what the error says of the file when not its checksums
	}{
		{"unchanged", "", nil, false, ""},
		{"a number of Z", "Z.txt", func(t *testing.T, file string) { scaleCell(t, file, 3, 4, 1.5) }, false, ""},
		{"a number of F", "emissions/F.txt", func(t *testing.T, file string) { scaleCell(t, file, 3, 13, 1.5) }, false, ""},
		{"a file added", "notes.txt", func(t *testing.T, file string) { writeFile(t, file, "x") }, false, "notes.txt is new"},
		{"a file the readers do not need, gone", "metadata.json", func(t *testing.T, file string) {
			if err := os.Remove(file); err != nil {
				t.Fatal(err)
			}
		}, false, "metadata.json is gone"},
		{"not checked", "Z.txt", func(t *testing.T, file string) { scaleCell(t, file, 3, 4, 1.5) }, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := pymrioJob(t)
			dir := localCopy(t, j)
			ts, inputs := pinned(t, j, plan.Options{})
			task := ts[0]
			if tt.unpin {
				task.Input = nil
			}
			var says []string
			if tt.changed != "" {
				file := filepath.Join(dir, filepath.FromSlash(tt.changed))
				tt.change(t, file)
				says = []string{dir + ": the table changed since the job was planned: " + tt.says}
				if tt.says == "" {
					now, err := os.ReadFile(file)
					if err != nil {
						t.Fatal(err)
					}
					old := fileOf(t, inputs[0], tt.changed)
					says = []string{dir + ": the table changed since the job was planned: " + tt.changed +
						" has sha256 " + sha256Hex(now)[:12] + "…, " + itoa(int64(len(now))) + " bytes; the job was planned with " +
						old.SHA256[:12] + "…, " + itoa(old.Bytes) + " bytes"}
				}
			}
			rep, err := runner.New(runner.Options{}).Run(context.Background(), task)
			if tt.changed == "" || tt.unpin {
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.Outputs) == 0 {
					t.Fatal("no outputs")
				}
				return
			}
			wantChanged(t, err, says...)
			if _, serr := os.Stat(filepath.Join(j.Output, j.Job)); !errors.Is(serr, os.ErrNotExist) {
				t.Errorf("the failed task wrote under %s: %v", j.Output, serr)
			}
		})
	}
}

// sha256Hex is the SHA-256 of data in hexadecimal.
func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// writeFile writes data to name.
func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLocalTableCache checks that the prepared table a Runner keeps
// serves the later tasks of its plan without a read, even after the file
// changed (they compute with the bytes checked), and that a task of
// another plan, whose checksums the kept table does not have, reads the
// table again.
func TestLocalTableCache(t *testing.T) {
	ctx := context.Background()
	j := pymrioJob(t)
	// The last task of a year's scenarios takes the kept table: three
	// scenarios keep it for the three tasks below.
	j.Scenarios = append(j.Scenarios, spec.Scenario{Name: "third"})
	dir := localCopy(t, j)
	ts, inputs := pinned(t, j, plan.Options{})
	size := inputBytes(inputs[0])
	m := &runner.Metrics{}
	r := runner.New(runner.Options{Metrics: m})
	first, err := r.Run(ctx, ts[0])
	if err != nil {
		t.Fatal(err)
	}
	hasMetrics(t, m, "mrioflow_input_bytes_read_total "+itoa(size))

	scaleCell(t, filepath.Join(dir, "Z.txt"), 3, 4, 1.5)
	again := ts[0]
	again.Output = filepath.Join(t.TempDir(), "again")
	rep, err := r.Run(ctx, again)
	if err != nil {
		t.Fatalf("a task of the plan served from the cache: %v", err)
	}
	hasMetrics(t, m, "mrioflow_input_bytes_read_total "+itoa(size))
	if !sameSums(first.Outputs, rep.Outputs) {
		t.Errorf("outputs from the cache differ from the first task's")
	}

	// Planned again after the change: the kept table is not the one
	// checked, and is read again.
	ts2, inputs2 := pinned(t, j, plan.Options{})
	next := ts2[0]
	next.Output = filepath.Join(t.TempDir(), "next")
	rep, err = r.Run(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	hasMetrics(t, m, "mrioflow_input_bytes_read_total "+itoa(size+inputBytes(inputs2[0])))
	fresh, err := runner.New(runner.Options{}).Run(ctx, ts2[0])
	if err != nil {
		t.Fatal(err)
	}
	if !sameSums(fresh.Outputs, rep.Outputs) {
		t.Errorf("the task of the new plan computed with the table kept from the old one")
	}
	if sameSums(first.Outputs, rep.Outputs) {
		t.Errorf("the change of Z moved no output")
	}
}

// TestLocalTableKeptByCheck checks that the table Runner.Check keeps
// serves a task carrying the checksums that check recorded, without a
// read: the table may be gone by then.
func TestLocalTableKeptByCheck(t *testing.T) {
	ctx := context.Background()
	j := pymrioJob(t)
	dir := localCopy(t, j)
	r := runner.New(runner.Options{})
	inputs, err := r.Check(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	ts := tasks(t, j)
	plan.Pin(ts, inputs)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, ts[0]); err != nil {
		t.Fatalf("a pinned task after Runner.Check: %v", err)
	}
}

// sameSums reports whether two lists of outputs have the same checksums.
func sameSums(a, b []plan.Output) bool {
	return slices.EqualFunc(a, b, func(x, y plan.Output) bool { return x.Account == y.Account && x.SHA256 == y.SHA256 })
}

// inputBytes is the number of bytes of the files of in.
func inputBytes(in plan.Input) int64 {
	var n int64
	for _, f := range in.Files {
		n += f.Bytes
	}
	return n
}

// TestLocalTableChangedSplit changes 2011's table of a job of two years,
// split in 3 blocks of consumers, once the run is planned: every block
// and merge of 2011 fails with ErrChanged, no account of 2011 is
// written, and 2010's files are those of a run on unchanged tables.
func TestLocalTableChangedSplit(t *testing.T) {
	clean := newNightly(t)
	mc, _ := clean.run(t, runner.CoordinateOptions{BlocksPerYear: 3})

	n := newNightly(t)
	var planned []plan.Input
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := serveBus(t, n.b, runner.New(runner.Options{}), runner.ServeOptions{Worker: "w"})
	m, err := runner.Coordinate(ctx, n.b, n.j, runner.CoordinateOptions{
		Version: "test", BlocksPerYear: 3,
		OnPlan: func(_, _ []plan.Task, inputs []plan.Input, _ bool) {
			planned = inputs
			scaleCell(t, filepath.Join(n.y2011, "Z.txt"), 3, 4, 1.5)
		},
	})
	w.halt(t)
	if !errors.Is(err, runner.ErrFailed) || m == nil {
		t.Fatalf("got %v; want ErrFailed and a manifest", err)
	}
	now, rerr := os.ReadFile(filepath.Join(n.y2011, "Z.txt"))
	if rerr != nil {
		t.Fatal(rerr)
	}
	i := slices.IndexFunc(planned, func(in plan.Input) bool { return in.Year == "2011" })
	old := fileOf(t, planned[i], "Z.txt")
	says := []string{n.y2011 + ": the table changed since the job was planned: Z.txt has sha256 " + sha256Hex(now)[:12] + "…", "planned with " + old.SHA256[:12] + "…"}

	failed := map[string]string{}
	for _, f := range m.Failures {
		failed[f.Task] = f.Error
	}
	var blocks, merges int
	for _, rec := range m.Tasks {
		switch {
		case rec.Year == "2010" && rec.Status != plan.Done:
			t.Errorf("%s is %s: %s", rec.Task, rec.Status, failed[rec.Task])
		case rec.Year == "2011" && rec.Status != plan.Failed:
			t.Errorf("%s is %s after its table changed", rec.Task, rec.Status)
		case rec.Year == "2011" && rec.Block == plan.MergeBlock:
			merges++
		case rec.Year == "2011":
			blocks++
			for _, s := range says {
				if !strings.Contains(failed[rec.Task], s) {
					t.Errorf("%s failed with %q\nwhich does not say %q", rec.Task, failed[rec.Task], s)
				}
			}
		}
	}
	if blocks != 6 || merges != 2 {
		t.Errorf("2011 has %d blocks and %d merges in the manifest; want 6 and 2", blocks, merges)
	}

	// 2010 as a clean run wrote it; nothing of 2011 but what a block
	// stores (no block stored anything either).
	want := outputSums(mc)
	for key, sum := range outputSums(m) {
		if !strings.Contains(key, "/year=2010/") {
			t.Errorf("%s written", key)
		} else if want[key] != sum {
			t.Errorf("%s: SHA-256 %s, a clean run's %s", key, sum, want[key])
		}
	}
	err = filepath.WalkDir(filepath.Join(n.j.Output, n.j.Job, "year=2011"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("%s written", p)
		}
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLocalTableChangedBetweenBlocks runs the blocks of a split year one
// at a time, each on a fresh Runner: a block that reads the table after
// it changed fails, and so does the merge of blocks that all read it
// before, when the merge reads it after; neither writes an account.
func TestLocalTableChangedBetweenBlocks(t *testing.T) {
	ctx := context.Background()
	j := pymrioJob(t)
	j.Scenarios = j.Scenarios[:1]
	dir := localCopy(t, j)
	ts, inputs := pinned(t, j, plan.Options{BlocksPerYear: 3})
	if len(ts) != 3 {
		t.Fatalf("%d tasks, want 3 blocks", len(ts))
	}
	changeZ := func() { scaleCell(t, filepath.Join(dir, "Z.txt"), 3, 4, 1.5) }
	old := fileOf(t, inputs[0], "Z.txt")

	t.Run("a block after the change", func(t *testing.T) {
		if _, err := runner.New(runner.Options{}).Run(ctx, ts[0]); err != nil {
			t.Fatal(err)
		}
		changeZ()
		defer copyDir(t, filepath.Join(dataDir(t), "pymrio-test-mrio", "saved"), dir)
		for _, task := range ts[1:] {
			_, err := runner.New(runner.Options{}).Run(ctx, task)
			wantChanged(t, err, "Z.txt has sha256", "planned with "+old.SHA256[:12])
		}
	})

	t.Run("the merge after the change", func(t *testing.T) {
		m := plan.NewManifest("test", ts, inputs)
		for _, task := range ts {
			rep, err := runner.New(runner.Options{}).Run(ctx, task)
			if err != nil {
				t.Fatal(err)
			}
			rep.Status = plan.Done
			if !m.Add(rep) {
				t.Fatalf("manifest refused the report of %s", task.ID())
			}
		}
		changeZ()
		runner.New(runner.Options{}).Merge(ctx, m, ts, "c")
		last := m.Tasks[len(m.Tasks)-1]
		if last.Block != plan.MergeBlock || last.Status != plan.Failed {
			t.Fatalf("last record %+v: want a failed merge", last)
		}
		f := m.Failures[len(m.Failures)-1].Error
		if !strings.Contains(f, "the table changed since the job was planned: Z.txt has sha256") || !strings.Contains(f, old.SHA256[:12]) {
			t.Errorf("merge failed with %q; want the change of Z.txt", f)
		}
		for _, o := range m.Outputs {
			if o.Account != plan.AccountSolve {
				t.Errorf("%s written", o.Key)
			}
		}
	})
}
