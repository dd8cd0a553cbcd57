package formats

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/table"
	"gonum.org/v1/gonum/mat"
)

func init() {
	Register(Format{Name: "gloria", Options: []string{"year", "version", "price", "country_names"}, Read: readGLORIA})
}

// The GLORIA reader's names.
const (
	gloriaMoney = "1000 USD" // GLORIA's unit, thousands of current US dollars
)

var (
	gloriaMRIOs     = regexp.MustCompile(`^GLORIA_MRIOs_0*(\d+)_(\d{4})(\.zip)?$`)
	gloriaSatellite = regexp.MustCompile(`^GLORIA_SatelliteAccounts_0*(\d+)_(\d{4})(\.zip)?$`)
	gloriaReadMe    = regexp.MustCompile(`^GLORIA_ReadMe_0*(\d+)a?\.xlsx$`)
	// gloriaResult matches a result file: part, year, version, markup.
	gloriaResult = regexp.MustCompile(`_(T|Y|V|TQ|YQ)-Results_(\d{4})_0*(\d+)_Markup(\d+)\(full\)\.csv$`)
	// gloriaMarkups are the markups of the prices: basic (bp) and
	// purchasers' (pp).
	gloriaMarkups = map[string]string{"bp": "001", "pp": "005"}
)

// readGLORIA reads one year of GLORIA from a folder holding the three
// parts of a download: GLORIA_MRIOs_VV_YEAR (zip archive or unpacked) with
// the results T, Y and V; GLORIA_SatelliteAccounts_0VV_YEAR with TQ and
// YQ; and GLORIA_ReadMe_0VV.xlsx with the labels. T is a supply-use
// system, turned into commodity by commodity (industry technology), as
// pymrio's parse_gloria does.
func readGLORIA(p string, opts map[string]string) (*table.Table, error) {
	price := opts["price"]
	if price == "" {
		price = "bp"
	}
	markup, ok := gloriaMarkups[price]
	if !ok {
		return nil, fmt.Errorf("formats: gloria: option price is %q; want bp or pp", price)
	}
	nameCol := "Region_acronyms"
	switch opts["country_names"] {
	case "", "gloria":
	case "full":
		nameCol = "Region_names"
	default:
		return nil, fmt.Errorf("formats: gloria: option country_names is %q; want gloria or full", opts["country_names"])
	}
	parts, err := gloriaParts(p, opts["year"], strings.TrimLeft(opts["version"], "0"))
	if err != nil {
		return nil, err
	}
	g := &gloriaReader{markup: markup}
	if err := g.labels(parts.readMe, nameCol); err != nil {
		return nil, err
	}
	mrio, err := openSource(parts.mrio)
	if err != nil {
		return nil, err
	}
	defer mrio.Close()
	sat, err := openSource(parts.satellite)
	if err != nil {
		return nil, err
	}
	defer sat.Close()
	return g.read(mrio, sat, parts.year, parts.version, p)
}

// gloriaDownload is where the three parts of one year are.
type gloriaDownload struct {
	mrio, satellite, readMe string
	year, version           string
}

// gloriaParts finds the parts in the folder p of the year and version
// asked for, or of the only ones there.
func gloriaParts(p, year, version string) (*gloriaDownload, error) {
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, openError(p, err)
	}
	var found []*gloriaDownload
	for _, e := range entries {
		m := gloriaMRIOs.FindStringSubmatch(e.Name())
		if m == nil || year != "" && m[2] != year || version != "" && m[1] != version {
			continue
		}
		found = append(found, &gloriaDownload{mrio: filepath.Join(p, e.Name()), version: m[1], year: m[2]})
	}
	switch len(found) {
	case 0:
		return nil, fileError(p, fs.ErrNotExist, "no GLORIA_MRIOs_VV_YEAR folder or zip archive%s", eoraWanted(year, ""))
	case 1:
	default:
		var names []string
		for _, d := range found {
			names = append(names, filepath.Base(d.mrio))
		}
		return nil, fileError(p, ErrLayout, "several GLORIA downloads (%s); choose with the options year and version", strings.Join(names, ", "))
	}
	d := found[0]
	for _, e := range entries {
		if m := gloriaSatellite.FindStringSubmatch(e.Name()); m != nil && m[1] == d.version && m[2] == d.year {
			d.satellite = filepath.Join(p, e.Name())
		}
		if m := gloriaReadMe.FindStringSubmatch(e.Name()); m != nil && m[1] == d.version {
			d.readMe = filepath.Join(p, e.Name())
		}
	}
	if d.satellite == "" {
		return nil, fileError(p, fs.ErrNotExist, "no GLORIA_SatelliteAccounts_0%s_%s folder or zip archive beside %s",
			d.version, d.year, filepath.Base(d.mrio))
	}
	if d.readMe == "" {
		return nil, fileError(p, fs.ErrNotExist, "no GLORIA_ReadMe_0%s.xlsx, which names the regions, sectors and satellites", d.version)
	}
	return d, nil
}

