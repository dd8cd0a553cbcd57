package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// writeFiles writes a folder of files, name to content.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReadHashed checks readHashed against a table written while it is
// read: a file rewritten, added, removed or replaced by a rename is
// named, and the checksums returned are those of the files after the
// read; a read that changes nothing names nothing and returns the
// checksums hashFiles gives.
func TestReadHashed(t *testing.T) {
	later := time.Now().Add(time.Hour)
	tests := []struct {
		name   string
		during func(dir string) error
		moved  []string
	}{
		{"nothing", func(string) error { return nil }, nil},
		{"read only", func(dir string) error {
			_, err := os.ReadFile(filepath.Join(dir, "Z.txt"))
			return err
		}, nil},
		{"rewritten, same size", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "Z.txt"), []byte("z 2\n"), 0o644)
		}, []string{"Z.txt"}},
		{"touched", func(dir string) error {
			return os.Chtimes(filepath.Join(dir, "sub", "F.txt"), later, later)
		}, []string{"sub/F.txt"}},
		{"added", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "new.txt"), nil, 0o644)
		}, []string{"new.txt"}},
		{"removed", func(dir string) error {
			return os.Remove(filepath.Join(dir, "Y.txt"))
		}, []string{"Y.txt"}},
		{"renamed over", func(dir string) error {
			tmp := filepath.Join(dir, "..", "tmp")
			if err := os.WriteFile(tmp, []byte("y 1\n"), 0o644); err != nil {
				return err
			}
			if err := os.Chtimes(tmp, later, later); err != nil {
				return err
			}
			return os.Rename(tmp, filepath.Join(dir, "Y.txt"))
		}, []string{"Y.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "table")
			writeFiles(t, dir, map[string]string{"Z.txt": "z 1\n", "Y.txt": "y 1\n", "sub/F.txt": "f 1\n"})
			// The times of files just written may share a tick with a
			// rewrite; set them apart.
			past := time.Now().Add(-time.Hour)
			for _, f := range []string{"Z.txt", "Y.txt", "sub/F.txt"} {
				if err := os.Chtimes(filepath.Join(dir, f), past, past); err != nil {
					t.Fatal(err)
				}
			}
			var derr error
			files, moved, err := readHashed(dir, func() { derr = tt.during(dir) })
			if err != nil || derr != nil {
				t.Fatalf("readHashed: %v; during the read: %v", err, derr)
			}
			if !slices.Equal(moved, tt.moved) {
				t.Errorf("moved %q, want %q", moved, tt.moved)
			}
			now, err := hashFiles(dir)
			if err != nil {
				t.Fatal(err)
			}
			if d := differ(now, files); d != "" {
				t.Errorf("checksums returned differ from the files after the read: %s", d)
			}
		})
	}
}

func TestReadHashedMissing(t *testing.T) {
	read := false
	_, _, err := readHashed(filepath.Join(t.TempDir(), "none"), func() { read = true })
	if !read || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read %v, error %v; want the read done and a missing path", read, err)
	}
}

func TestLocalChange(t *testing.T) {
	a := plan.File{Path: "Z.txt", Bytes: 4, SHA256: strings.Repeat("a", 64)}
	b := plan.File{Path: "Z.txt", Bytes: 5, SHA256: strings.Repeat("b", 64)}
	one := plan.File{Path: ".", Bytes: 4, SHA256: strings.Repeat("c", 64)}
	tests := []struct {
		name      string
		want, got []plan.File
		moved     []string
		msg       string // "" for no error
	}{
		{"same", []plan.File{a}, []plan.File{a}, nil, ""},
		{"changed", []plan.File{a}, []plan.File{b}, nil,
			"Z.txt has sha256 bbbbbbbbbbbb…, 5 bytes; the job was planned with aaaaaaaaaaaa…, 4 bytes"},
		{"changed and written during the read", []plan.File{a}, []plan.File{b}, []string{"Z.txt"},
			"Z.txt has sha256 bbbbbbbbbbbb…, 5 bytes; the job was planned with aaaaaaaaaaaa…, 4 bytes"},
		{"written during the read, as planned now", []plan.File{a}, []plan.File{a}, []string{"Z.txt"},
			"Z.txt was written while the task read the table"},
		{"two written", []plan.File{a}, []plan.File{a}, []string{"Y.txt", "Z.txt"},
			"Y.txt, Z.txt were written while the task read the table"},
		{"one file", []plan.File{one}, []plan.File{one}, []string{"."},
			"the file was written while the task read the table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := localChange(tt.want, tt.got, tt.moved)
			switch {
			case tt.msg == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.msg != "" && (!errors.Is(err, ErrChanged) || !strings.HasSuffix(err.Error(), ": "+tt.msg)):
				t.Errorf("got %v\nwant ErrChanged: %s", err, tt.msg)
			}
		})
	}
}

