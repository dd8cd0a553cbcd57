package formats

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf16"
)

// biffRec writes one BIFF record.
func biffRec(typ uint16, parts ...[]byte) []byte {
	data := bytes.Join(parts, nil)
	out := binary.LittleEndian.AppendUint16(nil, typ)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(data)))
	return append(out, data...)
}

func u16(v int) []byte     { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }
func u32(v uint32) []byte  { return binary.LittleEndian.AppendUint32(nil, v) }
func f64(v float64) []byte { return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)) }

// cellHead is a cell record's row, column and format index.
func cellHead(r, c int) []byte { return bytes.Join([][]byte{u16(r), u16(c), u16(15)}, nil) }

// rkInt and rkX100 are RK numbers: an integer, and a float64 over 100.
func rkInt(v int32) uint32 { return uint32(v)<<2 | 2 }
func rkX100(v float64) uint32 {
	return uint32(math.Float64bits(v)>>32)&^3 | 1
}

// testBIFF returns a workbook stream with one worksheet "2009" holding
// every kind of cell the reader knows, and a chart sheet it skips, and
// the text the reader should give for each cell.
func testBIFF() ([]byte, [][]string) {
	bof := func(kind int) []byte { return biffRec(biffBOF, u16(0x0600), u16(kind), make([]byte, 12)) }
	// SST: "CO2", then "Wärme€" split across a CONTINUE record that
	// switches to two-byte characters.
	sst := biffRec(biffSST, u32(2), u32(2),
		u16(3), []byte{0}, []byte("CO2"),
		u16(6), []byte{0}, []byte("W\xe4r"))
	wide := []byte{1}
	for _, r := range utf16.Encode([]rune("me€")) {
		wide = append(wide, u16(int(r))...)
	}
	sst = append(sst, biffRec(biffContinue, wide)...)
	name := func(s string) []byte { return append([]byte{byte(len(s)), 0}, s...) }
	bound := func(off uint32, kind byte, s string) []byte {
		return biffRec(biffBoundSheet, u32(off), []byte{0, kind}, name(s))
	}
	globalsLen := len(bof(5)) + 2*len(bound(0, 0, "2009")) + len(sst) + 4
	sheet := slices.Concat(bof(0x10),
		biffRec(biffLabelSST, cellHead(0, 2), u32(0)),
		biffRec(biffLabelSST, cellHead(0, 3), u32(1)),
		biffRec(biffLabel, cellHead(1, 1), u16(6), []byte{0}, []byte("secAtB")),
		biffRec(biffNumber, cellHead(1, 2), f64(6652.840865583831)),
		biffRec(biffRK, cellHead(1, 3), u32(rkInt(-7))),
		biffRec(biffMulRK, u16(2), u16(2), u16(15), u32(rkX100(1.5)), u16(15), u32(rkInt(42)), u16(3)),
		biffRec(0x0201, cellHead(2, 4)),                           // BLANK
		biffRec(0x00BE, u16(2), u16(5), u16(15), u16(15), u16(6)), // MULBLANK
		biffRec(biffFormula, cellHead(3, 0), f64(0.1), make([]byte, 6), u32(0)),
		biffRec(biffFormula, cellHead(3, 1), []byte{0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, make([]byte, 6), u32(0)),
		biffRec(biffString, u16(2), []byte{0}, []byte("hi")),
		biffRec(biffBoolErr, cellHead(3, 2), []byte{1, 0}),
		biffRec(biffBoolErr, cellHead(3, 3), []byte{0x07, 1}),
		bof(0x20), biffRec(biffNumber, cellHead(9, 9), f64(1)), biffRec(biffEOF), // an embedded chart
		biffRec(biffEOF))
	chart := slices.Concat(bof(0x20), biffRec(biffNumber, cellHead(0, 0), f64(1)), biffRec(biffEOF))
	off := uint32(globalsLen)
	stream := slices.Concat(bof(5), bound(off, 0, "2009"), bound(off+uint32(len(sheet)), 2, "plot"), sst, biffRec(biffEOF), sheet, chart)
	want := [][]string{
		{"", "", "CO2", "Wärme€"},
		{"", "secAtB", "6652.840865583831", "-7"},
		{"", "", "0.015", "42"}, // blanks give no text
		{"0.1", "hi", "TRUE", "#DIV/0!"},
	}
	return stream, want
}

// testCFB wraps stream in a version 3 compound file (512-byte sectors) as
// the entry name: in regular sectors, or in the mini stream when the
// stream is shorter than the 4096-byte cutoff.
func testCFB(name string, stream []byte) []byte {
	const ss = 512
	pad := func(b []byte) []byte { return append(b, make([]byte, (ss-len(b)%ss)%ss)...) }
	var fat []uint32
	var body []byte
	// put appends b in whole sectors, chained, and returns its first.
	put := func(b []byte) uint32 {
		b = pad(slices.Clone(b))
		first := uint32(len(fat))
		for i := 0; i < len(b)/ss; i++ {
			fat = append(fat, uint32(len(fat))+1)
		}
		fat[len(fat)-1] = cfbEndOfChain
		body = append(body, b...)
		return first
	}
	fat = append(fat, 0xFFFFFFFD) // sector 0 holds the FAT
	body = make([]byte, ss)
	dirEntry := func(n string, typ byte, start uint32, size int) []byte {
		e := make([]byte, cfbDirEntry)
		u := utf16.Encode([]rune(n))
		for i, c := range u {
			binary.LittleEndian.PutUint16(e[2*i:], c)
		}
		binary.LittleEndian.PutUint16(e[0x40:], uint16(2*len(u)+2))
		e[0x42] = typ
		binary.LittleEndian.PutUint32(e[0x44:], cfbFree)
		binary.LittleEndian.PutUint32(e[0x48:], cfbFree)
		binary.LittleEndian.PutUint32(e[0x4C:], cfbFree)
		binary.LittleEndian.PutUint32(e[0x74:], start)
		binary.LittleEndian.PutUint32(e[0x78:], uint32(size))
		return e
	}
	miniFAT, rootStart, rootSize := uint32(cfbEndOfChain), uint32(cfbEndOfChain), 0
	var book []byte
	if len(stream) >= 4096 {
		book = dirEntry(name, 2, put(stream), len(stream))
	} else {
		n := (len(stream) + 63) / 64
		var mf []byte
		for i := 1; i <= n; i++ {
			next := uint32(i)
			if i == n {
				next = cfbEndOfChain
			}
			mf = append(mf, u32(next)...)
		}
		miniFAT = put(mf)
		rootStart, rootSize = put(stream), n*64
		book = dirEntry(name, 2, 0, len(stream))
	}
	dir := put(slices.Concat(dirEntry("Root Entry", 5, rootStart, rootSize), book))
	fatBytes := make([]byte, ss)
	for i := range ss / 4 {
		v := uint32(cfbFree)
		if i < len(fat) {
			v = fat[i]
		}
		binary.LittleEndian.PutUint32(fatBytes[4*i:], v)
	}
	copy(body, fatBytes)
	h := make([]byte, cfbHeaderSize)
	copy(h, cfbSignature)
	le := binary.LittleEndian
	le.PutUint16(h[0x18:], 0x3E)
	le.PutUint16(h[0x1A:], 3)
	le.PutUint16(h[0x1C:], 0xFFFE)
	le.PutUint16(h[0x1E:], 9)
	le.PutUint16(h[0x20:], 6)
	le.PutUint32(h[0x2C:], 1)
	le.PutUint32(h[0x30:], dir)
	le.PutUint32(h[0x38:], 4096)
	le.PutUint32(h[0x3C:], miniFAT)
	le.PutUint32(h[0x40:], 1)
	le.PutUint32(h[0x44:], cfbEndOfChain)
	for i := range 109 {
		le.PutUint32(h[0x4C+4*i:], cfbFree)
	}
	le.PutUint32(h[0x4C:], 0)
	return append(h, body...)
}

func TestParseXLS(t *testing.T) {
	stream, want := testBIFF()
	long := slices.Concat(stream, biffRec(0x00E5, make([]byte, 5000))) // padding after the last EOF
	tests := []struct {
		name string
		data []byte
	}{
		{"mini stream", testCFB("Workbook", stream)},
		{"regular sectors", testCFB("Workbook", long)},
		{"Book stream of Excel 95 files' name", testCFB("Book", stream)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sheets, err := parseXLS(tt.data, "t.xls")
			if err != nil {
				t.Fatal(err)
			}
			if len(sheets) != 1 || sheets["2009"] == nil {
				t.Fatalf("sheets %v; want only 2009 (the chart sheet left out)", sheets)
			}
			got := sheets["2009"].cells
			if len(got) != len(want) {
				t.Fatalf("%d rows %q; want %d %q", len(got), got, len(want), want)
			}
			for r := range want {
				if !slices.Equal(got[r], want[r]) {
					t.Errorf("row %d: %q; want %q", r+1, got[r], want[r])
				}
			}
		})
	}
}

