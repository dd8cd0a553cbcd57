package output

import (
	"fmt"

	"github.com/mrioflow/mrioflow/pkg/montecarlo"
)

// The columns of the Summary account, in order.
const (
	sumAccount = iota
	sumExtension
	sumStressor
	sumUnit
	sumRegion
	sumToRegion
	sumDraws
	sumMean // then sd, p05, p50, p95
)

// WriteSummary appends rows, the summary of a Monte Carlo scenario
// (montecarlo.Summarize), to a Writer of the Summary account. Units maps
// {extension, stressor} to the stressor's unit; a missing or empty unit,
// and the unit of a row without a stressor, is written as null. Empty
// extensions, stressors and to_regions are written as null; a NaN
// statistic too.
//
// WriteSummary returns an error, and the Writer stays failed, when the
// Writer is not one of Summary, when a row has no account or no region
// (the error gives its index), when a statistic is infinite (the error
// names the row and column), or when the underlying writer fails. It
// panics when a row's Draws is negative.
func (w *Writer) WriteSummary(rows []montecarlo.Row, units map[[2]string]string) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errClosed
	}
	if w.acct != summary {
		return w.fail(fmt.Errorf("output: %s: summary rows go to the %s account only", w.acct.name, Summary))
	}
	for i, r := range rows {
		if r.Draws < 0 {
			panic(fmt.Sprintf("output: summary row %d (%+v) has %d draws", i, r.Label, r.Draws))
		}
		if r.Account == "" || r.Region == "" {
			return w.fail(fmt.Errorf("output: %s: row %d (%+v) has no account or no region", Summary, i, r.Label))
		}
		w.str(sumAccount, r.Account)
		w.optStr(sumExtension, r.Extension)
		w.optStr(sumStressor, r.Stressor)
		unit := ""
		if r.Stressor != "" {
			unit = units[[2]string{r.Extension, r.Stressor}]
		}
		w.optStr(sumUnit, unit)
		w.str(sumRegion, r.Region)
		w.optStr(sumToRegion, r.ToRegion)
		w.ints[sumDraws].Append(int64(r.Draws))
		for k, v := range []float64{r.Mean, r.SD, r.P05, r.P50, r.P95} {
			w.num(sumMean+k, v)
		}
		if err := w.endRow(); err != nil {
			return w.fail(err)
		}
	}
	return nil
}

// EncodeSummary returns rows as one file of the Summary account in format
// f, and its number of rows. Units is as for Writer.WriteSummary, whose
// errors and panics it shares; on error it returns no data.
func EncodeSummary(rows []montecarlo.Row, units map[[2]string]string, f Format, opts ...Option) ([]byte, int64, error) {
	return encode(Summary, f, opts, func(w *Writer) error { return w.WriteSummary(rows, units) })
}
