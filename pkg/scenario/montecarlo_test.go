package scenario

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestMonteCarloSectors(t *testing.T) {
	ok := MonteCarlo{Draws: 10, Seed: 1, Sigma: Sigma{S: 0.2}}
	for _, tc := range []struct {
		name    string
		mc      MonteCarlo
		noA     bool
		zero    bool // S of south's elec_gas (column 5) all zero
		want    []int
		wantErr string
	}{
		{name: "everything", mc: ok, want: []int{0, 1, 2, 3, 4, 5}},
		{name: "one region", mc: with(ok, func(m *MonteCarlo) { m.Region = "south" }), want: []int{3, 4, 5}},
		{name: "power in the north", mc: with(ok, func(m *MonteCarlo) { m.Region, m.Sector = "north", "elec_*" }), want: []int{1, 2}},
		{name: "power everywhere", mc: with(ok, func(m *MonteCarlo) { m.Sector = "elec_gas" }), want: []int{2, 5}},
		{name: "no draws", mc: with(ok, func(m *MonteCarlo) { m.Draws = 0 }), wantErr: "draws must be at least 1"},
		{name: "negative sigma", mc: with(ok, func(m *MonteCarlo) { m.Sigma.Y = -0.1 }), wantErr: "sigma of Y"},
		{name: "NaN sigma", mc: with(ok, func(m *MonteCarlo) { m.Sigma.A = math.NaN() }), wantErr: "sigma of A"},
		{name: "nothing varies", mc: with(ok, func(m *MonteCarlo) { m.Sigma.S = 0 }), wantErr: "no sigma above 0"},
		{name: "unknown region", mc: with(ok, func(m *MonteCarlo) { m.Region = "east" }), wantErr: `unknown region "east"`},
		{name: "consumer only", mc: with(ok, func(m *MonteCarlo) { m.Region = "DISC" }), wantErr: "consumes but does not produce"},
		{name: "pattern matches nothing", mc: with(ok, func(m *MonteCarlo) { m.Sector = "oil*" }), wantErr: "matches no sector"},
		{name: "no A", mc: with(ok, func(m *MonteCarlo) { m.Sigma.A = 0.1 }), noA: true, wantErr: "has no A"},
		{name: "selected entries all zero", mc: with(ok, func(m *MonteCarlo) { m.Region, m.Sector = "south", "elec_gas" }), zero: true,
			wantErr: "every entry it selects is zero"},
		{name: "zero S, Y varies", mc: with(ok, func(m *MonteCarlo) { m.Region, m.Sector, m.Sigma.Y = "south", "elec_gas", 0.1 }), zero: true,
			want: []int{5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := testTable()
			if tc.noA {
				tab.A = nil
			}
			if tc.zero {
				for _, e := range tab.Extensions {
					for s := range len(e.Stressors) {
						e.S.Set(s, 5, 0)
					}
				}
			}
			got, err := tc.mc.Sectors(tab)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("sectors %v, want %v", got, tc.want)
			}
		})
	}
}

func with(mc MonteCarlo, change func(*MonteCarlo)) MonteCarlo {
	change(&mc)
	return mc
}
