package formats

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/table"
	"gonum.org/v1/gonum/mat"
)

func init() {
	Register(Format{Name: "sut", Options: []string{"year", "make", "use", "region", "unit"}, Read: readSUT})
}

// The sut reader's option defaults: the BEA's file names, with {year}
// for the option year, its money unit, and the region of a national table.
const (
	sutMake   = "Summary_Make_{year}_BeforeRedef_17sch.csv"
	sutUse    = "Summary_Use_{year}_PRO_BeforeRedef_17sch.csv"
	sutRegion = "US"
	sutUnit   = "million USD"

	sutTotal      = "Total"             // the prefix of the tables' total rows and columns
	sutValueAdded = "Total Value Added" // the use table's row of all value added
	sutExtension  = "value_added"
)

var sutLayout = layout{comma: ',', indexCols: 1, headerRows: 1}

// readSUT reads a national make and use table, in the layout of the BEA's
// summary tables, into a commodity-by-commodity table (industry
// technology): make rows are industries and columns commodities; use
// rows are commodities then value-added rows (V001 ...), columns are
// industries then final-demand columns (F010 ...); rows and columns whose
// label begins with "Total" are totals and are left out.
func readSUT(dir string, opts map[string]string) (*table.Table, error) {
	makeName, useName, err := sutFiles(opts)
	if err != nil {
		return nil, err
	}
	region, unit := opts["region"], opts["unit"]
	if region == "" {
		region = sutRegion
	}
	if unit == "" {
		unit = sutUnit
	}
	s, err := readSUTFiles(filepath.Join(dir, makeName), filepath.Join(dir, useName))
	if err != nil {
		return nil, err
	}
	if err := s.sameLabelsAs(dir, opts); err != nil {
		return nil, err
	}
	return s.table(dir, region, unit), nil
}

// sutFiles returns the make and use file names the options ask for.
func sutFiles(opts map[string]string) (makeName, useName string, err error) {
	makeName, useName = opts["make"], opts["use"]
	if makeName == "" {
		makeName = sutMake
	}
	if useName == "" {
		useName = sutUse
	}
	year := opts["year"]
	for _, n := range []*string{&makeName, &useName} {
		if strings.Contains(*n, "{year}") && year == "" {
			return "", "", fmt.Errorf("formats: sut: the file name %q needs the option year", *n)
		}
		*n = strings.ReplaceAll(*n, "{year}", year)
		if filepath.Base(*n) != *n {
			return "", "", fmt.Errorf("formats: sut: %q must be a file name in the table's folder", *n)
		}
	}
	return makeName, useName, nil
}

// sutSystem is one make and use table, read.
type sutSystem struct {
	makeFile, useFile      string
	industries, commoditys []string
	categories, accounts   []string   // final-demand columns, value-added rows of use
	v, u, y, f             *mat.Dense // make, use, final demand (commodity), value added (industry)
	total                  int        // the row of f that is the use table's total value added; -1 for none
}

// readSUTFiles reads the two files and checks that they name the same
// industries and commodities.
func readSUTFiles(makeFile, useFile string) (*sutSystem, error) {
	mk, err := readFile(makeFile, sutLayout, 0)
	if err != nil {
		return nil, err
	}
	use, err := readFile(useFile, sutLayout, 0)
	if err != nil {
		return nil, err
	}
	s := &sutSystem{makeFile: makeFile, useFile: useFile, total: -1}
	mrows, mcols := notTotals(mk.rowSide(joined)), notTotals(mk.colSide(joined))
	for _, i := range mrows {
		s.industries = append(s.industries, mk.rowLabel(i))
	}
	for _, j := range mcols {
		s.commoditys = append(s.commoditys, mk.colLabel(j))
	}
	if err := unique(mk.rowSide(joined), mrows); err != nil {
		return nil, err
	}
	if err := unique(mk.colSide(joined), mcols); err != nil {
		return nil, err
	}
	s.v = sub(mk, mrows, mcols)

	// Use: commodity rows in make's order, the other rows value added;
	// industry columns in make's order, the others final demand.
	ind := newAxis("an industry of "+filepath.Base(makeFile), filepath.Base(makeFile)+" has it", s.industries, s.industries)
	com := newAxis("a commodity of "+filepath.Base(makeFile), filepath.Base(makeFile)+" has it", s.commoditys, s.commoditys)
	rows, others, err := split(use.rowSide(joined), com)
	if err != nil {
		return nil, err
	}
	cols, fd, err := split(use.colSide(joined), ind)
	if err != nil {
		return nil, err
	}
	for _, i := range others {
		s.accounts = append(s.accounts, use.rowLabel(i))
	}
	if k := slices.Index(s.accounts, sutValueAdded); k >= 0 {
		s.total = k
	}
	for _, j := range fd {
		s.categories = append(s.categories, use.colLabel(j))
	}
	s.u, s.y, s.f = sub(use, rows, cols), sub(use, rows, fd), sub(use, others, cols)
	if len(s.categories) == 0 {
		return nil, fileError(useFile, ErrLayout, "no final-demand columns (columns that are neither industries of %s nor totals)",
			filepath.Base(makeFile))
	}
	return s, nil
}

