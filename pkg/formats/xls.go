package formats

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf16"
)

// An Excel 97-2003 workbook (.xls) is a BIFF8 record stream called
// "Workbook" ("Book" in older files) inside an OLE2 compound file: a
// 512-byte header, then sectors of 512 (or 4096) bytes chained by a file
// allocation table (FAT); streams under 4096 bytes live in 64-byte mini
// sectors of the root entry's stream, chained by the miniFAT. The stream
// is a list of records, each a 2-byte type, a 2-byte length and its data:
// the workbook globals (BOF, the sheets' names and offsets in BOUNDSHEET8,
// the shared strings in SST and its CONTINUE records, EOF), then one
// BOF ... EOF block per sheet with its cells.
//
// Only values are read, as text: numbers (NUMBER, RK, MULRK, a FORMULA's
// cached result) in Go's shortest form that reads back as the same
// float64, strings (LABELSST, LABEL, a formula's STRING), booleans as
// TRUE or FALSE and error values as Excel writes them (#N/A).

// Compound file constants.
const (
	cfbHeaderSize = 512
	cfbEndOfChain = 0xFFFFFFFE
	cfbFree       = 0xFFFFFFFF
	cfbDirEntry   = 128
)

var cfbSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// BIFF8 record types read.
const (
	biffBOF        = 0x0809
	biffEOF        = 0x000A
	biffBoundSheet = 0x0085
	biffSST        = 0x00FC
	biffContinue   = 0x003C
	biffFilePass   = 0x002F
	biffLabelSST   = 0x00FD
	biffLabel      = 0x0204
	biffNumber     = 0x0203
	biffRK         = 0x027E
	biffMulRK      = 0x00BD
	biffFormula    = 0x0006
	biffString     = 0x0207
	biffBoolErr    = 0x0205
	biffMaxCols    = 256
	// biffMaxTotalRows bounds the rows of all sheets together: a row
	// costs memory even when empty, and a small damaged file can name
	// row 65536 of many sheets.
	biffMaxTotalRows = 1 << 22
)

// readXLS reads every worksheet of the .xls file, by name.
func readXLS(file string) (map[string]*sheetGrid, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, openError(file, err)
	}
	return parseXLS(data, file)
}

// parseXLS reads every worksheet of the .xls file held in data; file names
// it in errors, which are *ParseErrors of kind ErrLayout.
func parseXLS(data []byte, file string) (map[string]*sheetGrid, error) {
	stream, err := workbookStream(data)
	if err != nil {
		return nil, fileError(file, ErrLayout, "%v", err)
	}
	sheets, err := parseBIFF(stream, file)
	if err != nil {
		return nil, fileError(file, ErrLayout, "%v", err)
	}
	return sheets, nil
}

// xlsError is a problem of an .xls file, without the file's name.
type xlsError string

func (e xlsError) Error() string { return string(e) }

func xlsErrorf(format string, args ...any) error {
	return xlsError(fmt.Sprintf(format, args...))
}

// compoundFile is an OLE2 compound file being read.
type compoundFile struct {
	data       []byte
	sectorSize int
	fat        []uint32
}

