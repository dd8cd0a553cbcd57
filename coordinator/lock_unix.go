//go:build unix

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockJob takes an exclusive lock, for the life of the process, on the
// pair (output folder, job) of a run with the embedded NATS server, so two
// such coordinators on one machine cannot write one job's outputs at once:
// their embedded servers know nothing of each other, unlike coordinators
// sharing a NATS server, which hold the job through its state bucket. The
// lock file lives in the system's temporary folder, never in the output.
// It returns a release function, or an error naming the job and folder
// when another process holds the lock.
func lockJob(output, job string) (release func(), err error) {
	sum := sha256.Sum256([]byte(output + "\x00" + job))
	name := filepath.Join(os.TempDir(), "mrioflow-"+hex.EncodeToString(sum[:8])+".lock")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock for job %s: %w", job, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if err == syscall.EWOULDBLOCK {
			return nil, fmt.Errorf("another coordinator on this machine is running job %s into %s; wait for it to finish", job, output)
		}
		return nil, fmt.Errorf("lock for job %s: %w", job, err)
	}
	return func() { f.Close() }, nil
}
