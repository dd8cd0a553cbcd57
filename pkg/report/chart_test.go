package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// labels returns the labelled ticks' texts.
func labels(ticks []plot.Tick) []string {
	var out []string
	for _, t := range ticks {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return out
}

func TestNiceTicks(t *testing.T) {
	cases := []struct {
		name   string
		lo, hi float64
		div    float64
		want   []string
	}{
		{"trillions", 0, 5.53e12, 1e12, []string{"0", "1", "2", "3", "4", "5"}},
		{"both signs", -9.9e9, 4e9, 1e9, []string{"-7.5", "-5", "-2.5", "0", "2.5"}},
		{"tenths", 0.2, 1.2, 1, []string{"0.2", "0.4", "0.6", "0.8", "1", "1.2"}},
		{"percent", 0, 100, 1, []string{"0", "25", "50", "75", "100"}},
		{"narrow far from zero", 0.24925, 0.25075, 1, []string{"0.2495", "0.25", "0.2505"}},
		{"one point", 3, 3, 1, []string{"3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := labels(niceTicks{div: c.div}.Ticks(c.lo, c.hi)); !slices.Equal(got, c.want) {
				t.Errorf("Ticks(%v, %v) / %v = %q, want %q", c.lo, c.hi, c.div, got, c.want)
			}
		})
	}
}

// TestNiceTicksRanges checks the ticks of random ranges over many
// magnitudes: three to eight labels, inside the range, evenly spaced,
// zero among them when in range.
func TestNiceTicksRanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		scale := math.Pow(10, float64(rng.IntN(40)-20))
		lo := (rng.Float64()*2 - 1) * scale
		hi := lo + rng.Float64()*scale*2 + scale*1e-3
		var major []float64
		for _, tk := range (niceTicks{div: 1}).Ticks(lo, hi) {
			if tk.Value < lo-1e-9*(hi-lo) || tk.Value > hi+1e-9*(hi-lo) {
				t.Fatalf("[%g, %g]: tick %g outside", lo, hi, tk.Value)
			}
			if tk.Label != "" {
				major = append(major, tk.Value)
			}
		}
		if len(major) < 3 || len(major) > 8 {
			t.Fatalf("[%g, %g]: %d labelled ticks %v", lo, hi, len(major), major)
		}
		step := major[1] - major[0]
		for i := 2; i < len(major); i++ {
			if d := major[i] - major[i-1]; math.Abs(d-step) > 1e-9*step {
				t.Fatalf("[%g, %g]: uneven ticks %v", lo, hi, major)
			}
		}
		if lo <= 0 && hi >= 0 && !slices.Contains(major, 0) {
			t.Fatalf("[%g, %g]: no tick at zero in %v", lo, hi, major)
		}
	}
}

func TestQuantityLabel(t *testing.T) {
	cases := []struct {
		q      quantity
		lo, hi float64
		label  string
		tick   string // the label of the largest labelled tick
	}{
		{quantity{"CO2", "kg"}, 0, 5.3e12, "CO2 (trillion\u00a0kg)", "5"},
		{quantity{"CO2", "kg"}, -9e8, 1e8, "CO2 (million\u00a0kg)", "0"},
		{quantity{"CO2", "kg"}, 0, 99000, "CO2 (kg)", "80000"},
		{quantity{"Value", ""}, 0, 2e6, "Value (million)", "2"},
		{quantity{"Share", ""}, 0, 100, "Share", "100"},
	}
	for _, c := range cases {
		a := plot.New().Y
		a.Min, a.Max = c.lo, c.hi
		c.q.apply(&a)
		ls := labels(a.Tick.Marker.Ticks(a.Min, a.Max))
		if a.Label.Text != c.label || ls[len(ls)-1] != c.tick {
			t.Errorf("%+v over [%g, %g]: label %q, last tick %q; want %q, %q", c.q, c.lo, c.hi, a.Label.Text, ls[len(ls)-1], c.label, c.tick)
		}
	}
}

func TestWrap(t *testing.T) {
	sty := sans(10)
	long := "Change of Carbon dioxide/emission/air/kg in scenario cleaner-power against baseline, 2019"
	cases := []struct {
		name  string
		in    string
		width vg.Length
		lines int
	}{
		{"fits", "Region", 100, 1},
		{"empty", "", 100, 1},
		{"two lines", long, 300, 2},
		{"many lines", long, 80, 7},
		{"word too long", "Carbon dioxide/emission/air/kg", 40, 2},
		{"no-break space", "Net exports (billion\u00a0kg)", 60, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := wrap(c.in, sty, c.width)
			lines := strings.Split(got, "\n")
			if len(lines) != c.lines {
				t.Errorf("wrap(%q, %v) = %q: %d lines, want %d", c.in, c.width, got, len(lines), c.lines)
			}
			if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(c.in), " ") {
				t.Errorf("wrap(%q) = %q changed the words", c.in, got)
			}
			for _, l := range lines {
				if sty.Width(l) > c.width && strings.ContainsAny(l, " ") {
					t.Errorf("line %q is %v wide, past %v", l, sty.Width(l), c.width)
				}
			}
			if wrap(got, sty, c.width) != got {
				t.Errorf("wrapping again changed %q", got)
			}
		})
	}
}

