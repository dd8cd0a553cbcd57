package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mrioflow/mrioflow/pkg/plan"
)

// ErrChanged is wrapped by the error of a task whose table in a store no
// longer holds the bytes the coordinator checked.
var ErrChanged = errors.New("the table changed since the job was planned")

// fetcher brings tables that live in a store to local disk, where the
// readers need them, and keeps them in a cache folder named by content:
// <dir>/<sha256 of the file list>. A table read once is found there by
// every later task that expects the same bytes. A fetcher is safe for
// concurrent use, and several processes may share its folder: a copy
// appears there whole, by a rename, or not at all, and leaves it the same
// way when the cache grows beyond max (see prune).
type fetcher struct {
	dir    string
	open   StoreOpener
	count  *Metrics
	max    int64         // bytes the cache may hold after a download; 0: no limit
	recent time.Duration // entries used more recently stay
	warn   func(error)   // hears of a cache over its limit; nil: nobody

	mu      sync.Mutex
	locks   map[string]*sync.Mutex // one download per table at a time
	inUse   map[string]int         // entries held, by key (see hold)
	pruning sync.Mutex             // one prune at a time
}

// localTable is a table on local disk.
type localTable struct {
	path  string      // for the readers: a folder, or a file
	files []plan.File // what was fetched, checksummed; nil for a local table
	// changed is the difference from the files expected, when there is
	// one; the copy then lives outside the cache and remove deletes it.
	changed error
	remove  func()
}

// isURL tells a store location from a local path.
func isURL(p string) bool { return strings.Contains(p, "://") }

// local returns the table at location on local disk. A local path is
// returned as it is. A URL is fetched, unless the cache holds a copy of
// the files want lists (nil: no expectation, always fetch). A copy whose
// files differ from want is returned with changed set, for the caller to
// report once it has seen what the readers make of it.
//
// Errors of the store are marked transient (see TaskError.Temporary),
// except a location with no object at all.
func (f *fetcher) local(ctx context.Context, location string, want *plan.Input) (*localTable, error) {
	if !isURL(location) {
		return &localTable{path: location, remove: func() {}}, nil
	}
	if want != nil && len(want.Files) > 0 {
		key := contentKey(want.Files)
		unlock := f.lock(key)
		defer unlock()
		if p, release, ok := f.cached(key, location, want.Files); ok {
			f.count.add(cacheHits, 1)
			return &localTable{path: p, files: want.Files, remove: release}, nil
		}
	}
	f.count.add(cacheMisses, 1)
	return f.fetch(ctx, location, want)
}

