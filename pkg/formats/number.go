package formats

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unsafe"
)

// parseNumber parses a decimal number. It rejects what strconv.ParseFloat
// would also take but a table should not hold: NaN, Inf, hexadecimal
// floats, underscores, and values out of float64's range. The error
// wraps ErrNotNumber or ErrNotFinite and quotes the cell.
func parseNumber(s string) (float64, error) {
	plain := s != ""
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case s == "":
		return 0, fmt.Errorf("%w: empty cell", ErrNotNumber)
	case err == nil && (math.IsNaN(v) || math.IsInf(v, 0)):
		return 0, fmt.Errorf("%w: %q", ErrNotFinite, s)
	case errors.Is(err, strconv.ErrRange) && plain && math.IsInf(v, 0):
		return 0, fmt.Errorf("%w: %q is out of range", ErrNotFinite, s)
	case err == nil && plain:
		return v, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrNotNumber, s)
}

// parseCell is parseNumber on bytes, without copying them, for a cell
// that scanNumber did not take: one of plain decimal characters goes
// straight to strconv.ParseFloat, any other through parseNumber's checks.
func parseCell(b []byte) (float64, error) {
	if len(b) == 0 {
		return parseNumber("")
	}
	// Neither keeps a reference to s: ParseFloat copies the text into its
	// errors, and fmt's %q formats it at once.
	s := unsafe.String(&b[0], len(b))
	plain := true
	for _, c := range b {
		plain = plain && (c-'0' < 10 || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')
	}
	if plain {
		if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(v, 0) {
			return v, nil
		}
	}
	return parseNumber(s)
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// scanNumber reads the decimal number at the start of b, [+-]digits[.digits]
// [(e|E)[+-]digits], and returns it with the count of bytes it spans. It
// answers ok only where the result is exact, the same bits as
// strconv.ParseFloat: at most 19 significant digits whose value fits
// float64's 53-bit mantissa, times a power of ten up to 10^22, both exact,
// so one correctly rounded multiply or divide gives the correctly rounded
// result (Clinger's fast path). Anything else is for ParseFloat.
func scanNumber(b []byte) (v float64, n int, ok bool) {
	i := 0
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var mant uint64
	digits, exp := 0, 0 // significant digits kept; power of ten they are scaled by
	seen, dot := false, false
	for ; i < len(b); i++ {
		c := b[i]
		if c == '.' && !dot {
			dot = true
			continue
		}
		if c-'0' >= 10 {
			break
		}
		seen = true
		if dot {
			exp--
		}
		if mant == 0 && c == '0' {
			continue
		}
		if digits == 19 {
			return 0, i, false
		}
		mant = mant*10 + uint64(c-'0')
		digits++
	}
	if !seen {
		return 0, i, false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		start, e := i, 0
		for ; i < len(b) && b[i]-'0' < 10; i++ {
			if e >= 10000 {
				return 0, i, false
			}
			e = e*10 + int(b[i]-'0')
		}
		if i == start {
			return 0, i, false
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	switch {
	case mant == 0:
		v = 0
	case mant > 1<<53:
		return 0, i, false
	case exp == 0:
		v = float64(mant)
	case exp > 0 && exp < len(pow10):
		v = float64(mant) * pow10[exp]
	case exp < 0 && -exp < len(pow10):
		v = float64(mant) / pow10[-exp]
	default:
		return 0, i, false
	}
	if neg {
		v = -v
	}
	return v, i, true
}
