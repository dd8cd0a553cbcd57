package spec

// Job is a parsed, defaulted job spec. See schemas/job.schema.json.
type Job struct {
	Job          string     `yaml:"job" json:"job"`
	Output       string     `yaml:"output" json:"output"`
	OutputFormat string     `yaml:"output_format,omitempty" json:"output_format,omitempty"` // arrow (default) | parquet
	Tables       []Table    `yaml:"tables" json:"tables"`
	Stressors    []string   `yaml:"stressors,omitempty" json:"stressors,omitempty"` // empty: all
	Accounts     []string   `yaml:"accounts,omitempty" json:"accounts,omitempty"`   // regions, flows, footprints, multipliers, flows_by_sector, groups, leontief
	Groups       Groups     `yaml:"groups,omitempty" json:"groups,omitempty"`
	Scenarios    []Scenario `yaml:"scenarios,omitempty" json:"scenarios,omitempty"`

	// Dir is the folder of the job file; relative table paths resolve
	// against it. Not part of the YAML.
	Dir string `yaml:"-" json:"-"`
}

// Table is one year's input table.
type Table struct {
	Year    string            `yaml:"year" json:"year"`
	Format  string            `yaml:"format" json:"format"`
	Path    string            `yaml:"path" json:"path"`
	Options map[string]string `yaml:"options,omitempty" json:"options,omitempty"`
}

// Groups maps a group name to its member regions, in the order written.
type Groups []Group

// Group is one named set of regions.
type Group struct {
	Name    string   `json:"name"`
	Regions []string `json:"regions"`
}

// Scenario is a named list of shocks applied in order to a copy of a
// table, and optionally Monte Carlo draws around the shocked table.
type Scenario struct {
	Name   string  `yaml:"name" json:"name"`
	Shocks []Shock `yaml:"shocks,omitempty" json:"shocks,omitempty"`
	// MonteCarlo, when set, makes the scenario a run of random draws
	// around the table after its shocks; nil runs the table once.
	MonteCarlo *MonteCarlo `yaml:"montecarlo,omitempty" json:"montecarlo,omitempty"`
}

// Shock scales part of S, A or Y (see the README's job-spec section).
type Shock struct {
	Target     string  `yaml:"target" json:"target"` // S | A | Y
	Region     string  `yaml:"region,omitempty" json:"region,omitempty"`
	Sector     string  `yaml:"sector,omitempty" json:"sector,omitempty"` // shell glob on sector code
	FromRegion string  `yaml:"from_region,omitempty" json:"from_region,omitempty"`
	FromSector string  `yaml:"from_sector,omitempty" json:"from_sector,omitempty"`
	Scale      float64 `yaml:"scale" json:"scale"`
}

// MonteCarlo asks for random draws around a scenario's table: each draw
// multiplies every selected non-zero entry of S, Y and A by its own
// lognormal factor of mean one, exp(σ z - σ²/2) with z standard normal
// and σ per target from Sigma. The shocks of the scenario apply first.
type MonteCarlo struct {
	Draws int    `yaml:"draws" json:"draws"`                   // 1 to MaxDraws
	Seed  uint64 `yaml:"seed,omitempty" json:"seed,omitempty"` // with year, scenario and draw, fixes a draw's numbers; default 0
	Sigma Sigma  `yaml:"sigma" json:"sigma"`
	// Region and Sector (a shell glob on the sector code) select the
	// producing sectors that vary, as for a Shock; empty selects all.
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	Sector string `yaml:"sector,omitempty" json:"sector,omitempty"`
	// PerDraw asks for the regions and flows files of every draw
	// (year=Y/scenario=S/draw=K/) besides the summary; the default writes
	// the summary alone.
	PerDraw bool `yaml:"per_draw,omitempty" json:"per_draw,omitempty"`
}

// Sigma is the standard deviation of the log of the factors of each
// target, each from 0 to MaxSigma, at least one above 0. Zero, or left
// out, keeps a target fixed.
//
// A target may instead take a sigma per entry from a file (Table): in
// YAML and JSON the target's value is then {table: PATH} in place of the
// number, such as {S: {table: uncertainty/S.txt}, Y: 0.05}. PATH is
// relative to the job file's folder, as a table's path (Job.SigmaPath),
// or an absolute path or a URL such as s3://bucket/key. The file is in
// pymrio's txt layout of the target's matrix; package formats reads it
// (formats.ReadSigma) against each year's table. A target with a table
// has its number at 0.
type Sigma struct {
	S float64 `yaml:"S,omitempty" json:"S,omitempty"`
	Y float64 `yaml:"Y,omitempty" json:"Y,omitempty"`
	A float64 `yaml:"A,omitempty" json:"A,omitempty"`

	Table SigmaTables `yaml:"-" json:"-"`
}

// SigmaTables holds, per target, the path of a file of per-entry sigmas;
// empty where the target's sigma is a number.
type SigmaTables struct {
	S, Y, A string
}

// SigmaFile is the file of per-entry sigmas of one target.
type SigmaFile struct {
	Target string // S, Y or A
	Path   string
}

// Files returns the targets that take their sigmas from a file, in the
// order S, Y, A.
func (t SigmaTables) Files() []SigmaFile {
	var out []SigmaFile
	for _, f := range []SigmaFile{{TargetS, t.S}, {TargetY, t.Y}, {TargetA, t.A}} {
		if f.Path != "" {
			out = append(out, f)
		}
	}
	return out
}