// lock serializes the fetches of one table in this process.
func (f *fetcher) lock(key string) func() {
	f.mu.Lock()
	if f.locks == nil {
		f.locks = map[string]*sync.Mutex{}
	}
	l, ok := f.locks[key]
	if !ok {
		l = &sync.Mutex{}
		f.locks[key] = l
	}
	f.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// cached returns the path of the cached copy under key, if there is one,
// held until release (see hold).
func (f *fetcher) cached(key, location string, files []plan.File) (p string, release func(), ok bool) {
	if release, ok = f.hold(key); !ok {
		return "", nil, false
	}
	return tablePath(filepath.Join(f.dir, key), location, files), release, true
}

// tablePath is the path the readers get for a copy in dir: the file,
// under its own name, for a table that is one object; dir for a folder.
func tablePath(dir, location string, files []plan.File) string {
	if len(files) == 1 && files[0].Path == "." {
		return filepath.Join(dir, path.Base(strings.TrimSuffix(location, "/")))
	}
	return dir
}

// fetch downloads the table at location into a new folder beside the
// cache, checksums it, and moves it into the cache unless its files
// differ from want; the cache is then pruned.
func (f *fetcher) fetch(ctx context.Context, location string, want *plan.Input) (*localTable, error) {
	parent, base := splitLocation(location)
	st, err := f.open(ctx, parent)
	if err != nil {
		return nil, err
	}
	keys, err := st.List(ctx, base)
	if err != nil {
		return nil, storeError(err)
	}
	// The table is the object at the key, or every object below it.
	var names []string
	switch {
	case slices.Contains(keys, base) && base != "":
		names = []string{base}
	default:
		prefix := ""
		if base != "" {
			prefix = base + "/"
		}
		for _, k := range keys {
			if strings.HasPrefix(k, prefix) {
				names = append(names, k)
			}
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no object at that key nor below it", location)
	}

	if err := os.MkdirAll(f.dir, 0o755); err != nil {
		return nil, transientError{fmt.Errorf("table cache: %w", err)}
	}
	tmp, err := os.MkdirTemp(f.dir, ".fetch-")
	if err != nil {
		return nil, transientError{fmt.Errorf("table cache: %w", err)}
	}
	// Held while the download runs: a folder of a download nobody holds
	// is a dead process's leftover (abandoned).
	if fh, err := os.Open(tmp); err == nil {
		if flock(fh, lockShared) == nil {
			defer fh.Close()
		} else {
			fh.Close()
		}
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(tmp)
		}
	}()
	files := make([]plan.File, 0, len(names))
	for _, name := range names {
		data, err := st.Get(ctx, name)
		if err != nil {
			return nil, storeError(err)
		}
		f.count.add(bytesFetched, int64(len(data)))
		rel := "."
		if name != base {
			rel = strings.TrimPrefix(name, base+"/")
			if base == "" {
				rel = name
			}
		}
		dst := filepath.Join(tmp, path.Base(name))
		if rel != "." {
			dst = filepath.Join(tmp, filepath.FromSlash(rel))
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, transientError{fmt.Errorf("table cache: %w", err)}
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return nil, transientError{fmt.Errorf("table cache: %w", err)}
		}
		sum := sha256.Sum256(data)
		files = append(files, plan.File{Path: rel, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])})
	}
	slices.SortFunc(files, func(a, b plan.File) int { return strings.Compare(a.Path, b.Path) })

	if want != nil && len(want.Files) > 0 {
		if diff := differ(want.Files, files); diff != "" {
			keep = true
			return &localTable{
				path: tablePath(tmp, location, files), files: files,
				changed: fmt.Errorf("%w: %s", ErrChanged, diff),
				remove:  func() { os.RemoveAll(tmp) },
			}, nil
		}
	}
	key := contentKey(files)
	dir := filepath.Join(f.dir, key)
	touch(tmp) // its last use, which spares it from evictions until held
	// A rename fails when another process put the same bytes there first.
	moved := os.Rename(tmp, dir)
	keep = moved == nil
	release, ok := f.hold(key)
	switch {
	case !ok && moved != nil:
		return nil, transientError{fmt.Errorf("table cache: %w", moved)}
	case !ok:
		return nil, transientError{fmt.Errorf("table cache: %s: the copy of %s is gone", dir, location)}
	}
	f.prune(key, location)
	return &localTable{path: tablePath(dir, location, files), files: files, remove: release}, nil
}

// splitLocation splits s3://bucket/a/b/c into the store location of its
// folder, s3://bucket/a/b, and the key c in it; s3://bucket gives the
// bucket and "".
func splitLocation(location string) (parent, base string) {
	scheme, rest, _ := strings.Cut(location, "://")
	rest = strings.TrimSuffix(rest, "/")
	bucket, key, _ := strings.Cut(rest, "/")
	if key == "" {
		return scheme + "://" + bucket, ""
	}
	dir, file := path.Split(key)
	return strings.TrimSuffix(scheme+"://"+bucket+"/"+dir, "/"), file
}

// contentKey names a set of files by their content: the SHA-256 of their
// paths, sizes and checksums.
func contentKey(files []plan.File) string {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%d\x00%s\n", f.Path, f.Bytes, f.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// differ describes how got differs from want, "" when it does not,
// naming each file as fileName does.
func differ(want, got []plan.File) string {
	byPath := map[string]plan.File{}
	for _, f := range got {
		byPath[f.Path] = f
	}
	var diffs []string
	for _, w := range want {
		g, ok := byPath[w.Path]
		switch {
		case !ok:
			diffs = append(diffs, fileName(w.Path)+" is gone")
		case g.SHA256 != w.SHA256:
			diffs = append(diffs, fmt.Sprintf("%s has sha256 %.12s…, %d bytes; the job was planned with %.12s…, %d bytes", fileName(w.Path), g.SHA256, g.Bytes, w.SHA256, w.Bytes))
		}
		delete(byPath, w.Path)
	}
	for p := range byPath {
		diffs = append(diffs, fileName(p)+" is new")
	}
	slices.Sort(diffs)
	return strings.Join(diffs, "; ")
}

// fileName is how errors name the file at p of a table or sigma file:
// "the file" for one that is one object ("."), whose caller names it.
func fileName(p string) string {
	if p == "." {
		return "the file"
	}
	return p
}

// dirSize is the number of bytes of the files at p, a file or a folder.
func dirSize(p string) int64 {
	var n int64
	filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// renamed is an error whose message names a place by another name: the
// URL of a table for the folder of its local copy.
type renamed struct {
	err      error
	from, to string
}

func (e renamed) Error() string { return strings.ReplaceAll(e.err.Error(), e.from, e.to) }
func (e renamed) Unwrap() error { return e.err }
