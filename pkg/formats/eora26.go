package formats

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/table"
	"gonum.org/v1/gonum/mat"
)

func init() {
	Register(Format{
		Name:    "eora26",
		Options: []string{"year", "price", "country_names", "discrepancy"},
		Read:    readEora26,
	})
}

// The eora26 reader's option defaults.
const (
	eoraDiscrepancy = "ROW"      // option discrepancy: the region set aside
	eoraMoney       = "Mill USD" // the unit pymrio gives Eora's money values
)

// eoraDataFile matches Eora26's data files: Eora26_YEAR_PRICE_PART.txt.
var eoraDataFile = regexp.MustCompile(`^Eora26_(\d{4})_(bp|pp)_(T|FD|VA|Q|QY)\.txt$`)

// eoraLabels is one label file: its rows of cells, and their lines.
type eoraLabels struct {
	file  string
	rows  [][]string
	lines []int
}

// readEora26 reads one year of Eora26: the tab-separated matrices T
// (Z), FD (Y), VA, Q and QY without labels, and the files labels_T.txt,
// labels_FD.txt, labels_VA.txt and labels_Q.txt that name their rows and
// columns; from a folder, or a zip archive with the labels in it, in
// indices.zip beside it or beside it unpacked.
func readEora26(p string, opts map[string]string) (*table.Table, error) {
	names := opts["country_names"]
	regionCol := 1 // the Eora code; 0 is the full name
	switch names {
	case "", "eora":
	case "full":
		regionCol = 0
	default:
		return nil, fmt.Errorf("formats: eora26: option country_names is %q; want eora or full", names)
	}
	disc := opts["discrepancy"]
	if disc == "" {
		disc = eoraDiscrepancy
	}
	src, err := openSource(p)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	files, err := eoraFiles(src, opts["year"], opts["price"])
	if err != nil {
		return nil, err
	}
	labels, closeLabels, err := eoraLabelSource(src, p)
	if err != nil {
		return nil, err
	}
	defer closeLabels()
	r := &eoraReader{src: src, labels: labels, files: files, regionCol: regionCol, disc: disc}
	return r.read()
}

