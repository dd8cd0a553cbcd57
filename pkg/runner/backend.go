package runner

import (
	"fmt"

	"github.com/mrioflow/mrioflow/pkg/leontief"
)

// Backend returns the factorization backend called name, for a command
// line flag: "auto" is the system LAPACK when one loads and pure Go
// otherwise, "gonum" pure Go, "lapack" the system LAPACK or an error.
func Backend(name string) (leontief.Backend, error) {
	switch name {
	case "auto", "":
		b, _ := leontief.Auto() // falls back to Native, which always works
		return b, nil
	case "gonum":
		return leontief.Native{}, nil
	case "lapack":
		b, err := leontief.LoadSystem()
		if err != nil {
			return nil, fmt.Errorf("runner: backend lapack: %w", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("runner: unknown backend %q (want auto, gonum or lapack)", name)
}
