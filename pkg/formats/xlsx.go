package formats

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
)

// An xlsx workbook is a zip archive of XML parts: xl/workbook.xml names
// the sheets and, through xl/_rels/workbook.xml.rels, the part of each;
// xl/sharedStrings.xml holds the text that cells of type "s" point to by
// index; a sheet's part lists its rows and cells:
//
//	<row r="3"><c r="B3" t="s"><v>7</v></c><c r="C3"><v>1.5</v></c></row>
//
// Only values are read: no styles, dates, or formulas (their cached
// values are).

// workbook is an xlsx file opened for reading its sheets.
type workbook struct {
	file    string
	z       *zip.Reader
	names   []string          // sheet names, in order
	parts   map[string]string // sheet name -> part
	strings []string
}

// sheetGrid is the text of a sheet's cells, cells[r][c] for spreadsheet
// row r+1 and column c+1; rows are as long as their last cell.
type sheetGrid struct {
	file, name string
	cells      [][]string
}

// cell returns the text at 0-based row r and column c, "" for none.
func (g *sheetGrid) cell(r, c int) string {
	if r < len(g.cells) && c < len(g.cells[r]) {
		return g.cells[r][c]
	}
	return ""
}

// cellName writes a 0-based cell position as a spreadsheet does: "B3".
func cellName(r, c int) string {
	col := ""
	for c++; c > 0; c = (c - 1) / 26 {
		col = string(rune('A'+(c-1)%26)) + col
	}
	return col + strconv.Itoa(r+1)
}

// errorAt returns a *ParseError about the cell at r, c.
func (g *sheetGrid) errorAt(r, c int, kind error, format string, args ...any) error {
	return fileError(g.file, kind, "sheet %q cell %s: %s", g.name, cellName(r, c), fmt.Sprintf(format, args...))
}

// openWorkbook reads the sheet list and the shared strings of the xlsx
// file held by r; file names it in errors.
func openWorkbook(r io.ReaderAt, size int64, file string) (*workbook, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fileError(file, ErrLayout, "not an xlsx workbook: %v", err)
	}
	w := &workbook{file: file, z: z, parts: map[string]string{}}
	var book struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := w.decode("xl/workbook.xml", &book); err != nil {
		return nil, err
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := w.decode("xl/_rels/workbook.xml.rels", &rels); err != nil {
		return nil, err
	}
	target := map[string]string{}
	for _, r := range rels.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = t[1:]
		} else {
			t = path.Join("xl", t)
		}
		target[r.ID] = t
	}
	for _, s := range book.Sheets {
		w.names = append(w.names, s.Name)
		w.parts[s.Name] = target[s.ID]
	}
	var shared struct {
		Items []struct {
			Text string `xml:"t"`
			Runs []struct {
				Text string `xml:"t"`
			} `xml:"r"`
		} `xml:"si"`
	}
	if err := w.decode("xl/sharedStrings.xml", &shared); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, si := range shared.Items {
		s := si.Text
		for _, r := range si.Runs {
			s += r.Text
		}
		w.strings = append(w.strings, s)
	}
	return w, nil
}

// withWorkbook opens the xlsx file, calls fn with it, and closes it.
func withWorkbook(file string, fn func(*workbook) error) error {
	fh, err := os.Open(file)
	if err != nil {
		return openError(file, err)
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return openError(file, err)
	}
	w, err := openWorkbook(fh, info.Size(), file)
	if err != nil {
		return err
	}
	return fn(w)
}

// decode unmarshals the part name into v.
func (w *workbook) decode(name string, v any) error {
	f, err := w.z.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return fileError(w.file, fs.ErrNotExist, "no part %s", name)
	}
	if err != nil {
		return fileError(w.file, ErrLayout, "part %s: %v", name, err)
	}
	defer f.Close()
	if err := xml.NewDecoder(f).Decode(v); err != nil {
		return fileError(w.file, ErrLayout, "part %s: %v", name, err)
	}
	return nil
}

// sheet reads the sheet called name; i < 0 takes it by name, else the
// i-th sheet (0-based) whatever its name.
func (w *workbook) sheet(name string, i int) (*sheetGrid, error) {
	if i >= 0 {
		if i >= len(w.names) {
			return nil, fileError(w.file, ErrLayout, "has %d sheets, want at least %d", len(w.names), i+1)
		}
		name = w.names[i]
	}
	part, ok := w.parts[name]
	if !ok || part == "" {
		return nil, fileError(w.file, ErrLayout, "no sheet %q (sheets: %s)", name, strings.Join(w.names, ", "))
	}
	f, err := w.z.Open(part)
	if err != nil {
		return nil, fileError(w.file, ErrLayout, "sheet %q: part %s: %v", name, part, err)
	}
	defer f.Close()
	g := &sheetGrid{file: w.file, name: name}
	if err := w.readCells(xml.NewDecoder(f), g); err != nil {
		return nil, fileError(w.file, ErrLayout, "sheet %q: %v", name, err)
	}
	return g, nil
}

// readCells reads the cells of a sheet part into g.
func (w *workbook) readCells(d *xml.Decoder, g *sheetGrid) error {
	row, col := -1, -1
	var typ string
	var text strings.Builder
	inValue := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				row++
				if r := attr(t, "r"); r != "" {
					n, err := strconv.Atoi(r)
					if err != nil || n < 1 {
						return fmt.Errorf("row number %q", r)
					}
					row = n - 1
				}
				col = -1
			case "c":
				col++
				if ref := attr(t, "r"); ref != "" {
					r, c, err := parseCellName(ref)
					if err != nil {
						return err
					}
					row, col = r, c
				}
				typ = attr(t, "t")
				text.Reset()
			case "v", "t":
				inValue = true
			}
		case xml.CharData:
			if inValue {
				text.Write(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v", "t":
				inValue = false
			case "c":
				v := text.String()
				if typ == "s" {
					k, err := strconv.Atoi(v)
					if err != nil || k < 0 || k >= len(w.strings) {
						return fmt.Errorf("cell %s: shared string %q out of range", cellName(row, col), v)
					}
					v = w.strings[k]
				}
				if row < 0 || row >= xlsxMaxRows || col < 0 || col >= xlsxMaxCols {
					return fmt.Errorf("cell %s is beyond a sheet's size", cellName(max(row, 0), max(col, 0)))
				}
				g.set(row, col, v)
			}
		}
	}
}

// The largest sheet a workbook may have.
const (
	xlsxMaxRows = 1 << 20
	xlsxMaxCols = 1 << 14
)

func (g *sheetGrid) set(r, c int, v string) {
	for len(g.cells) <= r {
		g.cells = append(g.cells, nil)
	}
	for len(g.cells[r]) <= c {
		g.cells[r] = append(g.cells[r], "")
	}
	g.cells[r][c] = v
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// parseCellName turns "B3" into 0-based row 2 and column 1.
func parseCellName(s string) (row, col int, err error) {
	i := 0
	for ; i < len(s) && s[i] >= 'A' && s[i] <= 'Z'; i++ {
		col = col*26 + int(s[i]-'A') + 1
	}
	n, err := strconv.Atoi(s[i:])
	if i == 0 || err != nil || n < 1 {
		return 0, 0, fmt.Errorf("cell name %q", s)
	}
	return n - 1, col - 1, nil
}
