//go:build unix && !nolapack

package openblas

import (
	"fmt"

	"github.com/ebitengine/purego"
)

// Open opens the named library and binds its routines. It returns an error
// when the library cannot be opened or lacks one of them.
func Open(name string) (lib *Lib, err error) {
	h, err := purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, fmt.Errorf("openblas: %s: %v", name, err)
	}
	// RegisterLibFunc panics when a symbol is missing.
	defer func() {
		if r := recover(); r != nil {
			lib, err = nil, fmt.Errorf("openblas: %s: %v", name, r)
		}
	}()
	lib = &Lib{Path: name}
	for sym, fn := range map[string]any{
		"dgetrf_": &lib.dgetrf,
		"dgetrs_": &lib.dgetrs,
		"dgecon_": &lib.dgecon,
		"dlange_": &lib.dlange,
	} {
		if _, err := purego.Dlsym(h, sym); err != nil {
			return nil, fmt.Errorf("openblas: %s lacks %s", name, sym)
		}
		purego.RegisterLibFunc(fn, h, sym)
	}
	if _, err := purego.Dlsym(h, "dgemm_"); err == nil {
		purego.RegisterLibFunc(&lib.dgemm, h, "dgemm_")
	}
	if _, err := purego.Dlsym(h, "openblas_get_config"); err == nil {
		var cfg func() string
		purego.RegisterLibFunc(&cfg, h, "openblas_get_config")
		lib.config = cfg()
	}
	return lib, nil
}
