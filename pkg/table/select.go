package table

import (
	"fmt"
	"path"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// RegionIndex returns the position of the producing region name in
// t.Regions, and false when t has no such region.
func (t *Table) RegionIndex(name string) (int, bool) {
	return index(t.Regions, name)
}

// ConsumerIndex returns the position of the consuming region name in
// t.Consumers (which begin with t.Regions), and false when there is none.
func (t *Table) ConsumerIndex(name string) (int, bool) {
	return index(t.Consumers, name)
}

func index(labels []string, name string) (int, bool) {
	for i, l := range labels {
		if l == name {
			return i, true
		}
	}
	return -1, false
}

// MatchSectors returns the positions in t.Sectors of the sectors whose code
// matches the shell-style pattern glob (path.Match syntax: *, ?, [...]; a
// "*" does not cross a "/"), in table order. It returns an error for a
// malformed pattern and for one that matches no sector; both name the
// pattern and the table.
func (t *Table) MatchSectors(glob string) ([]int, error) {
	if _, err := path.Match(glob, ""); err != nil {
		return nil, t.errorf("sector pattern %q: %w", glob, err)
	}
	var out []int
	for i, s := range t.Sectors {
		if ok, _ := path.Match(glob, s); ok {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		return nil, t.errorf("sector pattern %q matches no sector", glob)
	}
	return out, nil
}

// SelectStressors keeps only the stressors named, in every extension, in
// table order, and drops the extensions left with none. A name may match
// stressors of several extensions. An empty names keeps everything. It
// returns an error listing the names that match no stressor, and leaves t
// unchanged then.
func (t *Table) SelectStressors(names []string) error {
	if len(names) == 0 {
		return nil
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = false
	}
	for _, e := range t.Extensions {
		for _, s := range e.Stressors {
			if _, ok := want[s]; ok {
				want[s] = true
			}
		}
	}
	var unknown []string
	for _, n := range names {
		if !want[n] {
			unknown = append(unknown, fmt.Sprintf("%q", n))
			want[n] = true // list each once
		}
	}
	if len(unknown) > 0 {
		return t.errorf("unknown stressor %s", strings.Join(unknown, ", "))
	}
	kept := t.Extensions[:0]
	for _, e := range t.Extensions {
		var rows []int
		for i, s := range e.Stressors {
			if _, ok := want[s]; ok {
				rows = append(rows, i)
			}
		}
		if len(rows) == 0 {
			continue
		}
		if len(rows) < len(e.Stressors) {
			e.Stressors = pick(e.Stressors, rows)
			e.Units = pick(e.Units, rows)
			e.F = pickRows(e.F, rows)
			e.S = pickRows(e.S, rows)
			e.FY = pickRows(e.FY, rows)
		}
		kept = append(kept, e)
	}
	clear(t.Extensions[len(kept):])
	t.Extensions = kept
	return nil
}

func pick(s []string, rows []int) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = s[r]
	}
	return out
}

// pickRows returns a new matrix of the given rows of m, or nil for nil m.
func pickRows(m *mat.Dense, rows []int) *mat.Dense {
	if m == nil {
		return nil
	}
	_, c := m.Dims()
	out := mat.NewDense(len(rows), c, nil)
	for i, r := range rows {
		out.SetRow(i, m.RawRowView(r))
	}
	return out
}
