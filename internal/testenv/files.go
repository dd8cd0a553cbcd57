package testenv

import (
	"io/fs"
	"path/filepath"
	"testing"
)

// FilesBelow lists the files below root, with slash-separated names
// relative to it, in lexical order; none when root does not exist. Hidden
// files count: a test uses it to find the temporary files a store left.
func FilesBelow(t testing.TB, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return fs.SkipAll
			}
			return err
		}
		if !d.IsDir() {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("testenv: files below %s: %v", root, err)
	}
	return out
}
