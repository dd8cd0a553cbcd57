package formats

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/table"
	"gonum.org/v1/gonum/mat"
)

func init() {
	Register(Format{Name: "wiod", Options: []string{"year"}, Read: readWIOD})
}

// The layout of a WIOD 2013-release world table, 0-based: rows 0 and 1
// hold a title; rows 2 to 5 head the columns with the ISIC code, the
// name, the region and the c-code; from row 6 each row starts with its
// ISIC code, name, region and c-code in columns 0 to 3, numbers from
// column 4. The inter-industry block ends at the c-code c35, both ways;
// final demand follows it; the last column is total output. Below the
// block come the factor inputs, c-codes r60 (total intermediate use) and
// r69 (output) being totals.
const (
	wiodUnitRow   = 3
	wiodHeadRow   = 5 // the c-codes of the columns; regions above, names and ISIC codes above that
	wiodFirstRow  = 6
	wiodFirstCol  = 4
	wiodLastInter = "c35"
)

var (
	wiodFile   = regexp.MustCompile(`^wiot(\d\d).*\.xlsx$`)
	wiodTotals = []string{"r60", "r69"}
	// wiodRenames fixes region codes of the early years to those of the
	// environmental accounts, as pymrio does.
	wiodRenames = map[string]string{"ROM": "ROU"}
)

// readWIOD reads a world input-output table of WIOD's 2013 release: the
// xlsx file, or a folder with the option year (wiotYY*.xlsx); beside
// it, the socio-economic accounts (wiodSEA) and the air emissions
// (wiodAir).
//
// TODO(wiod-env): WIOD's other environmental accounts (CO2_, EM_, EU_,
// lan_, mat_, wat_) are .xls files of the same kind as AIR_; pymrio
// reads them too. Each needs its units and its clean-up rules (the
// lower-case ones keep column A), then wiodAir's loop.
func readWIOD(p string, opts map[string]string) (*table.Table, error) {
	file, err := wiodPath(p, opts["year"])
	if err != nil {
		return nil, err
	}
	var s *sheetGrid
	err = withWorkbook(file, func(w *workbook) (err error) {
		s, err = w.sheet("", 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	t, err := wiodTable(s)
	if err != nil {
		return nil, err
	}
	if err := wiodSEA(t, filepath.Dir(file), s.cell(0, 0)); err != nil {
		return nil, err
	}
	if err := wiodAir(t, filepath.Dir(file), s.cell(0, 0)); err != nil {
		return nil, err
	}
	return t, nil
}

// The employment accounts of WIOD's socio-economic accounts (SEA) that
// pymrio reads, and their units.
var (
	wiodSEAVariables = []string{"EMP", "EMPE", "H_EMP", "H_EMPE"}
	wiodSEAUnits     = []string{"thousand persons", "thousand persons", "mill hours", "mill hours"}
	wiodSEAFile      = regexp.MustCompile(`^WIOD_SEA.*\.xlsx$`)
)

// wiodSEA adds the extension SEA from the socio-economic accounts file
// beside the world table (or in a folder SEA there), when there is one:
// persons engaged and employees, and their hours, by product, for the
// year the table's title ends with. Regions or products the file lacks
// (RoW) are zero, as pymrio makes them; a year it lacks is noted.
func wiodSEA(t *table.Table, dir, title string) error {
	var found []string
	for _, d := range []string{filepath.Join(dir, "SEA"), dir} {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if wiodSEAFile.MatchString(e.Name()) {
				found = append(found, filepath.Join(d, e.Name()))
			}
		}
		if len(found) > 0 {
			break
		}
	}
	if len(found) == 0 {
		return nil
	}
	slices.Sort(found)
	file := found[0]
	var s *sheetGrid
	err := withWorkbook(file, func(w *workbook) (err error) {
		s, err = w.sheet("DATA", -1)
		return err
	})
	if err != nil {
		return err
	}
	year := title[max(len(title)-4, 0):]
	col := -1
	if len(s.cells) > 0 {
		col = slices.Index(s.cells[0], "_"+year)
	}
	if col < 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%s has no column _%s: no extension SEA", filepath.Base(file), year))
		return nil
	}
	prod := map[string]int{}
	for k := range t.N() {
		prod[key(t.Regions[k/len(t.Sectors)], t.Sectors[k%len(t.Sectors)])] = k
	}
	e := &table.Extension{Name: "SEA", Stressors: wiodSEAVariables, Units: wiodSEAUnits,
		F: mat.NewDense(len(wiodSEAVariables), t.N(), nil)}
	for r := 1; r < len(s.cells); r++ {
		v := slices.Index(wiodSEAVariables, s.cell(r, 1))
		if v < 0 || s.cell(r, 3) == "TOT" {
			continue
		}
		k, ok := prod[key(s.cell(r, 0), s.cell(r, 3))]
		if !ok {
			return s.errorAt(r, 0, ErrLabel, "%s/%s is not a product of the world table", s.cell(r, 0), s.cell(r, 3))
		}
		x := 0.0
		if c := s.cell(r, col); c != "" {
			if x, err = parseNumber(c); err != nil {
				return &ParseError{File: file, Err: fmt.Errorf("sheet %q cell %s: %w", s.name, cellName(r, col), err)}
			}
		}
		e.F.Set(v, k, x)
	}
	t.Extensions = append(t.Extensions, e)
	return nil
}

// wiodPath returns the file to read.
func wiodPath(p, year string) (string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return "", openError(p, err)
	}
	if !info.IsDir() {
		return p, nil
	}
	if len(year) < 2 {
		return "", fmt.Errorf("formats: wiod: %s is a folder; give the year with the option year, or the file as the path", p)
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return "", openError(p, err)
	}
	var found []string
	for _, e := range entries {
		if m := wiodFile.FindStringSubmatch(e.Name()); m != nil && m[1] == year[len(year)-2:] {
			found = append(found, e.Name())
		}
	}
	if len(found) != 1 {
		return "", fileError(p, ErrLayout, "%d files wiot%s*.xlsx (%s); want one", len(found), year[len(year)-2:], strings.Join(found, ", "))
	}
	return filepath.Join(p, found[0]), nil
}

