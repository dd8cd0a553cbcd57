//go:build !linux

package testenv

import "os/exec"

// setDeathSignal does nothing here: only Linux can tie a child's life to
// its parent's. A test process that dies may leave a server behind.
func setDeathSignal(*exec.Cmd) {}
