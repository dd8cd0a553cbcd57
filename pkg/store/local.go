package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// folder is a Store in a local folder: key a/b/c is the file root/a/b/c.
type folder struct {
	root string // absolute
}

func openLocal(path string) (Store, error) {
	if path == "" {
		return nil, errors.New("store: empty folder path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: folder %q: %w", path, err)
	}
	return &folder{root: abs}, nil
}

func (f *folder) String() string { return f.root }

func (f *folder) URL(key string) string {
	mustKey(key)
	return f.path(key)
}

func (f *folder) path(key string) string {
	return filepath.Join(f.root, filepath.FromSlash(key))
}

// mkdir creates dir and its parents. When a file stands where a folder
// must be, the error names that file.
func mkdir(dir string) error {
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		return nil
	}
	for p := dir; ; p = filepath.Dir(p) {
		if fi, serr := os.Stat(p); serr == nil && !fi.IsDir() {
			return fmt.Errorf("cannot create folder %s: %s is a file, not a folder", dir, p)
		}
		if filepath.Dir(p) == p {
			break
		}
	}
	return fmt.Errorf("cannot create folder %s: %w", dir, err)
}

// Put writes data to a temporary file beside the target, syncs it and
// renames it over the target, so a reader sees the old file or the new one.
func (f *folder) Put(ctx context.Context, key string, data []byte) error {
	return f.PutStream(ctx, key, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// PutStream is Put with the bytes written by write straight into the
// temporary file; the file is removed when write fails or ctx ends
// before the rename. write is called once.
func (f *folder) PutStream(ctx context.Context, key string, write func(io.Writer) error) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	path := f.path(key)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: put %s: %w", path, err)
	}
	err := writeAtomic(ctx, path, write)
	var own *writeError
	switch {
	case errors.As(err, &own):
		return own.err
	case err != nil:
		return fmt.Errorf("store: put %s: %w", path, err)
	}
	return nil
}

// writeAtomic has write fill a temporary file beside path, syncs it and
// renames it to path, unless ctx has ended by then. On any error the
// temporary file is removed; an error of write's own comes back as a
// *writeError.
func writeAtomic(ctx context.Context, path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := mkdir(dir); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, reservedPrefix+"tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	ww := &watchedWriter{w: tmp, ctx: ctx}
	if err := write(ww); err != nil {
		if !ww.failed {
			return &writeError{err}
		}
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable. Some file systems cannot sync a
	// folder; the data is safe regardless, so that error is dropped.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func (f *folder) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	path := f.path(key)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: get %s: %w", path, err)
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return nil, fmt.Errorf("store: get %s: %w", path, ErrNotExist)
	case errors.Is(err, syscall.EISDIR):
		return nil, fmt.Errorf("store: get %s: a folder, not an object", path)
	}
	return nil, fmt.Errorf("store: get %s: %w", path, err)
}

func (f *folder) List(ctx context.Context, prefix string) ([]string, error) {
	if err := validPrefix(prefix); err != nil {
		return nil, err
	}
	// Walk only the deepest folder the prefix names in full.
	start := f.root
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		start = f.path(prefix[:i])
	}
	var keys []string
	err := filepath.WalkDir(start, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == start && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), reservedPrefix) {
			return nil
		}
		rel, err := filepath.Rel(f.root, path)
		if err != nil {
			return err
		}
		if key := filepath.ToSlash(rel); strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: list %s: %w", f.path(prefix), err)
	}
	slices.Sort(keys)
	return keys, nil
}

func (f *folder) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	path := f.path(key)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: delete %s: %w", path, err)
	}
	if fi, err := os.Lstat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("store: delete %s: a folder, not an object", path)
	}
	err := os.Remove(path)
	if err == nil || errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil
	}
	return fmt.Errorf("store: delete %s: %w", path, err)
}

// Check creates the folder, writes a probe file in it and removes it.
func (f *folder) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: check %s: %w", f.root, err)
	}
	if err := mkdir(f.root); err != nil {
		return fmt.Errorf("store: check %s: %w", f.root, err)
	}
	probe, err := os.CreateTemp(f.root, reservedPrefix+"check-*")
	if err != nil {
		return fmt.Errorf("store: check %s: cannot write: %w", f.root, err)
	}
	_, werr := probe.Write([]byte("mrioflow"))
	cerr := probe.Close()
	rerr := os.Remove(probe.Name())
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return fmt.Errorf("store: check %s: cannot write: %w", f.root, err)
	}
	return nil
}

// Sweeper is a store that keeps temporary files a killed writer can leave
// behind, and can remove them.
type Sweeper interface {
	// Sweep removes the store's own temporary files below the folder
	// prefix (a key prefix ending in "/", or "" for all) that nothing has
	// written for olderThan, and returns how many it removed.
	Sweep(ctx context.Context, prefix string, olderThan time.Duration) (int, error)
}

// Sweep implements Sweeper: a process killed while writing leaves its
// hidden .mrioflow-tmp-* file beside the key it was writing.
func (f *folder) Sweep(ctx context.Context, prefix string, olderThan time.Duration) (int, error) {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		panic(fmt.Sprintf("store: sweep of %q, not a folder prefix", prefix))
	}
	start := f.root
	if prefix != "" {
		if err := validPrefix(prefix); err != nil {
			return 0, err
		}
		start = f.path(strings.TrimSuffix(prefix, "/"))
	}
	cutoff := time.Now().Add(-olderThan)
	removed := 0
	err := filepath.WalkDir(start, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == start && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), reservedPrefix+"tmp-") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // its writer renamed or removed it meanwhile
			}
			return err
		}
		if info.ModTime().After(cutoff) {
			return nil
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		removed++
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("store: sweep %s: %w", start, err)
	}
	return removed, nil
}
