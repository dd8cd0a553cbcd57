//go:build unix

package runner

import (
	"errors"
	"os"
	"syscall"
)

// crossProcessLocks tells whether flock keeps other processes off a
// table cache's entries.
const crossProcessLocks = true

// flock locks the open file or folder fh, a lock that lasts until fh is
// closed, advisory (flock(2)), between processes and between open files
// of one process alike: shared, waiting while an exclusive holder has it;
// exclusive, waiting for every holder to let go; or exclusive now,
// failing at once with errBusy when anyone holds it.
func flock(fh *os.File, mode lockMode) error {
	how := syscall.LOCK_SH
	switch mode {
	case lockExclusive:
		how = syscall.LOCK_EX
	case lockExclusiveNow:
		how = syscall.LOCK_EX | syscall.LOCK_NB
	}
	for {
		err := syscall.Flock(int(fh.Fd()), how)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return errBusy
		}
		return err
	}
}
