package scenario

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// testTable returns a table in coefficient form: regions north and south
// with sectors agri, elec_coal and elec_gas, a consumer DISC that does not
// produce, two categories, and two extensions of 2 and 1 stressors. Every
// entry is distinct, so a misplaced scaling shows.
func testTable() *table.Table {
	const n, cols = 6, 6
	seq := func(r, c int, start float64) *mat.Dense {
		d := mat.NewDense(r, c, nil)
		for i := range r {
			for j := range c {
				d.Set(i, j, start+float64(i*c+j)/100)
			}
		}
		return d
	}
	return &table.Table{
		Source:     "test.tab",
		Regions:    []string{"north", "south"},
		Sectors:    []string{"agri", "elec_coal", "elec_gas"},
		Consumers:  []string{"north", "south", "DISC"},
		Categories: []string{"hh", "gov"},
		A:          seq(n, n, 0.01),
		Y:          seq(n, cols, 1),
		X:          []float64{1, 2, 3, 4, 5, 6},
		Extensions: []*table.Extension{
			{Name: "air", Stressors: []string{"CO2", "CH4"}, Units: []string{"t", "t"}, S: seq(2, n, 2)},
			{Name: "water", Stressors: []string{"use"}, Units: []string{"m3"}, S: seq(1, n, 3)},
		},
	}
}

// factor says by how much a shock list should scale entry (i, j) of the
// matrix named ("A", "Y", or "S:<extension>").
type factor func(matrix string, i, j int) float64

