package formats

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/table"
	"gonum.org/v1/gonum/mat"
)

// WIOD's air-emission accounts (release May 2012): a folder or zip
// archive AIR_*, beside the world table, of one Excel 97 workbook per
// country, CCC_AIR_May12.xls, with a sheet per year. Row 1 names the
// stressors from column C; each row below gives a sector's description
// in column A, its code in column B ("secAtB") and its emissions.
// secTOT, secQ (not in the world table) and total are left out; FC_HH is
// the households' direct emissions.
const (
	wiodAirPrefix    = "AIR_"
	wiodAirSuffix    = "_AIR_May12.xls"
	wiodAirFirstCol  = 2
	wiodAirCodeCol   = 1
	wiodAirHouseRow  = "FC_HH"
	wiodAirHouseCat  = "c37" // final consumption expenditure by households
	wiodAirExtension = "AIR"
)

var (
	wiodAirSkip = []string{"secTOT", "secQ", "total"}
	// wiodAirUnits are the units WIOD documents and pymrio sets; the
	// files give none.
	wiodAirUnits = map[string]string{"CO2": "Gg", "CH4": "t", "N2O": "t", "NOX": "t",
		"SOX": "t", "CO": "t", "NMVOC": "t", "NH3": "t"}
)

// wiodAir adds the extension AIR from the air-emission accounts beside
// the world table in dir, when there are any: F from each region's
// sectors, F_Y from its households, in the category c37 of the region,
// for the year the table's title ends with. A region without its file, a
// file without a sheet for the year, or a sector the table lacks is an
// error.
func wiodAir(t *table.Table, dir, title string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return openError(dir, err)
	}
	var found []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), wiodAirPrefix) {
			found = append(found, e.Name())
		}
	}
	switch len(found) {
	case 0:
		return nil
	case 1:
	default:
		return fileError(dir, ErrLayout, "several air-emission sources %s; want one folder or zip archive %s*", strings.Join(found, ", "), wiodAirPrefix)
	}
	src, err := openSource(filepath.Join(dir, found[0]))
	if err != nil {
		return err
	}
	defer src.Close()
	files, err := src.files(".")
	if err != nil {
		return err
	}
	year := title[max(len(title)-4, 0):]
	house := slices.Index(t.Categories, wiodAirHouseCat)
	if house < 0 {
		return fileError(t.Source, ErrLabel, "no final-demand category %s for the households' air emissions (categories: %s)", wiodAirHouseCat, strings.Join(t.Categories, ", "))
	}
	e := &table.Extension{Name: wiodAirExtension}
	m := len(t.Sectors)
	for r, region := range t.Regions {
		var mine []string
		for _, f := range files {
			b := path.Base(f)
			if strings.HasSuffix(b, ".xls") && (strings.HasPrefix(b, strings.ToUpper(region)) || strings.HasPrefix(b, strings.ToLower(region))) {
				mine = append(mine, f)
			}
		}
		if len(mine) != 1 {
			return fileError(src.path, fs.ErrNotExist, "region %s: %d files %s*.xls (%s); want one, %s%s",
				region, len(mine), strings.ToUpper(region), strings.Join(mine, ", "), strings.ToUpper(region), wiodAirSuffix)
		}
		data, err := src.readAll(mine[0])
		if err != nil {
			return err
		}
		sheets, err := parseXLS(data, src.name(mine[0]))
		if err != nil {
			return err
		}
		g, ok := sheets[year]
		if !ok {
			names := make([]string, 0, len(sheets))
			for n := range sheets {
				names = append(names, n)
			}
			slices.Sort(names)
			return fileError(src.name(mine[0]), ErrLayout, "region %s: no sheet %q for the table's year (sheets: %s)", region, year, strings.Join(names, ", "))
		}
		if err := wiodAirSheet(t, e, g, r, r*len(t.Categories)+house, m); err != nil {
			return err
		}
	}
	t.Extensions = append(t.Extensions, e)
	return nil
}

// wiodAirSheet adds region r's sheet to e: its stressors must be those of
// the regions before it, in any order.
func wiodAirSheet(t *table.Table, e *table.Extension, g *sheetGrid, r, fyCol, m int) error {
	var cols []int
	var names []string
	if len(g.cells) > 0 {
		for c := wiodAirFirstCol; c < len(g.cells[0]); c++ {
			if s := strings.TrimSpace(g.cells[0][c]); s != "" {
				cols, names = append(cols, c), append(names, s)
			}
		}
	}
	if len(names) == 0 {
		return g.errorAt(0, wiodAirFirstCol, ErrLayout, "no stressors in row 1 from column C")
	}
	if e.F == nil {
		unitAll := strings.TrimSpace(g.cell(0, 0))
		for c, s := range names {
			u := wiodAirUnits[strings.ToUpper(s)]
			if u == "" {
				u = unitAll
			}
			if u == "" {
				return g.errorAt(0, cols[c], ErrLabel, "no unit for stressor %s: WIOD documents %s, and cell A1 is empty", s, strings.Join(mapKeys(wiodAirUnits), ", "))
			}
			e.Stressors, e.Units = append(e.Stressors, s), append(e.Units, u)
		}
		e.F = mat.NewDense(len(names), t.N(), nil)
		e.FY = mat.NewDense(len(names), len(t.Consumers)*len(t.Categories), nil)
	}
	rowOf := make([]int, len(names))
	for c, s := range names {
		rowOf[c] = slices.Index(e.Stressors, s)
		if rowOf[c] < 0 || len(names) != len(e.Stressors) {
			return g.errorAt(0, cols[c], ErrLabel, "stressors %s; the files before it have %s", strings.Join(names, ", "), strings.Join(e.Stressors, ", "))
		}
	}
	seen := make([]bool, m+1) // the sectors, then the households
	for row := 1; row < len(g.cells); row++ {
		code := strings.TrimSpace(g.cell(row, wiodAirCodeCol))
		if code == "" || slices.Contains(wiodAirSkip, code) {
			continue
		}
		dst, col, at := e.FY, fyCol, m
		if code != wiodAirHouseRow {
			i := slices.Index(t.Sectors, strings.TrimPrefix(code, "sec"))
			if i < 0 {
				return g.errorAt(row, wiodAirCodeCol, ErrLabel, "region %s: sector %s is not a sector of the world table", t.Regions[r], code)
			}
			dst, col, at = e.F, r*m+i, i
		}
		if seen[at] {
			return g.errorAt(row, wiodAirCodeCol, ErrDuplicateLabel, "region %s: %s appears twice", t.Regions[r], code)
		}
		seen[at] = true
		for c, k := range cols {
			v := g.cell(row, k)
			if v == "" {
				continue // zero, as pymrio fills it
			}
			x, err := parseNumber(v)
			if err != nil {
				return &ParseError{File: g.file, Err: fmt.Errorf("sheet %q cell %s: region %s, %s, stressor %s: %w",
					g.name, cellName(row, k), t.Regions[r], code, names[c], err)}
			}
			dst.Set(rowOf[c], col, x)
		}
	}
	if i := slices.Index(seen, false); i >= 0 {
		what := "sector sec" + t.Sectors[min(i, m-1)]
		if i == m {
			what = "households' row " + wiodAirHouseRow
		}
		return fileError(g.file, ErrLabel, "sheet %q: region %s: no %s in column B", g.name, t.Regions[r], what)
	}
	return nil
}

// mapKeys returns the keys of m, sorted.
func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
