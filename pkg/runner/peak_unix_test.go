//go:build unix

package runner_test

import (
	"os"
	"syscall"
)

// childPeak returns the peak resident memory of a finished child, in
// bytes; 0 when the system does not say.
func childPeak(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	return 0
}
