package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/formats"
	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/spec"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// Check reads every table of job and checks it before any work starts:
// the table itself (formats.Open validates it), and every stressor, region
// and sector pattern the spec names against it: the job's stressors, the
// regions and sector patterns of each scenario's shocks, and the regions
// of each group. It reads each Monte Carlo scenario's files of per-entry
// sigmas against it too (formats.ReadSigma), and records their checksums
// in the year's input (plan.Input.Sigmas). It also turns each table into coefficients and
// factorizes its I - A, so that a base table that is singular or nearly
// so (reciprocal condition estimate below leontief.MinRCond, MATH.md 3)
// is rejected before anything is written; a scenario whose shocks make
// I - A singular is found later, by its task. It returns the input files
// with their checksums, for the manifest and for the tasks (plan.Pin).
//
// Tables in a store are fetched into the default table cache
// (Options.CacheDir), with the store's settings from the environment.
//
// Check returns the first problem, as an error naming the year, the
// table's path and the scenario, shock or group where one is at fault,
// with the cause's own file, row and column. Tables are read one at a
// time; ctx is checked between them.
func Check(ctx context.Context, job *spec.Job) ([]plan.Input, error) {
	return New(Options{CacheTables: -1}).check(ctx, job, false)
}

// Check is the package's Check with r's store and table cache, that also
// keeps the first year's table, prepared, in r's cache: the first tasks,
// which are that year's, then need not read it again.
func (r *Runner) Check(ctx context.Context, job *spec.Job) ([]plan.Input, error) {
	return r.check(ctx, job, true)
}

// check is Check, keeping the first table, checked, when keep is set.
func (r *Runner) check(ctx context.Context, job *spec.Job, keep bool) ([]plan.Input, error) {
	job = plan.Resolve(job)
	inputs := make([]plan.Input, 0, len(job.Tables))
	for i, tb := range job.Tables {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		where := fmt.Sprintf("year %s (%s)", tb.Year, tb.Path)
		lt, err := r.fetch.local(ctx, tb.Path, nil)
		if err != nil {
			return nil, fmt.Errorf("runner: %s: %w", where, err)
		}
		// Hashed as it is read, so that the checksums are those of the
		// table checked (and kept for the first tasks).
		var t *table.Table
		err = lt.readLocal(func() (err error) {
			t, err = formats.Open(tb.Format, lt.path, tb.Options)
			return err
		}, true, nil)
		lt.remove()
		files := lt.files
		if err != nil && isURL(tb.Path) {
			err = renamed{err, lt.path, tb.Path}
		}
		if err != nil {
			return nil, fmt.Errorf("runner: %s: %w", where, err)
		}
		if lt.changed != nil {
			return nil, fmt.Errorf("runner: %s: %w; check it again once it is complete", where, lt.changed)
		}
		if err := t.SelectStressors(job.Stressors); err != nil {
			return nil, fmt.Errorf("runner: %s: stressors: %w", where, err)
		}
		if err := checkNames(t, job); err != nil {
			return nil, fmt.Errorf("runner: %s: %w", where, err)
		}
		sigmas, err := r.checkSigmas(ctx, job, t)
		if err != nil {
			return nil, fmt.Errorf("runner: %s: %w", where, err)
		}
		cache := i == 0 && keep && r.tables.max > 0
		p, err := coefficients(t)
		if err == nil && p.t.N() <= SolvableCheckMaxN {
			err = solvable(p.t, r.opts.Backend, cache)
		}
		if err != nil {
			return nil, fmt.Errorf("runner: %s: %w", where, err)
		}
		inputs = append(inputs, plan.Input{Year: tb.Year, Format: tb.Format, Path: tb.Path, Files: files, Notes: t.Notes, Sigmas: sigmas})
		if cache {
			p.files = files
			r.tables.put(tableKey(tb, job.Stressors), p)
		}
	}
	return inputs, nil
}

// SolvableCheckMaxN is the largest order n whose I - A Check factorizes
// up front, so that a singular table is rejected before anything is
// written. Above it the check would cost as much as a task's own
// factorization (and, for a table kept in the cache, a second n x n
// matrix), so a singular table of that size is found by its tasks
// instead: they fail with the same message, write none of their
// outputs, and the manifest records the failures.
//
// TODO(check-lu): hand the check's factors to the first task of the year
// instead of dropping them, so that large tables are checked at no cost.
var SolvableCheckMaxN = 4000

// solvable factorizes I - A of t, a table in coefficient form, and
// returns the error, naming the table and the reciprocal condition
// estimate, when it is singular or nearly so (MATH.md 3). It factorizes
// a copy of A when keep is set; otherwise it uses A's own storage and
// leaves t without A: the caller drops t, so at most one n x n matrix is
// held besides a kept table, and only while this runs.
func solvable(t *table.Table, backend leontief.Backend, keep bool) error {
	a := t.A
	if keep {
		a = mat.DenseCopyOf(t.A)
	} else {
		t.A = nil
	}
	_, err := leontief.Factorize(a, leontief.WithBackend(backend))
	var se *leontief.SingularError
	if errors.As(err, &se) && se.Pivot >= 0 {
		return fmt.Errorf("%w (column %d is sector %s)", err, se.Pivot, t.SectorLabel(se.Pivot))
	}
	return err
}