// workbookStream returns the Workbook (or Book) stream of the compound
// file in data.
func workbookStream(data []byte) ([]byte, error) {
	if len(data) < len(cfbSignature) || string(data[:len(cfbSignature)]) != string(cfbSignature) {
		return nil, xlsErrorf("not an OLE2 compound file (an Excel 97-2003 .xls): %d bytes without its signature", len(data))
	}
	if len(data) < cfbHeaderSize {
		return nil, xlsErrorf("truncated: %d bytes, shorter than the compound file's 512-byte header", len(data))
	}
	le := binary.LittleEndian
	shift := le.Uint16(data[0x1E:])
	if shift != 9 && shift != 12 {
		return nil, xlsErrorf("sector size 2^%d; want 2^9 or 2^12", shift)
	}
	miniShift := le.Uint16(data[0x20:])
	if miniShift != 6 {
		return nil, xlsErrorf("mini sector size 2^%d; want 2^6", miniShift)
	}
	cf := &compoundFile{data: data, sectorSize: 1 << shift}
	nFAT := le.Uint32(data[0x2C:])
	dirStart := le.Uint32(data[0x30:])
	cutoff := le.Uint32(data[0x38:])
	miniFATStart := le.Uint32(data[0x3C:])
	difat := le.Uint32(data[0x44:])

	// The FAT's own sectors: 109 in the header, the rest in the DIFAT chain.
	if int64(nFAT) > int64(cf.sectors()) {
		return nil, xlsErrorf("truncated: the header counts %d FAT sectors, the file holds %d sectors", nFAT, cf.sectors())
	}
	var fatSectors []uint32
	for i := 0; i < 109 && uint32(len(fatSectors)) < nFAT; i++ {
		fatSectors = append(fatSectors, le.Uint32(data[0x4C+4*i:]))
	}
	per := cf.sectorSize/4 - 1
	for seen := 0; uint32(len(fatSectors)) < nFAT; seen++ {
		if difat >= cfbEndOfChain || seen > cf.sectors() {
			return nil, xlsErrorf("the DIFAT lists %d of %d FAT sectors", len(fatSectors), nFAT)
		}
		s, err := cf.sector(difat)
		if err != nil {
			return nil, err
		}
		for i := 0; i < per && uint32(len(fatSectors)) < nFAT; i++ {
			fatSectors = append(fatSectors, le.Uint32(s[4*i:]))
		}
		difat = le.Uint32(s[4*per:])
	}
	for _, fs := range fatSectors {
		s, err := cf.sector(fs)
		if err != nil {
			return nil, err
		}
		for i := 0; i < cf.sectorSize; i += 4 {
			cf.fat = append(cf.fat, le.Uint32(s[i:]))
		}
	}

	dir, err := cf.chain(cf.fat, dirStart, -1, cf.sector)
	if err != nil {
		return nil, xlsErrorf("directory: %v", err)
	}
	var root, book []byte
	for off := 0; off+cfbDirEntry <= len(dir); off += cfbDirEntry {
		e := dir[off : off+cfbDirEntry]
		typ := e[0x42]
		nameLen := int(le.Uint16(e[0x40:]))
		if nameLen < 2 || nameLen > 64 || nameLen%2 != 0 {
			continue
		}
		u := make([]uint16, nameLen/2-1)
		for i := range u {
			u[i] = le.Uint16(e[2*i:])
		}
		name := string(utf16.Decode(u))
		switch {
		case typ == 5 && root == nil:
			root = e
		case typ == 2 && book == nil && (strings.EqualFold(name, "Workbook") || strings.EqualFold(name, "Book")):
			book = e
		}
	}
	if book == nil {
		return nil, xlsErrorf("no Workbook stream: not an Excel 97-2003 workbook")
	}
	start, size := le.Uint32(book[0x74:]), le.Uint32(book[0x78:])
	if size >= cutoff {
		s, err := cf.chain(cf.fat, start, int(size), cf.sector)
		if err != nil {
			return nil, xlsErrorf("Workbook stream: %v", err)
		}
		return s, nil
	}
	// A small stream: mini sectors within the root entry's stream.
	if root == nil {
		return nil, xlsErrorf("no root entry for the Workbook stream's mini sectors")
	}
	mini, err := cf.chain(cf.fat, le.Uint32(root[0x74:]), int(le.Uint32(root[0x78:])), cf.sector)
	if err != nil {
		return nil, xlsErrorf("mini stream: %v", err)
	}
	miniFATBytes, err := cf.chain(cf.fat, miniFATStart, -1, cf.sector)
	if err != nil {
		return nil, xlsErrorf("miniFAT: %v", err)
	}
	miniFAT := make([]uint32, len(miniFATBytes)/4)
	for i := range miniFAT {
		miniFAT[i] = le.Uint32(miniFATBytes[4*i:])
	}
	miniSector := func(i uint32) ([]byte, error) {
		if int64(i)*64+64 > int64(len(mini)) {
			return nil, xlsErrorf("truncated: mini sector %d lies beyond the mini stream's %d bytes", i, len(mini))
		}
		return mini[i*64 : i*64+64], nil
	}
	s, err := cf.chain(miniFAT, start, int(size), miniSector)
	if err != nil {
		return nil, xlsErrorf("Workbook stream: %v", err)
	}
	return s, nil
}

