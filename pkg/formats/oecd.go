package formats

import (
	"fmt"
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
	Register(Format{Name: "oecd-icio", Options: []string{"year"}, Read: readOECD})
}

// The OECD reader's names.
const (
	oecdMoney       = "Million USD"
	oecdDiscrepancy = "ALL" // the consumer of a final-demand column without a region, as pymrio names it
)

var (
	// oecdFileName matches the editions' file names, ICIO2018_2010.csv.
	oecdFileName = regexp.MustCompile(`^ICIO(\d{4})_(\d{4})\.(csv|CSV|zip)$`)
	// oecdTotals are the labels of the output row and column, dropped.
	oecdTotals = []string{"OUT", "OUTPUT", "TOTAL"}
	// oecdValueAdded are the rows of value added at basic prices.
	oecdValueAdded = []string{"VALU", "VA"}
	// oecdParts are the regions split off China and Mexico (CN1, MX2),
	// added back into CHN and MEX as pymrio does.
	oecdParts = map[string]*regexp.Regexp{"CHN": regexp.MustCompile(`^CN\d+$`), "MEX": regexp.MustCompile(`^MX\d+$`)}
)

// readOECD reads one year of the OECD Inter-Country Input-Output tables,
// the 2016, 2018, 2021 and 2023 editions: a CSV file, a zip archive
// holding one, or a folder holding ICIOyyyy_YEAR.csv (or .zip) with the
// option year.
func readOECD(p string, opts map[string]string) (*table.Table, error) {
	src, file, err := oecdFile(p, opts["year"])
	if err != nil {
		return nil, err
	}
	defer src.Close()
	f, err := src.frame(file, layout{comma: ',', indexCols: 1, headerRows: 1, blankZero: true}, 0)
	if err != nil {
		return nil, err
	}
	return oecdTable(f, src.path)
}

// oecdFile returns the source and the file in it to read.
func oecdFile(p, year string) (*source, string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, "", openError(p, err)
	}
	if info.IsDir() {
		if year == "" {
			return nil, "", fmt.Errorf("formats: oecd-icio: %s is a folder; give the year with the option year, or the file as the path", p)
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, "", openError(p, err)
		}
		var found []string
		for _, e := range entries {
			if m := oecdFileName.FindStringSubmatch(e.Name()); m != nil && m[2] == year {
				found = append(found, e.Name())
			}
		}
		slices.SortFunc(found, func(a, b string) int { // a CSV before a zip of it
			return strings.Compare(strings.ToLower(path.Ext(a)), strings.ToLower(path.Ext(b)))
		})
		if len(found) == 0 {
			return nil, "", fileError(p, os.ErrNotExist, "no ICIOyyyy_%s.csv or .zip", year)
		}
		p = filepath.Join(p, found[0])
	}
	if strings.EqualFold(filepath.Ext(p), ".zip") {
		src, err := openSource(p)
		if err != nil {
			return nil, "", err
		}
		files, err := src.files(".")
		if err != nil {
			src.Close()
			return nil, "", err
		}
		var csvs []string
		for _, f := range files {
			if strings.EqualFold(path.Ext(f), ".csv") {
				csvs = append(csvs, f)
			}
		}
		if len(csvs) != 1 {
			src.Close()
			return nil, "", fileError(p, ErrLayout, "holds %d CSV files (%s); want one", len(csvs), strings.Join(csvs, ", "))
		}
		return src, csvs[0], nil
	}
	src, err := openSource(filepath.Dir(p))
	return src, filepath.Base(p), err
}

// oecdCell is where one row or column of the file goes.
type oecdCell struct {
	kind int // product, factor input, demand or total
	idx  int
}

const (
	oecdTotal = iota
	oecdProduct
	oecdFactor
	oecdDemand
)