// TestMeasureLocalCheck times a task's read of a local table without the
// coordinator's checksums and with them (hashed while it is read), the
// hashing alone and a hash before a read, each five times in turn, the
// table's files in the page cache after the first, and prints the
// medians. MRIOFLOW_MEASURE_TABLE is the folder of a pymrio table, such
// as one the coordinator's bench command caches
// (mrioflow-bench/r49-m200-k3-seed0 in the system's temporary folder is
// n = 9800).
func TestMeasureLocalCheck(t *testing.T) {
	dir := os.Getenv("MRIOFLOW_MEASURE_TABLE")
	if dir == "" {
		t.Skip("set MRIOFLOW_MEASURE_TABLE to a table's folder to measure")
	}
	files, err := hashFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	size := int64(0)
	for _, f := range files {
		size += f.Bytes
	}
	tb := spec.Table{Year: "2020", Format: "pymrio", Path: dir}
	want := &plan.Input{Files: files}
	r := New(Options{CacheTables: -1})
	open := func(want *plan.Input) func() {
		return func() {
			if _, _, err := r.open(context.Background(), tb, want); err != nil {
				t.Fatal(err)
			}
		}
	}
	hash := func() {
		if _, err := hashFiles(dir); err != nil {
			t.Fatal(err)
		}
	}
	ways := []struct {
		name string
		run  func()
	}{
		{"hash alone", hash},
		{"read", open(nil)},
		{"read while hashing", open(want)},
		{"hash, then read", func() { hash(); open(nil)() }},
	}
	times := make([][]float64, len(ways))
	for range 5 {
		for i, w := range ways {
			runtime.GC()
			start := time.Now()
			w.run()
			times[i] = append(times[i], time.Since(start).Seconds())
		}
	}
	t.Logf("%d MB in %d files, GOMAXPROCS %d; medians of 5:", size/1e6, len(files), runtime.GOMAXPROCS(0))
	for i, w := range ways {
		slices.Sort(times[i])
		t.Logf("  %-20s %5.2f s  (%.2f to %.2f)", w.name, times[i][2], times[i][0], times[i][4])
	}
}

// TestHashFilesFollowsLinks checks that hashFiles sees the files a reader
// reads through symbolic links: a table folder that is itself a link (it
// listed no file, so a table edited behind it was neither caught nor
// recomputed by a nightly run), a linked file and a linked folder inside
// it; a dangling link (an editor's lock) and a link back up are no files.
func TestHashFilesFollowsLinks(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real")
	writeFiles(t, real, map[string]string{"Z.txt": "z 1\n", "sub/F.txt": "f 1\n"})
	writeFiles(t, base, map[string]string{"shared/Y.txt": "y 1\n", "shared/ext/F.txt": "e 1\n"})
	for _, l := range []struct{ target, name string }{
		{real, filepath.Join(base, "link")},
		{filepath.Join(base, "shared", "Y.txt"), filepath.Join(real, "Y.txt")},
		{filepath.Join(base, "shared", "ext"), filepath.Join(real, "ext")},
		{"nobody@host.1234", filepath.Join(real, ".#Z.txt")},
		{real, filepath.Join(real, "sub", "up")},
	} {
		if err := os.Symlink(l.target, l.name); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	want := []string{"Y.txt", "Z.txt", "ext/F.txt", "sub/F.txt"}
	for _, p := range []string{real, filepath.Join(base, "link")} {
		files, err := hashFiles(p)
		if err != nil {
			t.Fatalf("hashFiles(%s): %v", p, err)
		}
		var got []string
		for _, f := range files {
			got = append(got, f.Path)
		}
		if !slices.Equal(got, want) {
			t.Errorf("hashFiles(%s) = %q, want %q", p, got, want)
		}
		seen, err := lookAt(p)
		if err != nil || len(seen) != len(want) {
			t.Errorf("lookAt(%s) = %d files (%v), want %d", p, len(seen), err, len(want))
		}
	}
	before, err := hashFiles(filepath.Join(base, "link"))
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, base, map[string]string{"shared/Y.txt": "y 2\n"})
	after, err := hashFiles(filepath.Join(base, "link"))
	if err != nil {
		t.Fatal(err)
	}
	if err := localChange(before, after, nil); !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), "Y.txt") {
		t.Errorf("a linked file edited behind the link: %v, want ErrChanged naming Y.txt", err)
	}
}

