package formats

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// How a file is read: its header rows one record at a time, then its data
// rows in chunks of whole lines that workers parse at once, each writing
// its rows straight into the frame's buffer, which is sized once when the
// number of rows is known (a square matrix, or Y beside Z). Memory beyond
// the numbers themselves is a few chunks per worker.
const headerBlock = 64 << 10 // the first read

// chunkSize is how many bytes of lines a chunk takes, at least; tests
// lower it to make many chunks of small inputs.
var chunkSize = 1 << 20

// frameReader reads one labelled matrix. It is used by one goroutine,
// except parseChunk, which workers call on disjoint chunks.
type frameReader struct {
	src   io.Reader
	file  string
	l     layout
	comma byte

	buf  []byte // input read: buf[pos:] is not consumed yet
	pos  int
	line int // the 1-based line of buf[pos]
	eof  bool

	f                *frame
	width, firstLine int // cells per record, and the line that set it
}

// readFrame reads a labelled matrix from r; file names it in errors.
// rowsHint, when > 0, is the number of data rows expected, and square
// expects as many rows as columns; the frame's buffer is then allocated
// once.
func readFrame(r io.Reader, file string, l layout, rowsHint int) (*frame, error) {
	if l.comma >= 0x80 || l.comma == '"' || l.comma == '\n' || l.comma == '\r' {
		panic("formats: separator must be one ASCII byte other than a quote or a line break")
	}
	p := &frameReader{src: r, file: file, l: l, comma: byte(l.comma), line: 1,
		buf: make([]byte, 0, headerBlock), f: &frame{file: file, indexCols: l.indexCols}}
	if err := p.header(); err != nil {
		return nil, err
	}
	if err := p.body(rowsHint); err != nil {
		return nil, err
	}
	if p.f.rows() == 0 {
		return nil, fileError(file, ErrLayout, "no data rows")
	}
	return p.f, nil
}

// fill reads more input after buf[pos:], growing buf when it is full.
func (p *frameReader) fill() error {
	if p.eof {
		return nil
	}
	if len(p.buf) == cap(p.buf) {
		if p.pos > 0 {
			p.buf = p.buf[:copy(p.buf, p.buf[p.pos:])]
			p.pos = 0
		}
		if len(p.buf) == cap(p.buf) {
			p.buf = slices.Grow(p.buf, cap(p.buf)+headerBlock)
		}
	}
	for {
		n, err := p.src.Read(p.buf[len(p.buf):cap(p.buf)])
		p.buf = p.buf[:len(p.buf)+n]
		if err == io.EOF {
			p.eof = true
			return nil
		}
		if err != nil {
			return &ParseError{File: p.file, Line: p.line, Err: fmt.Errorf("reading: %w", err)}
		}
		if n > 0 {
			return nil
		}
	}
}

// record returns the next record, skipping empty lines, and its line;
// io.EOF at the end. With consume false the record stays unread, but the
// empty lines before it are skipped.
func (p *frameReader) record(consume bool) ([]string, int, error) {
	for {
		b := p.buf[p.pos:]
		line, n, ok := nextLine(b, p.eof)
		switch {
		case !ok:
		case n == 0:
			return nil, 0, io.EOF
		case len(line) == 0:
			p.pos += n
			p.line += boolInt(b[n-1] == '\n')
			continue
		default:
			cells, n, lines, complete, rerr := splitRecord(b, p.comma, p.eof, nil)
			if rerr != nil {
				return nil, 0, p.quoteError(p.line, rerr)
			}
			if complete {
				at := p.line
				if consume {
					p.pos += n
					p.line += lines
				}
				return cells, at, nil
			}
		}
		if err := p.fill(); err != nil {
			return nil, 0, err
		}
	}
}

func (p *frameReader) quoteError(line int, rerr *recordError) error {
	return &ParseError{File: p.file, Line: line + rerr.line,
		Err: fmt.Errorf("%w (byte %d of the line)", rerr.err, rerr.col)}
}