func TestApply(t *testing.T) {
	// Column j of A and S is producing sector j: region j/3, sector j%3.
	// Column c of Y is consumer c/2, category c%2.
	for _, tc := range []struct {
		name   string
		shocks []Shock
		want   factor
		keepX  bool
	}{
		{
			name:   "S of coal power in the north",
			shocks: []Shock{{Target: TargetS, Region: "north", Sector: "elec_coal", Scale: 0.5}},
			want: func(m string, _, j int) float64 {
				if strings.HasPrefix(m, "S:") && j == 1 {
					return 0.5
				}
				return 1
			},
			keepX: true,
		},
		{
			name:   "S of all power, every region",
			shocks: []Shock{{Target: TargetS, Sector: "elec_*", Scale: 0}},
			want: func(m string, _, j int) float64 {
				if strings.HasPrefix(m, "S:") && j%3 != 0 {
					return 0
				}
				return 1
			},
			keepX: true,
		},
		{
			name:   "A of the south",
			shocks: []Shock{{Target: TargetA, Region: "south", Scale: 0.9}},
			want: func(m string, _, j int) float64 {
				if m == "A" && j >= 3 {
					return 0.9
				}
				return 1
			},
		},
		{
			name:   "Y of DISC",
			shocks: []Shock{{Target: TargetY, Region: "DISC", Scale: 2}},
			want: func(m string, _, j int) float64 {
				if m == "Y" && j/2 == 2 {
					return 2
				}
				return 1
			},
		},
		{
			name:   "Y of the north for southern power",
			shocks: []Shock{{Target: TargetY, Region: "north", FromRegion: "south", FromSector: "elec_?as", Scale: 1.5}},
			want: func(m string, i, j int) float64 {
				if m == "Y" && j/2 == 0 && i == 5 {
					return 1.5
				}
				return 1
			},
		},
		{
			name: "compounding, in order",
			shocks: []Shock{
				{Target: TargetA, Sector: "agri", Scale: 0.9},
				{Target: TargetA, Region: "north", Sector: "agri", Scale: 0.9},
				{Target: TargetS, Region: "south", Scale: 3},
			},
			want: func(m string, _, j int) float64 {
				switch {
				case m == "A" && j == 0:
					return 0.81
				case m == "A" && j == 3:
					return 0.9
				case strings.HasPrefix(m, "S:") && j >= 3:
					return 3
				}
				return 1
			},
		},
		{name: "no shocks", want: func(string, int, int) float64 { return 1 }, keepX: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orig, tab := testTable(), testTable()
			if err := Apply(tab, tc.shocks); err != nil {
				t.Fatal(err)
			}
			check := func(name string, got, was *mat.Dense) {
				r, c := got.Dims()
				for i := range r {
					for j := range c {
						want := was.At(i, j) * tc.want(name, i, j)
						if math.Abs(got.At(i, j)-want) > 1e-15*math.Abs(want) {
							t.Errorf("%s[%d, %d] = %v, want %v (was %v)", name, i, j, got.At(i, j), want, was.At(i, j))
						}
					}
				}
			}
			check("A", tab.A, orig.A)
			check("Y", tab.Y, orig.Y)
			for x, e := range tab.Extensions {
				check("S:"+e.Name, e.S, orig.Extensions[x].S)
			}
			if (tab.X != nil) != tc.keepX {
				t.Errorf("X kept = %v, want %v", tab.X != nil, tc.keepX)
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(*table.Table)
		shocks []Shock
		want   string
	}{
		{"flow form", func(t *table.Table) { t.Z, t.A = t.A, nil }, []Shock{{Target: TargetY, Scale: 1}}, "coefficient form"},
		{"unknown target", nil, []Shock{{Target: "s", Scale: 1}}, `shock 1 (target s, scale 1): unknown target "s"`},
		{"negative scale", nil, []Shock{{Target: TargetY, Scale: -1}}, "scale must be finite and at least 0"},
		{"NaN scale", nil, []Shock{{Target: TargetY, Scale: math.NaN()}}, "scale must be finite"},
		{"infinite scale", nil, []Shock{{Target: TargetA, Scale: math.Inf(1)}}, "scale must be finite"},
		{"unknown region", nil, []Shock{{Target: TargetS, Region: "east", Scale: 1}}, `unknown region "east"`},
		{"consumer as producer", nil, []Shock{{Target: TargetA, Region: "DISC", Scale: 1}}, `region "DISC" consumes but does not produce`},
		{"unknown consumer", nil, []Shock{{Target: TargetY, Region: "east", Scale: 1}}, `unknown consuming region "east"`},
		{"unknown from_region", nil, []Shock{{Target: TargetY, FromRegion: "DISC", Scale: 1}}, `region "DISC" consumes`},
		{"pattern matches nothing", nil, []Shock{{Target: TargetS, Sector: "oil*", Scale: 1}}, `sector pattern "oil*" matches no sector`},
		{"malformed pattern", nil, []Shock{{Target: TargetA, Sector: "[", Scale: 1}}, `sector pattern "["`},
		{"sector on Y", nil, []Shock{{Target: TargetY, Sector: "agri", Scale: 1}}, "use from_sector"},
		{"from on S", nil, []Shock{{Target: TargetS, FromRegion: "north", Scale: 1}}, "target Y only"},
		{"no extensions", func(t *table.Table) { t.Extensions = nil }, []Shock{{Target: TargetS, Scale: 1}}, "no extensions"},
		{
			"second shock bad, first not applied", nil,
			[]Shock{{Target: TargetA, Scale: 0.5}, {Target: TargetY, Region: "nowhere", Scale: 1}},
			`shock 2 (target Y, region "nowhere", scale 1)`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := testTable()
			if tc.modify != nil {
				tc.modify(tab)
			}
			before := fmt.Sprint(tab.A, tab.Z, tab.Y, tab.X)
			err := Apply(tab, tc.shocks)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "scenario: test.tab: ") {
				t.Errorf("err = %v, want one from scenario naming test.tab and containing %q", err, tc.want)
			}
			if fmt.Sprint(tab.A, tab.Z, tab.Y, tab.X) != before {
				t.Error("the table changed although Apply failed")
			}
		})
	}
}

// TestDoubleDemand mirrors pymrio's two-year check: twice the final demand
// gives twice every demand-driven account.
func TestDoubleDemand(t *testing.T) {
	compute := func(shocks []Shock) *accounts.Result {
		tab := testTable()
		tab.A.Scale(0.5, tab.A) // keep I - A comfortably nonsingular
		if err := Apply(tab, shocks); err != nil {
			t.Fatal(err)
		}
		res, err := accounts.Compute(tab, accounts.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	base := compute([]Shock{{Target: TargetS, Scale: 1}})
	double := compute([]Shock{{Target: TargetY, Scale: 2}})
	for x, e := range double.Extensions {
		for name, pair := range map[string][2]*mat.Dense{
			"Consumption": {e.Consumption, base.Extensions[x].Consumption},
			"Footprints":  {e.Footprints, base.Extensions[x].Footprints},
			"Flows[0]":    {e.Flows[0], base.Extensions[x].Flows[0]},
		} {
			var want mat.Dense
			want.Scale(2, pair[1])
			if !mat.EqualApprox(pair[0], &want, 1e-12) {
				t.Errorf("%s.%s: doubled demand gives\n%v\nwant\n%v", e.Name, name, mat.Formatted(pair[0]), mat.Formatted(&want))
			}
		}
	}
}