// gloriaReader holds the labels of a GLORIA release.
type gloriaReader struct {
	markup                   string
	regions, sectors         []string
	valueAdded, finalDemand  []string
	satellites, heads, units []string
}

// labels reads the ReadMe workbook's sheets Regions, Sectors, "Value
// added and final demand" and Satellites.
func (g *gloriaReader) labels(file, nameCol string) error {
	return withWorkbook(file, func(w *workbook) error { return g.labelsFrom(w, file, nameCol) })
}

func (g *gloriaReader) labelsFrom(w *workbook, file, nameCol string) error {
	var err error
	lists := []struct {
		sheet, column string
		into          *[]string
	}{
		{"Regions", nameCol, &g.regions},
		{"Sectors", "Sector_names", &g.sectors},
		{"Value added and final demand", "Value_added_names", &g.valueAdded},
		{"Value added and final demand", "Final_demand_names", &g.finalDemand},
		{"Satellites", "Sat_indicator", &g.satellites},
		{"Satellites", "Sat_head_indicator", &g.heads},
		{"Satellites", "Sat_unit", &g.units},
	}
	sheets := map[string]*sheetGrid{}
	for _, l := range lists {
		s := sheets[l.sheet]
		if s == nil {
			if s, err = w.sheet(l.sheet, -1); err != nil {
				return err
			}
			sheets[l.sheet] = s
		}
		if *l.into, err = sheetColumn(s, l.column); err != nil {
			return err
		}
	}
	if len(g.satellites) != len(g.heads) || len(g.satellites) != len(g.units) {
		return fileError(file, ErrLayout, "sheet Satellites: %d indicators, %d heads, %d units; want one of each per row",
			len(g.satellites), len(g.heads), len(g.units))
	}
	return nil
}

// sheetColumn returns the cells under the heading name in the first row
// of the sheet, down to the first empty one.
func sheetColumn(s *sheetGrid, name string) ([]string, error) {
	c := -1
	if len(s.cells) > 0 {
		c = slices.Index(s.cells[0], name)
	}
	if c < 0 {
		return nil, s.errorAt(0, 0, ErrLayout, "no column %q in the first row", name)
	}
	var out []string
	for r := 1; s.cell(r, c) != ""; r++ {
		out = append(out, s.cell(r, c))
	}
	if len(out) == 0 {
		return nil, s.errorAt(1, c, ErrLayout, "column %q is empty", name)
	}
	return out, nil
}