// oecdTable builds the table from the frame of the whole file.
func oecdTable(f *frame, source string) (*table.Table, error) {
	t := &table.Table{Source: source}
	rowLabels, colLabels := make([]string, f.rows()), make([]string, f.cols())
	for i := range rowLabels {
		rowLabels[i] = f.rowParts[i][0]
	}
	for j := range colLabels {
		colLabels[j] = f.colParts[j][0]
	}
	if err := f.rowSide(joined).unique(); err != nil {
		return nil, err
	}
	if err := f.colSide(joined).unique(); err != nil {
		return nil, err
	}

	// Products are the labels that are both a row and a column.
	isCol := map[string]bool{}
	for _, c := range colLabels {
		isCol[c] = true
	}
	var regions, sectors []string
	for i, r := range rowLabels {
		if !isCol[r] || slices.Contains(oecdTotals, r) {
			continue
		}
		reg, sec, ok := strings.Cut(r, "_")
		if !ok {
			return nil, &ParseError{File: f.file, Line: f.rowLines[i], Column: 1,
				Err: wrapKind(ErrLabel, "row %q is also a column, but names no region and sector (REGION_SECTOR)", r)}
		}
		regions, sectors = append(regions, reg), append(sectors, sec)
	}
	regions, sectors = firstSeen(regions), firstSeen(sectors)
	into := map[string]string{} // region -> the region it is added into
	var merged []string
	for whole, re := range oecdParts {
		if !slices.Contains(regions, whole) {
			continue
		}
		for _, r := range regions {
			if re.MatchString(r) {
				into[r] = whole
				merged = append(merged, r+" into "+whole)
			}
		}
	}
	slices.Sort(merged)
	t.Regions = slices.DeleteFunc(regions, func(r string) bool { return into[r] != "" })
	t.Sectors = sectors
	prod := grid("a product", "every region needs every sector of "+filepath.Base(f.file), t.Regions, t.Sectors, slashed)
	region := func(r string) string {
		if w := into[r]; w != "" {
			return w
		}
		return r
	}

	rows, factors, err := oecdRows(f, rowLabels, isCol, prod, region)
	if err != nil {
		return nil, err
	}
	cols, err := oecdColumns(t, f, colLabels, rowLabels, prod, region)
	if err != nil {
		return nil, err
	}

	n, d := t.N(), len(t.Consumers)*len(t.Categories)
	t.Z, t.Y = mat.NewDense(n, n, nil), mat.NewDense(n, d, nil)
	fi := &table.Extension{Name: pymrioFactorInputs, Stressors: factors, Units: make([]string, len(factors)),
		F: mat.NewDense(len(factors), n, nil), FY: mat.NewDense(len(factors), d, nil)}
	for k := range fi.Units {
		fi.Units[k] = oecdMoney
	}
	targets := [4][4]*mat.Dense{} // [row kind][column kind]
	targets[oecdProduct][oecdProduct], targets[oecdProduct][oecdDemand] = t.Z, t.Y
	targets[oecdFactor][oecdProduct], targets[oecdFactor][oecdDemand] = fi.F, fi.FY
	nc := f.cols()
	for i, rc := range rows {
		for j, v := range f.data[i*nc : (i+1)*nc] {
			cc := cols[j]
			if m := targets[rc.kind][cc.kind]; m != nil && v != 0 {
				m.Set(rc.idx, cc.idx, m.At(rc.idx, cc.idx)+v)
			}
		}
	}
	t.Extensions = []*table.Extension{fi}
	for k, s := range factors {
		if slices.Contains(oecdValueAdded, s) {
			t.ValueAdded = mat.Row(nil, k, fi.F)
		}
	}
	if len(merged) > 0 {
		t.Notes = append(t.Notes, "regions added together, as pymrio adds them: "+strings.Join(merged, ", "))
	}
	if f.blanks > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%s: %d empty cells read as zero, as pymrio reads them", filepath.Base(f.file), f.blanks))
	}
	return t, nil
}

