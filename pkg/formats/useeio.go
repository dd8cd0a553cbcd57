package formats

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/table"
	"gonum.org/v1/gonum/mat"
)

func init() {
	Register(Format{
		Name:    "useeio",
		Options: []string{"demand", "demand_file", "demand_year"},
		Read:    readUseeio,
	})
}

// The useeio reader's option defaults, and the names it looks for.
const (
	useeioDemand     = "Consumption_Complete"        // option demand
	useeioDemandFile = "DemandVectors_NO_ExpRes.csv" // option demand_file
	// B_h is per dollar of this demand vector of the region.
	useeioHouseholdBasis = "Consumption_Complete"
	useeioSatellites     = "SatelliteTables_totals_by_sector_*.csv"
	useeioValueAdded     = "V00" // the code prefix of U's value-added rows
)

var useeioLayout = layout{comma: ',', indexCols: 1, headerRows: 1}

// codeKey keys a USEEIO label "code/location" as key(location, code),
// splitting at the last "/"; a label without "/" keeps a key that matches
// no product.
func codeKey(parts []string) string {
	code, region, ok := splitLast(parts[0])
	if !ok {
		return parts[0]
	}
	return key(region, code)
}

// splitLast splits s at its last "/".
func splitLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

func codeShow(region, code string) string { return code + "/" + region }

// readUseeio reads the CSV export of a USEEIO model: A.csv (A), B.csv (S),
// q.csv (x), a file of demand vectors (Y, one column per region), B_h.csv
// (household emissions per dollar of consumption, for FY) and U.csv (value
// added per region) when present.
func readUseeio(path string, opts map[string]string) (*table.Table, error) {
	t := &table.Table{Source: path}
	a, err := readFile(filepath.Join(path, "A.csv"), useeioLayout, square)
	if err != nil {
		return nil, err
	}
	var prod *axis
	if t.A, prod, err = core(t, a, codeKey, codeShow); err != nil {
		return nil, err
	}

	ext, stressors, err := useeioSatellite(path, prod)
	if err != nil {
		return nil, err
	}
	t.Extensions = []*table.Extension{ext}

	q, err := readFile(filepath.Join(path, "q.csv"), useeioLayout, prod.len())
	if err != nil {
		return nil, err
	}
	if t.X, err = column(q, prod, codeKey); err != nil {
		return nil, err
	}

	basis, err := useeioDemandVectors(t, path, opts, prod)
	if err != nil {
		return nil, err
	}
	if ext.FY, err = useeioHouseholds(path, t.Regions, stressors, basis); err != nil {
		return nil, err
	}
	if ext.FY == nil {
		t.Notes = append(t.Notes, "useeio: "+filepath.Join(path, "B_h.csv")+
			" is absent: no direct emissions of households (F_Y is zero)")
	}
	if t.RegionValueAdded, err = useeioValueAddedByRegion(path, t.Regions); err != nil {
		return nil, err
	}
	if t.RegionValueAdded == nil {
		t.Notes = append(t.Notes, "useeio: "+filepath.Join(path, "U.csv")+
			" is absent or has no value-added rows: value added is x (1 - column sums of A)")
	}
	return t, nil
}

// useeioSatellite reads B.csv as the extension's S and returns the axis of
// its stressors.
func useeioSatellite(path string, prod *axis) (*table.Extension, *axis, error) {
	b, err := readFile(filepath.Join(path, "B.csv"), useeioLayout, 0)
	if err != nil {
		return nil, nil, err
	}
	rows := b.rowSide(joined)
	if err := rows.unique(); err != nil {
		return nil, nil, err
	}
	colPerm, err := b.colSide(codeKey).orderBy(prod)
	if err != nil {
		return nil, nil, err
	}
	ext := &table.Extension{
		Name:      "satellite",
		Stressors: rows.shows,
		Units:     make([]string, len(rows.shows)),
		S:         b.matrix(identityPerm(b.rows()), colPerm),
	}
	// The unit is the last part of a flow's label: ".../air/kg CO2e".
	for i, s := range ext.Stressors {
		_, ext.Units[i], _ = splitLast(s)
	}
	names, err := filepath.Glob(filepath.Join(path, useeioSatellites))
	if err != nil {
		panic(err) // the pattern is a constant
	}
	if len(names) == 1 {
		prefix, suffix, _ := strings.Cut(useeioSatellites, "*")
		base := filepath.Base(names[0])
		ext.Name = base[len(prefix) : len(base)-len(suffix)]
	}
	return ext, stressorAxis(b, rows), nil
}

