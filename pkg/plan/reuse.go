package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/mrioflow/mrioflow/pkg/spec"
)

// ChangesKey is the store key of a job's change report: how the headline
// accounts of the recomputed tasks moved against the run before.
func ChangesKey(job string) string { return job + "/changes.json" }

// TaskDigest is a checksum of everything a task's outputs depend on: the
// bytes of its table (the SHA-256 of each file of t.Input), the table's
// format and options, the scenario's definition, the stressors, accounts
// and groups of the spec, the block, the output format and schema (the
// output schema version). The table's path, the run, the output location
// and MaxAttempts are left out: a table moved, or a job run again, keeps
// its digest.
//
// A file of per-entry sigmas counts by its bytes, like the table: its
// path gives way to its SHA-256 from t.Input.Sigmas. A block of draws
// leaves the scenario's draw count out: its block name fixes its draws.
//
// TaskDigest returns "" when t has no Input (a table not checked), or
// when its scenario reads a file of sigmas that Input lacks: such a task
// is never taken as unchanged. It panics when t.Spec is not a job or
// lacks t's year or scenario, which Make never produces.
func TaskDigest(t Task, schema string) string {
	if t.Input == nil {
		return ""
	}
	var job spec.Job
	if err := json.Unmarshal(t.Spec, &job); err != nil {
		panic(fmt.Sprintf("plan: TaskDigest of %s: decode spec: %v", t.ID(), err))
	}
	ti := slices.IndexFunc(job.Tables, func(tb spec.Table) bool { return tb.Year == t.Year })
	si := slices.IndexFunc(job.Scenarios, func(s spec.Scenario) bool { return s.Name == t.Scenario })
	if ti < 0 || si < 0 {
		panic(fmt.Sprintf("plan: TaskDigest of %s: year or scenario not in its spec", t.ID()))
	}
	tb := job.Tables[ti]
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s", len(s), s) }
	value := func(v any) {
		b, err := json.Marshal(v) // maps marshal with sorted keys
		if err != nil {
			panic(fmt.Sprintf("plan: TaskDigest of %s: %v", t.ID(), err))
		}
		field(string(b))
	}
	field("mrioflow task digest 1")
	field(schema)
	field(tb.Format)
	value(tb.Options)
	value(len(t.Input.Files))
	for _, f := range t.Input.Files {
		field(f.Path)
		field(f.SHA256)
	}
	sc, ok := digestScenario(job.Scenarios[si], t.Input)
	if !ok {
		return ""
	}
	if _, _, block := ParseDrawBlock(t.Block); block && sc.MonteCarlo != nil {
		// A draw's numbers depend on its number, not on how many draws
		// the scenario has: a block of draws keeps its digest when the
		// count changes, and is reused when a sweep grows or shrinks.
		mc := *sc.MonteCarlo
		mc.Draws = 0
		sc.MonteCarlo = &mc
	}
	value(sc)
	value(job.Stressors)
	value(job.Accounts)
	value(job.Groups)
	field(t.Block)
	field(t.Format)
	return hex.EncodeToString(h.Sum(nil))
}

// Reused is the number of tasks whose outputs an earlier run wrote.
func (m *Manifest) Reused() int {
	n := 0
	for _, t := range m.Tasks {
		if t.Reused {
			n++
		}
	}
	return n
}

// Done returns the record and outputs of the task named id when it is
// done in m. It works on a manifest decoded from JSON as well.
func (m *Manifest) Done(id string) (TaskRecord, []Output, bool) {
	i := slices.IndexFunc(m.Tasks, func(r TaskRecord) bool { return r.Task == id })
	if i < 0 || m.Tasks[i].Status != Done {
		return TaskRecord{}, nil, false
	}
	var outs []Output
	for _, o := range m.Outputs {
		if o.Task == id {
			outs = append(outs, o.Output)
		}
	}
	return m.Tasks[i], outs, true
}

// ReuseReport is the final report of t carried over from old, an earlier
// run's manifest holding t done with the same digest in rec and outs:
// done, reused, with that run's outputs, residual, worker and the
// warnings it gave t (zero-output sectors, a large residual), and no
// timings of its own.
func ReuseReport(t Task, old *Manifest, rec TaskRecord, outs []Output) Report {
	r := NewReport(t)
	r.Status, r.Reused = Done, true
	r.Worker, r.Residual = rec.Worker, rec.Residual
	r.Outputs = slices.Clone(outs)
	for _, w := range old.Warnings {
		if w.Task == rec.Task {
			r.Warnings = append(r.Warnings, w.Warning)
		}
	}
	return r
}

// digestScenario returns sc with each path of a file of sigmas replaced by
// the file's SHA-256 from in; not ok when in lacks one.
func digestScenario(sc spec.Scenario, in *Input) (spec.Scenario, bool) {
	if sc.MonteCarlo == nil || sc.MonteCarlo.Sigma.Table == (spec.SigmaTables{}) {
		return sc, true
	}
	mc := *sc.MonteCarlo
	for _, f := range []struct {
		target string
		path   *string
	}{{spec.TargetS, &mc.Sigma.Table.S}, {spec.TargetY, &mc.Sigma.Table.Y}, {spec.TargetA, &mc.Sigma.Table.A}} {
		if *f.path == "" {
			continue
		}
		s, ok := in.Sigma(sc.Name, f.target)
		if !ok {
			return sc, false
		}
		*f.path = "sha256:" + s.File.SHA256
	}
	sc.MonteCarlo = &mc
	return sc, true
}
