package formats

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// xlsxBytes returns a workbook of the parts given (name -> XML).
func xlsxBytes(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	xlsxMain = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	xlsxRel  = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
)

func testWorkbook(*testing.T) map[string]string {
	return map[string]string{
		"xl/workbook.xml": `<workbook ` + xlsxMain + ` ` + xlsxRel + `><sheets>` +
			`<sheet name="Data" sheetId="1" r:id="rId1"/><sheet name="Other" sheetId="2" r:id="rId2"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/></Relationships>`,
		"xl/sharedStrings.xml": `<sst ` + xlsxMain + `><si><t>plain</t></si><si><r><t>rich </t></r><r><t>text</t></r></si></sst>`,
		"xl/worksheets/sheet1.xml": `<worksheet ` + xlsxMain + `><sheetData>` +
			`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>` +
			`<row r="3"><c r="B3"><v>1.5</v></c><c t="inlineStr"><is><t>inline</t></is></c><c r="AB3"><f>SUM(B3)</f><v>2</v></c></row>` +
			`</sheetData></worksheet>`,
		"xl/worksheets/sheet2.xml": `<worksheet ` + xlsxMain + `><sheetData><row><c><v>7</v></c></row></sheetData></worksheet>`,
	}
}

func TestWorkbook(t *testing.T) {
	data := xlsxBytes(t, testWorkbook(t))
	w, err := openWorkbook(bytes.NewReader(data), int64(len(data)), "book.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	s, err := w.sheet("Data", -1)
	if err != nil {
		t.Fatal(err)
	}
	cells := []struct {
		r, c int
		want string
	}{{0, 0, "plain"}, {0, 1, ""}, {0, 2, "rich text"}, {1, 0, ""}, {2, 1, "1.5"}, {2, 2, "inline"}, {2, 27, "2"}, {9, 9, ""}}
	for _, c := range cells {
		if got := s.cell(c.r, c.c); got != c.want {
			t.Errorf("cell %s = %q, want %q", cellName(c.r, c.c), got, c.want)
		}
	}
	other, err := w.sheet("", 1)
	if err != nil || other.name != "Other" || other.cell(0, 0) != "7" {
		t.Errorf("second sheet %+v, %v", other, err)
	}
	if _, err := w.sheet("Missing", -1); err == nil || !strings.Contains(err.Error(), `book.xlsx: unexpected layout: no sheet "Missing" (sheets: Data, Other)`) {
		t.Errorf("missing sheet: %v", err)
	}
	if got := s.errorAt(2, 27, ErrLayout, "bad").Error(); got != `formats: book.xlsx: unexpected layout: sheet "Data" cell AB3: bad` {
		t.Errorf("errorAt = %q", got)
	}
	col, err := sheetColumn(s, "plain")
	if err == nil || !slices.Equal(col, nil) {
		t.Errorf("column with nothing under its heading: %q, %v", col, err)
	}
}

func TestWorkbookBad(t *testing.T) {
	tests := []struct {
		name   string
		change func(parts map[string]string)
		want   string
		kind   error
	}{
		{"no workbook part", func(p map[string]string) { delete(p, "xl/workbook.xml") }, "book.xlsx: file does not exist: no part xl/workbook.xml", fs.ErrNotExist},
		{"bad XML", func(p map[string]string) { p["xl/workbook.xml"] = "<workbook" }, "book.xlsx: unexpected layout: part xl/workbook.xml", ErrLayout},
		{"bad shared string", func(p map[string]string) {
			p["xl/worksheets/sheet1.xml"] = `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>9</v></c></row></sheetData></worksheet>`
		}, `book.xlsx: unexpected layout: sheet "Data": cell A1: shared string "9" out of range`, ErrLayout},
		{"bad cell name", func(p map[string]string) {
			p["xl/worksheets/sheet1.xml"] = `<worksheet><sheetData><row r="1"><c r="1A"><v>9</v></c></row></sheetData></worksheet>`
		}, `sheet "Data": cell name "1A"`, ErrLayout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := testWorkbook(t)
			tt.change(parts)
			data := xlsxBytes(t, parts)
			w, err := openWorkbook(bytes.NewReader(data), int64(len(data)), "book.xlsx")
			if err == nil {
				_, err = w.sheet("Data", -1)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, tt.kind) {
				t.Errorf("error %v, want %q (%v)", err, tt.want, tt.kind)
			}
		})
	}
}

func TestCellName(t *testing.T) {
	for _, tt := range []struct {
		name     string
		row, col int
	}{{"A1", 0, 0}, {"Z9", 8, 25}, {"AA10", 9, 26}, {"AZ1", 0, 51}, {"BA2", 1, 52}, {"XFD1048576", 1048575, 16383}} {
		if got := cellName(tt.row, tt.col); got != tt.name {
			t.Errorf("cellName(%d, %d) = %q, want %q", tt.row, tt.col, got, tt.name)
		}
		r, c, err := parseCellName(tt.name)
		if err != nil || r != tt.row || c != tt.col {
			t.Errorf("parseCellName(%q) = %d, %d, %v", tt.name, r, c, err)
		}
	}
}

// FuzzWorkbook fuzzes the sheet reader: any bytes give a grid or a
// *ParseError naming the file, never a panic. Run it with: go test -run
// '^$' -fuzz FuzzWorkbook -fuzztime 60s ./pkg/formats
func FuzzWorkbook(f *testing.F) {
	f.Add([]byte(testWorkbook(nil)["xl/worksheets/sheet1.xml"]), []byte(testWorkbook(nil)["xl/sharedStrings.xml"]))
	f.Add([]byte(`<worksheet><sheetData><row r="2"><c r="B2" t="s"><v>1</v></c></row></sheetData></worksheet>`), []byte(`<sst><si><t>a</t></si></sst>`))
	f.Fuzz(func(t *testing.T, sheet, shared []byte) {
		parts := testWorkbook(nil)
		parts["xl/worksheets/sheet1.xml"] = string(sheet)
		parts["xl/sharedStrings.xml"] = string(shared)
		data := xlsxBytes(t, parts)
		w, err := openWorkbook(bytes.NewReader(data), int64(len(data)), "fuzz.xlsx")
		if err == nil {
			_, err = w.sheet("Data", -1)
		}
		var pe *ParseError
		if err != nil && (!errors.As(err, &pe) || pe.File != "fuzz.xlsx") {
			t.Fatalf("error %v is no *ParseError naming the file", err)
		}
	})
}