// header reads the header rows into the frame's column labels, and the
// row of index names that follows them in pymrio's files. Without header
// rows the first record sets the width and stays unread.
func (p *frameReader) header() error {
	f, l := p.f, p.l
	if l.headerRows == 0 {
		rec, line, err := p.record(false)
		if err == io.EOF {
			return fileError(p.file, ErrLayout, "no data rows")
		}
		if err != nil {
			return err
		}
		p.width, p.firstLine = len(rec), line
		if p.width <= l.indexCols {
			return p.tooNarrow(line)
		}
		f.colParts = make([][]string, p.width-l.indexCols)
		return nil
	}
	for h := range l.headerRows {
		rec, line, err := p.record(true)
		if err == io.EOF {
			return fileError(p.file, ErrLayout, "ends before its %d header rows", l.headerRows)
		}
		if err != nil {
			return err
		}
		if h == 0 {
			p.width, p.firstLine = len(rec), line
			if p.width <= l.indexCols {
				return p.tooNarrow(line)
			}
			f.colParts = make([][]string, p.width-l.indexCols)
		}
		if len(rec) != p.width {
			return ragged(p.file, line, len(rec), p.width, p.firstLine)
		}
		for j, cell := range rec[l.indexCols:] {
			f.colParts[j] = append(f.colParts[j], cell)
		}
		f.colLine = line
	}
	if l.headerRows > 1 {
		rec, _, err := p.record(false)
		if err != nil && err != io.EOF {
			return err
		}
		if err == nil && len(rec) == p.width && allEmpty(rec[l.indexCols:]) {
			_, _, err = p.record(true)
			return err
		}
	}
	return nil
}

func (p *frameReader) tooNarrow(line int) error {
	return &ParseError{File: p.file, Line: line, Err: wrapKind(ErrLayout,
		"%d cells; want %d label cells and at least one column", p.width, p.l.indexCols)}
}

// chunk is a run of whole records and where its rows go.
type chunk struct {
	idx   int    // its place in the file, from 0
	buf   []byte // its bytes; owned by the chunk until it is parsed
	bytes []byte // buf's records
	line  int    // the line of its first byte

	// Its rows' slots in the frame, one per record.
	data  []float64
	text  []string
	parts [][]string
	lines []int

	blanks int // empty cells read as zero
}

// body reads the data rows: the rest of the input, in chunks parsed in
// parallel when there is more than one.
func (p *frameReader) body(rowsHint int) error {
	f, nc := p.f, p.width-p.l.indexCols
	if rowsHint == square {
		rowsHint = nc
	}
	p.grow(max(rowsHint, 0))
	rows := 0

	var (
		work     chan *chunk
		free     chan []byte
		bufs     int // buffers made
		maxBufs  int
		inflight sync.WaitGroup
		workers  sync.WaitGroup
		failed   atomic.Int64 // the lowest index of a chunk that failed, +1; 0 for none
		blanks   atomic.Int64
		mu       sync.Mutex
		errs     = map[int]error{}
	)
	failed.Store(0)
	fail := func(idx int, err error) {
		mu.Lock()
		defer mu.Unlock()
		errs[idx] = err
		for {
			old := failed.Load()
			if old != 0 && old <= int64(idx)+1 || failed.CompareAndSwap(old, int64(idx)+1) {
				return
			}
		}
	}
	start := func() {
		n := runtime.GOMAXPROCS(0)
		maxBufs = 2*n + 2
		work, free = make(chan *chunk, maxBufs), make(chan []byte, maxBufs)
		for range n {
			workers.Go(func() {
				for c := range work {
					if k := failed.Load(); k == 0 || int64(c.idx) < k {
						if err := p.parseChunk(c); err != nil {
							fail(c.idx, err)
						}
						blanks.Add(int64(c.blanks))
					}
					free <- c.buf[:0]
					inflight.Done()
				}
			})
		}
	}
	newBuf := func() []byte {
		select {
		case b := <-free:
			return b
		default:
		}
		if bufs < maxBufs {
			bufs++
			return make([]byte, 0, chunkSize+chunkSize/4)
		}
		return <-free
	}

	var readErr error
	for idx := 0; ; idx++ {
		for len(p.buf)-p.pos < chunkSize && !p.eof && readErr == nil {
			readErr = p.fill()
		}
		if readErr != nil {
			break
		}
		b := p.buf[p.pos:]
		if len(b) == 0 {
			break
		}
		end := recordEnd(b, p.eof)
		if end == 0 {
			// One record longer than the chunk: read on.
			p.buf = slices.Grow(p.buf, len(b))
			readErr = p.fill()
			idx--
			continue
		}
		c := &chunk{idx: idx, buf: p.buf, bytes: b[:end], line: p.line}
		n := countRecords(c.bytes)
		if rows+n > len(f.rowLines) {
			inflight.Wait()
			p.grow(max(2*len(f.rowLines), rows+n))
		}
		c.parts, c.lines = f.rowParts[rows:rows+n], f.rowLines[rows:rows+n]
		if p.l.text {
			c.text = f.text[rows*nc : (rows+n)*nc]
		} else {
			c.data = f.data[rows*nc : (rows+n)*nc]
		}
		rows += n
		p.line += bytes.Count(c.bytes, []byte{'\n'})

		if idx == 0 && p.eof && end == len(b) {
			// All of it in one chunk: no goroutines.
			if err := p.parseChunk(c); err != nil {
				return err
			}
			blanks.Add(int64(c.blanks))
			p.pos += end
			break
		}
		if work == nil {
			start()
		}
		next := newBuf()
		p.buf, p.pos = append(next, b[end:]...), 0
		if failed.Load() != 0 {
			break
		}
		inflight.Add(1)
		work <- c
	}
	if work != nil {
		close(work)
		workers.Wait()
		if k := failed.Load(); k != 0 {
			return errs[int(k-1)]
		}
	}
	if readErr != nil {
		return readErr
	}
	f.rowParts, f.rowLines = f.rowParts[:rows], f.rowLines[:rows]
	f.blanks = int(blanks.Load())
	if p.l.text {
		f.text = f.text[:rows*nc]
	} else {
		f.data = f.data[:rows*nc]
	}
	return nil
}

