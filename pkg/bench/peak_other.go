//go:build !unix

package bench

import "os"

// childPeak is 0 where the resource usage of a child gives no peak.
func childPeak(ps *os.ProcessState) int64 { return 0 }
