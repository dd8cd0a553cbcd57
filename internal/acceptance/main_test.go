package acceptance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/internal/shareddata"
	"github.com/mrioflow/mrioflow/internal/testenv"
)

// Paths set by TestMain.
var (
	repoRoot string // the repository, two folders up
	workDir  string // scratch folder of the shared runs, removed at the end
)

// binaryEnv names an environment variable that, when set, gives a
// coordinator binary to test instead of building ./coordinator.
const binaryEnv = "MRIOFLOW_COORDINATOR"

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	cleanup, err := testenv.IsolateUserCache()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	repoRoot = root
	if workDir, err = os.MkdirTemp("", "mrioflow-acceptance-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(workDir)
	return m.Run()
}

// built is the coordinator binary, built once by the first test that runs
// it.
var built struct {
	once sync.Once
	path string
	err  error
}

// coordinator returns the path of the coordinator binary: the one
// binaryEnv names, or ./coordinator built into workDir.
func coordinator() (string, error) {
	built.once.Do(func() {
		if p := os.Getenv(binaryEnv); p != "" {
			if built.path, built.err = filepath.Abs(p); built.err == nil {
				_, built.err = os.Stat(built.path) // for go test's cache, as below
			}
			return
		}
		if built.err = statSources(repoRoot); built.err != nil {
			return
		}
		built.path = filepath.Join(workDir, "coordinator")
		cmd := exec.Command("go", "build", "-o", built.path, "./coordinator")
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build ./coordinator: %w\n%s", err, out)
		}
	})
	return built.path, built.err
}

// statSources stats every Go source file and go.mod and go.sum below
// root. go test caches a package's result by the files its tests open or
// stat (from m.Run on); the coordinator is built in another process, so
// without this a change to its sources would not make the tests run
// again.
func statSources(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") || name == "go.mod" || name == "go.sum" {
			_, err = os.Stat(p)
		}
		return err
	})
}

// dataDir returns the shared data folder beside the repository, skipping
// the test when it is absent.
func dataDir(t testing.TB) string {
	t.Helper()
	return shareddata.Dir(t)
}

// result is what one run of the binary gave.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("coordinator %s: exit %d\nstdout:\n%s\nstderr:\n%s",
		strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// runBinary runs the coordinator with args in dir and returns what it
// gave. A run that cannot start, or is still running after two minutes,
// is an error.
func runBinary(dir string, args ...string) (result, error) {
	bin, err := coordinator()
	if err != nil {
		return result{args: args}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	res := result{args: args, stdout: o.String(), stderr: e.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && ctx.Err() == nil:
		res.code = exit.ExitCode()
	case err != nil:
		return res, fmt.Errorf("coordinator %s: %w", strings.Join(args, " "), err)
	}
	return res, nil
}

// run is runBinary that fails the test when the binary cannot run.
func run(t testing.TB, dir string, args ...string) result {
	t.Helper()
	res, err := runBinary(dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// writeFile writes text to dir/name, making folders as needed, and returns
// the path.
func writeFile(t testing.TB, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// filesBelow lists the regular files below dir, slash-separated and
// relative to it; none when dir does not exist or cannot (a file is in
// its path).
func filesBelow(t testing.TB, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if p == dir && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)) {
			return fs.SkipAll
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// A sharedRun is one run of an example job whose outputs several tests
// read. It runs the first time a test asks for it.
type sharedRun struct {
	job, format string // the example's job name and the output format
	once        sync.Once
	out         string // the --output folder
	res         result
	err         error
}

// The shared runs: the two examples, in Arrow and in Parquet. The Parquet
// runs share one output folder, workDir/parquet/out, as one dataset.
var (
	gaArrow       = &sharedRun{job: "ga-2019", format: "arrow"}
	pymrioArrow   = &sharedRun{job: "pymrio-test", format: "arrow"}
	gaParquet     = &sharedRun{job: "ga-2019", format: "parquet"}
	pymrioParquet = &sharedRun{job: "pymrio-test", format: "parquet"}
)

// exampleFile returns the path of the example job of the run.
func (s *sharedRun) exampleFile() string {
	return filepath.Join(repoRoot, "examples", s.job+".yaml")
}

// dir returns the job's output folder, <out>/<job>, after running it once;
// a run that failed fails the test.
func (s *sharedRun) dir(t testing.TB) string {
	t.Helper()
	dataDir(t)
	s.once.Do(func() {
		if s.format == "parquet" {
			s.out = filepath.Join(workDir, "parquet", "out")
		} else {
			s.out = filepath.Join(workDir, s.job, "out")
		}
		s.res, s.err = runBinary(repoRoot, "run", s.exampleFile(),
			"--output", s.out, "--output-format", s.format, "--workers", "2")
		if s.err == nil && s.res.code != 0 {
			s.err = fmt.Errorf("exit %d\n%s", s.res.code, s.res)
		}
	})
	if s.err != nil {
		t.Fatalf("example %s in %s: %v", s.job, s.format, s.err)
	}
	return filepath.Join(s.out, s.job)
}