// grow makes room for rows data rows in the frame, keeping those read.
// No worker may be writing to the frame.
func (p *frameReader) grow(rows int) {
	f, nc := p.f, p.width-p.l.indexCols
	if rows <= len(f.rowLines) {
		return
	}
	f.rowParts = append(f.rowParts, make([][]string, rows-len(f.rowParts))...)
	f.rowLines = append(f.rowLines, make([]int, rows-len(f.rowLines))...)
	switch {
	case p.l.text:
		f.text = append(f.text, make([]string, rows*nc-len(f.text))...)
	case len(f.data) == 0:
		// A fresh allocation, which the runtime need not clear: the
		// workers touch its pages first, in parallel.
		f.data = make([]float64, rows*nc)
	default:
		f.data = append(f.data, make([]float64, rows*nc-len(f.data))...)
	}
}

// parseChunk parses the records of c into its slots. It returns the first
// problem of the chunk as a *ParseError.
func (p *frameReader) parseChunk(c *chunk) error {
	b, line, k := c.bytes, c.line, 0
	var cells []string
	for pos := 0; pos < len(b); {
		ln, n, _ := nextLine(b[pos:], true)
		if len(ln) == 0 {
			pos += n
			line += boolInt(b[pos-1] == '\n')
			continue
		}
		if k == len(c.lines) {
			panic("formats: more records in a chunk than counted")
		}
		c.lines[k] = line
		err := p.plainRecord(c, k, line, ln)
		switch {
		case err == nil:
			pos += n
			line += boolInt(b[pos-1] == '\n')
		case err != errNotPlain:
			return err
		default:
			var m, lines int
			var rerr *recordError
			cells, m, lines, _, rerr = splitRecord(b[pos:], p.comma, true, cells[:0])
			if rerr != nil {
				return p.quoteError(line, rerr)
			}
			if err := p.cellsRecord(c, k, line, cells); err != nil {
				return err
			}
			pos += m
			line += lines
		}
		k++
	}
	if k != len(c.lines) {
		panic("formats: fewer records in a chunk than counted")
	}
	return nil
}

// errNotPlain says that a line holds quotes plainRecord does not take:
// anywhere but around a label cell, or doubled.
var errNotPlain = errors.New("formats: not a plain line")

