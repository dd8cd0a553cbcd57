package formats

import (
	"bytes"
	"encoding/csv"
)

// The records of a delimited file follow encoding/csv's rules, which are
// pandas' too when it writes: a cell may be quoted ("a, b"), a quote in a
// quoted cell is doubled, a quoted cell may hold the separator or a line
// break, "\r\n" ends a line as "\n" does, and empty lines are skipped. A
// quote inside an unquoted cell, or a quoted cell closed and then
// continued, is an error. Numbers are never quoted in practice, so the
// parsers here split lines without quotes at once and leave the rest to
// splitRecord.

// nextLine returns the first line of b without its line break (and a "\r"
// before it), the bytes the line spans with its break, and whether the
// line is complete: it is when it ends in "\n", or when final says that
// no input follows b.
func nextLine(b []byte, final bool) (line []byte, n int, complete bool) {
	i := bytes.IndexByte(b, '\n')
	switch {
	case i >= 0:
		line, n = b[:i], i+1
	case final:
		line, n = b, len(b)
	default:
		return nil, 0, false
	}
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, n, true
}

// recordError is a quoting error in a record: the line it is on, counted
// from the record's first line (0), and its 1-based byte on that line.
type recordError struct {
	line, col int
	err       error // csv.ErrQuote or csv.ErrBareQuote
}

// splitRecord splits the record that starts b, on a line that is not
// empty, into cells appended to dst. It returns the cells, the bytes the
// record spans through its final line break, the line breaks within those
// bytes, and whether the record is complete: false when b ends inside it
// and final says more input follows. Quoted cells are unquoted; all cells
// are copies, safe to keep.
func splitRecord(b []byte, comma byte, final bool, dst []string) (cells []string, n, lines int, complete bool, rerr *recordError) {
	line, used, ok := nextLine(b, final)
	if !ok {
		return dst, 0, 0, false, nil
	}
	hasBreak := used > 0 && b[used-1] == '\n'
	col := 1
	for {
		if len(line) == 0 || line[0] != '"' {
			i := bytes.IndexByte(line, comma)
			cell := line
			if i >= 0 {
				cell = line[:i]
			}
			if j := bytes.IndexByte(cell, '"'); j >= 0 {
				return dst, 0, 0, true, &recordError{line: lines, col: col + j, err: csv.ErrBareQuote}
			}
			dst = append(dst, string(cell))
			if i < 0 {
				return dst, used, lines + boolInt(hasBreak), true, nil
			}
			line, col = line[i+1:], col+i+1
			continue
		}
		// A quoted cell, which may span lines.
		line, col = line[1:], col+1
		var cell []byte
		for {
			i := bytes.IndexByte(line, '"')
			if i >= 0 {
				cell = append(cell, line[:i]...)
				line, col = line[i+1:], col+i+1
				switch {
				case len(line) > 0 && line[0] == '"':
					cell = append(cell, '"')
					line, col = line[1:], col+1
					continue
				case len(line) > 0 && line[0] == comma:
					dst = append(dst, string(cell))
					line, col = line[1:], col+1
				case len(line) == 0:
					dst = append(dst, string(cell))
					return dst, used, lines + boolInt(hasBreak), true, nil
				default:
					return dst, 0, 0, true, &recordError{line: lines, col: col - 1, err: csv.ErrQuote}
				}
				break
			}
			// The line ends inside the cell: the cell goes on at the next
			// line, after the line break.
			cell = append(cell, line...)
			col += len(line)
			if !hasBreak {
				return dst, 0, 0, true, &recordError{line: lines, col: col, err: csv.ErrQuote}
			}
			cell = append(cell, '\n')
			col++
			next, m, ok := nextLine(b[used:], final)
			if !ok {
				return dst, 0, 0, false, nil
			}
			nextBreak := m > 0 && b[used+m-1] == '\n'
			if len(next) == 0 && !nextBreak { // no input left but perhaps a "\r"
				return dst, 0, 0, true, &recordError{line: lines, col: col, err: csv.ErrQuote}
			}
			lines++
			line, col, hasBreak = next, 1, nextBreak
			used += m
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// recordEnd returns the length of the longest prefix of b made of whole
// records: through the last line break outside quotes. With final, all of
// b. Quotes pair up in valid input, so a line break ends a record when the
// quotes before it are even in number; in invalid input the record parser
// finds the error before any misplaced end matters.
func recordEnd(b []byte, final bool) int {
	if final {
		return len(b)
	}
	if bytes.IndexByte(b, '"') < 0 {
		return bytes.LastIndexByte(b, '\n') + 1
	}
	end, inQuotes := 0, false
	for i, c := range b {
		switch {
		case c == '"':
			inQuotes = !inQuotes
		case c == '\n' && !inQuotes:
			end = i + 1
		}
	}
	return end
}

// countRecords returns the number of records in b, which holds whole
// records: its lines that are not empty, a line break inside quotes
// joining two lines into one record.
func countRecords(b []byte) int {
	if bytes.IndexByte(b, '"') < 0 && !hasEmptyLine(b) {
		n := bytes.Count(b, []byte{'\n'})
		if len(b) > 0 && b[len(b)-1] != '\n' {
			n++ // a last line without a break
		}
		return n
	}
	n, inQuotes, content := 0, false, false
	for i, c := range b {
		switch {
		case c == '"':
			inQuotes, content = !inQuotes, true
		case c == '\n' && !inQuotes:
			if content {
				n++
			}
			content = false
		case c == '\r' && !inQuotes && (i+1 == len(b) || b[i+1] == '\n'):
			// part of the line break
		default:
			content = true
		}
	}
	if content {
		n++
	}
	return n
}

// hasEmptyLine reports whether b may hold an empty line ("\n" or "\r\n"
// alone, or a lone "\r" at its end).
func hasEmptyLine(b []byte) bool {
	return len(b) > 0 && (b[0] == '\n' || b[0] == '\r') ||
		bytes.Contains(b, []byte("\n\n")) || bytes.Contains(b, []byte("\n\r")) ||
		len(b) > 0 && b[len(b)-1] == '\r'
}
