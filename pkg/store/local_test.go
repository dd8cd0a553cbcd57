package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/pkg/store"
)

func openLocal(t *testing.T, path string) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLocalFileInTheWay(t *testing.T) {
	root := t.TempDir()
	blocker := filepath.Join(root, "year=2019")
	if err := os.WriteFile(blocker, []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	s := openLocal(t, root)
	err := s.Put(ctx, "year=2019/scenario=base/regions.arrow", []byte("x"))
	if err == nil || !strings.Contains(err.Error(), blocker+" is a file, not a folder") {
		t.Errorf("Put under a file: %v, want an error naming %s", err, blocker)
	}

	beneath := openLocal(t, filepath.Join(blocker, "out"))
	err = beneath.Check(ctx)
	if err == nil || !strings.Contains(err.Error(), blocker+" is a file") {
		t.Errorf("Check beneath a file: %v, want an error naming %s", err, blocker)
	}
}

func TestLocalPutLeavesNoTemporaryFiles(t *testing.T) {
	root := t.TempDir()
	s := openLocal(t, root)
	ctx := context.Background()
	if err := s.Put(ctx, "a/b", []byte("ok")); err != nil {
		t.Fatal(err)
	}
	// A folder where the object should go makes the rename fail.
	if err := os.MkdirAll(filepath.Join(root, "a", "dir", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "a/dir", []byte("no")); err == nil {
		t.Error("Put over a folder succeeded")
	}
	if _, err := s.Get(ctx, "a/dir"); err == nil || !strings.Contains(err.Error(), "a folder") {
		t.Errorf("Get of a folder: %v", err)
	}
	if err := s.Delete(ctx, "a/dir"); err == nil {
		t.Error("Delete of a folder succeeded")
	}
	entries, err := os.ReadDir(filepath.Join(root, "a"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "b,dir" {
		t.Errorf("folder holds %v, want [b dir]", names)
	}
	fi, err := os.Stat(filepath.Join(root, "a", "b"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("object mode %v, %v; want 0644", fi.Mode(), err)
	}
}

func TestLocalListSkipsTemporaryFiles(t *testing.T) {
	root := t.TempDir()
	s := openLocal(t, root)
	if err := s.Put(context.Background(), "x/done", []byte("1")); err != nil {
		t.Fatal(err)
	}
	// What a crashed Put leaves behind.
	if err := os.WriteFile(filepath.Join(root, "x", ".mrioflow-tmp-123"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := s.List(context.Background(), "")
	if err != nil || strings.Join(keys, ",") != "x/done" {
		t.Errorf("List = %q, %v; want [x/done]", keys, err)
	}
}

// TestLocalReadersSeeWholeObjects overwrites one object again and again
// with two contents of different sizes while readers read it: every read
// must return one of them whole.
func TestLocalReadersSeeWholeObjects(t *testing.T) {
	s := openLocal(t, t.TempDir())
	ctx := context.Background()
	versions := [][]byte{bytes.Repeat([]byte("a"), 1<<20), bytes.Repeat([]byte("b"), 3<<19)}
	if err := s.Put(ctx, "obj", versions[0]); err != nil {
		t.Fatal(err)
	}
	var (
		stop  atomic.Bool
		torn  atomic.Int64
		reads atomic.Int64
		wg    sync.WaitGroup
	)
	for range 2 {
		wg.Go(func() {
			for !stop.Load() {
				got, err := s.Get(ctx, "obj")
				if err != nil || !(bytes.Equal(got, versions[0]) || bytes.Equal(got, versions[1])) {
					torn.Add(1)
				}
				reads.Add(1)
			}
		})
	}
	for i := range 40 {
		if err := s.Put(ctx, "obj", versions[i%2]); err != nil {
			t.Error(err)
			break
		}
	}
	stop.Store(true)
	wg.Wait()
	if torn.Load() > 0 {
		t.Errorf("%d of %d reads saw a partial or missing object", torn.Load(), reads.Load())
	}
}

func TestLocalURL(t *testing.T) {
	root := t.TempDir()
	tests := []struct{ location, key, want string }{
		{root, "a/b.arrow", filepath.Join(root, "a", "b.arrow")},
		{"file://" + root, "x", filepath.Join(root, "x")},
	}
	for _, tc := range tests {
		s := openLocal(t, tc.location)
		if got := s.URL(tc.key); got != tc.want {
			t.Errorf("Open(%q).URL(%q) = %q, want %q", tc.location, tc.key, got, tc.want)
		}
		if s.String() != root {
			t.Errorf("String() = %q, want %q", s.String(), root)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("URL of an invalid key did not panic")
		}
	}()
	openLocal(t, root).URL("../etc")
}

func TestLocalRelativeRoot(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	s := openLocal(t, "out")
	if err := s.Put(context.Background(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "out", "k")); err != nil || string(got) != "v" {
		t.Errorf("file = %q, %v", got, err)
	}
}

// TestLocalSweep removes the temporary files that killed writers left
// below the prefix once they are old enough, and nothing else.
func TestLocalSweep(t *testing.T) {
	root := t.TempDir()
	s := openLocal(t, root)
	ctx := context.Background()
	for _, key := range []string{"job/a/done", "other/b"} {
		if err := s.Put(ctx, key, []byte("1")); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	write := func(rel string, mtime time.Time) string {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.WriteFile(p, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := write("job/a/.mrioflow-tmp-1", old)
	fresh := write("job/a/.mrioflow-tmp-2", time.Now())
	elsewhere := write("other/.mrioflow-tmp-3", old)
	notOurs := write("job/a/.hidden", old)

	sw, ok := s.(store.Sweeper)
	if !ok {
		t.Fatal("a folder is not a Sweeper")
	}
	n, err := sw.Sweep(ctx, "job/", 10*time.Minute)
	if err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1 removed", n, err)
	}
	for p, want := range map[string]bool{stale: false, fresh: true, elsewhere: true, notOurs: true,
		filepath.Join(root, "job", "a", "done"): true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", p, err == nil, want)
		}
	}
	if n, err := sw.Sweep(ctx, "missing/", time.Minute); err != nil || n != 0 {
		t.Errorf("Sweep of a missing folder = %d, %v", n, err)
	}
}
