package table

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// small returns a valid flow-form table: 2 regions x 2 sectors, one extra
// consumer, 2 categories, one extension of 2 stressors.
func small() *Table {
	return &Table{
		Source:     "small",
		Regions:    []string{"north", "south"},
		Sectors:    []string{"farm", "power"},
		Consumers:  []string{"north", "south", "rest"},
		Categories: []string{"households", "government"},
		Z: mat.NewDense(4, 4, []float64{
			1, 2, 3, 4,
			5, 6, 7, 8,
			9, 10, 11, 12,
			13, 14, 15, 16,
		}),
		Y: mat.NewDense(4, 6, []float64{
			1, 0, 2, 0, 3, 0,
			0, 1, 0, 2, 0, 3,
			4, 0, 5, 0, 6, 0,
			0, 4, 0, 5, 0, 6,
		}),
		Extensions: []*Extension{{
			Name:      "air",
			Stressors: []string{"CO2", "CH4"},
			Units:     []string{"kg", "kg"},
			F:         mat.NewDense(2, 4, []float64{10, 20, 30, 40, 1, 2, 3, 4}),
			FY:        mat.NewDense(2, 6, []float64{5, 0, 5, 0, 0, 0, 1, 0, 1, 0, 0, 0}),
		}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Table)
		want   string // substring of the error; empty for none
	}{
		{"valid", func(*Table) {}, ""},
		{"coefficient form", func(t *Table) {
			t.A, t.Z = mat.NewDense(4, 4, nil), nil
			t.A.Set(0, 1, 0.1)
			e := t.Extensions[0]
			e.S, e.F = e.F, nil
		}, ""},
		{"region value added may be unknown", func(t *Table) {
			t.RegionValueAdded = []float64{1, math.NaN()}
		}, ""},
		{"no regions", func(t *Table) { t.Regions = nil }, "no regions"},
		{"no sectors", func(t *Table) { t.Sectors = nil }, "no sectors"},
		{"no categories", func(t *Table) { t.Categories = nil }, "no final-demand categories"},
		{"consumers not starting with regions", func(t *Table) {
			t.Consumers = []string{"south", "north", "rest"}
		}, `consumer 1 is "south", want region "north"`},
		{"too few consumers", func(t *Table) { t.Consumers = []string{"north"} }, "1 consumers for 2 regions"},
		{"duplicated region", func(t *Table) {
			t.Regions = []string{"north", "north"}
			t.Consumers = []string{"north", "north", "rest"}
		}, `region "north" appears twice`},
		{"duplicated sector", func(t *Table) { t.Sectors = []string{"farm", "farm"} }, `sector "farm" appears twice`},
		{"duplicated consumer", func(t *Table) { t.Consumers[2] = "south" }, `consumer "south" appears twice`},
		{"duplicated category", func(t *Table) { t.Categories[1] = "households" }, `category "households" appears twice`},
		{"duplicated stressor", func(t *Table) { t.Extensions[0].Stressors[1] = "CO2" }, `stressor of extension air "CO2" appears twice`},
		{"empty label", func(t *Table) { t.Sectors[1] = "" }, "sector 2 has an empty label"},
		{"duplicated extension", func(t *Table) {
			e := *t.Extensions[0]
			t.Extensions = append(t.Extensions, &e)
		}, `extension "air" appears twice`},
		{"units missing", func(t *Table) { t.Extensions[0].Units = []string{"kg"} }, "1 units for 2 stressors"},
		{"both Z and A", func(t *Table) { t.A = mat.NewDense(4, 4, nil) }, "both Z and A"},
		{"neither Z nor A", func(t *Table) { t.Z = nil }, "neither Z nor A"},
		{"no Y", func(t *Table) { t.Y = nil }, "no final demand Y"},
		{"Z not square", func(t *Table) { t.Z = mat.NewDense(4, 3, nil) }, "Z is 4 x 3, want 4 x 4"},
		{"Y too narrow", func(t *Table) { t.Y = mat.NewDense(4, 4, nil) }, "Y is 4 x 4, want 4 x 6"},
		{"F too wide", func(t *Table) { t.Extensions[0].F = mat.NewDense(2, 5, nil) }, "air.F is 2 x 5, want 2 x 4"},
		{"FY too narrow", func(t *Table) { t.Extensions[0].FY = mat.NewDense(2, 4, nil) }, "air.FY is 2 x 4, want 2 x 6"},
		{"flow form without F", func(t *Table) { t.Extensions[0].F = nil }, `extension "air" has no F`},
		{"X too short", func(t *Table) { t.X = []float64{1} }, "X has length 1, want 4"},
		{"value added too short", func(t *Table) { t.ValueAdded = []float64{1} }, "ValueAdded has length 1, want 4"},
		{"NaN in Z", func(t *Table) { t.Z.Set(1, 2, math.NaN()) }, `Z["north/power", "south/farm"] is NaN`},
		{"Inf in Y", func(t *Table) { t.Y.Set(3, 5, math.Inf(-1)) }, `Y["south/power", "rest/government"] is -Inf`},
		{"Inf in F", func(t *Table) { t.Extensions[0].F.Set(1, 0, math.Inf(1)) }, `air.F["CH4", "north/farm"] is +Inf`},
		{"NaN in FY", func(t *Table) { t.Extensions[0].FY.Set(0, 4, math.NaN()) }, `air.FY["CO2", "rest/households"] is NaN`},
		{"NaN in X", func(t *Table) { t.X = []float64{1, 2, math.NaN(), 4} }, `X["south/farm"] is NaN`},
		{"Inf in region value added", func(t *Table) {
			t.RegionValueAdded = []float64{1, math.Inf(1)}
		}, `RegionValueAdded["south"] is +Inf`},
		{"all zero", func(t *Table) {
			t.Z = mat.NewDense(4, 4, nil)
			t.Y = mat.NewDense(4, 6, nil)
		}, "Z and Y are all zero"},
		{"all-zero final demand", func(t *Table) {
			t.Y = mat.NewDense(4, 6, nil)
		}, "final demand Y is all zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := small()
			tt.change(tab)
			err := tab.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "table: small: ") {
				t.Fatalf("Validate() = %q, want %q prefixed with the source", err, tt.want)
			}
		})
	}
}

func TestLabels(t *testing.T) {
	tab := small()
	if got, want := tab.SectorLabel(3), "south/power"; got != want {
		t.Errorf("SectorLabel(3) = %q, want %q", got, want)
	}
	if got, want := tab.DemandLabel(5), "rest/government"; got != want {
		t.Errorf("DemandLabel(5) = %q, want %q", got, want)
	}
}