// result finds the result file of part in src.
func (g *gloriaReader) result(src *source, part, year, version, markup string) (*frame, error) {
	var found string
	err := fs.WalkDir(src.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		m := gloriaResult.FindStringSubmatch(path.Base(p))
		if m != nil && m[1] == part && m[2] == year && m[3] == version && m[4] == markup {
			found = p
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("formats: %s: %w", src.path, err)
	}
	if found == "" {
		return nil, fileError(src.path, fs.ErrNotExist, "no %s-Results_%s_0%s_Markup%s(full).csv", part, year, version, markup)
	}
	return src.frame(found, layout{comma: ','}, 0)
}

// read reads the results and builds the table.
//
// TODO(gloria-memory): T is read whole, though only its use block (product
// rows, industry columns) and supply block are kept: 12 GB for the full
// release, and as much again for the blocks. A frame reader that keeps
// chosen rows and columns as it parses would need a quarter of it.
func (g *gloriaReader) read(mrio, sat *source, year, version, where string) (*table.Table, error) {
	R, S, F, V, K := len(g.regions), len(g.sectors), len(g.finalDemand), len(g.valueAdded), len(g.satellites)
	n2 := 2 * R * S // T's side: region, then Industry or Product, then sector
	files := []struct {
		src          *source
		part, markup string
		rows, cols   int
	}{
		{mrio, "T", g.markup, n2, n2},
		{mrio, "Y", g.markup, n2, R * F},
		{mrio, "V", "001", R * V, n2},
		{sat, "TQ", "001", K, n2},
		{sat, "YQ", "001", K, R * F},
	}
	fr := map[string]*frame{}
	for _, f := range files {
		m, err := g.result(f.src, f.part, year, version, f.markup)
		if err != nil {
			return nil, err
		}
		if m.rows() != f.rows || m.cols() != f.cols {
			return nil, fileError(m.file, ErrLayout, "%d rows and %d columns; the ReadMe's labels call for %d and %d",
				m.rows(), m.cols(), f.rows, f.cols)
		}
		fr[f.part] = m
	}
	t := &table.Table{Source: where, Sectors: g.sectors, Categories: g.finalDemand}

	// Countries with no transactions at all are set aside, as pymrio sets
	// them aside; their final demand and value added are reported.
	T := fr["T"]
	var kept []int
	var empty []string
	for r := range R {
		var rows, cols float64
		for i := r * 2 * S; i < (r+1)*2*S; i++ {
			for j := range n2 {
				rows += T.data[i*n2+j]
				cols += T.data[j*n2+i]
			}
		}
		if rows == 0 && cols == 0 {
			empty = append(empty, g.regions[r])
			continue
		}
		kept = append(kept, r)
		t.Regions = append(t.Regions, g.regions[r])
	}
	t.Consumers = slices.Clone(t.Regions)
	if len(kept) == 0 {
		return nil, fileError(T.file, ErrLayout, "no country has any transaction")
	}
	if len(empty) > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("countries with no transactions set aside, as pymrio sets them aside: %s; %s",
			strings.Join(empty, ", "), g.lost(fr, kept, R, S, F, V)))
	}

	n, d := len(kept)*S, len(kept)*F
	// industry (r, s) is T's row or column r*2S + s; product (r, s) is r*2S + S + s.
	industry := func(k int) int { return kept[k/S]*2*S + k%S }
	product := func(k int) int { return kept[k/S]*2*S + S + k%S }
	demand := func(k int) int { return kept[k/F]*F + k%F }
	pick := func(f *frame, rows, cols int, row, col func(int) int) *mat.Dense {
		out := mat.NewDense(rows, cols, nil)
		nc := f.cols()
		for i := range rows {
			dst, src := out.RawRowView(i), f.data[row(i)*nc:]
			for j := range cols {
				dst[j] = src[col(j)]
			}
		}
		return out
	}
	same := func(k int) int { return k }
	va := func(k int) int { return kept[k/V]*V + k%V }
	u := pick(T, n, n, product, industry)
	v := pick(T, n, n, industry, product)
	t.Y = pick(fr["Y"], n, d, product, demand)
	vaInd := pick(fr["V"], len(kept)*V, n, va, industry)
	qInd := pick(fr["TQ"], K, n, same, industry)
	qy := pick(fr["YQ"], K, d, same, demand)

	var acc []*mat.Dense
	t.Z, acc = industryTechnology(v, u, vaInd, qInd)
	// x = U 1 + Y 1, pymrio's commodity output, which is also L y.
	t.X = make([]float64, n)
	for i := range n {
		t.X[i] = mat.Sum(u.RowView(i)) + mat.Sum(t.Y.RowView(i))
	}
	q := &table.Extension{Name: "Q", F: acc[1], FY: qy}
	for k := range K {
		q.Stressors = append(q.Stressors, g.satellites[k]+"/"+g.heads[k])
		q.Units = append(q.Units, g.units[k])
	}
	vaExt := &table.Extension{Name: "VA", F: acc[0]}
	for _, r := range kept {
		for _, name := range g.valueAdded {
			vaExt.Stressors = append(vaExt.Stressors, g.regions[r]+"/"+name)
			vaExt.Units = append(vaExt.Units, gloriaMoney)
		}
	}
	t.Extensions = []*table.Extension{q, vaExt}
	t.ValueAdded = make([]float64, n)
	for s := range vaExt.Stressors {
		for j, x := range acc[0].RawRowView(s) {
			t.ValueAdded[j] += x
		}
	}
	return t, nil
}

// lost says how much final demand and value added the countries set
// aside had: the parts of Y, V and YQ in their rows or columns.
func (g *gloriaReader) lost(fr map[string]*frame, kept []int, R, S, F, V int) string {
	keep := make([]bool, R)
	for _, r := range kept {
		keep[r] = true
	}
	sum := func(f *frame, rowRegion, colRegion func(int) int) float64 {
		var s float64
		nc := f.cols()
		for i := range f.rows() {
			for j := range nc {
				if !keep[rowRegion(i)] || !keep[colRegion(j)] {
					s += f.data[i*nc+j]
				}
			}
		}
		return s
	}
	side := func(i int) int { return i / (2 * S) }
	none := func(int) int { return kept[0] }
	return fmt.Sprintf("left out %s of final demand (Y), %s of value added (V), %s of final users' stressors (YQ)",
		strconv.FormatFloat(sum(fr["Y"], side, func(j int) int { return j / F }), 'g', -1, 64),
		strconv.FormatFloat(sum(fr["V"], func(i int) int { return i / V }, side), 'g', -1, 64),
		strconv.FormatFloat(sum(fr["YQ"], none, func(j int) int { return j / F }), 'g', -1, 64))
}
