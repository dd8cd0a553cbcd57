//go:build unix

package clustertest

import (
	"os/exec"
	"syscall"
)

// setDeathSignal makes the kernel kill a child if the test process dies
// without cleaning up.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
