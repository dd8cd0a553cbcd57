package bench

import (
	"fmt"
	"io"
	"math"
)

// printer writes results as a table with fixed columns, one size per row
// as soon as it is measured, followed by the Monte Carlo costs.
type printer struct {
	w       io.Writer
	backend string
	draws   []Result
}

func newPrinter(w io.Writer) *printer { return &printer{w: w} }

const (
	rowHeader = "%6s %9s %8s %8s %8s %8s %8s %9s %8s %8s %8s %6s %8s %8s\n"
	rowFormat = "%6d %9.0f %8.3f %8.3f %8.3f %8.3f %8.3f %9.3f %8.3f %8.0f %8s %6s %8s %8s\n"
)

// result prints one size's row, and a header before the first row and
// whenever the backend changes. "ref ±" is half the gap between the two
// reference runs, against their mean: how steady the machine was.
func (p *printer) result(r Result) {
	if r.Backend != p.backend {
		fmt.Fprintf(p.w, "backend: %s\n", r.Backend)
		fmt.Fprintf(p.w, rowHeader, "n", "table MB", "read s", "coef s", "LU s", "solve s", "acct s",
			"compute s", "job s", "peak MB", "ref LU s", "ref ±", "comp/ref", "job/ref")
		p.backend = r.Backend
	}
	ref, spread, cr, jr := "-", "-", "-", "-"
	if r.Reference > 0 {
		ref = fmt.Sprintf("%.3f", r.Reference)
		spread = fmt.Sprintf("%.0f%%", 50*math.Abs(r.ReferenceAfter-r.ReferenceBefore)/r.Reference)
		cr = fmt.Sprintf("%.2f", r.ComputeRatio)
		jr = fmt.Sprintf("%.2f", r.JobRatio)
	}
	fmt.Fprintf(p.w, rowFormat, r.N, mb(r.TableBytes), r.Read, r.Coefficients, r.Factorize, r.Solve,
		r.Accounts, r.Compute, r.Job, mb(r.PeakRSS), ref, spread, cr, jr)
	if r.ReferenceNote != "" {
		fmt.Fprintf(p.w, "  n = %d: %s\n", r.N, r.ReferenceNote)
	}
	if r.Runs > 1 {
		fmt.Fprintf(p.w, "  n = %d: the median of %d runs\n", r.N, r.Runs)
	}
	if len(r.Draws) > 0 {
		p.draws = append(p.draws, r)
	}
}

// flush prints the Monte Carlo costs of every size that has them.
func (p *printer) flush() {
	for _, r := range p.draws {
		fmt.Fprintf(p.w, "\nMonte Carlo, n = %d: one draw against one factorization (%.3f s)\n", r.N, r.Factorize)
		fmt.Fprintf(p.w, "%-14s %8s %6s %12s %12s %8s\n", "kind", "columns", "draws", "s/draw", "per LU", "1 in")
		for _, d := range r.Draws {
			fmt.Fprintf(p.w, "%-14s %8d %6d %12.6f %12.6f %8.0f\n", d.Kind, d.Columns, d.Draws, d.Seconds, d.PerLU, 1/d.PerLU)
		}
	}
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }
