//go:build !unix || nolapack

package openblas

import (
	"fmt"
	"runtime"
)

// Open reports that no library can be opened: dlopen is only reached on
// Unix systems, and a build with the nolapack tag leaves it out (no
// purego, so CGO_ENABLED=0 gives a fully static binary); the callers
// fall back to pure Go.
func Open(name string) (*Lib, error) {
	if nolapack {
		return nil, fmt.Errorf("openblas: %s: this build has no system LAPACK (built with the nolapack tag)", name)
	}
	return nil, fmt.Errorf("openblas: %s: dlopen is not available on %s", name, runtime.GOOS)
}
