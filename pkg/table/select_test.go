package table

import (
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestRegionIndex(t *testing.T) {
	tab := small()
	tests := []struct {
		name     string
		region   string
		producer int // -1: not a producing region
		consumer int // -1: not a consumer
	}{
		{"first", "north", 0, 0},
		{"second", "south", 1, 1},
		{"consumes only", "rest", -1, 2},
		{"unknown", "east", -1, -1},
		{"case matters", "North", -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, ok := tab.RegionIndex(tt.region)
			if i != tt.producer || ok != (tt.producer >= 0) {
				t.Errorf("RegionIndex(%q) = %d, %v, want %d", tt.region, i, ok, tt.producer)
			}
			i, ok = tab.ConsumerIndex(tt.region)
			if i != tt.consumer || ok != (tt.consumer >= 0) {
				t.Errorf("ConsumerIndex(%q) = %d, %v, want %d", tt.region, i, ok, tt.consumer)
			}
		})
	}
}

func TestMatchSectors(t *testing.T) {
	tab := &Table{Source: "us", Sectors: []string{"111CA", "22", "221", "23", "HS", "5411"}}
	tests := []struct {
		name    string
		glob    string
		want    []int
		wantErr string
	}{
		{"exact", "22", []int{1}, ""},
		{"prefix", "22*", []int{1, 2}, ""},
		{"single character", "2?", []int{1, 3}, ""},
		{"class", "[H5]*", []int{4, 5}, ""},
		{"everything", "*", []int{0, 1, 2, 3, 4, 5}, ""},
		{"nothing", "9*", nil, `table: us: sector pattern "9*" matches no sector`},
		{"malformed", "22[", nil, `sector pattern "22["`},
		{"malformed after a mismatch", "9[", nil, "syntax error in pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tab.MatchSectors(tt.glob)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("MatchSectors(%q) = %v, %v; want error %q", tt.glob, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("MatchSectors(%q) = %v, %v; want %v", tt.glob, got, err, tt.want)
			}
		})
	}
}

func TestSelectStressors(t *testing.T) {
	withWater := func() *Table {
		tab := small()
		tab.Extensions = append(tab.Extensions, &Extension{
			Name:      "water",
			Stressors: []string{"blue", "CH4"},
			Units:     []string{"m3", "kg"},
			F:         mat.NewDense(2, 4, []float64{1, 1, 1, 1, 7, 8, 9, 10}),
		})
		return tab
	}
	tests := []struct {
		name    string
		names   []string
		want    map[string][]string // extension -> stressors kept
		wantErr string
	}{
		{"none keeps all", nil, map[string][]string{"air": {"CO2", "CH4"}, "water": {"blue", "CH4"}}, ""},
		{"one", []string{"CO2"}, map[string][]string{"air": {"CO2"}}, ""},
		{"in two extensions", []string{"CH4"}, map[string][]string{"air": {"CH4"}, "water": {"CH4"}}, ""},
		{"table order kept", []string{"CH4", "CO2"}, map[string][]string{"air": {"CO2", "CH4"}, "water": {"CH4"}}, ""},
		{"unknown", []string{"CO2", "N2O", "SF6", "N2O"}, nil, `table: small: unknown stressor "N2O", "SF6"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := withWater()
			err := tab.SelectStressors(tt.names)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("SelectStressors(%q) = %v, want %q", tt.names, err, tt.wantErr)
				}
				if len(tab.Extensions) != 2 || len(tab.Extensions[0].Stressors) != 2 {
					t.Fatalf("a failed selection changed the table")
				}
				return
			}
			if err != nil {
				t.Fatalf("SelectStressors(%q) = %v", tt.names, err)
			}
			got := map[string][]string{}
			for _, e := range tab.Extensions {
				got[e.Name] = e.Stressors
			}
			if len(got) != len(tt.want) {
				t.Fatalf("kept %v, want %v", got, tt.want)
			}
			for name, want := range tt.want {
				if !slices.Equal(got[name], want) {
					t.Fatalf("kept %v, want %v", got, tt.want)
				}
			}
			if err := tab.Validate(); err != nil {
				t.Fatalf("table after selection: %v", err)
			}
		})
	}
}

func TestSelectStressorsKeepsRows(t *testing.T) {
	tab := small()
	if err := tab.SelectStressors([]string{"CH4"}); err != nil {
		t.Fatal(err)
	}
	e := tab.Extensions[0]
	if got, want := mat.Row(nil, 0, e.F), []float64{1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("F row = %v, want %v", got, want)
	}
	if got, want := mat.Row(nil, 0, e.FY), []float64{1, 0, 1, 0, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("FY row = %v, want %v", got, want)
	}
	if got, want := e.Units, []string{"kg"}; !slices.Equal(got, want) {
		t.Errorf("units = %v, want %v", got, want)
	}
}
