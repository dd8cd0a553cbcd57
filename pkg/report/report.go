package report

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mrioflow/mrioflow/pkg/spec"
)

// Options choose what the report shows. The zero value is a valid
// choice: every field has a default, written beside it.
type Options struct {
	// Job is the job's folder under the source's root, such as "myjob";
	// "" when the source is rooted at the job's folder.
	Job string
	// Extension and Stressor pick the stressor every figure shows.
	// Default: the first stressor of the first extension that is not
	// factor_inputs. Extension may be empty when the stressor's name is
	// unique.
	Extension, Stressor string
	// Year is the year of the single-year figures. Default: the latest
	// year with outputs of the scenario they show.
	Year string
	// Baseline is the scenario others are compared with, and the one
	// the single-year figures show. Default: "baseline" when there is
	// one and it is not a Monte Carlo scenario, else the job spec's first
	// scenario that is not, else the first such by name. When every
	// scenario is a Monte Carlo scenario there is no default: the
	// single-year figures show the means of the first, and no change
	// figure is drawn. A Monte Carlo scenario named here is compared by
	// its means.
	Baseline string
	// Groups maps regions to groups (see ParseGroups). Default: the job
	// spec's groups from the manifest; without any, every region is its
	// own group.
	Groups spec.Groups
}

// Report is a job's outputs made into figures. Build makes one and
// nothing changes it afterwards: WriteHTML may run from several
// goroutines at once. Drawing a PNG lays its plot out again, so WritePNG
// of one figure, and WritePNGs, must not run concurrently.
type Report struct {
	Header  Header
	Figures []*Figure

	empty bool
}

// Empty reports whether the source held neither a manifest nor any
// account file under the job's folder: the report can only say so, and
// the folder is likely not a job's output at all.
func (r *Report) Empty() bool { return r.empty }

// Header describes the job: what was computed, and what went wrong.
type Header struct {
	Job, Version string
	Tables       []TableInfo // input tables, from the manifest's spec
	Years        []string
	Year         string // the year of the single-year figures
	Scenarios    []string
	Baseline     string // "" when no scenario is one
	// Scenario is the scenario of the single-year figures: the baseline,
	// or the first when there is none.
	Scenario string
	// MonteCarlo lists the Monte Carlo scenarios, which write summaries
	// alone; the figures show their means where they need one number.
	MonteCarlo  []string
	Stressors   []Stressor // every stressor found
	Stressor    Stressor   // the one shown
	Partitions  []Partition
	Groups      spec.Groups // the groups used; nil when by region
	GroupSource string
	Warnings    []string
	Failures    []Failure
	// Notes says what is missing or could not be read.
	Notes []string
	// LeftOut says which figures were left out of the report and why.
	LeftOut []string
	// Manifest holds the manifest's fields as they are.
	Manifest []Entry
}

// Partition lists the account files of one (year, scenario).
type Partition struct {
	Year, Scenario string
	Accounts       []string
	Failed         string // the failure's error when the task failed
}

// Figure is one chart with the numbers behind it.
type Figure struct {
	ID      string // unique in the report, usable as a file name
	Title   string
	Caption string
	// Note says why no chart is drawn; "" when there is one.
	Note  string
	Table *Table

	chart *chart
	svg   []byte
}

// SVG returns the chart as an SVG element; nil when Note says why
// there is none.
func (f *Figure) SVG() []byte { return f.svg }

// WritePNG writes the chart as a PNG image. It returns an error when
// the figure has no chart, or when w fails.
func (f *Figure) WritePNG(w io.Writer) error {
	if f.chart == nil {
		return fmt.Errorf("report: figure %s has no chart: %s", f.ID, f.Note)
	}
	if err := f.chart.writePNG(w); err != nil {
		return fmt.Errorf("report: figure %s: %w", f.ID, err)
	}
	return nil
}

// Build reads the outputs of one job from src and lays out the report.
// Missing outputs (a failed task, an account the job did not ask for, a
// file lost since) give figures whose Note says what is missing. Build
// returns an error when src fails; when a file it reads is bad input:
// manifest.json is not JSON, an account file does not decode, lacks a
// column, repeats a row or names no stressor, or its sha256 differs from
// the one manifest.json lists; or when opts names a stressor, year or
// baseline the outputs do not have. The error names the file.
func Build(ctx context.Context, src Source, opts Options) (*Report, error) {
	return build(ctx, src, opts, memory.DefaultAllocator)
}