// sectors is the number of whole sectors after the header.
func (cf *compoundFile) sectors() int { return (len(cf.data) - cfbHeaderSize) / cf.sectorSize }

// sector returns sector i.
func (cf *compoundFile) sector(i uint32) ([]byte, error) {
	off := int64(i)*int64(cf.sectorSize) + cfbHeaderSize
	if i >= 0xFFFFFFFA || off+int64(cf.sectorSize) > int64(len(cf.data)) {
		return nil, xlsErrorf("truncated: sector %d lies beyond the file's %d bytes", i, len(cf.data))
	}
	return cf.data[off : off+int64(cf.sectorSize)], nil
}

// chain concatenates the sectors of the chain that starts at start in the
// allocation table fat, cut to size bytes (size < 0: the whole chain).
func (cf *compoundFile) chain(fat []uint32, start uint32, size int, get func(uint32) ([]byte, error)) ([]byte, error) {
	var out []byte
	visited := make([]bool, len(fat))
	for i := start; i != cfbEndOfChain; {
		if size >= 0 && len(out) >= size {
			break
		}
		if i == cfbFree || int(i) >= len(fat) {
			return nil, xlsErrorf("sector chain broken at sector %d after %d bytes", i, len(out))
		}
		if visited[i] {
			return nil, xlsErrorf("sector chain loops back to sector %d", i)
		}
		visited[i] = true
		s, err := get(i)
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
		i = fat[i]
	}
	if size >= 0 {
		if len(out) < size {
			return nil, xlsErrorf("truncated: the chain holds %d of the stream's %d bytes", len(out), size)
		}
		out = out[:size]
	}
	return out, nil
}

// biffRecord is one record of a BIFF8 stream.
type biffRecord struct {
	typ  uint16
	off  int // of its header in the stream
	data []byte
}

// biffAt returns the record at off of the stream.
func biffAt(stream []byte, off int) (biffRecord, error) {
	if off < 0 || off+4 > len(stream) {
		return biffRecord{}, xlsErrorf("truncated: no record header at offset %d of the %d-byte Workbook stream", off, len(stream))
	}
	typ := binary.LittleEndian.Uint16(stream[off:])
	n := int(binary.LittleEndian.Uint16(stream[off+2:]))
	if off+4+n > len(stream) {
		return biffRecord{}, xlsErrorf("truncated or bad record length: record 0x%04X at offset %d has length %d, past the stream's end (%d bytes)", typ, off, n, len(stream))
	}
	return biffRecord{typ: typ, off: off, data: stream[off+4 : off+4+n]}, nil
}