// notTotals returns the entries of the side whose label is not a total.
func notTotals(s side) []int {
	var out []int
	for i, show := range s.shows {
		if show != sutValueAdded && !strings.HasPrefix(show, sutTotal) {
			out = append(out, i)
		}
	}
	return out
}

// unique checks that the entries of the side at idx do not repeat.
func unique(s side, idx []int) error {
	first := map[string]int{}
	for _, i := range idx {
		if j, ok := first[s.keys[i]]; ok {
			return s.errorAt(i, ErrDuplicateLabel, "%s %q appears twice (also %s)", s.what(), s.shows[i], s.place(j))
		}
		first[s.keys[i]] = i
	}
	return nil
}

// split returns, in the axis's order, the entries of the side that are on
// the axis, and in file order the others that are not totals (with the
// use table's total value added). Every axis entry must be there once.
func split(s side, a *axis) (on []int, others []int, err error) {
	on = make([]int, a.len())
	seen := make([]bool, a.len())
	for i, k := range s.keys {
		p, ok := a.pos[k]
		switch {
		case ok && seen[p]:
			return nil, nil, s.errorAt(i, ErrDuplicateLabel, "%s %q appears twice", s.what(), s.shows[i])
		case ok:
			on[p], seen[p] = i, true
		case s.shows[i] == sutValueAdded || !strings.HasPrefix(s.shows[i], sutTotal):
			others = append(others, i)
		}
	}
	if p := slices.Index(seen, false); p >= 0 {
		return nil, nil, fileError(s.f.file, ErrLabel, "no %s %q; %s", s.what(), a.shows[p], a.need)
	}
	return on, others, nil
}

// sub returns the frame's numbers at the rows and columns given; nil when
// there are none.
func sub(f *frame, rows, cols []int) *mat.Dense {
	if len(rows) == 0 || len(cols) == 0 {
		return nil
	}
	out := mat.NewDense(len(rows), len(cols), nil)
	nc := f.cols()
	for r, i := range rows {
		for c, j := range cols {
			out.Set(r, c, f.data[i*nc+j])
		}
	}
	return out
}

