package formats

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// sameFrame fails unless the parallel reader and the reference agree on
// src: the same labels, lines and bits, or the same error.
func sameFrame(t *testing.T, src string, l layout, hint int) {
	t.Helper()
	want, werr := readFrameCSV(strings.NewReader(src), "f", l, hint)
	got, gerr := readFrame(strings.NewReader(src), "f", l, hint)
	if werr != nil || gerr != nil {
		if werr == nil || gerr == nil || werr.Error() != gerr.Error() {
			t.Fatalf("input %q:\nerror %v\nwant  %v", src, gerr, werr)
		}
		return
	}
	switch {
	case !slices.EqualFunc(got.rowParts, want.rowParts, slices.Equal),
		!slices.EqualFunc(got.colParts, want.colParts, slices.Equal):
		t.Fatalf("input %q: labels %q / %q, want %q / %q", src, got.rowParts, got.colParts, want.rowParts, want.colParts)
	case !slices.Equal(got.rowLines, want.rowLines) || got.colLine != want.colLine:
		t.Fatalf("input %q: lines %v / %d, want %v / %d", src, got.rowLines, got.colLine, want.rowLines, want.colLine)
	case !slices.Equal(got.text, want.text):
		t.Fatalf("input %q: text %q, want %q", src, got.text, want.text)
	case len(got.data) != len(want.data):
		t.Fatalf("input %q: %d numbers, want %d", src, len(got.data), len(want.data))
	}
	for i := range got.data {
		if math.Float64bits(got.data[i]) != math.Float64bits(want.data[i]) {
			t.Fatalf("input %q: number %d = %v, want %v", src, i, got.data[i], want.data[i])
		}
	}
}

// smallChunks makes every chunk a few bytes long for the test.
func smallChunks(t testing.TB, n int) {
	old := chunkSize
	chunkSize = n
	t.Cleanup(func() { chunkSize = old })
}

func TestReadFrameAgrees(t *testing.T) {
	const header = "region\t\tr1\tr1\nsector\t\ta\tb\nregion\tsector\t\t\n"
	tests := []struct {
		name string
		l    layout
		src  string
	}{
		{"plain", tsvLayout, header + "r1\ta\t1\t2\nr1\tb\t3\t4\n"},
		{"no final break", tsvLayout, header + "r1\ta\t1\t2\nr1\tb\t3\t4"},
		{"CRLF and blank lines", tsvLayout, strings.ReplaceAll(header+"\nr1\ta\t1\t2\n\n\nr1\tb\t3\t4\n\n", "\n", "\r\n")},
		{"lone CR at the end", tsvLayout, header + "r1\ta\t1\t2\r"},
		{"quoted labels", csvLayout, ",\"x,1\",y\n\"a \"\"b\"\"\",1,2\n\"c\nd\",3,4\nplain,5,6\n"},
		{"quoted number", csvLayout, ",x\n\"a\",\"1.5\"\n"},
		{"quoted label over lines, then a bad number", csvLayout, ",x\n\"a\n\nb\",zz\n"},
		{"unterminated quote", csvLayout, ",x\nrow,1\n\"ro\n"},
		{"unterminated quote, no break", csvLayout, ",x\nrow,1\n\"ro"},
		{"bare quote", csvLayout, ",x\nrow,1\nr\"ow,2\n"},
		{"quote then text", csvLayout, ",x\n\"ro\"w,1\n"},
		{"ragged and bad", tsvLayout, header + "r1\ta\tx\n"},
		{"long and bad", tsvLayout, header + "r1\ta\tx\t1\t2\n"},
		{"short", tsvLayout, header + "r1\ta\t1\n"},
		{"label cells only", tsvLayout, header + "r1\n"},
		{"trailing separator", tsvLayout, header + "r1\ta\t1\t2\t\n"},
		{"odd numbers", tsvLayout, header + "r1\ta\t-0\t+.5e-3\nr1\tb\t5.\t1E22\nr1\tc\t123456789012345678901234\t4.9e-324\n"},
		{"number then text", tsvLayout, header + "r1\ta\t1x\t2\n"},
		{"empty cell", tsvLayout, header + "r1\ta\t\t2\n"},
		{"NaN", tsvLayout, header + "r1\ta\t1\tNaN\n"},
		{"CR inside", tsvLayout, header + "r1\ta\t1\r\t2\n"},
		{"unit text", layout{comma: '\t', indexCols: 2, headerRows: 1, text: true}, "region\tsector\tunit\nr1\ta\tkg\nr1\tb\t\"t, metric\"\n"},
		{"index names only", tsvLayout, header},
		{"no index names", tsvLayout, "region\t\tr1\nsector\t\ta\nr1\ta\t5\n"},
		{"index names ragged", tsvLayout, "region\t\tr1\nsector\t\ta\nregion\tsector\n"},
	}
	for _, tt := range tests {
		for _, size := range []int{1 << 20, 1, 7} {
			t.Run(tt.name+"/chunk "+strconv.Itoa(size), func(t *testing.T) {
				smallChunks(t, size)
				sameFrame(t, tt.src, tt.l, 0)
				sameFrame(t, tt.src, tt.l, 2)
			})
		}
	}
}

