package runner

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// The table cache's entries are folders named by 64 hex digits
// (contentKey). Their modification time is their last use: a lookup that
// hits an entry, and the end of that use, set it to the present. A
// fetcher that holds an entry keeps a shared flock on its folder until
// the table is read (localTable.remove).
//
// An eviction, under an exclusive flock of <dir>/.lock, so that one
// process prunes at a time, sorts the entries by last use and takes the
// oldest out until the rest fit in the limit. It spares an entry that
// this process holds, one used within the fetcher's recent (cacheRecent
// in a Runner), and one that another process holds: it takes the
// entry's flock exclusive or leaves it. It then renames the folder to a
// hidden name, .evict-<key>-<random>, and deletes it from there, so that
// a lookup finds the whole entry or nothing; a lookup that opened the
// folder before the rename and locked it after sees that the folder is
// no longer at its name, and misses.

// cacheRecent is how long after its last use an entry of the table cache
// is spared by every eviction, whoever holds it: the rule that protects
// a reader in another process where flock is missing.
const cacheRecent = 5 * time.Minute

// cacheLeftover is the age beyond which a hidden folder of the table
// cache, a download (.fetch-) or an eviction (.evict-), was left by a
// process that died, and is deleted. Where flock works across processes
// a download holds a lock on its folder, so one that nobody holds is a
// leftover once it is a minute old (deadLeftover): a worker that keeps
// dying mid-download does not grow the cache past its limit for a day.
const (
	cacheLeftover = 24 * time.Hour
	deadLeftover  = time.Minute
)

// abandoned tells whether the hidden folder p, of age age, is a leftover
// of a dead process.
func abandoned(p string, age time.Duration) bool {
	if age > cacheLeftover {
		return true
	}
	if !crossProcessLocks || age < deadLeftover {
		return false
	}
	fh, err := os.Open(p)
	if err != nil {
		return false
	}
	defer fh.Close()
	return flock(fh, lockExclusiveNow) == nil
}

// lockMode is how flock locks.
type lockMode int

const (
	lockShared lockMode = iota
	lockExclusive
	lockExclusiveNow
)

// errBusy is flock's answer when another holds the lock.
var errBusy = errors.New("locked by another")

