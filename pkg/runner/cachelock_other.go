//go:build !unix

package runner

import "os"

// crossProcessLocks tells whether flock keeps other processes off a
// table cache's entries: not on this system, where only the rule on
// recent use does (see fetcher.prune).
const crossProcessLocks = false

// flock does nothing here: every lock is granted. TODO(cache): lock with
// LockFileEx on Windows, so that another process's eviction cannot take
// an entry being read for longer than cacheRecent.
func flock(fh *os.File, mode lockMode) error { return nil }
