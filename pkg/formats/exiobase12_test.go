package formats

import (
	"math"
	"path/filepath"
	"slices"
	"testing"
)

// TestExiobase12Mocks reads the EXIOBASE 1 mock (a folder) and the
// EXIOBASE 2 mock (a zip archive), both pymrio's test MRIO in coefficient
// form: A and S must be the test MRIO's Z / x and F / x to the twelve
// digits the files keep.
func TestExiobase12Mocks(t *testing.T) {
	mocks := filepath.Join(sharedData(t), "format-mocks")
	ref, x := testMrioSaved(t)
	for _, tt := range []struct{ format, path string }{
		{"exiobase1", filepath.Join(mocks, "exio1_mock")},
		{"exiobase2", filepath.Join(mocks, "exio2_mock", "mrIOT_PxP_ita_coefficient_version2.2.2.zip")},
	} {
		t.Run(tt.format, func(t *testing.T) {
			tab, err := Open(tt.format, tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tab.Regions, ref.Regions) || !slices.Equal(tab.Sectors, ref.Sectors) || !slices.Equal(tab.Categories, ref.Categories) {
				t.Fatalf("labels %q %q %q", tab.Regions, tab.Sectors, tab.Categories)
			}
			if tab.Z != nil || tab.X != nil {
				t.Errorf("a coefficient table with Z or x")
			}
			n := tab.N()
			for i := range n {
				for j := range n {
					if want := ref.Z.At(i, j) / x[j]; math.Abs(tab.A.At(i, j)-want) > 1e-9*want+1e-15 {
						t.Fatalf("A[%d, %d] = %v, want Z / x = %v", i, j, tab.A.At(i, j), want)
					}
				}
			}
			sameMatrix(t, "Y", tab.Y, ref.Y, 0)
			names := []string{}
			for _, e := range tab.Extensions {
				names = append(names, e.Name)
			}
			if tt.format == "exiobase1" && !slices.Equal(names, []string{"factor_inputs", "emissions"}) {
				t.Fatalf("extensions %q", names)
			}
			fi, em := tab.Extensions[0], tab.Extensions[1]
			if !slices.Equal(em.Stressors, []string{"emission_type1/air", "emission_type2/water"}) ||
				!slices.Equal(em.Units, []string{"kg", "kg"}) || fi.Units[0] != "M.EUR" || fi.Stressors[0] != "Value Added" {
				t.Errorf("stressors %q %q, units %q %q", em.Stressors, fi.Stressors, em.Units, fi.Units)
			}
			for s := range 2 {
				for j := range n {
					if want := ref.Extensions[0].F.At(s, j) / x[j]; math.Abs(em.S.At(s, j)-want) > 1e-9*want {
						t.Fatalf("S[%d, %d] = %v, want F / x = %v", s, j, em.S.At(s, j), want)
					}
				}
			}
			// mrFDEmissions holds its own numbers, taken as F_Y as pymrio takes them.
			checkCells(t, []cell{{"F_Y[emission_type1/air, reg1/households]", em.FY.At(0, 0), 0.213039480359},
				{"F_Y[emission_type2/water, reg2/households]", em.FY.At(1, 7), 0.232228633296}})
		})
	}
}

func TestExiobase12BadInput(t *testing.T) {
	tests := []dirCase{
		{"no final demand", func(t *testing.T, dir string) { remove(t, filepath.Join(dir, "mrFinalDemand.txt")) }, nil,
			"<dir>: file does not exist: no file like ^mrFinalDemand.*\\.txt$", nil},
		{"unit column missing", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "mrIot.txt"), "\t\t\treg1", "\t\treg1")
		}, nil, "mrIot.txt line 2 column 51: ragged row: 51 cells, want 50 as on line 1", ErrRagged},
		{"two files of a kind", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "mrEmissions_copy.txt"), "x")
		}, nil, "<dir>: unexpected layout: two files for ^mrEmissions.*\\.txt$", ErrLayout},
		{"stressor of F_Y unknown", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "mrFDEmissions.txt"), "emission_type2\twater", "emission_type3\twater")
		}, nil, `mrFDEmissions.txt line 4 column 1: labels do not agree: row "emission_type3/water" is not a stressor of mrEmissions.txt`, ErrLabel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyTree(t, filepath.Join(sharedData(t), "format-mocks", "exio1_mock"), "exio1")
			tt.change(t, dir)
			_, err := Open("exiobase1", dir, nil)
			wantError(t, err, tt.want, "<dir>", dir, tt.kind)
		})
	}
}