// isEntry tells the name of an entry of the table cache.
func isEntry(name string) bool {
	if len(name) != 64 {
		return false
	}
	for _, c := range name {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// hold marks the entry key of the cache in use, so that no eviction
// takes it, and records its use. It returns release, which records the
// use again and lets go of the entry; ok is false when the entry is not,
// or no longer, in the cache.
func (f *fetcher) hold(key string) (release func(), ok bool) {
	dir := filepath.Join(f.dir, key)
	f.mu.Lock()
	if f.inUse == nil {
		f.inUse = map[string]int{}
	}
	f.inUse[key]++
	f.mu.Unlock()
	unuse := func() {
		f.mu.Lock()
		if f.inUse[key]--; f.inUse[key] == 0 {
			delete(f.inUse, key)
		}
		f.mu.Unlock()
	}

	fh, err := os.Open(dir)
	if err != nil {
		unuse()
		return nil, false
	}
	// An eviction may have moved the folder between the open and the
	// lock: the lock is then on a folder that is no longer the entry.
	err = flock(fh, lockShared)
	if err == nil {
		here, err1 := os.Stat(dir)
		held, err2 := fh.Stat()
		if err1 != nil || err2 != nil || !os.SameFile(here, held) {
			err = os.ErrNotExist
		}
	}
	if err != nil {
		fh.Close()
		unuse()
		return nil, false
	}
	touch(dir)
	var once sync.Once
	return func() {
		once.Do(func() {
			touch(dir)
			fh.Close()
			unuse()
		})
	}, true
}

// touch records a use of the entry at dir. A failure (a cache folder
// that another user owns) leaves the entry's time as it was: it is
// evicted sooner.
func touch(dir string) {
	now := time.Now()
	os.Chtimes(dir, now, now)
}

// cacheEntry is an entry of the table cache, as a prune found it.
type cacheEntry struct {
	key  string
	size int64
	used time.Time
}

// prune evicts the least recently used entries of the cache until the
// rest take at most f.max bytes (no limit when f.max <= 0), deletes the
// leftovers of dead processes, and counts the size of the cache that
// remains. added, fetched from location, is the entry that made the
// cache grow; f.warn hears when the cache stays over its limit, naming
// added when it is larger than the limit alone.
func (f *fetcher) prune(added, location string) {
	f.pruning.Lock()
	defer f.pruning.Unlock()
	lock, err := os.OpenFile(filepath.Join(f.dir, ".lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		f.warnf("table cache: %w", err)
		return
	}
	if err := flock(lock, lockExclusive); err != nil {
		lock.Close()
		f.warnf("table cache: %w", err)
		return
	}
	entries, gone, total := f.scan()
	kept, addedSize := 0, int64(0)
	for _, e := range entries {
		if e.key == added {
			addedSize = e.size
		}
		if f.max <= 0 || total <= f.max {
			continue
		}
		if hidden, ok := f.evict(e); ok {
			gone = append(gone, hidden)
			total -= e.size
			f.count.add(cacheEvictions, 1)
		} else {
			kept++
		}
	}
	f.count.set(cacheBytes, total)
	lock.Close()

	for _, p := range gone {
		if err := os.RemoveAll(p); err != nil {
			f.warnf("table cache: %w", err)
		}
	}
	switch {
	case f.max <= 0 || total <= f.max:
	case addedSize > f.max:
		f.warnf("table cache: %s takes %s, more than the cache's limit of %s by itself; it stays while in use and goes at the next download",
			location, formatSize(addedSize), formatSize(f.max))
	default:
		f.warnf("table cache: %s, over its limit of %s: %d tables are in use or were used in the last %v",
			formatSize(total), formatSize(f.max), kept, f.recent)
	}
}

// scan lists the entries of the cache, least recently used first, with
// their size in all, and the leftovers of dead processes.
func (f *fetcher) scan() (entries []cacheEntry, leftovers []string, total int64) {
	des, _ := os.ReadDir(f.dir)
	for _, de := range des {
		name := de.Name()
		info, err := de.Info()
		if err != nil {
			continue // gone since the listing
		}
		p := filepath.Join(f.dir, name)
		switch {
		case de.IsDir() && isEntry(name):
			e := cacheEntry{key: name, size: dirSize(p), used: info.ModTime()}
			entries = append(entries, e)
			total += e.size
		case de.IsDir() && (strings.HasPrefix(name, ".fetch-") || strings.HasPrefix(name, ".evict-")) &&
			abandoned(p, time.Since(info.ModTime())):
			leftovers = append(leftovers, p)
		}
	}
	slices.SortFunc(entries, func(a, b cacheEntry) int {
		if c := a.used.Compare(b.used); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	return entries, leftovers, total
}

// evict moves the entry e out of the cache, to a hidden name for
// deletion, unless it is held or was used since the scan or within
// f.recent. It returns the hidden name.
func (f *fetcher) evict(e cacheEntry) (string, bool) {
	dir := filepath.Join(f.dir, e.key)
	// f.mu keeps this process's lookups of the entry out until the rename
	// (see hold).
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inUse[e.key] > 0 || time.Since(e.used) < f.recent {
		return "", false
	}
	fh, err := os.Open(dir)
	if err != nil {
		return "", false
	}
	defer fh.Close()
	if err := flock(fh, lockExclusiveNow); err != nil {
		return "", false // another process holds it
	}
	if info, err := fh.Stat(); err != nil || info.ModTime().After(e.used) {
		return "", false // used since the scan, or another entry of that name
	}
	hidden := filepath.Join(f.dir, ".evict-"+e.key+"-"+rand.Text())
	if err := os.Rename(dir, hidden); err != nil {
		return "", false
	}
	return hidden, true
}

// warnf tells f.warn, when there is one, of a problem with the cache.
func (f *fetcher) warnf(format string, args ...any) {
	if f.warn != nil {
		f.warn(fmt.Errorf(format, args...))
	}
}
