package formats

import (
	"bufio"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/table"
)

func init() {
	Register(Format{Name: "exiobase2", Read: readExio12})
	Register(Format{Name: "exiobase1", Read: readExio12})
}

// exio12Files are the files of an EXIOBASE 1 or 2 download, in coefficient
// form, by what they hold: the core, then each extension's S and F_Y. A
// name that starts with "_" is not one of them.
var exio12Files = []struct {
	key, ext string // key: A, Y, S or F_Y; ext: the extension's name
	re       *regexp.Regexp
}{
	{"A", "", regexp.MustCompile(`^mrIot.*\.txt$`)},
	{"Y", "", regexp.MustCompile(`^mrFinalDemand.*\.txt$`)},
	{"S", "factor_inputs", regexp.MustCompile(`^mrFactorInputs.*\.txt$`)},
	{"S", "emissions", regexp.MustCompile(`^mrEmissions.*\.txt$`)},
	{"S", "materials", regexp.MustCompile(`^mrMaterials.*\.txt$`)},
	{"S", "resources", regexp.MustCompile(`^mrResources.*\.txt$`)},
	{"F_Y", "emissions", regexp.MustCompile(`^mrFDEmissions.*\.txt$`)},
	{"F_Y", "materials", regexp.MustCompile(`^mrFDMaterials.*\.txt$`)},
	{"F_Y", "resources", regexp.MustCompile(`^mrFDResources.*\.txt$`)},
}