// mockXLS returns the bytes of one of the WIOD mock's air-emission files.
func mockXLS(t testing.TB, country string) []byte {
	t.Helper()
	file := filepath.Join(sharedData(t), "format-mocks", "wiod_mock", "AIR_may12", country+"_AIR_May12.xls")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseXLSBad(t *testing.T) {
	stream, _ := testBIFF()
	good := testCFB("Workbook", stream)
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	// A record whose length runs past the stream's end: the SST's.
	badLen := testCFB("Workbook", func() []byte {
		s := slices.Clone(stream)
		i := bytes.Index(s, u16(biffSST))
		binary.LittleEndian.PutUint16(s[i+2:], 0xFFF0)
		return s
	}())
	mock := mockXLS(t, "AUS")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"zero length", nil, "not an OLE2 compound file"},
		{"random bytes", random, "not an OLE2 compound file"},
		{"xlsx, a zip archive", []byte("PK\x03\x04 rest of a zip"), "not an OLE2 compound file"},
		{"truncated header", good[:300], "truncated: 300 bytes, shorter than the compound file's 512-byte header"},
		{"truncated mock", mock[:5000], "truncated: sector"},
		{"no workbook stream", testCFB("WordDocument", stream), "no Workbook stream"},
		{"bad record length", badLen, "bad record length: record 0x00FC at offset"},
		{"not BIFF8", testCFB("Workbook", biffRec(biffBOF, u16(0x0500), u16(5))), "does not begin with a BIFF8 BOF"},
		{"no EOF", testCFB("Workbook", stream[:len(stream)/3]), "sheet \"2009\": truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseXLS(tt.data, "dir/bad.xls")
			wantError(t, err, "formats: dir/bad.xls: unexpected layout: ", "", "", ErrLayout)
			wantError(t, err, tt.want, "", "", nil)
		})
	}
	if _, err := readXLS(filepath.Join(t.TempDir(), "none.xls")); err == nil {
		t.Error("a missing file read without error")
	}
}

// FuzzParseXLS checks that no input makes the reader panic or give a
// cell beyond a sheet's 256 columns.
func FuzzParseXLS(f *testing.F) {
	stream, _ := testBIFF()
	f.Add(testCFB("Workbook", stream))
	f.Add(mockXLS(f, "LUX"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		sheets, err := parseXLS(data, "f.xls")
		if err != nil {
			return
		}
		for name, g := range sheets {
			for r, row := range g.cells {
				if len(row) > biffMaxCols {
					t.Fatalf("sheet %q row %d has %d cells", name, r+1, len(row))
				}
			}
		}
	})
}