func TestPointLabelsAvoidEachOther(t *testing.T) {
	frame := vg.Rectangle{Max: vg.Point{X: 400, Y: 300}}
	cases := []struct {
		name string
		pts  []vg.Point
	}{
		{"apart", []vg.Point{{X: 50, Y: 50}, {X: 200, Y: 150}, {X: 300, Y: 250}}},
		{"a row", []vg.Point{{X: 100, Y: 100}, {X: 112, Y: 100}, {X: 124, Y: 100}}},
		{"a column", []vg.Point{{X: 100, Y: 100}, {X: 100, Y: 108}, {X: 100, Y: 116}, {X: 100, Y: 124}}},
		{"on top of each other", []vg.Point{{X: 200, Y: 150}, {X: 200.5, Y: 150}}},
		{"at the right edge", []vg.Point{{X: 398, Y: 150}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := &pointLabels{style: sans(9), radius: 4}
			for i := range c.pts {
				l.names = append(l.names, fmt.Sprintf("reg%d", i+1))
			}
			got := l.layout(c.pts, frame)
			for i, a := range got {
				if !a.ok {
					t.Errorf("%s left out", l.names[i])
					continue
				}
				if area(intersect(a.box, frame)) != area(a.box) {
					t.Errorf("%s at %+v leaves the frame", l.names[i], a.box)
				}
				for j, p := range c.pts {
					dot := vg.Rectangle{Min: p.Sub(vg.Point{X: 4, Y: 4}), Max: p.Add(vg.Point{X: 4, Y: 4})}
					if area(intersect(a.box, dot)) > 0 {
						t.Errorf("%s at %+v covers point %d", l.names[i], a.box, j+1)
					}
				}
				for j := range i {
					if got[j].ok && area(intersect(a.box, got[j].box)) > 0 {
						t.Errorf("%s at %+v overlaps %s at %+v", l.names[i], a.box, l.names[j], got[j].box)
					}
				}
			}
		})
	}
}

// TestPointLabelsCrowd: in a cloud too dense to name every point, the
// names drawn still overlap nothing, and most points are named.
func TestPointLabelsCrowd(t *testing.T) {
	frame := vg.Rectangle{Max: vg.Point{X: 400, Y: 300}}
	l := &pointLabels{style: sans(9), radius: 4}
	var pts []vg.Point
	for i := range 30 {
		pts = append(pts, vg.Point{X: 150 + vg.Length(i%6)*9, Y: 120 + vg.Length(i/6)*9})
		l.names = append(l.names, fmt.Sprintf("R%03d", i))
	}
	got := l.layout(pts, frame)
	named := 0
	for i, a := range got {
		if !a.ok {
			continue
		}
		named++
		for j, p := range pts {
			dot := vg.Rectangle{Min: p.Sub(vg.Point{X: 4, Y: 4}), Max: p.Add(vg.Point{X: 4, Y: 4})}
			if area(intersect(a.box, dot)) > 0 {
				t.Errorf("%s covers point %d", l.names[i], j)
			}
		}
		for j := range i {
			if got[j].ok && area(intersect(a.box, got[j].box)) > 0 {
				t.Errorf("%s overlaps %s", l.names[i], l.names[j])
			}
		}
	}
	if named < 10 || named == len(pts) {
		t.Errorf("%d of %d points named, want most but not all", named, len(pts))
	}
}

func TestDiagonal(t *testing.T) {
	cases := []struct {
		name           string
		x0, x1, y0, y1 float64
		crosses        bool
	}{
		{"overlapping ranges", 0.22, 0.26, 0.249, 0.251, true},
		{"apart", 20, 140, 0.25, 1.2, false},
		{"touching", 0, 1, 1, 2, false},
	}
	for _, c := range cases {
		p := plot.New()
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = c.x0, c.x1, c.y0, c.y1
		if got := crosses(p); got != c.crosses {
			t.Errorf("%s: crosses = %v, want %v", c.name, got, c.crosses)
		}
	}
}