// parseBIFF reads the globals and the worksheets of a BIFF8 stream.
func parseBIFF(stream []byte, file string) (map[string]*sheetGrid, error) {
	r, err := biffAt(stream, 0)
	if err != nil {
		return nil, err
	}
	if r.typ != biffBOF || len(r.data) < 4 || binary.LittleEndian.Uint16(r.data) != 0x0600 {
		return nil, xlsErrorf("the Workbook stream does not begin with a BIFF8 BOF record (record 0x%04X, %d bytes): not an Excel 97-2003 workbook", r.typ, len(r.data))
	}
	type boundSheet struct {
		name string
		off  int
	}
	var bound []boundSheet
	var sst []string
	for off := len(r.data) + 4; ; {
		r, err := biffAt(stream, off)
		if err != nil {
			return nil, err
		}
		off += 4 + len(r.data)
		switch r.typ {
		case biffEOF:
			sheets := map[string]*sheetGrid{}
			offsets := map[int]bool{}
			rows := 0
			for _, b := range bound {
				if sheets[b.name] != nil || offsets[b.off] {
					return nil, xlsErrorf("sheet %q (at offset %d) listed twice", b.name, b.off)
				}
				g := &sheetGrid{file: file, name: b.name}
				if err := readBIFFSheet(stream, b.off, sst, g); err != nil {
					return nil, xlsErrorf("sheet %q: %v", b.name, err)
				}
				if rows += len(g.cells); rows > biffMaxTotalRows {
					return nil, xlsErrorf("sheet %q: more than %d rows in the sheets up to it", b.name, biffMaxTotalRows)
				}
				sheets[b.name], offsets[b.off] = g, true
			}
			return sheets, nil
		case biffFilePass:
			return nil, xlsErrorf("the workbook is encrypted")
		case biffBoundSheet:
			if len(r.data) < 8 {
				return nil, xlsErrorf("bad record length: BOUNDSHEET8 at offset %d has %d bytes", r.off, len(r.data))
			}
			if r.data[5] != 0 { // a chart, macro or dialog sheet
				continue
			}
			br := &biffReader{segs: [][]byte{r.data[6:]}}
			name, err := br.shortString()
			if err != nil {
				return nil, xlsErrorf("BOUNDSHEET8 at offset %d: %v", r.off, err)
			}
			bound = append(bound, boundSheet{name, int(binary.LittleEndian.Uint32(r.data))})
		case biffSST:
			segs := [][]byte{r.data}
			for {
				c, err := biffAt(stream, off)
				if err != nil || c.typ != biffContinue {
					break
				}
				segs = append(segs, c.data)
				off += 4 + len(c.data)
			}
			if sst, err = readSST(segs); err != nil {
				return nil, xlsErrorf("SST at offset %d: %v", r.off, err)
			}
		}
	}
}