// wiodTable builds the table from the sheet.
func wiodTable(s *sheetGrid) (*table.Table, error) {
	t := &table.Table{Source: s.file}
	head := func(r int) []string {
		if r < len(s.cells) {
			return s.cells[r]
		}
		return nil
	}
	codes := head(wiodHeadRow)
	lastCol := -1
	for j := len(codes) - 1; j >= 0; j-- {
		if codes[j] == wiodLastInter {
			lastCol = j
			break
		}
	}
	lastRow := -1
	for r := wiodFirstRow; r < len(s.cells); r++ {
		if s.cell(r, 3) == wiodLastInter {
			lastRow = r
		}
	}
	switch {
	case lastCol < wiodFirstCol || lastRow < 0:
		return nil, s.errorAt(wiodHeadRow, wiodFirstCol, ErrLayout, "no c-code %s closing the inter-industry block in row %d and column D",
			wiodLastInter, wiodHeadRow+1)
	case lastCol-wiodFirstCol != lastRow-wiodFirstRow:
		return nil, s.errorAt(lastRow, lastCol, ErrLayout, "the inter-industry block is %d rows by %d columns; want it square",
			lastRow-wiodFirstRow+1, lastCol-wiodFirstCol+1)
	}
	width := 0
	for _, row := range s.cells {
		width = max(width, len(row))
	}
	fdEnd := width - 1 // the last column is total output

	region := func(r string) string {
		if v := wiodRenames[r]; v != "" {
			return v
		}
		return r
	}
	// Products from the rows, checked against the columns.
	var regions, sectors []string
	for r := wiodFirstRow; r <= lastRow; r++ {
		regions, sectors = append(regions, region(s.cell(r, 2))), append(sectors, s.cell(r, 0))
	}
	t.Regions, t.Sectors = firstSeen(regions), firstSeen(sectors)
	prod := grid("a product", "every region needs every sector", t.Regions, t.Sectors, slashed)
	n := prod.len()
	if n != lastRow-wiodFirstRow+1 {
		return nil, s.errorAt(wiodFirstRow, 0, ErrLabel, "%d rows of %d regions and %d sectors: every region needs every sector, once",
			lastRow-wiodFirstRow+1, len(t.Regions), len(t.Sectors))
	}
	rowPerm := make([]int, n)
	taken := make([]bool, n)
	for k := range n {
		r := wiodFirstRow + k
		p := prod.pos[key(region(s.cell(r, 2)), s.cell(r, 0))]
		if taken[p] {
			return nil, s.errorAt(r, 0, ErrDuplicateLabel, "product %s/%s appears twice", s.cell(r, 2), s.cell(r, 0))
		}
		rowPerm[k], taken[p] = p, true
		// The column of the same place must name the same product.
		c := wiodFirstCol + k
		if region(s.cell(wiodHeadRow-1, c)) != region(s.cell(r, 2)) || s.cell(wiodHeadRow-3, c) != s.cell(r, 0) {
			return nil, s.errorAt(wiodHeadRow-3, c, ErrLabel, "column %s/%s, but row %d is %s/%s: the block's columns must follow its rows",
				s.cell(wiodHeadRow-1, c), s.cell(wiodHeadRow-3, c), r+1, s.cell(r, 2), s.cell(r, 0))
		}
	}

	// Final demand: region and c-code of each column.
	var consumers, categories []string
	for c := lastCol + 1; c < fdEnd; c++ {
		consumers, categories = append(consumers, region(s.cell(wiodHeadRow-1, c))), append(categories, s.cell(wiodHeadRow, c))
	}
	t.Categories = firstSeen(categories)
	t.Consumers = slices.Clone(t.Regions)
	for _, c := range firstSeen(consumers) {
		if !slices.Contains(t.Regions, c) {
			t.Consumers = append(t.Consumers, c)
		}
	}
	dem := grid("a final-demand column", "every consumer needs every category", t.Consumers, t.Categories, slashed)
	colPerm := make([]int, fdEnd-lastCol-1)
	seen := make([]bool, dem.len())
	for k := range colPerm {
		c := lastCol + 1 + k
		p := dem.pos[key(consumers[k], categories[k])]
		if seen[p] {
			return nil, s.errorAt(wiodHeadRow, c, ErrDuplicateLabel, "final demand %s appears twice", dem.shows[p])
		}
		seen[p], colPerm[k] = true, p
	}
	if p := slices.Index(seen, false); p >= 0 {
		return nil, fileError(s.file, ErrLabel, "sheet %q: no final-demand column %s; %s", s.name, dem.shows[p], dem.need)
	}

	var factors []int
	for r := lastRow + 1; r < len(s.cells); r++ {
		if s.cell(r, 1) != "" && !slices.Contains(wiodTotals, s.cell(r, 3)) {
			factors = append(factors, r)
		}
	}
	blanks := 0
	num := func(r, c int) (float64, error) {
		v := s.cell(r, c)
		if v == "" {
			blanks++
			return 0, nil
		}
		x, err := parseNumber(v)
		if err != nil {
			return 0, &ParseError{File: s.file, Err: fmt.Errorf("sheet %q cell %s: %w", s.name, cellName(r, c), err)}
		}
		return x, nil
	}
	t.Z, t.Y = mat.NewDense(n, n, nil), mat.NewDense(n, dem.len(), nil)
	fi := &table.Extension{Name: pymrioFactorInputs, F: mat.NewDense(len(factors), n, nil), FY: mat.NewDense(len(factors), dem.len(), nil)}
	unit := strings.Trim(s.cell(wiodUnitRow, 0), "()")
	fill := func(dst *mat.Dense, r, i int, cols []int, first int) error {
		for k, p := range cols {
			v, err := num(r, first+k)
			if err != nil {
				return err
			}
			dst.Set(i, p, v)
		}
		return nil
	}
	for k, p := range rowPerm {
		r := wiodFirstRow + k
		if err := fill(t.Z, r, p, rowPerm, wiodFirstCol); err != nil {
			return nil, err
		}
		if err := fill(t.Y, r, p, colPerm, lastCol+1); err != nil {
			return nil, err
		}
	}
	for i, r := range factors {
		fi.Stressors = append(fi.Stressors, strings.TrimSpace(s.cell(r, 1)))
		fi.Units = append(fi.Units, unit)
		if err := fill(fi.F, r, i, rowPerm, wiodFirstCol); err != nil {
			return nil, err
		}
		if err := fill(fi.FY, r, i, colPerm, lastCol+1); err != nil {
			return nil, err
		}
		if s.cell(r, 3) == "r64" {
			t.ValueAdded = mat.Row(nil, i, fi.F)
		}
	}
	if len(factors) > 0 {
		t.Extensions = []*table.Extension{fi}
	}
	if blanks > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%s: %s empty cells read as zero (pymrio leaves them NaN)", filepath.Base(s.file), strconv.Itoa(blanks)))
	}
	return t, nil
}
