package spec

import (
	"fmt"
	"math"
	"path"
	"slices"
	"strings"
)

// SetDefaults fills what the spec leaves out: the output format (arrow),
// the accounts (regions, flows, footprints, multipliers, and groups when
// the job has groups) and the scenarios (one, baseline, without shocks).
func (j *Job) SetDefaults() {
	if j.OutputFormat == "" {
		j.OutputFormat = OutputArrow
	}
	if len(j.Accounts) == 0 {
		j.Accounts = DefaultAccounts()
		if len(j.Groups) > 0 {
			j.Accounts = append(j.Accounts, AccountGroups)
		}
	}
	if len(j.Scenarios) == 0 {
		j.Scenarios = []Scenario{{Name: BaselineScenario}}
	}
}

// Validate checks a job with its defaults set, such as one built in code.
// It returns every problem found, each an *Error naming the field; Parse
// adds the file and line. It checks the spec alone: whether the regions,
// sectors and stressors it names exist is for the caller to check against
// each table (see package table's RegionIndex, MatchSectors and
// SelectStressors).
func (j *Job) Validate() error {
	return join(j.problems())
}

// problems lists what is wrong with j, each with its field path.
func (j *Job) problems() []*Error {
	var errs []*Error
	add := func(field, format string, args ...any) {
		errs = append(errs, &Error{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if msg := segmentProblem(j.Job); msg != "" {
		add("job", "job name %s", msg)
	}
	if j.Output == "" {
		add("output", "output is missing")
	}
	if !slices.Contains(knownOutputs, j.OutputFormat) {
		add("output_format", "unknown output format %q (known: %s)", j.OutputFormat, list(knownOutputs))
	}

	if len(j.Tables) == 0 {
		add("tables", "no tables")
	}
	years := make([]item, len(j.Tables))
	for i, t := range j.Tables {
		f := fmt.Sprintf("tables[%d]", i)
		years[i] = item{f + ".year", t.Year}
		if !knownFormat(t.Format) {
			add(f+".format", "unknown format %q (known: %s)", t.Format, list(Formats()))
		}
		if t.Path == "" {
			add(f+".path", "path is missing")
		}
	}

	errs = append(errs, unique("year", years, segmentProblem)...)
	errs = append(errs, unique("stressor", items("stressors", j.Stressors), nonEmpty)...)
	if len(j.Accounts) == 0 {
		add("accounts", "no accounts")
	}
	errs = append(errs, unique("account", items("accounts", j.Accounts), nonEmpty)...)
	for i, a := range j.Accounts {
		if !slices.Contains(knownAccounts, a) {
			add(fmt.Sprintf("accounts[%d]", i), "unknown account %q (known: %s)", a, list(knownAccounts))
		}
		if a == AccountGroups && len(j.Groups) == 0 {
			add(fmt.Sprintf("accounts[%d]", i), "the groups account needs groups")
		}
	}

	errs = append(errs, j.Groups.problems()...)

	if len(j.Scenarios) == 0 {
		add("scenarios", "no scenarios")
	}
	names := make([]item, len(j.Scenarios))
	for i, s := range j.Scenarios {
		f := fmt.Sprintf("scenarios[%d]", i)
		names[i] = item{f + ".name", s.Name}
		for k, sh := range s.Shocks {
			errs = append(errs, sh.problems(fmt.Sprintf("%s.shocks[%d]", f, k))...)
		}
		if s.MonteCarlo != nil {
			errs = append(errs, s.MonteCarlo.problems(f+".montecarlo")...)
		}
	}
	errs = append(errs, unique("scenario name", names, segmentProblem)...)
	return errs
}

func (g Groups) problems() []*Error {
	var errs []*Error
	add := func(field, format string, args ...any) {
		errs = append(errs, &Error{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	names := map[string]bool{}
	member := map[string]string{} // region -> its group
	for _, grp := range g {
		f := "groups." + grp.Name
		switch {
		case grp.Name == "":
			add("groups", "a group has no name")
		case grp.Name == OtherGroup:
			add(f, "the group name %q is reserved for the regions in no group", OtherGroup)
		case names[grp.Name]:
			add(f, "group %q is given twice", grp.Name)
		}
		names[grp.Name] = true
		if len(grp.Regions) == 0 {
			add(f, "group %q has no regions", grp.Name)
		}
		for i, r := range grp.Regions {
			rf := fmt.Sprintf("%s[%d]", f, i)
			if r == "" {
				add(rf, "empty region name")
				continue
			}
			if other, ok := member[r]; ok {
				add(rf, "region %q is in group %q and in group %q; a region may be in one group only",
					r, other, grp.Name)
				continue
			}
			member[r] = grp.Name
		}
	}
	return errs
}

// problems lists what is wrong with one shock, at field path f.
func (s Shock) problems(f string) []*Error {
	var errs []*Error
	add := func(field, format string, args ...any) {
		errs = append(errs, &Error{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if !slices.Contains(knownTargets, s.Target) {
		add(f+".target", "unknown shock target %q (known: %s)", s.Target, list(knownTargets))
	}
	if math.IsNaN(s.Scale) || math.IsInf(s.Scale, 0) || s.Scale < 0 {
		add(f+".scale", "scale %v must be a finite number >= 0", s.Scale)
	}
	for _, p := range []struct{ key, glob string }{{"sector", s.Sector}, {"from_sector", s.FromSector}} {
		if msg := globProblem(p.glob); msg != "" {
			add(f+"."+p.key, "%s", msg)
		}
	}
	if s.Target == TargetY && s.Sector != "" {
		add(f+".sector", "target Y selects a consuming region, not sectors; use from_sector for the products")
	}
	if s.Target != TargetY {
		if s.FromRegion != "" {
			add(f+".from_region", "from_region applies to target Y only")
		}
		if s.FromSector != "" {
			add(f+".from_sector", "from_sector applies to target Y only")
		}
	}
	return errs
}

// problems lists what is wrong with a Monte Carlo scenario, at field path f.
func (mc *MonteCarlo) problems(f string) []*Error {
	var errs []*Error
	add := func(field, format string, args ...any) {
		errs = append(errs, &Error{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if mc.Draws < 1 || mc.Draws > MaxDraws {
		add(f+".draws", "draws %d must be from 1 to %d", mc.Draws, MaxDraws)
	}
	varies, bad := false, false
	for _, sg := range []struct {
		target string
		v      float64
		table  string
	}{{TargetS, mc.Sigma.S, mc.Sigma.Table.S}, {TargetY, mc.Sigma.Y, mc.Sigma.Table.Y}, {TargetA, mc.Sigma.A, mc.Sigma.Table.A}} {
		if math.IsNaN(sg.v) || math.IsInf(sg.v, 0) || sg.v < 0 || sg.v > MaxSigma {
			add(f+".sigma."+sg.target, "sigma of %s %v must be a number from 0 to %v", sg.target, sg.v, MaxSigma)
			bad = true
			continue
		}
		if sg.table != "" && sg.v != 0 {
			add(f+".sigma."+sg.target, "sigma of %s is both the number %v and the table %s; give one", sg.target, sg.v, sg.table)
			bad = true
			continue
		}
		// A table counts as varying here; whether it holds a sigma above 0
		// shows when it is read.
		varies = varies || sg.v > 0 || sg.table != ""
	}
	if !varies && !bad {
		add(f+".sigma", "no sigma above 0 (of S, Y or A), so no draw would differ from the table")
	}
	if msg := globProblem(mc.Sector); msg != "" {
		add(f+".sector", "%s", msg)
	}
	return errs
}

// globProblem says why glob is not a sector pattern path.Match takes, or
// returns "".
func globProblem(glob string) string {
	if _, err := path.Match(glob, ""); err != nil {
		return fmt.Sprintf("sector pattern %q: %v", glob, err)
	}
	return ""
}

// item is one value of a list in a spec, with its field path.
type item struct{ field, value string }

func items(field string, values []string) []item {
	out := make([]item, len(values))
	for i, v := range values {
		out[i] = item{fmt.Sprintf("%s[%d]", field, i), v}
	}
	return out
}

// unique reports the items that check rejects, and those given twice.
// check returns why a value is wrong, or "".
func unique(what string, items []item, check func(string) string) []*Error {
	var errs []*Error
	seen := map[string]string{} // value -> field of its first item
	for _, it := range items {
		if msg := check(it.value); msg != "" {
			errs = append(errs, &Error{Field: it.field, Msg: what + " " + msg})
			continue
		}
		if first, ok := seen[it.value]; ok {
			errs = append(errs, &Error{Field: it.field,
				Msg: fmt.Sprintf("%s %q is given twice (also %s)", what, it.value, first)})
			continue
		}
		seen[it.value] = it.field
	}
	return errs
}

func nonEmpty(s string) string {
	if s == "" {
		return "is empty"
	}
	return ""
}

// segmentProblem says why s cannot be one segment of an output path (a
// folder name or an S3 key part), or returns "" when it can: letters,
// digits, '.', '_' and '-', not starting with '.', at most 100 bytes.
func segmentProblem(s string) string {
	switch {
	case s == "":
		return "is missing"
	case len(s) > 100:
		return fmt.Sprintf("%.20q... is longer than 100 bytes", s)
	case s[0] == '.':
		return fmt.Sprintf("%q starts with '.'", s)
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Sprintf("%q has %q; use letters, digits, '.', '_' and '-' only", s, c)
		}
	}
	return ""
}

func list(names []string) string { return strings.Join(names, ", ") }
