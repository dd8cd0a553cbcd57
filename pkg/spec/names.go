package spec

import (
	"slices"
	"sync"
)

// The accounts a job may ask for.
const (
	AccountRegions       = "regions"         // regional totals (MATH.md 10, 12)
	AccountFlows         = "flows"           // region-to-region flows E[s; p, r] (MATH.md 8)
	AccountFootprints    = "footprints"      // footprints by product (MATH.md 9)
	AccountMultipliers   = "multipliers"     // S and M = S L (MATH.md 5)
	AccountFlowsBySector = "flows_by_sector" // E[s; (p, i), r], large: n x R' per stressor
	AccountGroups        = "groups"          // group-to-group flows (MATH.md 13); needs groups
	AccountLeontief      = "leontief"        // L = (I - A)^-1 itself (MATH.md 3), large: n² rows
)

// The output formats.
const (
	OutputArrow   = "arrow"   // Arrow IPC files, the default
	OutputParquet = "parquet" // Parquet files
)

// The parts of a table a shock scales.
const (
	TargetS = "S" // stressor intensities of the producing sectors selected
	TargetA = "A" // input columns of the producing sectors selected
	TargetY = "Y" // final demand of the consuming region selected
)

// MaxDraws is the most draws a Monte Carlo scenario may ask for.
const MaxDraws = 1_000_000

// MaxSigma is the largest sigma (standard deviation of the log of the
// factors) a Monte Carlo scenario may give, as a number or in a table.
// Above it the factors exp(σz - σ²/2) keep their mean of one only in
// theory: at σ = 3 half of them are below 0.011 and the mean of a
// thousand draws rests on a handful, at σ = 50 every factor underflows
// to zero.
const MaxSigma = 3.0

// OtherGroup is the group of every region in no named group; no group may
// take this name.
const OtherGroup = "other"

// BaselineScenario is the name of the one scenario a job without scenarios
// runs.
const BaselineScenario = "baseline"

var (
	knownAccounts = []string{
		AccountRegions, AccountFlows, AccountFootprints, AccountMultipliers,
		AccountFlowsBySector, AccountGroups, AccountLeontief,
	}
	defaultAccounts = []string{AccountRegions, AccountFlows, AccountFootprints, AccountMultipliers}
	knownOutputs    = []string{OutputArrow, OutputParquet}
	knownTargets    = []string{TargetS, TargetA, TargetY}
)

// formats holds the input format names a spec may use. The readers live in
// package formats, which this package does not import; the two lists are
// kept equal by a test there.
var formats = struct {
	sync.RWMutex
	names []string
}{names: []string{"pymrio", "useeio", "exiobase3", "eora26", "oecd-icio", "gloria", "sut", "wiod", "exiobase1", "exiobase2"}}

// Formats returns the input format names a job spec may name, sorted.
func Formats() []string {
	formats.RLock()
	defer formats.RUnlock()
	out := slices.Clone(formats.names)
	slices.Sort(out)
	return out
}

// RegisterFormat adds an input format name that specs may use, so that a
// program with an extra reader can accept it. It is safe for concurrent use;
// registering a name twice is harmless.
func RegisterFormat(name string) {
	formats.Lock()
	defer formats.Unlock()
	if !slices.Contains(formats.names, name) {
		formats.names = append(formats.names, name)
	}
}

func knownFormat(name string) bool {
	formats.RLock()
	defer formats.RUnlock()
	return slices.Contains(formats.names, name)
}

// KnownAccounts returns the account names a job may ask for.
func KnownAccounts() []string { return slices.Clone(knownAccounts) }

// DefaultAccounts returns the accounts of a job that names none and has no
// groups; with groups, AccountGroups is added.
func DefaultAccounts() []string { return slices.Clone(defaultAccounts) }