// oecdRows sorts the rows into products (by the axis), factor inputs (the
// labels returned) and totals. A row that names a product but has no
// column is an error: a renamed or missing column would otherwise turn a
// product into a factor input.
func oecdRows(f *frame, labels []string, isCol map[string]bool, prod *axis, region func(string) string) ([]oecdCell, []string, error) {
	out := make([]oecdCell, len(labels))
	var factors []string
	own := make([]bool, prod.len())
	for i, r := range labels {
		reg, sec, _ := strings.Cut(r, "_")
		k, isProd := prod.pos[key(region(reg), sec)]
		switch {
		case slices.Contains(oecdTotals, r):
			out[i] = oecdCell{kind: oecdTotal}
		case isProd && isCol[r]:
			out[i] = oecdCell{kind: oecdProduct, idx: k}
			own[k] = own[k] || region(reg) == reg
		case isProd:
			return nil, nil, &ParseError{File: f.file, Line: f.rowLines[i], Column: 1,
				Err: wrapKind(ErrLabel, "row %q names a product, but no column does", r)}
		default:
			out[i] = oecdCell{kind: oecdFactor, idx: len(factors)}
			factors = append(factors, r)
		}
	}
	if k := slices.Index(own, false); k >= 0 {
		return nil, nil, fileError(f.file, ErrLabel, "no row and column %s; %s", prod.shows[k], prod.need)
	}
	return out, factors, nil
}

// oecdColumns sorts the columns into products, final demand and totals,
// setting t's consumers and categories. A final-demand label is split at
// its first "_" into region and category, in either order (the 2016
// edition writes HFCE_AUS); one without "_", such as the discrepancy
// column DISC, belongs to the consumer ALL, which consumes and does not
// produce, as pymrio has it.
func oecdColumns(t *table.Table, f *frame, labels, rowLabels []string, prod *axis, region func(string) string) ([]oecdCell, error) {
	out := make([]oecdCell, len(labels))
	isRow := map[string]bool{}
	for _, r := range rowLabels {
		isRow[r] = true
	}
	var consumers, categories []string
	type column struct {
		j                  int
		consumer, category string
	}
	var demand []column
	for j, c := range labels {
		a, b, split := strings.Cut(c, "_")
		k, isProd := prod.pos[key(region(a), b)]
		switch {
		case slices.Contains(oecdTotals, c):
			out[j] = oecdCell{kind: oecdTotal}
			continue
		case isProd && isRow[c]:
			out[j] = oecdCell{kind: oecdProduct, idx: k}
			continue
		case isProd:
			return nil, &ParseError{File: f.file, Line: f.colLine, Column: j + 2,
				Err: wrapKind(ErrLabel, "column %q names a product, but no row does", c)}
		case !split:
			a, b = oecdDiscrepancy, c
		case !slices.Contains(t.Regions, region(a)) && slices.Contains(t.Regions, region(b)):
			a, b = b, a
		}
		if slices.Contains(t.Sectors, b) {
			return nil, &ParseError{File: f.file, Line: f.colLine, Column: j + 2,
				Err: wrapKind(ErrLabel, "column %q names a sector of a region that produces nothing", c)}
		}
		a = region(a)
		demand = append(demand, column{j, a, b})
		consumers, categories = append(consumers, a), append(categories, b)
		out[j] = oecdCell{kind: oecdDemand}
	}
	t.Consumers = slices.Clone(t.Regions)
	for _, c := range firstSeen(consumers) {
		if !slices.Contains(t.Regions, c) {
			t.Consumers = append(t.Consumers, c)
		}
	}
	t.Categories = firstSeen(categories)
	dem := grid("a final-demand column", "", t.Consumers, t.Categories, slashed)
	seen := make([]bool, dem.len())
	for _, c := range demand {
		k := dem.pos[key(c.consumer, c.category)]
		if seen[k] {
			return nil, &ParseError{File: f.file, Line: f.colLine, Column: c.j + 2,
				Err: wrapKind(ErrDuplicateLabel, "column %q is a final demand given twice (%s)", labels[c.j], dem.shows[k])}
		}
		seen[k] = true
		out[c.j] = oecdCell{kind: oecdDemand, idx: k}
	}
	var missing []string
	for k, s := range seen {
		if !s {
			missing = append(missing, dem.shows[k])
		}
	}
	if only := t.Consumers[len(t.Regions):]; len(only) > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("consumers that do not produce, kept with their final demand (MATH.md 14): %s", strings.Join(only, ", ")))
	}
	if len(missing) > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("final-demand columns absent from %s, read as zero: %s",
			filepath.Base(f.file), example(missing)))
	}
	return out, nil
}
