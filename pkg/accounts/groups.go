package accounts

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// OtherGroup names the group of the consumers that belong to no group.
const OtherGroup = "other"

// ComputeGroups sums the regional flows of res into flows between groups of
// regions, one Groups per extension of res, in the same order (MATH.md 13).
//
// names lists the groups in the order wanted; groupOf maps a region (a
// producer or a consumer of res) to its group. Consumers in no group form
// the group OtherGroup, listed last, which exists only when there is such a
// consumer. A group may have no member; its row and column are then zero and
// its shares null.
//
// Value[s][g][h] is the stressor emitted in the regions of g for the final
// demand of the consumers of h; Share[s][g][h] = Value[s][g][h] / sum over h
// of Value[s][g][h], NaN when that sum is zero. The groups are summed from
// the regional results, never from an aggregated table.
//
// ComputeGroups returns an error when a name repeats, when groupOf names a
// region that res does not have or a group not in names, and when a region
// falls in no group while names already holds OtherGroup.
func ComputeGroups(res *Result, names []string, groupOf map[string]string) ([]*Groups, error) {
	index := make(map[string]int, len(names)+1)
	for i, g := range names {
		if _, dup := index[g]; dup {
			return nil, fmt.Errorf("accounts: group %q is listed twice", g)
		}
		index[g] = i
	}
	known := make(map[string]bool, len(res.Consumers))
	for _, c := range res.Consumers {
		known[c] = true
	}
	for region, g := range groupOf {
		if !known[region] {
			return nil, fmt.Errorf("accounts: group %q: unknown region %q", g, region)
		}
		if _, ok := index[g]; !ok {
			return nil, fmt.Errorf("accounts: region %q is in group %q, which is not listed", region, g)
		}
	}

	all := append([]string(nil), names...)
	other := -1
	member := make([]int, len(res.Consumers)) // consumer -> group
	for r, c := range res.Consumers {
		if g, ok := groupOf[c]; ok {
			member[r] = index[g]
			continue
		}
		if other < 0 {
			if _, clash := index[OtherGroup]; clash {
				return nil, fmt.Errorf("accounts: region %q is in no group, and %q is already a group's name", c, OtherGroup)
			}
			other = len(all)
			all = append(all, OtherGroup)
		}
		member[r] = other
	}

	out := make([]*Groups, len(res.Extensions))
	for x, e := range res.Extensions {
		gs := &Groups{Names: all}
		for _, flows := range e.Flows {
			v := groupFlows(flows, member, len(all))
			gs.Value = append(gs.Value, v)
			gs.Share = append(gs.Share, shares(v))
		}
		out[x] = gs
	}
	return out, nil
}

// groupFlows sums E (R×R') into G×G by the group of each region.
func groupFlows(e *mat.Dense, member []int, g int) *mat.Dense {
	out := mat.NewDense(g, g, nil)
	rows, _ := e.Dims()
	for p := range rows {
		for r, v := range e.RawRowView(p) {
			gp, gr := member[p], member[r]
			out.Set(gp, gr, out.At(gp, gr)+v)
		}
	}
	return out
}

// shares divides every row of v by its sum; NaN where the sum is zero.
func shares(v *mat.Dense) *mat.Dense {
	g, _ := v.Dims()
	out := mat.NewDense(g, g, nil)
	for p := range g {
		total := rowSum(v, p)
		for h, x := range v.RawRowView(p) {
			if total == 0 {
				out.Set(p, h, math.NaN())
			} else {
				out.Set(p, h, x/total)
			}
		}
	}
	return out
}
