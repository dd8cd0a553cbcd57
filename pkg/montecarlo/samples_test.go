package montecarlo

import (
	"math"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	// Expected values from numpy: np.mean, np.std(ddof=1), np.percentile.
	cases := []struct {
		name string
		vals []float64
		want Row
	}{
		{"one to five, shuffled", []float64{3, 5, 1, 4, 2},
			Row{Draws: 5, Mean: 3, SD: math.Sqrt(2.5), P05: 1.2, P50: 3, P95: 4.8}},
		{"nulls left out", []float64{nan, 10, 20, nan},
			Row{Draws: 2, Mean: 15, SD: math.Sqrt(50), P05: 10.5, P50: 15, P95: 19.5}},
		{"four values", []float64{0, 1, 10, 100},
			Row{Draws: 4, Mean: 27.75, SD: 48.37613, P05: 0.15, P50: 5.5, P95: 86.5}},
		{"one value", []float64{7}, Row{Draws: 1, Mean: 7, SD: nan, P05: 7, P50: 7, P95: 7}},
		{"all null", []float64{nan, nan}, Row{Draws: 0, Mean: nan, SD: nan, P05: nan, P50: nan, P95: nan}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			label := Label{Account: Flows, Extension: "e", Stressor: "CO2", Region: "a", ToRegion: "b"}
			s := &Samples{Labels: []Label{label, {Account: ValueAdded}}, First: 3, Count: len(tc.vals)}
			for _, v := range tc.vals {
				s.Values = append(s.Values, v, 1)
			}
			rows := Summarize(s)
			got := rows[0]
			if got.Label != label || got.Draws != tc.want.Draws {
				t.Fatalf("label %+v, draws %d; want %+v, %d", got.Label, got.Draws, label, tc.want.Draws)
			}
			for _, f := range []struct {
				name      string
				got, want float64
			}{{"mean", got.Mean, tc.want.Mean}, {"sd", got.SD, tc.want.SD}, {"p05", got.P05, tc.want.P05},
				{"p50", got.P50, tc.want.P50}, {"p95", got.P95, tc.want.P95}} {
				if math.IsNaN(f.got) != math.IsNaN(f.want) || math.Abs(f.got-f.want) > 1e-4*math.Abs(f.want)+1e-12 {
					t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
				}
			}
			if rows[1].Mean != 1 || rows[1].SD != 0 && len(tc.vals) > 1 {
				t.Errorf("constant value: %+v", rows[1])
			}
		})
	}
}

func TestMerge(t *testing.T) {
	labels := []Label{{Account: ValueAdded, Region: "a"}}
	part := func(first, count int) *Samples {
		s := &Samples{Labels: labels, First: first, Count: count}
		for d := range count {
			s.Values = append(s.Values, float64(first+d))
		}
		return s
	}
	got, err := Merge(part(5, 2), part(0, 3), part(3, 2))
	if err != nil {
		t.Fatal(err)
	}
	if got.First != 0 || got.Count != 7 {
		t.Fatalf("merged draws [%d, %d), want [0, 7)", got.First, got.First+got.Count)
	}
	for d := range 7 {
		if v := got.Draw(d)[0]; v != float64(d) {
			t.Errorf("draw %d holds %v", d, v)
		}
	}
	other := part(3, 1)
	other.Labels = []Label{{Account: FinalDemand, Region: "a"}}
	for _, tc := range []struct {
		name  string
		parts []*Samples
		want  string
	}{
		{"gap", []*Samples{part(0, 2), part(3, 1)}, "gap"},
		{"overlap", []*Samples{part(0, 2), part(1, 3)}, "overlap"},
		{"labels", []*Samples{part(0, 3), other}, "other labels"},
		{"nothing", nil, "no samples"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Merge(tc.parts...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestSummarizeConstant: a value the same in every draw, one whose sum
// rounds, has itself as mean, p05 and p95, and a deviation of exactly 0.
func TestSummarizeConstant(t *testing.T) {
	for _, tc := range []struct {
		v     float64
		draws int
	}{{6436043.611, 200}, {0.1, 1000}, {1e-300, 7}, {-3.3, 999}} {
		s := &Samples{Labels: []Label{{Account: ValueAdded}}, Count: tc.draws}
		for range tc.draws {
			s.Values = append(s.Values, tc.v)
		}
		r := Summarize(s)[0]
		if r.Mean != tc.v || r.SD != 0 || r.P05 != tc.v || r.P95 != tc.v {
			t.Errorf("%v in %d draws: mean %v, sd %v, p05 %v, p95 %v", tc.v, tc.draws, r.Mean, r.SD, r.P05, r.P95)
		}
	}
}
