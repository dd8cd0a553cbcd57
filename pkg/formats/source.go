package formats

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// source is where a reader finds its files: a folder, or a zip archive
// read in place. Names within it are slash-separated, relative to its
// root; errors name a file as the source's path joined with that name
// ("data/IOT_2011_pxp.zip/IOT_2011_pxp/A.txt").
type source struct {
	fsys  fs.FS
	path  string // the folder or archive, as given
	zip   *zip.ReadCloser
	isZip bool
}

// openSource opens path as a folder, or as a zip archive when it is a
// file. The caller closes it.
func openSource(p string) (*source, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, openError(p, err)
	}
	if info.IsDir() {
		return &source{fsys: os.DirFS(p), path: p}, nil
	}
	z, err := zip.OpenReader(p)
	if err != nil {
		return nil, fileError(p, ErrLayout, "not a folder, nor a zip archive that can be read: %v", err)
	}
	return &source{fsys: z, path: p, zip: z, isZip: true}, nil
}

// Close closes the archive, if any.
func (s *source) Close() error {
	if s.zip != nil {
		return s.zip.Close()
	}
	return nil
}

// name returns how errors name the file at rel.
func (s *source) name(rel string) string {
	if rel == "." || rel == "" {
		return s.path
	}
	return filepath.Join(s.path, filepath.FromSlash(rel))
}

// rel returns the name of a file within the source, given as name gives
// it: the inverse of name.
func (s *source) rel(name string) string {
	r, err := filepath.Rel(s.path, name)
	if err != nil {
		return name
	}
	return filepath.ToSlash(r)
}

// open opens the file at rel; a missing file is a *ParseError wrapping
// fs.ErrNotExist.
func (s *source) open(rel string) (io.ReadCloser, error) {
	f, err := s.fsys.Open(rel)
	if err != nil {
		return nil, openError(s.name(rel), err)
	}
	return f, nil
}

// exists reports whether rel names a file or folder of the source.
func (s *source) exists(rel string) bool {
	_, err := fs.Stat(s.fsys, rel)
	return err == nil
}

// readAll returns the bytes of the file at rel.
func (s *source) readAll(rel string) ([]byte, error) {
	f, err := s.open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, &ParseError{File: s.name(rel), Err: fmt.Errorf("reading: %w", err)}
	}
	return data, nil
}

// frame reads the labelled matrix in the file at rel (see readFrame).
func (s *source) frame(rel string, l layout, rowsHint int) (*frame, error) {
	f, err := s.open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fr, err := readFrame(f, s.name(rel), l, rowsHint)
	if err != nil {
		return nil, err
	}
	// A zip member's checksum is checked at its end, which readFrame has
	// reached; a damaged member fails there.
	return fr, nil
}

// dirs returns the folders directly in the folder rel, sorted.
func (s *source) dirs(rel string) ([]string, error) {
	entries, err := fs.ReadDir(s.fsys, rel)
	if err != nil {
		return nil, openError(s.name(rel), err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, path.Join(rel, e.Name()))
		}
	}
	return out, nil
}

// files returns the files directly in the folder rel, sorted.
func (s *source) files(rel string) ([]string, error) {
	entries, err := fs.ReadDir(s.fsys, rel)
	if err != nil {
		return nil, openError(s.name(rel), err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, path.Join(rel, e.Name()))
		}
	}
	return out, nil
}

// find returns the folders, from the root down to depth levels below it,
// that hold a file named name; the shallowest first, then by name.
func (s *source) find(name string, depth int) ([]string, error) {
	var out []string
	err := fs.WalkDir(s.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != "." && strings.Count(p, "/") >= depth {
			return fs.SkipDir
		}
		if !d.IsDir() && path.Base(p) == name {
			out = append(out, path.Dir(p))
		}
		return nil
	})
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, openError(s.name(pe.Path), pe.Err)
		}
		return nil, fmt.Errorf("formats: %s: %w", s.path, err)
	}
	slices.SortStableFunc(out, func(a, b string) int {
		return strings.Count(a, "/") - strings.Count(b, "/")
	})
	return out, nil
}
