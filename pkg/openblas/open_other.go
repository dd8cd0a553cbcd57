//go:build !unix

package openblas

import (
	"fmt"
	"runtime"
)

// Open reports that no library can be opened: dlopen is only reached on
// Unix systems, and the callers fall back to pure Go.
func Open(name string) (*Lib, error) {
	return nil, fmt.Errorf("openblas: %s: dlopen is not available on %s", name, runtime.GOOS)
}