func build(ctx context.Context, src Source, opts Options, mem memory.Allocator) (*Report, error) {
	prefix := strings.Trim(opts.Job, "/")
	listAt := prefix
	if listAt != "" {
		listAt += "/"
	}
	keys, err := src.List(ctx, listAt)
	if err != nil {
		return nil, fmt.Errorf("report: listing %q: %w", listAt, err)
	}
	d := &dataset{tree: scanTree(prefix, keys)}
	if d.tree.manifest != "" {
		data, err := src.Get(ctx, d.tree.manifest)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		if d.man, err = parseManifest(data); err != nil {
			return nil, fmt.Errorf("report: %s: not a JSON object: %w", d.tree.manifest, err)
		}
	}
	if lost := d.man.missing(d.tree); len(lost) > 0 {
		const most = 10
		more := ""
		if len(lost) > most {
			more = fmt.Sprintf(" and %d more", len(lost)-most)
			lost = lost[:most]
		}
		d.problems = append(d.problems, fmt.Sprintf("manifest.json lists output files that are not there: %s%s.",
			strings.Join(lost, ", "), more))
	}
	r := &reader{ctx: ctx, src: src, mem: mem, tree: d.tree, man: d.man}
	if err := d.choose(r, opts); err != nil {
		return nil, err
	}
	if err := d.load(r, opts); err != nil {
		return nil, err
	}
	rep := &Report{Figures: d.figures(), empty: d.tree.manifest == "" && len(d.tree.files) == 0}
	rep.Header = d.header(prefix)
	ids := make(map[string]int)
	for _, f := range rep.Figures {
		f.ID = uniqueID(ids, f.ID)
		if f.chart != nil {
			f.svg = f.chart.svg()
		}
	}
	return rep, nil
}

// choose settles the years, scenarios, baseline, stressor and the year
// of the single-year figures.
func (d *dataset) choose(r *reader, opts Options) error {
	var parts []part
	for p := range d.tree.files {
		parts = append(parts, p)
	}
	for p := range d.tree.files {
		if !slices.Contains(d.years, p.year) {
			d.years = append(d.years, p.year)
		}
	}
	if d.man != nil {
		for _, t := range d.man.tables {
			if t.Year != "" && !slices.Contains(d.years, t.Year) {
				d.years = append(d.years, t.Year)
			}
		}
		for _, s := range d.man.scenarios {
			if s != "" && !slices.Contains(d.scenarios, s) {
				d.scenarios = append(d.scenarios, s)
			}
		}
	}
	sortYears(d.years)
	var found []string
	for _, p := range parts {
		if !slices.Contains(d.scenarios, p.scenario) && !slices.Contains(found, p.scenario) {
			found = append(found, p.scenario)
		}
	}
	slices.Sort(found)
	d.scenarios = append(d.scenarios, found...)

	d.findMonteCarlo()
	switch {
	case opts.Baseline != "":
		if !slices.Contains(d.scenarios, opts.Baseline) {
			return fmt.Errorf("report: no scenario %q; the outputs have %s", opts.Baseline, quoteList(d.scenarios))
		}
		d.baseline = opts.Baseline
	case slices.Contains(d.scenarios, "baseline") && !d.mcScenario["baseline"]:
		d.baseline = "baseline"
	default:
		// A Monte Carlo scenario is no baseline unless asked for: the
		// changes against it would be changes against its mean.
		if i := slices.IndexFunc(d.scenarios, func(s string) bool { return !d.mcScenario[s] }); i >= 0 {
			d.baseline = d.scenarios[i]
		}
	}
	d.main = d.baseline
	if d.main == "" && len(d.scenarios) > 0 {
		d.main = d.scenarios[0]
	}
	if d.main != "" {
		// The shown scenario leads every list of scenarios.
		i := slices.Index(d.scenarios, d.main)
		d.scenarios = append([]string{d.main}, slices.Delete(slices.Clone(d.scenarios), i, i+1)...)
	}

	switch {
	case opts.Year != "":
		if !slices.Contains(d.years, opts.Year) {
			return fmt.Errorf("report: no year %q; the outputs have %s", opts.Year, quoteList(d.years))
		}
		d.year = opts.Year
	case len(d.years) > 0:
		d.year = d.years[len(d.years)-1]
		for _, y := range slices.Backward(d.years) {
			if d.tree.files[part{y, d.main}] != nil {
				d.year = y
				break
			}
		}
	}

	seen := make(map[Stressor]bool)
	for _, y := range d.years {
		for _, s := range d.scenarios {
			cat, err := r.catalogue(part{y, s})
			if err != nil {
				return err
			}
			for _, st := range cat {
				if !seen[st] {
					seen[st] = true
					d.catalogue = append(d.catalogue, st)
				}
			}
		}
	}
	return d.pickStressor(opts)
}

func (d *dataset) pickStressor(opts Options) error {
	if opts.Stressor == "" {
		for _, s := range d.catalogue {
			if s.Extension != factorInputsExt {
				d.stressor = s
				return nil
			}
		}
		if len(d.catalogue) > 0 {
			d.stressor = d.catalogue[0]
		}
		return nil
	}
	if len(d.catalogue) == 0 {
		// Nothing to check against: every figure will say what is missing.
		d.stressor = Stressor{Extension: opts.Extension, Name: opts.Stressor}
		return nil
	}
	for _, s := range d.catalogue {
		if s.Name == opts.Stressor && (opts.Extension == "" || s.Extension == opts.Extension) {
			d.stressor = s
			return nil
		}
	}
	names := make([]string, len(d.catalogue))
	for i, s := range d.catalogue {
		names[i] = s.String()
	}
	return fmt.Errorf("report: no stressor %q in extension %q; the outputs have %s",
		opts.Stressor, opts.Extension, quoteList(names))
}