// plainRecord parses one line into row k of the chunk, numbers read where
// they lie. A label cell may be quoted; a line with any other quote, or a
// problem on a line with quotes, is errNotPlain, for splitRecord to
// parse (and to report at the exact place).
func (p *frameReader) plainRecord(c *chunk, k, line int, ln []byte) error {
	quoted := bytes.IndexByte(ln, '"') >= 0
	fail := func(err error) error {
		if quoted {
			return errNotPlain
		}
		return err
	}
	ic, nc := p.l.indexCols, p.width-p.l.indexCols
	parts := make([]string, ic)
	rest := ln
	for i := range parts {
		var cell []byte
		var ok bool
		if cell, rest, ok = p.labelCell(rest); !ok {
			return fail(p.plainRagged(line, ln))
		}
		parts[i] = string(cell)
	}
	if quoted && bytes.IndexByte(rest, '"') >= 0 {
		return errNotPlain
	}
	c.parts[k] = parts
	if p.l.text {
		return p.cellsRecord(c, k, line, append(parts, strings.Split(string(rest), string(p.comma))...))
	}
	dst := c.data[k*nc : (k+1)*nc]
	for j := range dst {
		var v float64
		n, ok := 1, true
		if len(rest) == 0 || rest[0] != '0' || len(rest) > 1 && rest[1] != p.comma {
			v, n, ok = scanNumber(rest) // else a lone "0", most cells of a large table
		}
		if !ok || n < len(rest) && rest[n] != p.comma {
			n = bytes.IndexByte(rest, p.comma)
			if n < 0 {
				n = len(rest)
			}
			var err error
			if v, err = p.cell(rest[:n], c); err != nil {
				if quoted || bytes.Count(ln, []byte{p.comma})+1 != p.width {
					return fail(p.plainRagged(line, ln))
				}
				return p.numberError(line, ic+j, parts, j, err)
			}
		}
		dst[j] = v
		switch {
		case j < nc-1 && n == len(rest), j == nc-1 && n < len(rest):
			return fail(p.plainRagged(line, ln))
		case j < nc-1:
			rest = rest[n+1:]
		}
	}
	return nil
}

// labelCell returns the first cell of b, unquoted if quoted, and the rest
// after its separator; not ok when b has no separator, or the cell has
// quotes other than one pair around it.
func (p *frameReader) labelCell(b []byte) (cell, rest []byte, ok bool) {
	if len(b) > 0 && b[0] == '"' {
		i := bytes.IndexByte(b[1:], '"') + 1
		if i == 0 || i+1 >= len(b) || b[i+1] != p.comma {
			return nil, nil, false
		}
		return b[1:i], b[i+2:], true
	}
	i := bytes.IndexByte(b, p.comma)
	if i < 0 || bytes.IndexByte(b[:i], '"') >= 0 {
		return nil, nil, false
	}
	return b[:i], b[i+1:], true
}

// cell parses a number cell off the fast path; an empty cell is zero when
// the layout says so, and is counted.
func (p *frameReader) cell(b []byte, c *chunk) (float64, error) {
	if len(b) == 0 && p.l.blankZero {
		c.blanks++
		return 0, nil
	}
	return parseCell(b)
}

// cellText is cell for a cell split off a quoted line.
func (p *frameReader) cellText(s string, c *chunk) (float64, error) {
	if s == "" && p.l.blankZero {
		c.blanks++
		return 0, nil
	}
	return parseNumber(s)
}

func (p *frameReader) plainRagged(line int, ln []byte) error {
	return ragged(p.file, line, bytes.Count(ln, []byte{p.comma})+1, p.width, p.firstLine)
}

// cellsRecord stores one record split into cells as row k of the chunk.
func (p *frameReader) cellsRecord(c *chunk, k, line int, cells []string) error {
	if len(cells) != p.width {
		return ragged(p.file, line, len(cells), p.width, p.firstLine)
	}
	ic, nc := p.l.indexCols, p.width-p.l.indexCols
	c.parts[k] = slices.Clone(cells[:ic])
	if p.l.text {
		copy(c.text[k*nc:(k+1)*nc], cells[ic:])
		return nil
	}
	dst := c.data[k*nc : (k+1)*nc]
	for j, cell := range cells[ic:] {
		v, err := p.cellText(cell, c)
		if err != nil {
			return p.numberError(line, ic+j, c.parts[k], j, err)
		}
		dst[j] = v
	}
	return nil
}

// numberError reports a bad number at cell (0-based) of a line, naming its
// row and column by their labels where the file has labels.
func (p *frameReader) numberError(line, cell int, parts []string, j int, err error) error {
	var where []string
	if len(parts) > 0 {
		where = append(where, fmt.Sprintf("row %q", strings.Join(parts, "/")))
	}
	if len(p.f.colParts[j]) > 0 {
		where = append(where, fmt.Sprintf("column %q", p.f.colLabel(j)))
	}
	if len(where) > 0 {
		err = fmt.Errorf("%w (%s)", err, strings.Join(where, ", "))
	}
	return &ParseError{File: p.file, Line: line, Column: cell + 1, Err: err}
}
