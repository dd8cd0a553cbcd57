package runner

import "github.com/mrioflow/mrioflow/pkg/leontief"

// Backend returns the factorization backend called name, for a command
// line flag: see leontief.ByName.
func Backend(name string) (leontief.Backend, error) {
	return leontief.ByName(name)
}
