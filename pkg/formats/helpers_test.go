package formats

import (
	"errors"
	"github.com/mrioflow/mrioflow/internal/shareddata"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// copyDir copies the fixture folder testdata/name into a temporary folder
// and returns the copy's path.
func copyDir(t *testing.T, name string) string {
	t.Helper()
	return copyTree(t, filepath.Join("testdata", name), name)
}

// copyTree copies the folder src into a temporary folder, as name, and
// returns the copy's path.
func copyTree(t *testing.T, src, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// edit replaces the first old in file with new, and fails the test when
// the file has no old: an edit that changes nothing tests nothing.
func edit(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", file, old)
	}
	s := strings.Replace(string(data), old, new, 1)
	if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, file, content string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, file string) {
	t.Helper()
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
}

// sharedData returns the folder of the real tables beside the repository.
func sharedData(t testing.TB) string {
	t.Helper()
	return shareddata.Dir(t)
}

// badCase is one bad input: a change to a good fixture and the error it
// must give.
type badCase struct {
	name   string
	change func(t *testing.T, dir string)
	opts   map[string]string
	want   []string // substrings of the error, with the folder as <dir>
	kind   error    // what errors.Is must find; nil for no check
}

// runBad opens each changed copy of fixture in format and checks the error.
func runBad(t *testing.T, format, fixture string, cases []badCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, fixture)
			tc.change(t, dir)
			tab, err := Open(format, dir, tc.opts)
			if err == nil {
				t.Fatalf("Open() = %d regions, want an error", len(tab.Regions))
			}
			for _, w := range tc.want {
				w = strings.ReplaceAll(w, "<dir>", dir)
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Open() error\n%s\nlacks %q", err, w)
				}
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("Open() error %q is not %v", err, tc.kind)
			}
		})
	}
}

// sameMatrix fails when a and b differ in shape or by more than tol in
// any entry, printing the entry and the difference.
func sameMatrix(t *testing.T, what string, got, want *mat.Dense, tol float64) {
	t.Helper()
	if got == nil || want == nil {
		if got != want {
			t.Errorf("%s: got %v, want %v", what, got, want)
		}
		return
	}
	gr, gc := got.Dims()
	wr, wc := want.Dims()
	if gr != wr || gc != wc {
		t.Errorf("%s is %d x %d, want %d x %d", what, gr, gc, wr, wc)
		return
	}
	for i := range gr {
		for j := range gc {
			g, w := got.At(i, j), want.At(i, j)
			if d := math.Abs(g - w); d > tol*math.Max(1, math.Abs(w)) {
				t.Errorf("%s[%d, %d] = %v, want %v (difference %g)", what, i, j, g, w, d)
				return
			}
		}
	}
}

// wantError fails unless err holds want, with old replaced by new (the
// fixture's path), and, when kind is not nil, matches kind.
func wantError(t *testing.T, err error, want, old, new string, kind error) {
	t.Helper()
	if w := strings.ReplaceAll(want, old, new); err == nil || !strings.Contains(err.Error(), w) {
		t.Fatalf("Open() error\n%v\nlacks %q", err, w)
	}
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("error %q is not %v", err, kind)
	}
}

// dirCase is a change to a fixture folder and the error it must give
// (want, with <dir> for the folder).
type dirCase struct {
	name   string
	change func(t *testing.T, dir string)
	opts   map[string]string
	want   string
	kind   error
}