// table converts the system under the industry-technology assumption:
// Z = U g^-1 V, value added per commodity VA g^-1 V, x = q = V^T 1, final
// demand as the use table gives it by commodity.
func (s *sutSystem) table(dir, region, unit string) *table.Table {
	t := &table.Table{Source: dir, Regions: []string{region}, Consumers: []string{region},
		Sectors: s.commoditys, Categories: s.categories, Y: s.y}
	n := len(s.commoditys)
	t.X = make([]float64, n)
	for i := range s.industries {
		for c, v := range s.v.RawRowView(i) {
			t.X[c] += v
		}
	}
	if s.f == nil {
		t.Z, _ = industryTechnology(s.v, s.u)
	} else {
		var fc []*mat.Dense
		t.Z, fc = industryTechnology(s.v, s.u, s.f)
		ext := &table.Extension{Name: sutExtension, Stressors: s.accounts, Units: make([]string, len(s.accounts)), F: fc[0]}
		for k := range ext.Units {
			ext.Units[k] = unit
		}
		t.Extensions = []*table.Extension{ext}
		t.ValueAdded = make([]float64, n)
		for k := range s.accounts {
			if s.total < 0 || k == s.total {
				for c, v := range fc[0].RawRowView(k) {
					t.ValueAdded[c] += v
				}
			}
		}
		t.Notes = append(t.Notes, valueAddedIdentity(t)...)
	}
	// Commodity output from the make table against the use table's.
	worst, at := 0.0, ""
	for c := range n {
		use := mat.Sum(s.u.RowView(c)) + mat.Sum(s.y.RowView(c))
		if d := math.Abs(use-t.X[c]) / math.Max(math.Abs(t.X[c]), 1); d > worst {
			worst, at = d, s.commoditys[c]
		}
	}
	if worst > 1e-9 {
		t.Notes = append(t.Notes, fmt.Sprintf("commodity output of the make table (x = V^T 1) and of the use table (U 1 + y) differ, by at most %.3g (relative) for %s",
			worst, at))
	}
	return t
}

// sutYear matches the year in a file name.
var sutYear = regexp.MustCompile(`\d{4}`)

// sameLabelsAs checks, for the default file names, that this year's
// tables name the same industries, commodities, final-demand columns and
// value-added rows as the earliest other year in the folder: a series
// whose labels change is an error, naming both files.
func (s *sutSystem) sameLabelsAs(dir string, opts map[string]string) error {
	if opts["make"] != "" || opts["use"] != "" {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return openError(dir, err)
	}
	prefix, _, _ := strings.Cut(sutMake, "{year}")
	var years []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			if y := sutYear.FindString(strings.TrimPrefix(e.Name(), prefix)); y != "" && y != opts["year"] {
				years = append(years, y)
			}
		}
	}
	if len(years) == 0 {
		return nil
	}
	slices.Sort(years)
	other := map[string]string{"year": years[0]}
	mk, use, err := sutFiles(other)
	if err != nil {
		return err
	}
	ref, err := readSUTFiles(filepath.Join(dir, mk), filepath.Join(dir, use))
	if err != nil {
		return fmt.Errorf("formats: sut: reading year %s to compare its labels: %w", years[0], err)
	}
	lists := []struct {
		file, what string
		got, want  []string
	}{
		{s.makeFile, "industries", s.industries, ref.industries},
		{s.makeFile, "commodities", s.commoditys, ref.commoditys},
		{s.useFile, "final-demand columns", s.categories, ref.categories},
		{s.useFile, "value-added rows", s.accounts, ref.accounts},
	}
	for _, l := range lists {
		if slices.Equal(l.got, l.want) {
			continue
		}
		refFile := ref.makeFile
		if l.file == s.useFile {
			refFile = ref.useFile
		}
		return fileError(l.file, ErrLabel, "its %s differ from those of %s (year %s): %s",
			l.what, filepath.Base(refFile), years[0], labelDiff(l.got, l.want))
	}
	return nil
}

// labelDiff says how got differs from want.
func labelDiff(got, want []string) string {
	var extra, missing []string
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "lacks "+example(missing))
	}
	if len(extra) > 0 {
		parts = append(parts, "has "+example(extra)+" besides")
	}
	if len(parts) == 0 {
		return "the same labels in another order"
	}
	return strings.Join(parts, "; ")
}

// valueAddedIdentity checks MATH.md 12 on a table in flow form with x and
// value added: value added = x - Z's column sum, commodity by commodity.
// It returns a note where they differ by more than rounding.
func valueAddedIdentity(t *table.Table) []string {
	worst, at := 0.0, ""
	for c := range t.N() {
		d := t.X[c] - mat.Sum(t.Z.ColView(c)) - t.ValueAdded[c]
		if r := math.Abs(d) / math.Max(math.Abs(t.X[c]), 1); r > worst {
			worst, at = r, t.Sectors[c%len(t.Sectors)]
		}
	}
	if worst <= 1e-9 {
		return nil
	}
	return []string{fmt.Sprintf("value added and x minus the inputs of Z differ, by at most %.3g of x (relative) for %s", worst, at)}
}
