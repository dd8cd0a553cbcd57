package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// nullText stands in a table for a null value.
const nullText = "—"

// Table holds the numbers behind one figure, one row per drawn item.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]Cell
}

// Cell is one table entry: a label, or a number with its value kept
// exact beside the text a reader sees.
type Cell struct {
	Text  string
	Value float64 // the number; NaN for a null
	Num   bool    // the cell holds a number (or a null)
}

// Null reports whether the cell is a number that is null.
func (c Cell) Null() bool { return c.Num && math.IsNaN(c.Value) }

// Exact writes the value so that parsing it gives the same float64;
// "" for a label or a null.
func (c Cell) Exact() string {
	if !c.Num || math.IsNaN(c.Value) {
		return ""
	}
	return strconv.FormatFloat(c.Value, 'g', -1, 64)
}

func label(s string) Cell { return Cell{Text: s} }

func number(v float64) Cell { return Cell{Text: formatNumber(v), Value: v, Num: true} }

// formatNumber writes v with six significant digits, in plain notation
// from 1e-4 to 1e9 and in exponent notation outside. A null (NaN) is
// written as a dash. The text parses back with strconv.ParseFloat.
func formatNumber(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return nullText
	case math.IsInf(v, 0) || a == 0:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case a < 1e-4 || a >= 1e9:
		return strconv.FormatFloat(v, 'g', 6, 64)
	default:
		digits := max(0, 5-int(math.Floor(math.Log10(a))))
		s := strconv.FormatFloat(v, 'f', digits, 64)
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
}

// shortNumber writes v with three significant digits for a legend, in
// words from 10000 up: 4640, 46.4 thousand, 2.15 million, 10 billion.
func shortNumber(v float64) string {
	div, word := magnitude(math.Abs(v), 1e4)
	r, err := strconv.ParseFloat(strconv.FormatFloat(v/div, 'g', 3, 64), 64)
	if err != nil {
		panic(fmt.Sprintf("report: a formatted number does not parse: %v", err))
	}
	return strings.TrimSpace(formatNumber(r) + " " + word)
}