// eoraFiles returns the data files of the year and price asked for, by
// part (T, FD, ...); when either is not given, the only one the source
// holds.
func eoraFiles(src *source, year, price string) (map[string]string, error) {
	var all []string
	err := fs.WalkDir(src.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && eoraDataFile.MatchString(path.Base(p)) {
			all = append(all, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("formats: %s: %w", src.path, err)
	}
	sets := map[string]map[string]string{} // "YEAR_PRICE" -> part -> file
	for _, p := range all {
		m := eoraDataFile.FindStringSubmatch(path.Base(p))
		if year != "" && m[1] != year || price != "" && m[2] != price {
			continue
		}
		k := m[1] + "_" + m[2]
		if sets[k] == nil {
			sets[k] = map[string]string{}
		}
		sets[k][m[3]] = p
	}
	keys := slices.Sorted(maps.Keys(sets))
	switch {
	case len(keys) == 0:
		return nil, fileError(src.path, fs.ErrNotExist, "no Eora26 files%s (Eora26_YEAR_PRICE_T.txt and the like)", eoraWanted(year, price))
	case len(keys) > 1:
		return nil, fileError(src.path, ErrLayout, "Eora26 files of %s; choose with the options year and price",
			strings.Join(keys, ", "))
	}
	set := sets[keys[0]]
	for _, part := range []string{"T", "FD", "VA", "Q", "QY"} {
		if set[part] == "" {
			want := "Eora26_" + keys[0] + "_" + part + ".txt"
			return nil, openError(src.name(want), fs.ErrNotExist)
		}
	}
	return set, nil
}

func eoraWanted(year, price string) string {
	var s []string
	if year != "" {
		s = append(s, "year "+year)
	}
	if price != "" {
		s = append(s, "price "+price)
	}
	if len(s) == 0 {
		return ""
	}
	return " of " + strings.Join(s, ", ")
}

// eoraLabelSource returns where the label files are: the source itself
// when it holds labels_T.txt, else for an archive the indices.zip beside
// it, else the archive's folder. The caller calls the function returned
// to close what was opened.
func eoraLabelSource(src *source, p string) (*source, func(), error) {
	nothing := func() {}
	if dir, err := findOne(src, "labels_T.txt"); err != nil || dir != "" || !src.isZip {
		return src, nothing, err
	}
	beside := filepath.Dir(p)
	if idx := filepath.Join(beside, "indices.zip"); fileExists(idx) {
		s, err := openSource(idx)
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	s, err := openSource(beside)
	return s, nothing, err
}

// findOne returns the folder of src, at most one level down, that holds
// the file name; "" when none does.
func findOne(src *source, name string) (string, error) {
	dirs, err := src.find(name, 1)
	if err != nil || len(dirs) == 0 {
		return "", err
	}
	return dirs[0], nil
}

// eoraReader reads the files of one Eora26 year.
type eoraReader struct {
	src, labels *source
	files       map[string]string // part -> file in src
	regionCol   int
	disc        string
	notes       []string
}

// label reads the label file name, each of its rows holding at least
// cols cells.
func (r *eoraReader) label(name string, cols int) (*eoraLabels, error) {
	dir, err := findOne(r.labels, name)
	if err != nil {
		return nil, err
	}
	if dir == "" {
		err := openError(r.labels.name(name), fs.ErrNotExist)
		return nil, fmt.Errorf("%w; Eora26 names its rows and columns in labels_T.txt, labels_FD.txt, labels_VA.txt and labels_Q.txt (in indices.zip)", err)
	}
	f, err := r.labels.frame(path.Join(dir, name), layout{comma: '\t', text: true, indexCols: 0}, 0)
	if err != nil {
		return nil, err
	}
	l := &eoraLabels{file: f.file, lines: f.rowLines}
	nc := f.cols()
	if nc < cols {
		return nil, &ParseError{File: f.file, Line: f.rowLines[0], Err: wrapKind(ErrLayout, "%d cells, want %d", nc, cols)}
	}
	for i := range f.rows() {
		l.rows = append(l.rows, f.text[i*nc:(i+1)*nc])
	}
	return l, nil
}

func (r *eoraReader) read() (*table.Table, error) {
	t := &table.Table{Source: r.src.path}
	lt, err := r.label("labels_T.txt", 4)
	if err != nil {
		return nil, err
	}
	lfd, err := r.label("labels_FD.txt", 4)
	if err != nil {
		return nil, err
	}
	lva, err := r.label("labels_VA.txt", 2)
	if err != nil {
		return nil, err
	}
	lq, err := r.label("labels_Q.txt", 2)
	if err != nil {
		return nil, err
	}

	prodPerm, err := r.products(t, lt)
	if err != nil {
		return nil, err
	}
	demPerm, err := r.demand(t, lfd)
	if err != nil {
		return nil, err
	}
	n, d := t.N(), len(t.Consumers)*len(t.Categories)

	if t.Z, err = r.matrix("T", lt, lt, prodPerm, prodPerm, n, n); err != nil {
		return nil, err
	}
	if t.Y, err = r.matrix("FD", lt, lfd, prodPerm, demPerm, n, d); err != nil {
		return nil, err
	}

	// Q and QY: the stressors, "name (unit)" and the source, as labels
	// "name/source" and units.
	q := &table.Extension{Name: "Q"}
	for _, row := range lq.rows {
		name, unit := splitUnit(row[0])
		q.Stressors = append(q.Stressors, name+"/"+row[1])
		q.Units = append(q.Units, unit)
	}
	all := identityPerm(len(lq.rows))
	if q.F, err = r.matrix("Q", lq, lt, all, prodPerm, len(all), n); err != nil {
		return nil, err
	}
	if q.FY, err = r.matrix("QY", lq, lfd, all, demPerm, len(all), d); err != nil {
		return nil, err
	}

	va := &table.Extension{Name: "VA"}
	for _, row := range lva.rows {
		va.Stressors = append(va.Stressors, row[0]+"/"+row[1])
		va.Units = append(va.Units, eoraMoney)
	}
	all = identityPerm(len(lva.rows))
	if va.F, err = r.matrix("VA", lva, lt, all, prodPerm, len(all), n); err != nil {
		return nil, err
	}
	t.ValueAdded = make([]float64, n)
	for s := range len(all) {
		for j, v := range va.F.RawRowView(s) {
			t.ValueAdded[j] += v
		}
	}
	t.Extensions = []*table.Extension{q, va}
	t.Notes = r.notes
	return t, nil
}

// splitUnit splits "name (unit)" into name and unit; a label without a
// unit in parentheses keeps its name and has none.
func splitUnit(s string) (name, unit string) {
	i := strings.LastIndex(s, " (")
	if i < 0 || !strings.HasSuffix(s, ")") {
		return s, ""
	}
	return s[:i], s[i+2 : len(s)-1]
}

// products sets t's regions and sectors from labels_T (region code or
// name, sector) and returns, per label row, its product's index, or -1
// for the discrepancy region set aside.
func (r *eoraReader) products(t *table.Table, l *eoraLabels) ([]int, error) {
	var regions, sectors []string
	for _, row := range l.rows {
		if row[1] != r.disc {
			regions, sectors = append(regions, row[r.regionCol]), append(sectors, row[3])
		}
	}
	t.Regions, t.Sectors = firstSeen(regions), firstSeen(sectors)
	a := grid("a product", "every region needs every sector of labels_T.txt", t.Regions, t.Sectors, slashed)
	return r.order(l, a, func(row []string) (string, bool) {
		return key(row[r.regionCol], row[3]), row[1] != r.disc
	})
}

// demand sets t's consumers and categories from labels_FD and returns the
// index of each final-demand column, or -1 for the discrepancy's.
func (r *eoraReader) demand(t *table.Table, l *eoraLabels) ([]int, error) {
	var consumers, categories []string
	for _, row := range l.rows {
		if row[1] != r.disc {
			consumers, categories = append(consumers, row[r.regionCol]), append(categories, row[3])
		}
	}
	t.Consumers, t.Categories = slices.Clone(t.Regions), firstSeen(categories)
	for _, c := range firstSeen(consumers) {
		if !slices.Contains(t.Regions, c) {
			t.Consumers = append(t.Consumers, c)
		}
	}
	a := grid("a final-demand column", "every consumer needs every category of labels_FD.txt", t.Consumers, t.Categories, slashed)
	return r.order(l, a, func(row []string) (string, bool) {
		return key(row[r.regionCol], row[3]), row[1] != r.disc
	})
}

// order returns the position on the axis of each label row that keyOf
// keeps, -1 for the others. A row twice, or an axis entry with no row, is
// an error naming the label file.
func (r *eoraReader) order(l *eoraLabels, a *axis, keyOf func([]string) (string, bool)) ([]int, error) {
	perm := make([]int, len(l.rows))
	seen := make([]int, a.len())
	for i, row := range l.rows {
		k, keep := keyOf(row)
		if !keep {
			perm[i] = -1
			continue
		}
		p := a.pos[k]
		if seen[p] > 0 {
			return nil, &ParseError{File: l.file, Line: l.lines[i], Err: wrapKind(ErrDuplicateLabel,
				"%q appears twice (also line %d)", a.shows[p], l.lines[seen[p]-1])}
		}
		seen[p] = i + 1
		perm[i] = p
	}
	for p, s := range seen {
		if s == 0 {
			return nil, fileError(l.file, ErrLabel, "no %q; %s", a.shows[p], a.need)
		}
	}
	return perm, nil
}

// matrix reads the data file of part, whose rows and columns the label
// files rows and cols name, into a rows x cols matrix: label row i at
// rowPerm[i], label column j at colPerm[j], and -1 set aside, the amount
// noted.
func (r *eoraReader) matrix(part string, rl, cl *eoraLabels, rowPerm, colPerm []int, rows, cols int) (*mat.Dense, error) {
	f, err := r.src.frame(r.files[part], layout{comma: '\t'}, len(rl.rows))
	if err != nil {
		return nil, err
	}
	if f.rows() != len(rl.rows) || f.cols() != len(cl.rows) {
		return nil, fileError(f.file, ErrLayout, "%d rows and %d columns; %s names %d rows and %s %d columns",
			f.rows(), f.cols(), filepath.Base(rl.file), len(rl.rows), filepath.Base(cl.file), len(cl.rows))
	}
	m, dropped, any := f.pick(rowPerm, colPerm, rows, cols)
	if any {
		r.notes = append(r.notes, fmt.Sprintf("%s: the entries of the statistical discrepancy %s set aside, %g in all",
			filepath.Base(f.file), r.disc, dropped))
	}
	return m, nil
}

// pick returns the frame's numbers as a rows x cols matrix with data row i
// at rowPerm[i] and column j at colPerm[j], leaving out the rows and
// columns whose position is -1; it returns the sum of what it left out,
// and whether it left out anything.
func (f *frame) pick(rowPerm, colPerm []int, rows, cols int) (*mat.Dense, float64, bool) {
	if !slices.Contains(rowPerm, -1) && !slices.Contains(colPerm, -1) {
		return f.matrix(rowPerm, colPerm), 0, false
	}
	c := len(colPerm)
	out := make([]float64, rows*cols)
	var dropped float64
	for i, pi := range rowPerm {
		src := f.data[i*c : (i+1)*c]
		for j, pj := range colPerm {
			if pi < 0 || pj < 0 {
				dropped += src[j]
				continue
			}
			out[pi*cols+pj] = src[j]
		}
	}
	return mat.NewDense(rows, cols, out), dropped, true
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
