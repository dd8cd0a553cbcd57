//go:build unix

package clustertest

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/mrioflow/mrioflow/internal/testenv"
	"github.com/mrioflow/mrioflow/pkg/synth"
)

// Set by TestMain.
var (
	// bin holds the binaries built for the tests: coordinator, worker,
	// natsd.
	bin string
	// root is the repository root.
	root string
	// tables holds the synthetic tables, one folder per year.
	tables string
)

// years are the years of the synthetic job, with the seed of each table.
var years = []struct {
	year string
	seed uint64
}{{"2019", 1}, {"2020", 2}, {"2021", 3}}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	cleanup, err := testenv.IsolateUserCache()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	dir, err := os.MkdirTemp("", "mrioflow-cluster-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	_, file, _, _ := runtime.Caller(0)
	root = filepath.Join(filepath.Dir(file), "..", "..")
	bin = filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-trimpath", "-o", bin+string(filepath.Separator),
		"./coordinator", "./worker", "./internal/cmd/natsd")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "clustertest: build the binaries: %v\n%s", err, out)
		return 1
	}
	if !testing.Short() {
		tables = filepath.Join(dir, "tables")
		for _, y := range years {
			// 10 regions of 200 sectors: a 2000 x 2000 system, a second
			// or two to solve in pure Go.
			if err := synth.Write(filepath.Join(tables, y.year), synth.Options{Regions: 10, Sectors: 200, Seed: y.seed}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
	}
	return m.Run()
}

// binary is the path of a built binary.
func binary(name string) string { return filepath.Join(bin, name) }