// load reads the chosen stressor's rows: regions and summaries of every
// partition, flows and group flows of the shown scenario in the chosen
// year. Summary means stand in for the files a Monte Carlo scenario
// lacks.
func (d *dataset) load(r *reader, opts Options) error {
	d.regionsOf = make(map[part]loaded[*regionData])
	d.summaryOf = make(map[part]loaded[[]summaryRow])
	d.flowsOf = make(map[part]loaded[*flowData])
	d.groupsOf = make(map[part]loaded[[]groupFlow])
	for _, y := range d.years {
		for _, s := range d.scenarios {
			p := part{y, s}
			rd, err := r.regions(p, d.stressor)
			if err != nil {
				return err
			}
			d.regionsOf[p] = rd
			sm, err := r.summary(p, d.stressor)
			if err != nil {
				return err
			}
			d.summaryOf[p] = sm
		}
	}
	focus := d.focus()
	fl, err := r.flows(focus, d.stressor)
	if err != nil {
		return err
	}
	d.flowsOf[focus] = fl
	gf, err := r.groupFlows(focus, d.stressor)
	if err != nil {
		return err
	}
	d.groupsOf[focus] = gf
	d.standIn()
	fl = d.flowsOf[focus]

	addRegion := func(reg string) {
		if !slices.Contains(d.regions, reg) {
			d.regions = append(d.regions, reg)
		}
	}
	order := []part{focus}
	for _, y := range d.years {
		for _, s := range d.scenarios {
			order = append(order, part{y, s})
		}
	}
	for _, p := range order {
		if rd := d.regionsOf[p].data; rd != nil {
			for _, reg := range rd.regions {
				addRegion(reg)
			}
		}
	}
	if fd := fl.data; fd != nil {
		for _, reg := range slices.Concat(fd.from, fd.to) {
			addRegion(reg)
		}
	}
	for _, p := range order {
		for _, row := range d.summaryOf[p].data {
			addRegion(row.region)
		}
	}

	gs := opts.Groups
	d.groupFrom = "the report's options"
	if err := checkGroups(gs, nil); err != nil {
		return fmt.Errorf("report: groups: %w", err)
	}
	if len(gs) == 0 && d.man != nil && len(d.man.groups) > 0 {
		gs, d.groupFrom = d.man.groups, "the job spec"
		if err := checkGroups(gs, nil); err != nil {
			d.problems = append(d.problems, fmt.Sprintf("The job spec's groups are not used: %v.", err))
			gs = nil
		}
	}
	if len(gs) == 0 {
		d.groupFrom = ""
	}
	d.groups = newGrouping(gs, d.regions)
	return nil
}

// focus is the partition of the single-year figures.
func (d *dataset) focus() part { return part{d.year, d.main} }

// header gathers what the report says about the job as a whole.
func (d *dataset) header(prefix string) Header {
	where := fmt.Sprintf("%q", prefix+"/")
	if prefix == "" {
		prefix, where = "job", "the source's root"
	}
	h := Header{
		Job:        prefix,
		Years:      d.years,
		Year:       d.year,
		Scenarios:  d.scenarios,
		Baseline:   d.baseline,
		Scenario:   d.main,
		MonteCarlo: d.monteCarloNames(),
		Stressors:  d.catalogue,
		Stressor:   d.stressor,
		LeftOut:    d.leftOut,
	}
	if d.man != nil {
		if d.man.job != "" {
			h.Job = d.man.job
		}
		h.Version = d.man.version
		h.Tables = d.man.tables
		h.Warnings = d.man.warnings
		h.Failures = d.man.failures
		h.Manifest = d.man.rest
	}
	if !d.groups.byRegion {
		for _, name := range d.groups.names {
			g := spec.Group{Name: name}
			for _, reg := range d.regions {
				if d.groups.of[reg] == name {
					g.Regions = append(g.Regions, reg)
				}
			}
			h.Groups = append(h.Groups, g)
		}
		h.GroupSource = d.groupFrom
	}
	for _, y := range d.years {
		for _, s := range d.scenarios {
			p := part{y, s}
			pt := Partition{Year: y, Scenario: s, Accounts: sortedKeys(d.tree.files[p])}
			if f, ok := d.man.failed(p); ok {
				pt.Failed = f.Error
				if pt.Failed == "" {
					pt.Failed = "failed"
				}
			}
			h.Partitions = append(h.Partitions, pt)
		}
	}
	if d.tree.manifest == "" {
		h.Notes = append(h.Notes, "There is no manifest.json under "+where+".")
	}
	if len(d.tree.files) == 0 {
		h.Notes = append(h.Notes, "There are no account files under "+where+".")
	}
	h.Notes = append(h.Notes, d.problems...)
	return h
}

// uniqueID makes id safe as a file name and an HTML anchor, and unique
// among those seen.
func uniqueID(seen map[string]int, id string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(id) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if s == "" {
		s = "figure"
	}
	seen[s]++
	if n := seen[s]; n > 1 {
		s = fmt.Sprintf("%s-%d", s, n)
	}
	return s
}

func quoteList(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
