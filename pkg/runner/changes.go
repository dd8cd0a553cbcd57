package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mrioflow/mrioflow/pkg/output"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// DefaultChangeThreshold is the relative change of a headline account
// beyond which a change report flags its row: 10 %.
const DefaultChangeThreshold = 0.1

// Headlines are the accounts a change report compares, the columns of the
// regions account in this order.
var Headlines = []string{"production", "consumption", "net_exports"}

// The flags of a ChangeValue.
const (
	FlagThreshold   = "threshold"   // |relative change| above the threshold
	FlagSign        = "sign"        // old and new of opposite signs
	FlagAppeared    = "appeared"    // no old value, a new one
	FlagDisappeared = "disappeared" // an old value, no new one
)

// ChangeReport is <job>/changes.json: how the headline accounts of the
// tasks a run recomputed moved against the run before it.
type ChangeReport struct {
	Job         string  `json:"job"`
	Run         string  `json:"run"`
	PreviousRun string  `json:"previous_run"`
	Threshold   float64 `json:"threshold"`
	// Tasks are the recomputed tasks compared, in task order: a year
	// split into blocks of consumers is named by its merge
	// (job/year/scenario/merge), whose account files a whole task would
	// have written, and a Monte Carlo scenario by its summary
	// (job/year/scenario/summary).
	Tasks   []string    `json:"tasks"`
	Flagged int         `json:"flagged"` // rows with a flag
	Rows    []ChangeRow `json:"rows"`
}

// ChangeRow is one extension, stressor and region of one year and
// scenario, old against new. Values are nil where an account is null
// (a region that does not produce) or the row is missing on one side.
type ChangeRow struct {
	Year      string `json:"year"`
	Scenario  string `json:"scenario"`
	Extension string `json:"extension"`
	Stressor  string `json:"stressor"`
	Region    string `json:"region"`
	// Statistic is "mean" in the rows of a Monte Carlo scenario, whose
	// values are the means over its draws (its summary's mean column);
	// empty in the rows of a regions file.
	Statistic string                 `json:"statistic,omitempty"`
	Accounts  map[string]ChangeValue `json:"accounts"` // by Headlines name
	Flagged   bool                   `json:"flagged"`
}

// ChangeValue is one headline account of a ChangeRow. Relative is
// (new - old) / |old|; nil where either side is missing or old is 0 and
// new is not (then Flag is FlagThreshold).
type ChangeValue struct {
	Old      *float64 `json:"old"`
	New      *float64 `json:"new"`
	Relative *float64 `json:"relative"`
	Flag     string   `json:"flag,omitempty"`
}

// headline identifies one row of a regions account.
type headline struct{ extension, stressor, region string }

// headlines are the headline accounts of one regions file, by row, with
// the rows in file order.
type headlines struct {
	order  []headline
	values map[headline][]*float64 // in Headlines order
}

// headlineOutput reports whether an output of account holds headline
// accounts: a regions file, or a Monte Carlo summary (its means).
func headlineOutput(account string) bool {
	return account == output.Regions || account == output.Summary
}

// readHeadlines reads o, a regions or summary output, checked against
// its SHA-256. Of a summary it takes the mean of the rows of each
// headline account.
func readHeadlines(ctx context.Context, st store.Store, o plan.Output) (*headlines, error) {
	data, err := getChecked(ctx, st, o)
	if err != nil {
		return nil, err
	}
	_, _, _, format, err := output.ParseKey(keyInJob(o.Key))
	if err != nil {
		return nil, err
	}
	tbl, err := output.ReadTable(data, format)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.Key, err)
	}
	defer tbl.Release()
	text := func(name string) []string { return stringColumn(tbl, name) }
	ext, str, reg := text("extension"), text("stressor"), text("region")
	h := &headlines{values: make(map[headline][]*float64, len(reg))}
	row := func(k headline) []*float64 {
		v, ok := h.values[k]
		if !ok {
			v = make([]*float64, len(Headlines))
			h.order = append(h.order, k)
			h.values[k] = v
		}
		return v
	}
	if o.Account == output.Summary {
		// A row per account, extension, stressor and region (and
		// consuming region for flows, not a headline).
		acct, mean := text("account"), floatColumn(tbl, "mean")
		for r := range reg {
			if i := slices.Index(Headlines, acct[r]); i >= 0 {
				row(headline{ext[r], str[r], reg[r]})[i] = mean[r]
			}
		}
		return h, nil
	}
	cols := make([][]*float64, len(Headlines))
	for i, name := range Headlines {
		cols[i] = floatColumn(tbl, name)
	}
	for r := range reg {
		v := row(headline{ext[r], str[r], reg[r]})
		for i := range Headlines {
			v[i] = cols[i][r]
		}
	}
	return h, nil
}

