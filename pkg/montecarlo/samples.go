package montecarlo

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Samples holds the values of consecutive draws: Count draws from number
// First on, each a row of len(Labels) values in the order of Labels. NaN
// stands for a null value, such as the production of a region that does
// not produce.
type Samples struct {
	Labels []Label
	First  int
	Count  int
	Values []float64 // Count × len(Labels), row-major
}

// Draw returns the values of draw number d, which must lie within the
// samples. The slice shares the samples' storage.
func (s *Samples) Draw(d int) []float64 {
	if d < s.First || d >= s.First+s.Count {
		panic(fmt.Sprintf("montecarlo: draw %d outside samples [%d, %d)", d, s.First, s.First+s.Count))
	}
	v := len(s.Labels)
	i := d - s.First
	return s.Values[i*v : (i+1)*v]
}

// Merge joins the samples of one scenario's blocks of draws, in any order,
// into one run of consecutive draws. It returns an error when parts have
// different labels, overlap, or leave a gap: a summary over a run with a
// block missing would silently describe fewer draws than asked for.
func Merge(parts ...*Samples) (*Samples, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("montecarlo: no samples to merge")
	}
	sorted := slices.Clone(parts)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].First < sorted[j].First })
	out := &Samples{Labels: sorted[0].Labels, First: sorted[0].First}
	for _, p := range sorted {
		if !slices.Equal(p.Labels, out.Labels) {
			return nil, fmt.Errorf("montecarlo: samples of draws [%d, %d) have other labels than those of draw %d", p.First, p.First+p.Count, out.First)
		}
		if end := out.First + out.Count; p.First != end {
			what := "gap"
			if p.First < end {
				what = "overlap"
			}
			return nil, fmt.Errorf("montecarlo: samples leave a %s: draws up to %d, then from %d", what, end, p.First)
		}
		out.Count += p.Count
		out.Values = append(out.Values, p.Values...)
	}
	return out, nil
}

// Row is the summary of one value over the draws: the value's label (its
// account and key columns), how many draws gave it, and its statistics.
// NaN stands for a null statistic.
type Row struct {
	Label
	Draws int     // draws with a value (not null)
	Mean  float64 // arithmetic mean over those draws
	SD    float64 // sample standard deviation (divisor Draws - 1); null for one draw
	P05   float64 // 5th percentile
	P50   float64 // median
	P95   float64 // 95th percentile
}

// Summarize returns one Row per label of s, in the order of the labels.
// Percentiles interpolate linearly between order statistics (numpy's
// default, "linear"): the q-quantile of sorted values v_0..v_(N-1) is
// v_⌊h⌋ + (h - ⌊h⌋)(v_⌊h⌋+1 - v_⌊h⌋) with h = (N - 1) q. Draws whose
// value is null are left out; a label with none has every statistic
// null. The mean sums in draw order, so the rows are the same to the bit
// however the draws were computed; a value the same in every draw has
// itself as mean and a deviation of 0.
func Summarize(s *Samples) []Row {
	v := len(s.Labels)
	rows := make([]Row, v)
	vals := make([]float64, 0, s.Count)
	for l, label := range s.Labels {
		vals = vals[:0]
		for d := range s.Count {
			if x := s.Values[d*v+l]; !math.IsNaN(x) {
				vals = append(vals, x)
			}
		}
		rows[l] = summarize(label, vals)
	}
	return rows
}

// summarize returns the statistics of vals, which it sorts.
func summarize(label Label, vals []float64) Row {
	r := Row{Label: label, Draws: len(vals), Mean: nan, SD: nan, P05: nan, P50: nan, P95: nan}
	if len(vals) == 0 {
		return r
	}
	// The mean of the sum, corrected by the mean of what is left over
	// (two passes): a value that is the same in every draw has exactly
	// that mean and a deviation of 0, where the sum alone rounds.
	n := float64(len(vals))
	var sum, rest float64
	for _, x := range vals {
		sum += x
	}
	mean := sum / n
	for _, x := range vals {
		rest += x - mean
	}
	r.Mean = mean + rest/n
	if len(vals) > 1 {
		var ss float64
		for _, x := range vals {
			ss += (x - r.Mean) * (x - r.Mean)
		}
		r.SD = math.Sqrt(ss / float64(len(vals)-1))
	}
	slices.Sort(vals)
	r.P05, r.P50, r.P95 = quantile(vals, 0.05), quantile(vals, 0.5), quantile(vals, 0.95)
	return r
}

// quantile returns the q-quantile of sorted, non-empty vals by linear
// interpolation between order statistics.
func quantile(vals []float64, q float64) float64 {
	h := float64(len(vals)-1) * q
	lo := int(math.Floor(h))
	if lo+1 >= len(vals) {
		return vals[len(vals)-1]
	}
	return vals[lo] + (h-float64(lo))*(vals[lo+1]-vals[lo])
}
