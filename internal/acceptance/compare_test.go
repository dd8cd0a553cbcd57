package acceptance

import (
	"math"
	"testing"
)

// comparer checks many pairs of numbers against one tolerance and reports
// the first failures in full, then how many failed and the worst one.
type comparer struct {
	t     testing.TB
	what  string
	rtol  float64
	n     int
	bad   int
	worst float64 // largest |a - b| / max(|a|, |b|) seen
	at    string
}

// maxShown is how many failures a comparer reports one by one.
const maxShown = 8

func newComparer(t testing.TB, what string, rtol float64) *comparer {
	return &comparer{t: t, what: what, rtol: rtol}
}

// agree reports whether |a - b| <= rtol max(|a|, |b|) + atol; two NaN
// (nulls) agree, a NaN and a number do not.
func agree(a, b, rtol, atol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= rtol*math.Max(math.Abs(a), math.Abs(b))+atol
}

// check compares got with want, with the comparer's rtol and atol given.
func (c *comparer) check(label string, got, want, atol float64) {
	c.t.Helper()
	c.n++
	rel := math.Abs(got-want) / math.Max(math.Abs(got), math.Abs(want))
	if math.IsNaN(got) != math.IsNaN(want) {
		rel = math.Inf(1)
	}
	if rel > c.worst {
		c.worst, c.at = rel, label
	}
	if agree(got, want, c.rtol, atol) {
		return
	}
	c.bad++
	if c.bad <= maxShown {
		c.t.Errorf("%s %s: got %.17g, want %.17g, diff %.3g (relative %.3g; tolerance %.3g relative + %.3g)",
			c.what, label, got, want, got-want, rel, c.rtol, atol)
	}
}

// done reports the count of failures beyond those shown, and logs the
// worst relative difference.
func (c *comparer) done() {
	c.t.Helper()
	if c.n == 0 {
		c.t.Errorf("%s: nothing compared", c.what)
		return
	}
	if c.bad > maxShown {
		c.t.Errorf("%s: %d of %d values differ (%d shown); worst relative difference %.3g at %s",
			c.what, c.bad, c.n, maxShown, c.worst, c.at)
	}
	c.t.Logf("%s: %d values, %d differ, worst relative difference %.3g at %s", c.what, c.n, c.bad, c.worst, c.at)
}

// scale returns 1e-12 of the largest magnitude among values, the atol of
// MATH.md's comparison for one account.
func scale(values ...float64) float64 {
	m := 0.0
	for _, v := range values {
		if !math.IsNaN(v) {
			m = math.Max(m, math.Abs(v))
		}
	}
	return 1e-12 * m
}
