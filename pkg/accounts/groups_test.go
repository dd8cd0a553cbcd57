package accounts

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestComputeGroups(t *testing.T) {
	tab := testMRIO(t)
	res, err := Compute(tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		names     []string
		groupOf   map[string]string
		wantNames []string
		members   map[string][]int // group -> regions
	}{
		{
			name:      "with other",
			names:     []string{"BRI", "EU"},
			groupOf:   map[string]string{"reg1": "BRI", "reg3": "BRI", "reg2": "EU"},
			wantNames: []string{"BRI", "EU", "other"},
			members:   map[string][]int{"BRI": {0, 2}, "EU": {1}, "other": {3, 4, 5}},
		},
		{
			name:      "all grouped, one group empty",
			names:     []string{"empty", "all"},
			groupOf:   map[string]string{"reg1": "all", "reg2": "all", "reg3": "all", "reg4": "all", "reg5": "all", "reg6": "all"},
			wantNames: []string{"empty", "all"},
			members:   map[string][]int{"empty": nil, "all": {0, 1, 2, 3, 4, 5}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gs, err := ComputeGroups(res, tc.names, tc.groupOf)
			if err != nil {
				t.Fatal(err)
			}
			if len(gs) != len(res.Extensions) {
				t.Fatalf("%d groups, want one per extension (%d)", len(gs), len(res.Extensions))
			}
			for x, g := range gs {
				if strings.Join(g.Names, ",") != strings.Join(tc.wantNames, ",") {
					t.Fatalf("Names = %v, want %v", g.Names, tc.wantNames)
				}
				for s, flows := range res.Extensions[x].Flows {
					for gi, gp := range g.Names {
						var rowTotal, shareTotal float64
						for gj, gr := range g.Names {
							var want float64
							for _, p := range tc.members[gp] {
								for _, r := range tc.members[gr] {
									want += flows.At(p, r)
								}
							}
							got := g.Value[s].At(gi, gj)
							if !agree(got, want, 1e-14, 0) {
								t.Errorf("Value[%d][%s][%s] = %v, want %v", s, gp, gr, got, want)
							}
							rowTotal += want
							shareTotal += g.Share[s].At(gi, gj)
						}
						if rowTotal == 0 {
							if !math.IsNaN(g.Share[s].At(gi, 0)) {
								t.Errorf("Share[%d][%s] = %v for a group that emits nothing, want null", s, gp, g.Share[s].At(gi, 0))
							}
						} else if math.Abs(shareTotal-1) > 1e-14 {
							t.Errorf("shares of %s sum to %v, want 1", gp, shareTotal)
						}
					}
					// Nothing is lost in the grouping.
					if got, want := mat.Sum(g.Value[s]), mat.Sum(flows); !agree(got, want, 1e-14, 0) {
						t.Errorf("group flows sum to %v, regional flows to %v", got, want)
					}
				}
			}
		})
	}
}

func TestComputeGroupsErrors(t *testing.T) {
	res := &Result{Regions: []string{"a", "b"}, Consumers: []string{"a", "b", "c"}}
	for _, tc := range []struct {
		name    string
		names   []string
		groupOf map[string]string
		want    string
	}{
		{"twice", []string{"g", "g"}, nil, `group "g" is listed twice`},
		{"unknown region", []string{"g"}, map[string]string{"z": "g"}, `unknown region "z"`},
		{"unlisted group", []string{"g"}, map[string]string{"a": "h"}, `"h", which is not listed`},
		{"other clash", []string{"other"}, map[string]string{"a": "other"}, `region "b" is in no group, and "other" is already`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ComputeGroups(res, tc.names, tc.groupOf)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