// readSST reads the shared strings of an SST record and its CONTINUE
// records.
func readSST(segs [][]byte) ([]string, error) {
	br := &biffReader{segs: segs}
	head, err := br.bytes(8)
	if err != nil {
		return nil, err
	}
	unique := binary.LittleEndian.Uint32(head[4:])
	var out []string
	for i := uint32(0); i < unique; i++ {
		if br.done() {
			return nil, xlsErrorf("%d of %d strings", i, unique)
		}
		s, err := br.richString()
		if err != nil {
			return nil, xlsErrorf("string %d: %v", i, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// readBIFFSheet reads the cells of the worksheet whose BOF is at off.
func readBIFFSheet(stream []byte, off int, sst []string, g *sheetGrid) error {
	r, err := biffAt(stream, off)
	if err != nil {
		return err
	}
	if r.typ != biffBOF {
		return xlsErrorf("no BOF record at its offset %d", off)
	}
	le := binary.LittleEndian
	var pending [2]int // the cell of a FORMULA whose string result follows
	hasPending := false
	for off += 4 + len(r.data); ; {
		r, err := biffAt(stream, off)
		if err != nil {
			return err
		}
		off += 4 + len(r.data)
		d := r.data
		short := func(n int) error {
			return xlsErrorf("bad record length: record 0x%04X at offset %d has %d bytes, want at least %d", r.typ, r.off, len(d), n)
		}
		set := func(row, col int, v string) error {
			if col >= biffMaxCols {
				return xlsErrorf("record 0x%04X at offset %d: column %d beyond a sheet's %d", r.typ, r.off, col+1, biffMaxCols)
			}
			g.set(row, col, v)
			return nil
		}
		var row, col int
		if len(d) >= 4 {
			row, col = int(le.Uint16(d)), int(le.Uint16(d[2:]))
		}
		if r.typ != biffString {
			hasPending = false
		}
		switch r.typ {
		case biffEOF:
			return nil
		case biffBOF: // an embedded chart's substream: skip to its EOF
			for depth := 1; depth > 0; {
				c, err := biffAt(stream, off)
				if err != nil {
					return err
				}
				off += 4 + len(c.data)
				switch c.typ {
				case biffBOF:
					depth++
				case biffEOF:
					depth--
				}
			}
		case biffNumber:
			if len(d) < 14 {
				return short(14)
			}
			err = set(row, col, formatFloat(math.Float64frombits(le.Uint64(d[6:]))))
		case biffRK:
			if len(d) < 10 {
				return short(10)
			}
			err = set(row, col, formatFloat(rkValue(le.Uint32(d[6:]))))
		case biffMulRK:
			if len(d) < 6 || (len(d)-6)%6 != 0 {
				return short(12)
			}
			for k := 0; k < (len(d)-6)/6 && err == nil; k++ {
				err = set(row, col+k, formatFloat(rkValue(le.Uint32(d[4+6*k+2:]))))
			}
		case biffLabelSST:
			if len(d) < 10 {
				return short(10)
			}
			k := le.Uint32(d[6:])
			if int64(k) >= int64(len(sst)) {
				return xlsErrorf("LABELSST at offset %d: shared string %d of %d", r.off, k, len(sst))
			}
			err = set(row, col, sst[k])
		case biffLabel:
			if len(d) < 9 {
				return short(9)
			}
			br := &biffReader{segs: [][]byte{d[6:]}}
			s, e := br.longString()
			if e != nil {
				return xlsErrorf("LABEL at offset %d: %v", r.off, e)
			}
			err = set(row, col, s)
		case biffFormula:
			if len(d) < 14 {
				return short(14)
			}
			v := d[6:14]
			if le.Uint16(v[6:]) != 0xFFFF {
				err = set(row, col, formatFloat(math.Float64frombits(le.Uint64(v))))
				break
			}
			switch v[0] {
			case 0: // a string, in the STRING record that follows
				pending, hasPending = [2]int{row, col}, true
			case 1:
				err = set(row, col, boolText(v[2]))
			case 2:
				err = set(row, col, errorText(v[2]))
			}
		case biffString:
			if hasPending {
				br := &biffReader{segs: [][]byte{d}}
				s, e := br.longString()
				if e != nil {
					return xlsErrorf("STRING at offset %d: %v", r.off, e)
				}
				err = set(pending[0], pending[1], s)
				hasPending = false
			}
		case biffBoolErr:
			if len(d) < 8 {
				return short(8)
			}
			if d[7] == 0 {
				err = set(row, col, boolText(d[6]))
			} else {
				err = set(row, col, errorText(d[6]))
			}
		}
		if err != nil {
			return err
		}
	}
}

// rkValue decodes an RK number: a 30-bit integer or the top 30 bits of a
// float64, either divided by 100 when the lowest bit is set.
func rkValue(rk uint32) float64 {
	var v float64
	if rk&2 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&^3) << 32)
	}
	if rk&1 != 0 {
		v /= 100
	}
	return v
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func boolText(b byte) string {
	if b != 0 {
		return "TRUE"
	}
	return "FALSE"
}

// errorText is Excel's text of an error value.
func errorText(code byte) string {
	switch code {
	case 0x00:
		return "#NULL!"
	case 0x07:
		return "#DIV/0!"
	case 0x0F:
		return "#VALUE!"
	case 0x17:
		return "#REF!"
	case 0x1D:
		return "#NAME?"
	case 0x24:
		return "#NUM!"
	}
	return "#N/A"
}

// biffReader reads a record's data and its CONTINUE records as one, except
// that a string's characters resume in a CONTINUE record after a byte of
// flags that says whether they are one or two bytes wide.
type biffReader struct {
	segs [][]byte
	i    int // segment
	off  int // within it
}

func (b *biffReader) done() bool {
	for b.i < len(b.segs) && b.off == len(b.segs[b.i]) {
		b.i, b.off = b.i+1, 0
	}
	return b.i >= len(b.segs)
}

// bytes returns the next n bytes, across segments.
func (b *biffReader) bytes(n int) ([]byte, error) {
	var out []byte
	for n > 0 {
		if b.done() {
			return nil, xlsErrorf("truncated: %d bytes short", n)
		}
		k := min(n, len(b.segs[b.i])-b.off)
		out = append(out, b.segs[b.i][b.off:b.off+k]...)
		b.off += k
		n -= k
	}
	return out, nil
}

func (b *biffReader) byte1() (byte, error) {
	p, err := b.bytes(1)
	if err != nil {
		return 0, err
	}
	return p[0], nil
}

func (b *biffReader) uint16() (int, error) {
	p, err := b.bytes(2)
	if err != nil {
		return 0, err
	}
	return int(binary.LittleEndian.Uint16(p)), nil
}

// chars reads n characters, one or two bytes wide as the flag says; at the
// start of a new segment a flags byte sets the width again.
func (b *biffReader) chars(n int, wide bool) (string, error) {
	u := make([]uint16, 0, n)
	for len(u) < n {
		if b.done() {
			return "", xlsErrorf("truncated: %d of %d characters", len(u), n)
		}
		if b.off == 0 && b.i > 0 && len(u) > 0 {
			wide = b.segs[b.i][0]&1 != 0
			b.off = 1
			continue
		}
		seg := b.segs[b.i]
		if wide {
			if b.off+2 > len(seg) {
				return "", xlsErrorf("a two-byte character split across records")
			}
			u = append(u, binary.LittleEndian.Uint16(seg[b.off:]))
			b.off += 2
		} else {
			u = append(u, uint16(seg[b.off]))
			b.off++
		}
	}
	return string(utf16.Decode(u)), nil
}

// shortString reads a ShortXLUnicodeString: an 8-bit count, flags, chars.
func (b *biffReader) shortString() (string, error) { return b.unicodeString(1) }

// longString reads an XLUnicodeString: a 16-bit count, flags, chars.
func (b *biffReader) longString() (string, error) { return b.unicodeString(2) }

// unicodeString reads a count of countBytes bytes, a byte of flags and
// the characters.
func (b *biffReader) unicodeString(countBytes int) (string, error) {
	p, err := b.bytes(countBytes + 1)
	if err != nil {
		return "", err
	}
	n := int(p[0])
	if countBytes == 2 {
		n = int(binary.LittleEndian.Uint16(p))
	}
	return b.chars(n, p[countBytes]&1 != 0)
}

// richString reads an XLUnicodeRichExtendedString and drops its
// formatting runs and phonetic data.
func (b *biffReader) richString() (string, error) {
	n, err := b.uint16()
	if err != nil {
		return "", err
	}
	f, err := b.byte1()
	if err != nil {
		return "", err
	}
	runs, ext := 0, 0
	if f&8 != 0 {
		if runs, err = b.uint16(); err != nil {
			return "", err
		}
	}
	if f&4 != 0 {
		p, err := b.bytes(4)
		if err != nil {
			return "", err
		}
		ext = int(binary.LittleEndian.Uint32(p))
	}
	s, err := b.chars(n, f&1 != 0)
	if err != nil {
		return "", err
	}
	if err := b.skip(4*runs + ext); err != nil {
		return "", err
	}
	return s, nil
}

// skip passes over n bytes, across segments.
func (b *biffReader) skip(n int) error {
	for n > 0 {
		if b.done() {
			return xlsErrorf("truncated: %d bytes short", n)
		}
		k := min(n, len(b.segs[b.i])-b.off)
		b.off += k
		n -= k
	}
	return nil
}