// TestHashFilesIgnores leaves hidden files and folders and "~" backups
// out: an editor opening a table during a run does not change it.
func TestHashFilesIgnores(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"Z.txt": "z\n", "sub/F.txt": "f\n",
		".Z.txt.swp": "swap", "Z.txt~": "backup", ".git/config": "x", "sub/.hidden": "h",
	})
	files, err := hashFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
	}
	if want := []string{"Z.txt", "sub/F.txt"}; !slices.Equal(got, want) {
		t.Errorf("hashFiles = %q, want %q", got, want)
	}
	// A single file given as the table is hashed whatever its name.
	one, err := hashFiles(filepath.Join(dir, ".Z.txt.swp"))
	if err != nil || len(one) != 1 {
		t.Errorf("hashFiles of one hidden file = %v, %v", one, err)
	}
}

// TestReadLocal follows readLocal through its cases: a fetched copy and a
// read without hashing are not hashed; a local table is, and a file
// written during the read, or bytes other than those wanted, set
// changed; read's own error comes back.
func TestReadLocal(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Z.txt": "z 1\n"})
	planned, err := hashFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	readErr := errors.New("ragged row")
	for _, tc := range []struct {
		name    string
		fetched bool
		hash    bool
		want    *plan.Input
		read    func() error
		files   bool   // lt.files set
		changed string // in lt.changed; "" none
		err     error
	}{
		{name: "fetched copy", fetched: true, hash: true, read: func() error { return nil }, files: true},
		{name: "not hashed", read: func() error { return nil }},
		{name: "hashed", hash: true, read: func() error { return nil }, files: true},
		{name: "as planned", hash: true, want: &plan.Input{Files: planned}, read: func() error { return nil }, files: true},
		{name: "written during the read", hash: true, read: func() error {
			writeFiles(t, dir, map[string]string{"Z.txt": "z 2, longer\n"})
			return nil
		}, files: true, changed: "Z.txt was written while it was read"},
		{name: "other bytes than planned", hash: true, want: &plan.Input{Files: planned}, read: func() error { return nil },
			files: true, changed: "the table changed since the job was planned: Z.txt has sha256"},
		{name: "read fails", hash: true, read: func() error { return readErr }, files: true, err: readErr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lt := &localTable{path: dir}
			if tc.fetched {
				lt.files = planned
			}
			err := lt.readLocal(tc.read, tc.hash, tc.want)
			if !errors.Is(err, tc.err) {
				t.Errorf("error %v, want %v", err, tc.err)
			}
			if (lt.files != nil) != tc.files {
				t.Errorf("files %v, want set %v", lt.files, tc.files)
			}
			switch {
			case tc.changed == "" && lt.changed != nil:
				t.Errorf("changed %v, want none", lt.changed)
			case tc.changed != "" && (lt.changed == nil || !strings.Contains(lt.changed.Error(), tc.changed)):
				t.Errorf("changed %v, want one saying %q", lt.changed, tc.changed)
			}
		})
	}
}
