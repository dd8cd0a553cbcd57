package runner

import (
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/mrioflow/mrioflow/pkg/plan"
)

// readLocal calls read, which reads lt, and returns read's error. When lt
// is on local disk as the user gave it (no checksums of its own: not a
// fetched copy) and hash is set, its files are hashed as read runs
// (readHashed): lt.files gets their checksums, and lt.changed a
// difference from want when want lists files, or the files written while
// read ran. A hashing that fails sets lt.changed when read did not fail
// (the readers' error then says it better).
func (lt *localTable) readLocal(read func() error, hash bool, want *plan.Input) error {
	if lt.files != nil || !hash {
		return read()
	}
	var err error
	files, moved, herr := readHashed(lt.path, func() { err = read() })
	switch {
	case herr != nil && err == nil:
		lt.changed = fmt.Errorf("hash the files: %w", herr)
	case herr != nil:
	case checked(want):
		lt.files, lt.changed = files, localChange(want.Files, files, moved)
	case len(moved) > 0:
		lt.files, lt.changed = files, fmt.Errorf("%s written while it was read", nameFiles(moved))
	default:
		lt.files = files
	}
	return err
}

// readHashed calls read, which reads the local table at p, while another
// goroutine hashes every file at p (hashFiles), and returns the files
// with their checksums. The readers open their files themselves, so the
// bytes cannot be hashed as they pass; instead the files are looked at
// (size, modification time, identity) before read begins and after it
// and the hashing end. moved lists the files written, replaced, added or
// removed in between: the bytes read may then not be those hashed, and
// files are hashed again after the read, so that they say what the
// table holds now.
//
// An error of the hashing (a file that went away as it was hashed) is
// returned when no file moved; read's own result is the caller's.
func readHashed(p string, read func()) (files []plan.File, moved []string, err error) {
	before, err := lookAt(p)
	if err != nil {
		read()
		return nil, nil, err
	}
	var hashErr error
	var wg sync.WaitGroup
	wg.Go(func() { files, hashErr = hashFiles(p) })
	read()
	wg.Wait()
	after, err := lookAt(p)
	if err != nil {
		return nil, nil, err
	}
	if moved = movedFiles(before, after); len(moved) == 0 {
		return files, nil, hashErr
	}
	files, err = hashFiles(p)
	return files, moved, err
}

// lookAt returns what the file system says of each regular file at p,
// named as hashFiles names them.
func lookAt(p string) (map[string]fs.FileInfo, error) {
	out := map[string]fs.FileInfo{}
	err := eachFile(p, func(name, rel string, d fs.DirEntry) error {
		var info fs.FileInfo
		var err error
		if d == nil {
			info, err = os.Stat(name)
		} else {
			info, err = d.Info()
		}
		out[rel] = info
		return err
	})
	return out, err
}

// movedFiles returns, sorted, the files whose size, modification time or
// identity (a file replaced by a rename) differ between before and
// after, or that are in one of them only.
func movedFiles(before, after map[string]fs.FileInfo) []string {
	var out []string
	for name, b := range before {
		a, ok := after[name]
		if !ok || !os.SameFile(a, b) || a.Size() != b.Size() || !a.ModTime().Equal(b.ModTime()) {
			out = append(out, name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// checked reports whether want lists the files a table must hold.
func checked(want *plan.Input) bool { return want != nil && len(want.Files) > 0 }

// localChange compares the files of a local table, hashed as it was
// read (readHashed), with those the coordinator recorded: the error,
// wrapping ErrChanged, names each file that differs with both checksums,
// or the files written while the task read them when their bytes are
// now as planned; nil when the table read is the table planned.
func localChange(want, got []plan.File, moved []string) error {
	diff := differ(want, got)
	if diff == "" && len(moved) > 0 {
		diff = fmt.Sprintf("%s written while the task read the table", nameFiles(moved))
	}
	if diff == "" {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrChanged, diff)
}

// nameFiles lists files as differ names them.
func nameFiles(files []string) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = fileName(f)
	}
	if len(names) == 1 {
		return names[0] + " was"
	}
	return strings.Join(names, ", ") + " were"
}
