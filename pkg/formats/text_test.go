package formats

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		name string
		cell string
		want float64
		kind error // nil: no error
	}{
		{"integer", "42", 42, nil},
		{"decimal", "-0.25", -0.25, nil},
		{"exponent", "1.5e-3", 0.0015, nil},
		{"plus", "+7E2", 700, nil},
		{"underflow rounds to zero", "1e-400", 0, nil},
		{"negative zero", "-0", 0, nil},
		{"empty", "", 0, ErrNotNumber},
		{"text", "abc", 0, ErrNotNumber},
		{"R missing value", "NA", 0, ErrNotNumber},
		{"space", " 1", 0, ErrNotNumber},
		{"comma decimal", "1,5", 0, ErrNotNumber},
		{"hexadecimal", "0x1p3", 0, ErrNotNumber},
		{"underscore", "1_000", 0, ErrNotNumber},
		{"lone sign", "-", 0, ErrNotNumber},
		{"nan", "nan", 0, ErrNotFinite},
		{"NaN", "NaN", 0, ErrNotFinite},
		{"inf", "inf", 0, ErrNotFinite},
		{"-Infinity", "-Infinity", 0, ErrNotFinite},
		{"overflow", "1e400", 0, ErrNotFinite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNumber(tt.cell)
			if tt.kind != nil {
				if !errors.Is(err, tt.kind) {
					t.Fatalf("parseNumber(%q) = %v, %v; want %v", tt.cell, got, err, tt.kind)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseNumber(%q) = %v, %v; want %v", tt.cell, got, err, tt.want)
			}
		})
	}
}

var (
	tsvLayout = layout{comma: '\t', indexCols: 2, headerRows: 2}
	csvLayout = layout{comma: ',', indexCols: 1, headerRows: 1}
)

func TestReadFrame(t *testing.T) {
	const header = "region\t\tr1\tr1\nsector\t\ta\tb\nregion\tsector\t\t\n"
	tests := []struct {
		name   string
		layout layout
		src    string
		want   []float64 // nil when an error is wanted
		err    string    // the whole error
		kind   error
	}{
		{"tsv", tsvLayout, header + "r1\ta\t1\t2\nr1\tb\t3\t4\n", []float64{1, 2, 3, 4}, "", nil},
		{"tsv with CRLF and a trailing blank line", tsvLayout,
			strings.ReplaceAll(header+"r1\ta\t1\t2\nr1\tb\t3\t4\n\n", "\n", "\r\n"), []float64{1, 2, 3, 4}, "", nil},
		{"tsv without index names", tsvLayout, "region\t\tr1\nsector\t\ta\nr1\ta\t5\n", []float64{5}, "", nil},
		{"csv with quotes", csvLayout, ",\"x,1\",y\n\"a \"\"b\"\"\",1,2\n", []float64{1, 2}, "", nil},
		{"empty file", tsvLayout, "", nil, "formats: f: unexpected layout: ends before its 2 header rows", ErrLayout},
		{"no data columns", tsvLayout, "region\t\nsector\t\n", nil,
			"formats: f line 1: unexpected layout: 2 cells; want 2 label cells and at least one column", ErrLayout},
		{"no data rows", tsvLayout, header, nil, "formats: f: unexpected layout: no data rows", ErrLayout},
		{"ragged header", tsvLayout, "region\t\tr1\tr1\nsector\t\ta\n", nil,
			"formats: f line 2 column 4: ragged row: 3 cells, want 4 as on line 1", ErrRagged},
		{"ragged row", tsvLayout, header + "r1\ta\t1\t2\nr1\tb\t3\n", nil,
			"formats: f line 5 column 4: ragged row: 3 cells, want 4 as on line 1", ErrRagged},
		{"long row", tsvLayout, header + "r1\ta\t1\t2\t9\n", nil,
			"formats: f line 4 column 5: ragged row: 5 cells, want 4 as on line 1", ErrRagged},
		{"non-numeric cell", tsvLayout, header + "r1\ta\t1\t2\nr1\tb\tx3\t4\n", nil,
			`formats: f line 5 column 3: not a number: "x3" (row "r1/b", column "r1/a")`, ErrNotNumber},
		{"empty cell", tsvLayout, header + "r1\ta\t1\t\n", nil,
			`formats: f line 4 column 4: not a number: empty cell (row "r1/a", column "r1/b")`, ErrNotNumber},
		{"NaN", tsvLayout, header + "r1\ta\tNaN\t2\n", nil,
			`formats: f line 4 column 3: not a finite number: "NaN" (row "r1/a", column "r1/a")`, ErrNotFinite},
		{"Inf", csvLayout, ",x\nrow,-inf\n", nil,
			`formats: f line 2 column 2: not a finite number: "-inf" (row "row", column "x")`, ErrNotFinite},
		{"bad quote", csvLayout, ",x\n\"ro\"w,1\n", nil,
			`formats: f line 2: extraneous or missing " in quoted-field (byte 4 of the line)`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := readFrame(strings.NewReader(tt.src), "f", tt.layout, 0)
			if tt.want != nil {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(f.data, tt.want) {
					t.Fatalf("data = %v, want %v", f.data, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("readFrame() = %+v, want error %q", f, tt.err)
			}
			if err.Error() != tt.err {
				t.Fatalf("readFrame() error\n got %q\nwant %q", err, tt.err)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Fatalf("error %q is not %v", err, tt.kind)
			}
		})
	}
}

func TestReadFrameLabels(t *testing.T) {
	src := "region\t\tr1\tr2\ncategory\t\thh\tgov\nregion\tsector\t\t\nr1\ta\t1\t2\n"
	f, err := readFrame(strings.NewReader(src), "f", tsvLayout, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.colLabel(1), "r2/gov"; got != want {
		t.Errorf("colLabel(1) = %q, want %q", got, want)
	}
	if got, want := f.rowLabel(0), "r1/a"; got != want {
		t.Errorf("rowLabel(0) = %q, want %q", got, want)
	}
	if f.rowLines[0] != 4 || f.colLine != 2 {
		t.Errorf("row line %d, header line %d; want 4, 2", f.rowLines[0], f.colLine)
	}
}

// checkFrame asserts what any frame read without error must satisfy.
func checkFrame(t *testing.T, f *frame, l layout) {
	t.Helper()
	if f.rows() == 0 || f.cols() == 0 {
		t.Fatalf("frame %d x %d read without error", f.rows(), f.cols())
	}
	if len(f.data) != f.rows()*f.cols() || len(f.rowLines) != f.rows() {
		t.Fatalf("frame %d x %d holds %d numbers, %d lines", f.rows(), f.cols(), len(f.data), len(f.rowLines))
	}
	for _, p := range f.rowParts {
		if len(p) != l.indexCols {
			t.Fatalf("row with %d label cells, want %d", len(p), l.indexCols)
		}
	}
	for _, p := range f.colParts {
		if len(p) != l.headerRows {
			t.Fatalf("column with %d header cells, want %d", len(p), l.headerRows)
		}
	}
	for _, v := range f.data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite %v read without error", v)
		}
	}
}