// randomTSV writes a pymrio-like file of rows x cols random numbers of
// the kinds tables hold, with a few quoted labels.
func randomTSV(rng *rand.Rand, rows, cols int) string {
	var b strings.Builder
	for _, level := range []string{"region", "sector"} {
		b.WriteString(level + "\t")
		for j := range cols {
			b.WriteString("\t" + level[:1] + strconv.Itoa(j))
		}
		b.WriteString("\n")
	}
	b.WriteString("region\tsector" + strings.Repeat("\t", cols) + "\n")
	for i := range rows {
		label := "s" + strconv.Itoa(i)
		if rng.IntN(10) == 0 {
			label = "\"s\t" + strconv.Itoa(i) + "\"\"x\""
		}
		b.WriteString("r\t" + label)
		for range cols {
			b.WriteString("\t")
			switch rng.IntN(5) {
			case 0:
				b.WriteString("0")
			case 1:
				b.WriteString(strconv.FormatFloat(rng.NormFloat64()*1e6, 'g', 9, 64))
			case 2:
				b.WriteString(strconv.FormatFloat(rng.ExpFloat64()*1e-7, 'g', -1, 64))
			case 3:
				b.WriteString(strconv.FormatFloat(math.Float64frombits(rng.Uint64()>>2), 'e', -1, 64))
			default:
				b.WriteString(strconv.Itoa(rng.IntN(1000)))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestReadFrameAgreesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{64, 1000, 1 << 20} {
		t.Run("chunk "+strconv.Itoa(size), func(t *testing.T) {
			smallChunks(t, size)
			src := randomTSV(rng, 60, 40)
			sameFrame(t, src, tsvLayout, 0)
			sameFrame(t, src, tsvLayout, 60)
			sameFrame(t, src, tsvLayout, 10) // too few rows expected: the buffer grows
			// A bad cell late in the file: the error of the first bad line wins.
			bad := strings.Replace(src, "\t0\t", "\tbad\t", 1)
			i := strings.LastIndex(src, "\t0\t")
			bad2 := src[:i] + "\tworse\t" + src[i+3:]
			sameFrame(t, bad, tsvLayout, 60)
			sameFrame(t, bad2, tsvLayout, 60)
		})
	}
}

// TestReadFrameOneByte reads through a reader that gives one byte at a
// time, and one that fails part way.
func TestReadFrameOneByte(t *testing.T) {
	smallChunks(t, 16)
	src := randomTSV(rand.New(rand.NewPCG(3, 4)), 12, 5)
	want, err := readFrameCSV(strings.NewReader(src), "f", tsvLayout, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readFrame(iotest.OneByteReader(strings.NewReader(src)), "f", tsvLayout, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.data, want.data) {
		t.Errorf("read one byte at a time: %v, want %v", got.data, want.data)
	}
	broken := iotest.TimeoutReader(strings.NewReader(src))
	_, err = readFrame(broken, "f", tsvLayout, 0)
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, iotest.ErrTimeout) || pe.File != "f" {
		t.Errorf("a failing reader gave %v, want a *ParseError wrapping %v", err, iotest.ErrTimeout)
	}
}

// TestReadFrameBare reads a matrix without labels, as Eora writes them.
func TestReadFrameBare(t *testing.T) {
	bare := layout{comma: '\t'}
	tests := []struct {
		name, src string
		want      []float64
		err       string
	}{
		{"two rows", "1\t2\n3\t4\n", []float64{1, 2, 3, 4}, ""},
		{"blank lines", "\n1\t2\n\n3\t4", []float64{1, 2, 3, 4}, ""},
		{"empty", "\n\n", nil, "formats: f: unexpected layout: no data rows"},
		{"ragged", "1\t2\n3\n", nil, "formats: f line 2 column 2: ragged row: 1 cells, want 2 as on line 1"},
		{"bad", "1\t2\n3\tx\n", nil, `formats: f line 2 column 2: not a number: "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := readFrame(strings.NewReader(tt.src), "f", bare, 0)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(f.data, tt.want) || f.rows() != 2 || f.cols() != 2 {
				t.Errorf("%d x %d: %v, want 2 x 2: %v", f.rows(), f.cols(), f.data, tt.want)
			}
		})
	}
}

// FuzzReadFrameAgrees fuzzes the parallel reader against the reference,
// in many small chunks. Run it with: go test -run '^$' -fuzz
// FuzzReadFrameAgrees -fuzztime 60s ./pkg/formats
func FuzzReadFrameAgrees(f *testing.F) {
	f.Add([]byte("region\t\tr1\tr1\nsector\t\ta\tb\nregion\tsector\t\t\nr1\ta\t1\t2\nr1\tb\t3\t4\n"), uint8(5), false)
	f.Add([]byte(",\"x,1\",y\n\"a \"\"b\"\"\",1,2\n\"c\nd\",3,4\n"), uint8(3), true)
	f.Fuzz(func(t *testing.T, data []byte, size uint8, comma bool) {
		smallChunks(t, int(size)+1)
		l := tsvLayout
		if comma {
			l = csvLayout
		}
		sameFrame(t, string(data), l, 0)
	})
}

// FuzzScanNumber checks the fast path against strconv.ParseFloat, bit for
// bit. Run it with: go test -run '^$' -fuzz FuzzScanNumber ./pkg/formats
func FuzzScanNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5e-3", "9007199254740993", "1e22", "1e23", ".5", "5.", "+7E2", "0.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, n, ok := scanNumber([]byte(s))
		if !ok || n != len(s) {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Float64bits(v) != math.Float64bits(want) {
			t.Fatalf("scanNumber(%q) = %v (%#x), ParseFloat = %v (%#x), %v", s, v, math.Float64bits(v), want, math.Float64bits(want), err)
		}
	})
}

func TestScanNumberRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	fast := 0
	for range 200000 {
		x := math.Float64frombits(rng.Uint64())
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		for _, s := range []string{
			strconv.FormatFloat(x, 'g', -1, 64),
			strconv.FormatFloat(x, 'g', 1+rng.IntN(17), 64),
			strconv.FormatFloat(rng.NormFloat64()*math.Pow(10, float64(rng.IntN(30)-15)), 'f', rng.IntN(12), 64),
		} {
			v, n, ok := scanNumber([]byte(s))
			if !ok || n != len(s) {
				continue
			}
			fast++
			want, _ := strconv.ParseFloat(s, 64)
			if math.Float64bits(v) != math.Float64bits(want) {
				t.Fatalf("scanNumber(%q) = %v, ParseFloat = %v", s, v, want)
			}
		}
	}
	if fast < 100000 {
		t.Errorf("only %d numbers took the fast path", fast)
	}
}

// BenchmarkReadTSVReference is BenchmarkReadTSV's file read by the
// reference reader, one cell at a time through encoding/csv.
func BenchmarkReadTSVReference(b *testing.B) {
	src := benchTSV(1000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := readFrameCSV(strings.NewReader(src), "bench", tsvLayout, square); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadTSVFullDigits reads a 500 x 500 matrix of random numbers
// in their shortest round-trip form, 16 and 17 significant digits mostly:
// the numbers the fast path leaves to strconv.ParseFloat.
func BenchmarkReadTSVFullDigits(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	var sb strings.Builder
	const n = 500
	for _, level := range []string{"region", "sector"} {
		sb.WriteString(level + "\t")
		for j := range n {
			sb.WriteString("\t" + level[:1] + strconv.Itoa(j))
		}
		sb.WriteString("\n")
	}
	sb.WriteString("region\tsector" + strings.Repeat("\t", n) + "\n")
	for i := range n {
		sb.WriteString("r\ts" + strconv.Itoa(i))
		for range n {
			sb.WriteString("\t" + strconv.FormatFloat(rng.Float64()*1e3, 'g', -1, 64))
		}
		sb.WriteString("\n")
	}
	src := sb.String()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := readFrame(strings.NewReader(src), "bench", tsvLayout, square); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFrameMatrix checks the in-place reordering against a copy made
// entry by entry, over random permutations of several shapes.
func TestFrameMatrix(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, shape := range [][2]int{{1, 1}, {1, 5}, {5, 1}, {7, 7}, {13, 4}, {30, 30}} {
		r, c := shape[0], shape[1]
		for range 20 {
			data := make([]float64, r*c)
			for k := range data {
				data[k] = float64(k)
			}
			rowPerm, colPerm := rng.Perm(r), rng.Perm(c)
			f := &frame{data: slices.Clone(data)}
			m := f.matrix(rowPerm, colPerm)
			for i := range r {
				for j := range c {
					if got, want := m.At(rowPerm[i], colPerm[j]), data[i*c+j]; got != want {
						t.Fatalf("%d x %d, rows %v, columns %v: entry (%d, %d) = %v, want %v", r, c, rowPerm, colPerm, rowPerm[i], colPerm[j], got, want)
					}
				}
			}
		}
	}
}

// FuzzParseCell checks that parseCell and scanNumber give what
// parseNumber gives: the same bits, or the same error.
func FuzzParseCell(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5e-3", "123456789012345678901", "1e400", "NaN", "", "0x1p3", "1_0", ".", "+.e5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, werr := parseNumber(s)
		got, gerr := parseCell([]byte(s))
		if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() ||
			math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("parseCell(%q) = %v, %v; parseNumber = %v, %v", s, got, gerr, want, werr)
		}
		if v, n, ok := scanNumber([]byte(s)); ok && n == len(s) && (werr != nil || math.Float64bits(v) != math.Float64bits(want)) {
			t.Fatalf("scanNumber(%q) = %v; parseNumber = %v, %v", s, v, want, werr)
		}
	})
}