// checkNames checks the regions and sector patterns of every shock and
// group against t.
func checkNames(t *table.Table, job *spec.Job) error {
	for _, sc := range job.Scenarios {
		if err := checkMonteCarlo(t, sc); err != nil {
			return err
		}
		for i, sh := range sc.Shocks {
			at := func(field, value string, err error) error {
				return fmt.Errorf("scenario %s, shock %d, %s %q: %w", sc.Name, i+1, field, value, err)
			}
			region := t.RegionIndex
			if sh.Target == spec.TargetY {
				region = t.ConsumerIndex // Y selects a consuming region
			}
			if sh.Region != "" {
				if _, ok := region(sh.Region); !ok {
					return at("region", sh.Region, errNoRegion)
				}
			}
			if sh.FromRegion != "" {
				if _, ok := t.RegionIndex(sh.FromRegion); !ok {
					return at("from_region", sh.FromRegion, errNoRegion)
				}
			}
			for _, p := range []struct{ field, glob string }{{"sector", sh.Sector}, {"from_sector", sh.FromSector}} {
				if p.glob == "" {
					continue
				}
				if _, err := t.MatchSectors(p.glob); err != nil {
					return at(p.field, p.glob, err)
				}
			}
		}
	}
	for _, g := range job.Groups {
		for _, r := range g.Regions {
			if _, ok := t.ConsumerIndex(r); !ok {
				return fmt.Errorf("group %s, region %q: %w", g.Name, r, errNoRegion)
			}
		}
	}
	return nil
}

var errNoRegion = errors.New("no such region in the table")

// hashFiles returns the checksum of the file at p, or of every file below
// the folder p in path order.
//
// Hidden files and folders and "~" backups are left out (ignored).
// TODO(inputs): every other file below the folder is hashed, also those
// the reader does not use; formats could say which files it read.
func hashFiles(p string) ([]plan.File, error) {
	files := []plan.File{}
	err := eachFile(p, func(name, rel string, _ fs.DirEntry) error {
		f, err := hashFile(name, rel)
		if err == nil {
			files = append(files, f)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}

// eachFile calls fn with each regular file at p, in path order: p itself,
// named ".", when it is a file, else every file below the folder p, named
// relative to it, slash-separated. Symbolic links are followed as the
// readers follow them: p itself, files and folders below it (a folder
// reached twice is walked once; a dangling link is no file). d is nil for p itself and for a file
// reached through a link, whose os.Stat then describes it.
func eachFile(p string, fn func(name, rel string, d fs.DirEntry) error) error {
	info, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fn(p, ".", nil)
	}
	return walkFiles(p, "", map[string]bool{}, fn)
}

// ignored tells the names of files and folders that no reader reads and
// that are not part of a table: hidden ones (an editor's swap file, a
// .git folder) and backups ending in "~".
func ignored(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~")
}

// walkFiles calls fn with each regular file below the folder dir, named
// prefix followed by its path relative to dir; seen holds the folders
// already walked, by their resolved paths, so that a link back up does
// not loop.
func walkFiles(dir, prefix string, seen map[string]bool, fn func(name, rel string, d fs.DirEntry) error) error {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	if seen[root] {
		return nil
	}
	seen[root] = true
	return filepath.WalkDir(root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, name)
		if err != nil {
			return err
		}
		rel = prefix + filepath.ToSlash(rel)
		if name != root && ignored(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case d.Type().IsRegular():
			return fn(name, rel, d)
		case d.Type()&fs.ModeSymlink == 0:
			return nil
		}
		info, err := os.Stat(name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil // a dangling link, such as an editor's lock
		case err != nil:
			return err
		case info.Mode().IsRegular():
			return fn(name, rel, nil)
		case info.IsDir():
			return walkFiles(name, rel+"/", seen, fn)
		}
		return nil
	})
}

func hashFile(name, rel string) (plan.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return plan.File{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return plan.File{}, fmt.Errorf("hash %s: %w", name, err)
	}
	return plan.File{Path: rel, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// CheckOutput checks, without writing anything, that outputs can go to a
// local location: that it is a folder or does not exist yet, and that no
// folder above it is a regular file. A URL passes; its store reports its
// own problems when opened.
func CheckOutput(location string) error {
	p, ok := localPath(location)
	if !ok {
		return nil
	}
	p, err := filepath.Abs(p)
	if err != nil {
		return fmt.Errorf("runner: output %s: %w", location, err)
	}
	for {
		info, err := os.Stat(p)
		switch {
		case err == nil && info.IsDir():
			return nil
		case err == nil:
			return fmt.Errorf("runner: output %s: %s is a file, not a folder", location, p)
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			return fmt.Errorf("runner: output %s: %w", location, err)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return nil
		}
		p = parent
	}
}

// localPath returns the folder of a local output location: a path or a
// file:// URL.
func localPath(location string) (string, bool) {
	if p, ok := strings.CutPrefix(location, "file://"); ok {
		return p, true
	}
	return location, !strings.Contains(location, "://")
}