// fuzzFrame fuzzes readFrame with the layout given, seeded with files.
func fuzzFrame(f *testing.F, l layout, seeds ...string) {
	for _, s := range seeds {
		data, err := os.ReadFile(filepath.Join("testdata", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := readFrame(strings.NewReader(string(data)), "fuzz", l, 0)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz" {
				t.Fatalf("error %q is no *ParseError naming the file", err)
			}
			return
		}
		checkFrame(t, fr, l)
	})
}

// FuzzReadTSV fuzzes the reader of pymrio's tab-separated files. Run it
// with: go test -run '^$' -fuzz FuzzReadTSV -fuzztime 30s -fuzzminimizetime 5s ./pkg/formats
func FuzzReadTSV(f *testing.F) {
	fuzzFrame(f, tsvLayout, "pymrio/Z.txt", "pymrio/Y.txt", "pymrio/emissions/F.txt")
}

// FuzzReadCSV fuzzes the reader of USEEIO's CSV files. Run it with:
// go test -run '^$' -fuzz FuzzReadCSV -fuzztime 30s -fuzzminimizetime 5s ./pkg/formats
func FuzzReadCSV(f *testing.F) {
	fuzzFrame(f, csvLayout, "useeio/A.csv", "useeio/B.csv", "useeio/DemandVectors_NO_ExpRes.csv")
}

// benchTSV returns an n x n matrix in pymrio's layout, of numbers as
// pandas writes them (shortest round-trip form).
func benchTSV(n int) string {
	var sb strings.Builder
	for _, level := range []string{"region", "sector"} {
		sb.WriteString(level + "\t")
		for j := range n {
			sb.WriteString("\tr" + strconv.Itoa(j/100) + level[:1] + strconv.Itoa(j))
		}
		sb.WriteString("\n")
	}
	sb.WriteString("region\tsector" + strings.Repeat("\t", n) + "\n")
	for i := range n {
		sb.WriteString("r" + strconv.Itoa(i/100) + "\ts" + strconv.Itoa(i))
		for j := range n {
			sb.WriteString("\t" + strconv.FormatFloat(float64(i*j%977)*1.2345e3+0.5, 'g', -1, 64))
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// BenchmarkReadTSV reads a 1000 x 1000 matrix in pymrio's layout (about
// 12 MB of text); the bytes per second are what matters for large tables.
func BenchmarkReadTSV(b *testing.B) {
	src := benchTSV(1000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readFrame(strings.NewReader(src), "bench", tsvLayout, square); err != nil {
			b.Fatal(err)
		}
	}
}
