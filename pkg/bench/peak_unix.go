//go:build unix

package bench

import (
	"os"
	"syscall"
)

// ChildPeak returns the peak resident memory of a finished child, in
// bytes, from its resource usage; 0 when the system does not say.
func ChildPeak(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	return 0
}