// keyInJob drops the job's folder from a store key.
func keyInJob(key string) string {
	_, rest, _ := strings.Cut(key, "/")
	return rest
}

// stringColumn is the column name of tbl as strings; ReadTable has
// checked its type.
func stringColumn(tbl arrow.Table, name string) []string {
	var out []string
	for _, chunk := range tbl.Column(tbl.Schema().FieldIndices(name)[0]).Data().Chunks() {
		a := chunk.(*array.String)
		for i := range a.Len() {
			out = append(out, a.Value(i))
		}
	}
	return out
}

// floatColumn is the column name of tbl, nil where null.
func floatColumn(tbl arrow.Table, name string) []*float64 {
	var out []*float64
	for _, chunk := range tbl.Column(tbl.Schema().FieldIndices(name)[0]).Data().Chunks() {
		a := chunk.(*array.Float64)
		for i := range a.Len() {
			if a.IsNull(i) {
				out = append(out, nil)
				continue
			}
			v := a.Value(i)
			out = append(out, &v)
		}
	}
	return out
}

// compare adds to rep the rows of one (year, scenario): old against
// new, new's rows first in their order, then the rows only old has;
// statistic is ChangeRow.Statistic.
func (rep *ChangeReport) compare(year, scenario, statistic string, old, new *headlines) {
	keys := slices.Clone(new.order)
	for _, k := range old.order {
		if _, ok := new.values[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		ov, inOld := old.values[k]
		nv, inNew := new.values[k]
		row := ChangeRow{Year: year, Scenario: scenario, Extension: k.extension, Stressor: k.stressor,
			Region: k.region, Statistic: statistic, Accounts: make(map[string]ChangeValue, len(Headlines))}
		for i, name := range Headlines {
			var o, n *float64
			if inOld {
				o = ov[i]
			}
			if inNew {
				n = nv[i]
			}
			cv := change(o, n, rep.Threshold)
			row.Accounts[name] = cv
			row.Flagged = row.Flagged || cv.Flag != ""
		}
		if row.Flagged {
			rep.Flagged++
		}
		rep.Rows = append(rep.Rows, row)
	}
}

// change compares one value, old against new.
func change(old, new *float64, threshold float64) ChangeValue {
	cv := ChangeValue{Old: old, New: new}
	switch {
	case old == nil && new == nil:
	case old == nil:
		cv.Flag = FlagAppeared
	case new == nil:
		cv.Flag = FlagDisappeared
	case *old == 0 && *new == 0:
		zero := 0.0
		cv.Relative = &zero
	case *old == 0:
		cv.Flag = FlagThreshold
	default:
		rel := (*new - *old) / math.Abs(*old)
		cv.Relative = &rel
		switch {
		case *old*(*new) < 0:
			cv.Flag = FlagSign
		case math.Abs(rel) > threshold || math.IsNaN(rel):
			cv.Flag = FlagThreshold
		}
	}
	return cv
}

// oldHeadlines is one (year, scenario) a run computes, with the headline
// accounts of the regions output (or, montecarlo, the summary) the run
// before recorded for it.
type oldHeadlines struct {
	pair
	montecarlo bool
	old        *headlines
}

// headlineStep returns the record and outputs of m's step that wrote the
// headline accounts of p: the summary of a Monte Carlo scenario, else
// its whole task or its merge (plan.Manifest.AccountsDone); ok is false
// when m holds none done. A scenario that became Monte Carlo, or ceased
// to be, is not compared with what it was.
func headlineStep(m *plan.Manifest, p pair, montecarlo bool) (plan.TaskRecord, []plan.Output, bool) {
	if montecarlo {
		return m.Done(plan.SummaryID(m.Job, p.year, p.scenario))
	}
	return m.AccountsDone(p.year, p.scenario)
}

// before reads, for every (year, scenario) of m that the run computes,
// in task order, the regions output old recorded for it (its whole task
// or its merge, plan.Manifest.AccountsDone), or the summary of a Monte
// Carlo scenario, while it is still in place: the values the new output
// will be compared with. A pair computes when its whole task is not
// final yet, or, run as blocks, when its merge or summary is not
// recorded (not reused): the blocks write only parts, so the old file
// stays in place until the merge or summary, which comes after every
// block. A file that is gone or written over since is left out
// (reported to OnError).
func (c *coordination) before(ctx context.Context, old, m *plan.Manifest) []oldHeadlines {
	if old == nil {
		return nil
	}
	var out []oldHeadlines
	seen := map[pair]bool{}
	for i, t := range c.tasks {
		p := pair{t.Year, t.Scenario}
		step := stepOf(t.Block)
		switch {
		case seen[p]:
			continue
		case t.Block == plan.Block:
			if m.Tasks[i].Status.Final() {
				continue
			}
		case step != "":
			seen[p] = true
			if _, _, done := m.Done(plan.Task{Job: m.Job, Year: t.Year, Scenario: t.Scenario, Block: step}.ID()); done {
				continue
			}
		default:
			continue
		}
		mc := step == plan.SummaryBlock
		_, outs, ok := headlineStep(old, p, mc)
		if !ok {
			continue
		}
		for _, o := range outs {
			if !headlineOutput(o.Account) {
				continue
			}
			h, err := readHeadlines(ctx, c.store, o)
			if err != nil {
				c.opts.OnError(fmt.Errorf("runner: job %s: %s/%s: previous regions for the change report: %w", c.job.Job, t.Year, t.Scenario, err))
				continue
			}
			out = append(out, oldHeadlines{p, mc, h})
		}
	}
	return out
}

// reportChanges compares the regions outputs m's recomputed tasks and
// merges wrote, and the summaries of its recomputed Monte Carlo
// scenarios, read back after the merges and summaries, with prev, read
// from old's before the run, writes <job>/changes.json and records it in
// m as a warning of kind plan.Change. A (year, scenario) whose task,
// merge or summary failed wrote nothing and is left out. It does nothing
// without a previous run.
func (c *coordination) reportChanges(ctx context.Context, old, m *plan.Manifest, prev []oldHeadlines) {
	if old == nil {
		return
	}
	threshold := c.opts.ChangeThreshold
	rep := &ChangeReport{Job: m.Job, Run: m.Run, PreviousRun: old.Run, Threshold: threshold, Tasks: []string{}, Rows: []ChangeRow{}}
	for _, p := range prev {
		rec, outs, ok := headlineStep(m, p.pair, p.montecarlo)
		if !ok || rec.Reused {
			continue
		}
		statistic := ""
		if p.montecarlo {
			statistic = "mean"
		}
		for _, o := range outs {
			if !headlineOutput(o.Account) {
				continue
			}
			now, err := readHeadlines(ctx, c.store, o)
			if err != nil {
				c.opts.OnError(fmt.Errorf("runner: job %s: task %s: regions for the change report: %w", c.job.Job, rec.Task, err))
				continue
			}
			rep.Tasks = append(rep.Tasks, rec.Task)
			rep.compare(p.year, p.scenario, statistic, p.old, now)
		}
	}
	key := plan.ChangesKey(m.Job)
	data, err := json.MarshalIndent(rep, "", "  ") // fails on a value not finite
	if err == nil {
		err = c.store.Put(ctx, key, append(data, '\n'))
	}
	if err != nil {
		c.opts.OnError(fmt.Errorf("runner: job %s: write %s: %w", c.job.Job, key, err))
		return
	}
	w := plan.TaskWarning{Warning: plan.Warning{Kind: plan.Change, Key: key, Amount: float64(rep.Flagged),
		Message: fmt.Sprintf("%s: %d of %d rows of %d recomputed tasks changed beyond %g (relative), changed sign, appeared or disappeared against run %s",
			key, rep.Flagged, len(rep.Rows), len(rep.Tasks), threshold, old.Run)}}
	m.Warnings = append(m.Warnings, w)
	c.opts.OnWarning(w)
}