// readExio12 reads an EXIOBASE 1 or 2 download in coefficient form, a
// folder or its zip archive: mrIot (A) and mrFinalDemand (Y), with their
// unit as the last index column; the extensions mrFactorInputs,
// mrEmissions, mrMaterials and mrResources (S) and mrFDEmissions,
// mrFDMaterials and mrFDResources (F_Y), stressor labels then unit. Each
// file's number of index columns and header rows is taken from its first
// lines, as pymrio sniffs them.
func readExio12(p string, _ map[string]string) (*table.Table, error) {
	src, err := openSource(p)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	found := map[int]string{}
	err = fs.WalkDir(src.fsys, ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for k, f := range exio12Files {
			if f.re.MatchString(path.Base(rel)) {
				if found[k] != "" {
					return fileError(src.path, ErrLayout, "two files for %s: %s and %s", f.re, found[k], rel)
				}
				found[k] = rel
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for k := range 2 {
		if found[k] == "" {
			return nil, fileError(src.path, fs.ErrNotExist, "no file like %s: not an EXIOBASE 1 or 2 download", exio12Files[k].re)
		}
	}
	read := func(k int) (*frame, error) {
		l, err := sniffLayout(src, found[k])
		if err != nil {
			return nil, err
		}
		return src.frame(found[k], l, 0)
	}
	t := &table.Table{Source: src.path}
	a, err := read(0)
	if err != nil {
		return nil, err
	}
	if a.indexCols != 3 || len(a.colParts[0]) != 2 {
		return nil, fileError(a.file, ErrLayout, "%d index columns and %d header rows; want 3 (region, sector, unit) and 2", a.indexCols, len(a.colParts[0]))
	}
	pair := func(p []string) string { return key(p[0], p[1]) }
	var prod *axis
	if t.A, prod, err = core(t, a, pair, slashed); err != nil {
		return nil, err
	}
	money, _, _ := strings.Cut(a.rowParts[0][2], "/") // "M.EUR/M.EUR"

	y, err := read(1)
	if err != nil {
		return nil, err
	}
	if y.indexCols != 3 || len(y.colParts[0]) != 2 {
		return nil, fileError(y.file, ErrLayout, "%d index columns and %d header rows; want 3 (region, sector, unit) and 2", y.indexCols, len(y.colParts[0]))
	}
	rowPerm, err := y.rowSide(pair).orderBy(prod)
	if err != nil {
		return nil, err
	}
	var consumers, categories []string
	for _, p := range y.colParts {
		consumers, categories = append(consumers, p[0]), append(categories, p[1])
	}
	t.Consumers, t.Categories = slices.Clone(t.Regions), firstSeen(categories)
	for _, c := range firstSeen(consumers) {
		if !slices.Contains(t.Regions, c) {
			t.Consumers = append(t.Consumers, c)
		}
	}
	dem := grid("a final-demand column of "+filepath.Base(y.file), "every consumer needs every category", t.Consumers, t.Categories, slashed)
	colPerm, err := y.colSide(joined).orderBy(dem)
	if err != nil {
		return nil, err
	}
	t.Y = y.matrix(rowPerm, colPerm)

	exts := map[string]*table.Extension{}
	stressorAxes := map[string]*axis{}
	for k := 2; k < len(exio12Files); k++ {
		f := exio12Files[k]
		if found[k] == "" {
			continue
		}
		fr, err := read(k)
		if err != nil {
			return nil, err
		}
		if fr.indexCols < 2 || len(fr.colParts[0]) != 2 {
			return nil, fileError(fr.file, ErrLayout, "%d index columns and %d header rows; want stressor labels, then unit, and 2",
				fr.indexCols, len(fr.colParts[0]))
		}
		label := func(p []string) string { return key(p[:len(p)-1]...) }
		rows := fr.rowSide(label)
		for i, p := range fr.rowParts {
			rows.shows[i] = strings.Join(p[:len(p)-1], "/")
		}
		if f.key == "S" {
			if err := rows.unique(); err != nil {
				return nil, err
			}
			perm, err := fr.colSide(pair).orderBy(prod)
			if err != nil {
				return nil, err
			}
			e := &table.Extension{Name: f.ext, Stressors: rows.shows, S: fr.matrix(identityPerm(fr.rows()), perm)}
			for _, p := range fr.rowParts {
				e.Units = append(e.Units, exio12Unit(p[len(p)-1], money))
			}
			exts[f.ext] = e
			stressorAxes[f.ext] = newAxis("a stressor of "+filepath.Base(fr.file), filepath.Base(fr.file)+" has it", rows.keys, rows.shows)
			t.Extensions = append(t.Extensions, e)
			continue
		}
		e := exts[f.ext]
		if e == nil {
			return nil, fileError(fr.file, ErrLayout, "final demand's %s without the file of their coefficients", f.ext)
		}
		rowPerm, err := rows.orderBy(stressorAxes[f.ext])
		if err != nil {
			return nil, err
		}
		perm, err := fr.colSide(joined).orderBy(dem)
		if err != nil {
			return nil, err
		}
		e.FY = fr.matrix(rowPerm, perm)
	}
	return t, nil
}

// exio12Unit returns a stressor's unit without the per-money part, as
// pymrio writes it: "kg/M.EUR" is "kg", "M.EUR/M.EUR" is "M.EUR".
func exio12Unit(u, money string) string {
	if s := strings.ReplaceAll(u, "/"+money, ""); s != "" {
		return s
	}
	return strings.ReplaceAll(u, "/", "")
}

// sniffLayout returns the layout of a tab-separated EXIOBASE file from its
// first lines: as many index columns as the first line has empty cells
// before its first label, as many header rows as lines that start with an
// empty cell.
func sniffLayout(src *source, rel string) (layout, error) {
	f, err := src.open(rel)
	if err != nil {
		return layout{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	l := layout{comma: '\t'}
	for sc.Scan() {
		cells := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if cells[0] != "" {
			break
		}
		if l.headerRows == 0 {
			for l.indexCols < len(cells) && cells[l.indexCols] == "" {
				l.indexCols++
			}
		}
		l.headerRows++
	}
	if err := sc.Err(); err != nil {
		return layout{}, &ParseError{File: src.name(rel), Err: fmt.Errorf("reading: %w", err)}
	}
	if l.headerRows == 0 || l.indexCols == 0 {
		return layout{}, fileError(src.name(rel), ErrLayout, "no header rows that start with empty label cells")
	}
	return l, nil
}