// useeioDemandVectors reads the final demand of each region, the column
// YEAR_REGION_DEMAND of the demand file, into t.Y. It returns, per region,
// the total of the demand that B_h is per dollar of: the region's
// Consumption_Complete vector when the file has it, else its y_r.
func useeioDemandVectors(t *table.Table, path string, opts map[string]string, prod *axis) ([]float64, error) {
	demand, file := opts["demand"], opts["demand_file"]
	if demand == "" {
		demand = useeioDemand
	}
	if file == "" {
		file = useeioDemandFile
	}
	if filepath.Base(file) != file {
		return nil, fmt.Errorf("formats: useeio: demand_file %q must be a file name in the model's folder", file)
	}
	d, err := readFile(filepath.Join(path, file), useeioLayout, prod.len())
	if err != nil {
		return nil, err
	}
	rowPerm, err := d.rowSide(codeKey).orderBy(prod)
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	var years []string
	for j := range d.cols() {
		label := d.colLabel(j)
		col[label] = j
		if y, _, ok := strings.Cut(label, "_"); ok && !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	year := opts["demand_year"]
	if year == "" {
		if len(years) != 1 {
			return nil, fileError(d.file, ErrLayout, "demand vectors of years %s; choose one with the option demand_year",
				strings.Join(years, ", "))
		}
		year = years[0]
	}
	t.Consumers = slices.Clone(t.Regions)
	t.Categories = []string{demand}
	n, r := prod.len(), len(t.Regions)
	y := make([]float64, n*r)
	basis := make([]float64, r)
	for c, region := range t.Regions {
		name := year + "_" + region + "_" + demand
		j, ok := col[name]
		if !ok {
			return nil, &ParseError{File: d.file, Line: d.colLine, Err: wrapKind(ErrLabel,
				"no column %q (demand %q of region %s in year %s); the columns are %s",
				name, demand, region, year, strings.Join(d.colLabels(), ", "))}
		}
		for i, p := range rowPerm {
			v := d.data[i*d.cols()+j]
			y[p*r+c] = v
			basis[c] += v
		}
		if j, ok := col[year+"_"+region+"_"+useeioHouseholdBasis]; ok {
			basis[c] = 0
			for i := range d.rows() {
				basis[c] += d.data[i*d.cols()+j]
			}
		}
	}
	t.Y = mat.NewDense(n, r, y)
	return basis, nil
}

func (f *frame) colLabels() []string {
	out := make([]string, f.cols())
	for j := range out {
		out[j] = f.colLabel(j)
	}
	return out
}

// useeioHouseholds returns FY[:, r] = B_h[:, r] * basis[r], the direct
// emissions of each region's households, from B_h.csv (columns
// F010/REGION). Nil when the folder has no B_h.csv.
func useeioHouseholds(path string, regions []string, stressors *axis, basis []float64) (*mat.Dense, error) {
	bh, err := readFile(filepath.Join(path, "B_h.csv"), useeioLayout, stressors.len())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	byRegion := newAxis("a region of A.csv", "A.csv has it", regions, regions)
	regionOf := func(parts []string) string {
		_, region, _ := splitLast(parts[0])
		return region
	}
	rowPerm, err := bh.rowSide(joined).orderBy(stressors)
	if err != nil {
		return nil, err
	}
	colPerm, err := bh.colSide(regionOf).orderBy(byRegion)
	if err != nil {
		return nil, err
	}
	fy := bh.matrix(rowPerm, colPerm)
	for c, b := range basis {
		for s := range stressors.len() {
			fy.Set(s, c, fy.At(s, c)*b)
		}
	}
	return fy, nil
}

// useeioValueAddedByRegion sums the value-added rows (V001, V002, ... per
// region) of the use table U.csv by region; NaN for a region without
// such rows. Nil when the folder has no U.csv or U has no such rows.
func useeioValueAddedByRegion(path string, regions []string) ([]float64, error) {
	u, err := readFile(filepath.Join(path, "U.csv"), useeioLayout, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	va := make([]float64, len(regions))
	found := make([]bool, len(regions))
	some := false
	for i := range u.rows() {
		code, region, _ := splitLast(u.rowLabel(i))
		r := slices.Index(regions, region)
		if r < 0 || !strings.HasPrefix(code, useeioValueAdded) {
			continue
		}
		found[r], some = true, true
		for _, v := range u.data[i*u.cols() : (i+1)*u.cols()] {
			va[r] += v
		}
	}
	if !some {
		return nil, nil
	}
	for r := range va {
		if !found[r] {
			va[r] = math.NaN()
		}
	}
	return va, nil
}
