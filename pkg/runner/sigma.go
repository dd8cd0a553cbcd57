package runner

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/formats"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/scenario"
	"github.com/mrioflow/mrioflow/pkg/spec"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// sigma returns the scenario.Sigma of sc's Monte Carlo draws on t: its
// numbers, and the files of per-entry sigmas it names read against t
// (formats.ReadSigma), local or fetched from a store. It also returns
// each file with its checksum.
//
// in, when not nil, is what the coordinator checked: a file whose bytes
// differ from in's fails with ErrChanged, local or not, and a file in a
// store is fetched by in's checksum from the table cache. A file in does
// not list fails too: the task's spec and its input disagree.
//
// Paths must be resolved (plan.Resolve). Errors name the scenario, the
// target and the file, with the reader's line and column.
func (r *Runner) sigma(ctx context.Context, sc spec.Scenario, t *table.Table, in *plan.Input) (scenario.Sigma, []plan.SigmaInput, error) {
	mc := sc.MonteCarlo
	sg := scenario.Sigma{S: mc.Sigma.S, Y: mc.Sigma.Y, A: mc.Sigma.A}
	var inputs []plan.SigmaInput
	for _, f := range mc.Sigma.Table.Files() {
		at := func(err error) error {
			return fmt.Errorf("scenario %s, montecarlo, sigma of %s: %w", sc.Name, f.Target, err)
		}
		var want *plan.Input
		if in != nil {
			s, ok := in.Sigma(sc.Name, f.Target)
			if !ok {
				return sg, nil, at(fmt.Errorf("%s: %w: the task's input lists no such file", f.Path, ErrChanged))
			}
			want = &plan.Input{Files: []plan.File{s.File}}
		}
		file, ms, err := r.readSigma(ctx, f, t, want)
		if err != nil {
			return sg, nil, at(err)
		}
		inputs = append(inputs, plan.SigmaInput{Scenario: sc.Name, Target: f.Target, Path: f.Path, File: file})
		switch f.Target {
		case spec.TargetS:
			sg.PerS = ms
		case spec.TargetY:
			sg.PerY = ms[0]
		case spec.TargetA:
			sg.PerA = ms[0]
		}
	}
	return sg, inputs, nil
}

// readSigma reads one file of sigmas against t, with its checksum; want,
// when not nil, holds the one file expected.
func (r *Runner) readSigma(ctx context.Context, f spec.SigmaFile, t *table.Table, want *plan.Input) (plan.File, []*mat.Dense, error) {
	lt, err := r.fetch.local(ctx, f.Path, want)
	if err != nil {
		return plan.File{}, nil, err
	}
	defer lt.remove()
	if lt.changed != nil {
		return plan.File{}, nil, fmt.Errorf("%s: %w", f.Path, lt.changed)
	}
	// A local file is hashed as it is read, so that an edit between the
	// hash and the read cannot pass.
	var ms []*mat.Dense
	err = lt.readLocal(func() (err error) {
		ms, err = formats.ReadSigma(lt.path, f.Target, t)
		return err
	}, true, want)
	if err != nil && isURL(f.Path) {
		err = renamed{err, lt.path, f.Path}
	}
	if err != nil {
		return plan.File{}, nil, err
	}
	if lt.changed != nil {
		return plan.File{}, nil, fmt.Errorf("%s: %w", f.Path, lt.changed)
	}
	return lt.files[0], ms, nil
}

// checkSigmas reads every file of sigmas of job against t, the table of
// one year as read, and checks each Monte Carlo scenario with them
// (scenario.MonteCarlo.Check: a table of zeros alone varies nothing). It
// returns the files with their checksums.
func (r *Runner) checkSigmas(ctx context.Context, job *spec.Job, t *table.Table) ([]plan.SigmaInput, error) {
	var out []plan.SigmaInput
	for _, sc := range job.Scenarios {
		if sc.MonteCarlo == nil || len(sc.MonteCarlo.Sigma.Table.Files()) == 0 {
			continue
		}
		sg, inputs, err := r.sigma(ctx, sc, t, nil)
		if err != nil {
			return nil, err
		}
		mc := scenario.MonteCarlo{Draws: sc.MonteCarlo.Draws, Seed: sc.MonteCarlo.Seed, Sigma: sg}
		if err := mc.Check(); err != nil {
			return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
		out = append(out, inputs...)
	}
	return out, nil
}
