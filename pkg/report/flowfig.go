package report

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxRibbons is the most group-to-group flows the ribbon diagram draws.
const maxRibbons = 12

// byOrder sorts names by their place in order; names not in it follow.
func byOrder(names, order []string) []string {
	out := slices.Clone(names)
	idx := func(n string) int {
		if i := slices.Index(order, n); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(idx(a), idx(b)) })
	return out
}

func (d *dataset) flowMatrix() *Figure {
	f := &Figure{
		ID:    "flow-matrix",
		Title: fmt.Sprintf("Flows of %s from producing to consuming region, %s", d.shown(), d.year),
		Caption: fmt.Sprintf("Each cell holds the emissions released in the row's region to satisfy the final demand of the "+
			"column's region, scenario %s (docs/accounts.md, step 8). The colour scale is logarithmic; grey cells hold zero, a negative "+
			"value or no value.", d.main),
	}
	fl := d.flowsOf[d.focus()]
	if fl.data == nil {
		f.Note = fl.note
		return f
	}
	f.Caption += meanNote(d.main, fl.data.draws)
	from, to := byOrder(fl.data.from, d.regions), byOrder(fl.data.to, d.regions)
	f.Table = &Table{Header: append([]string{"From \\ to (" + d.unit() + ")"}, to...)}
	var positive []float64
	grid := make([][]float64, len(from))
	for i, p := range from {
		row := []Cell{label(p)}
		grid[i] = make([]float64, len(to))
		for j, r := range to {
			v, ok := fl.data.value[[2]string{p, r}]
			if !ok {
				v = math.NaN()
			}
			grid[i][j] = v
			row = append(row, number(v))
			if v > 0 && !math.IsInf(v, 0) {
				positive = append(positive, v)
			}
		}
		f.Table.Rows = append(f.Table.Rows, row)
	}
	if len(positive) == 0 {
		f.Note = "No flow is positive, so the logarithmic colour scale has nothing to show."
		return f
	}
	cl := newLogClasses(positive)
	hm := &classGrid{cls: cl, vals: grid}
	heat := plotter.NewHeatMap(hm, cl.palette())
	heat.Min, heat.Max = 0, float64(len(cl.colours)-1)
	heat.NaN = lightGrey

	cell := vg.Length(min(36, max(10, 420/max(len(from), len(to)))))
	c := newChart(f.Title, "Consuming region (final demand)", "Producing region",
		vg.Length(len(to))*cell+360, vg.Length(len(from))*cell+170)
	c.p.Add(heat)
	c.categories(to)
	rev := slices.Clone(from)
	slices.Reverse(rev)
	c.p.NominalY(rev...)
	c.p.Y.Min, c.p.Y.Max = -0.5, float64(len(from))-0.5
	c.p.X.Min, c.p.X.Max = -0.5, float64(len(to))-0.5
	for k := len(cl.colours) - 1; k >= 0; k-- {
		c.legend.Add(cl.label(k), swatch{fill: cl.colours[k]})
	}
	if hm.hasGrey() {
		c.legend.Add("zero, negative or null", swatch{fill: lightGrey})
	}
	c.legend.Add(d.unit()+", log scale", swatch{})
	f.chart = c
	return f
}

// logClasses splits the positive values into classes of equal width on
// a log scale: whole decades where that gives 3 to 9 classes, thirds of
// a decade when the values span fewer, several decades when more.
type logClasses struct {
	lo, step float64 // log10 of the first edge; class width in log10
	colours  []color.Color
}

func newLogClasses(positive []float64) logClasses {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range positive {
		lo, hi = math.Min(lo, math.Log10(v)), math.Max(hi, math.Log10(v))
	}
	a, b := math.Floor(lo), math.Ceil(hi)
	if b == a {
		b = a + 1
	}
	step := 1.0
	n := int(b - a)
	switch {
	case n > 9:
		step = math.Ceil(float64(n) / 9)
		n = int(math.Ceil((b - a) / step))
	case n <= 2:
		// Few decades: thirds of a decade show more.
		step, n = 1.0/3, 3*n
	}
	pal, err := brewer.GetPalette(brewer.TypeSequential, "YlOrRd", max(n, 3))
	if err != nil {
		panic(fmt.Sprintf("report: palette YlOrRd with %d colours: %v", n, err))
	}
	all := pal.Colors()
	cols := make([]color.Color, n)
	for k := range n {
		cols[k] = all[k*(len(all)-1)/max(n-1, 1)]
	}
	return logClasses{lo: a, step: step, colours: cols}
}

// class returns the class of v, or NaN for a value the scale cannot show.
func (l logClasses) class(v float64) float64 {
	if !(v > 0) || math.IsInf(v, 0) {
		return math.NaN()
	}
	k := math.Floor((math.Log10(v) - l.lo) / l.step)
	return math.Max(0, math.Min(k, float64(len(l.colours)-1)))
}

func (l logClasses) label(k int) string {
	edge := func(i int) string { return shortNumber(math.Pow(10, l.lo+float64(i)*l.step)) }
	return edge(k) + " – " + edge(k+1)
}

func (l logClasses) palette() classPalette { return classPalette(l.colours) }

type classPalette []color.Color

func (p classPalette) Colors() []color.Color { return p }

// classGrid shows a matrix of values as their classes. Row 0 of vals is
// drawn at the top.
type classGrid struct {
	cls  logClasses
	vals [][]float64
}

func (g *classGrid) Dims() (c, r int) { return len(g.vals[0]), len(g.vals) }
func (g *classGrid) Z(c, r int) float64 {
	return g.cls.class(g.vals[len(g.vals)-1-r][c])
}
func (g *classGrid) X(c int) float64 { return float64(c) }
func (g *classGrid) Y(r int) float64 { return float64(r) }

func (g *classGrid) hasGrey() bool {
	for _, row := range g.vals {
		for _, v := range row {
			if math.IsNaN(g.cls.class(v)) {
				return true
			}
		}
	}
	return false
}

// groupFlow rows, computed from flows.arrow or read from groups.arrow.
func (d *dataset) groupFlowRows() (rows []groupFlow, source, note string) {
	gl := d.groupsOf[d.focus()]
	if gl.data != nil && !d.groupsFromOptions() {
		return gl.data, "groups.arrow", ""
	}
	fl := d.flowsOf[d.focus()]
	if fl.data == nil {
		return nil, "", fl.note
	}
	sum := make(map[[2]string]float64)
	total := make(map[string]float64)
	for k, v := range fl.data.value {
		if math.IsNaN(v) {
			continue
		}
		gk := [2]string{d.groups.of[k[0]], d.groups.of[k[1]]}
		sum[gk] += v
		total[gk[0]] += v
	}
	for _, p := range d.groups.names {
		for _, r := range d.groups.names {
			v, ok := sum[[2]string{p, r}]
			if !ok {
				continue
			}
			share := math.NaN()
			if total[p] != 0 {
				share = v / total[p]
			}
			rows = append(rows, groupFlow{p, r, v, share})
		}
	}
	source = "flows.arrow, grouped by " + d.groupDescription()
	if fl.data.draws > 0 {
		source = "the mean flows of summary.arrow, grouped by " + d.groupDescription()
	}
	return rows, source, ""
}

func (d *dataset) groupsFromOptions() bool { return d.groupFrom == "the report's options" }

func (d *dataset) groupDescription() string {
	if d.groups.byRegion {
		return "region (no groups were given)"
	}
	return "the groups of " + d.groupFrom
}

func (d *dataset) groupFlowFigure() *Figure {
	f := &Figure{
		ID:    "group-flows",
		Title: fmt.Sprintf("Largest flows of %s between groups, %s", d.shown(), d.year),
	}
	rows, source, note := d.groupFlowRows()
	if rows == nil {
		f.Note = note
		return f
	}
	ranked := slices.Clone(rows)
	slices.SortStableFunc(ranked, func(a, b groupFlow) int { return cmp.Compare(b.value, a.value) })
	var shown []groupFlow
	rest, nRest := 0.0, 0
	for _, r := range ranked {
		if len(shown) < maxRibbons && r.value > 0 {
			shown = append(shown, r)
		} else if !math.IsNaN(r.value) {
			rest += r.value
			nRest++
		}
	}
	f.Caption = fmt.Sprintf("From the group where emissions are released (left) to the group whose final demand causes them "+
		"(right), scenario %s; a band's width is the flow, in %s. The %d largest positive flows are drawn, from %s. Share is the "+
		"part of the producing group's emissions (docs/accounts.md, step 13).", d.main, d.unit(), maxRibbons, source)
	if fl := d.flowsOf[d.focus()].data; fl != nil && source != "groups.arrow" {
		f.Caption += meanNote(d.main, fl.draws)
	}
	u := d.unit()
	f.Table = &Table{Header: []string{"From group", "To group", "Flow (" + u + ")", "Share of producing group (%)"}}
	for _, r := range shown {
		f.Table.Rows = append(f.Table.Rows, []Cell{label(r.from), label(r.to), number(r.value), number(100 * r.share)})
	}
	if nRest > 0 {
		f.Table.Rows = append(f.Table.Rows, []Cell{label(fmt.Sprintf("the other %d pairs", nRest)), label(""), number(rest), number(math.NaN())})
	}
	if len(shown) == 0 {
		f.Note = "No flow between groups is positive, so there is nothing to draw."
		return f
	}
	names := make([]string, 0)
	for _, r := range shown {
		for _, g := range []string{r.from, r.to} {
			if !slices.Contains(names, g) {
				names = append(names, g)
			}
		}
	}
	names = byOrder(names, d.groups.names)
	colourOf := func(g string) color.Color { return seriesColour(slices.Index(names, g), g) }
	flows := make([]plotter.Flow, len(shown))
	for i, r := range shown {
		flows[i] = plotter.Flow{SourceLabel: r.from, ReceptorLabel: r.to, SourceCategory: 0, ReceptorCategory: 1,
			Value: r.value, Group: r.from}
	}
	// Flows enter the diagram in group order, so that stocks stack in it.
	slices.SortStableFunc(flows, func(a, b plotter.Flow) int {
		return cmp.Or(cmp.Compare(slices.Index(names, a.SourceLabel), slices.Index(names, b.SourceLabel)),
			cmp.Compare(slices.Index(names, a.ReceptorLabel), slices.Index(names, b.ReceptorLabel)))
	})
	sk, err := plotter.NewSankey(flows...)
	if err != nil {
		panic(fmt.Sprintf("report: positive flows rejected: %v", err))
	}
	sk.LineStyle = draw.LineStyle{Color: color.White, Width: 0.5}
	sk.StockBarWidth = 12
	sk.FlowStyle = func(g string) (color.Color, draw.LineStyle) {
		r, gg, b, _ := colourOf(g).RGBA()
		return color.NRGBA{R: uint8(r >> 8), G: uint8(gg >> 8), B: uint8(b >> 8), A: 150}, sk.LineStyle
	}
	sk.StockStyle = func(lbl string, cat int) (string, text.Style, vg.Length, vg.Length, color.Color, draw.LineStyle) {
		ts := sans(10)
		ts.YAlign = draw.YCenter
		off := sk.StockBarWidth/2 + 4
		if cat == 0 {
			ts.XAlign = draw.XRight
			off = -off
		}
		return lbl, ts, off, 0, colourOf(lbl), sk.LineStyle
	}
	c := newChart(f.Title, "", "", 560, 420)
	c.p.Add(sk)
	c.p.HideY()
	c.p.NominalX("emitted in", "for final demand of")
	c.p.X.Min, c.p.X.Max = -0.4, 1.4
	for _, g := range names {
		c.legend.Add(g, swatch{fill: colourOf(g)})
	}
	f.chart = c
	return f
}

func (d *dataset) consumerShares() *Figure {
	f := &Figure{
		ID:    "consumer-shares",
		Title: fmt.Sprintf("Share of each region's %s driven by each group's final demand, %s", d.shown(), d.year),
	}
	if d.groups.byRegion {
		f.Title = fmt.Sprintf("Share of each region's %s driven by each consuming region's final demand, %s", d.shown(), d.year)
	}
	fl := d.flowsOf[d.focus()]
	if fl.data == nil {
		f.Note = fl.note
		return f
	}
	from := byOrder(fl.data.from, d.regions)
	// Consuming groups, lumped by the emissions they cause when many.
	weight := make(map[string]float64)
	for k, v := range fl.data.value {
		if !math.IsNaN(v) {
			weight[d.groups.of[k[1]]] += v
		}
	}
	var present []string
	for _, g := range d.groups.names {
		if _, ok := weight[g]; ok {
			present = append(present, g)
		}
	}
	groups, to := lump(present, weight)
	f.Caption = fmt.Sprintf("For each producing region, the part of the emissions released there that each consuming group's "+
		"final demand causes (docs/accounts.md, step 13), scenario %s; consumers grouped by %s.", d.main, d.groupDescription())
	if fl.data.draws > 0 {
		f.Caption += meanNote(d.main, fl.data.draws) + " The shares are those of the mean flows."
	}

	shares := make([][]float64, len(groups))
	for k := range groups {
		shares[k] = make([]float64, len(from))
	}
	totals := make([]float64, len(from))
	f.Table = &Table{Header: []string{"Region"}}
	for _, g := range groups {
		f.Table.Header = append(f.Table.Header, g+" (%)")
	}
	f.Table.Header = append(f.Table.Header, "Emissions (flows total, "+d.unit()+")")
	for i, p := range from {
		part := make(map[string]float64)
		for k, v := range fl.data.value {
			if k[0] == p && !math.IsNaN(v) {
				part[to[d.groups.of[k[1]]]] += v
				totals[i] += v
			}
		}
		row := []Cell{label(p)}
		for k, g := range groups {
			s := math.NaN()
			if totals[i] != 0 {
				s = 100 * part[g] / totals[i]
			}
			shares[k][i] = s
			row = append(row, number(s))
		}
		f.Table.Rows = append(f.Table.Rows, append(row, number(totals[i])))
	}
	if blank(shares...) {
		f.Note = "No region emits anything, so there are no shares to draw."
		return f
	}
	c := newChart(f.Title, "Producing region", "Share of its emissions (%)", widthFor(len(from), 30), 360)
	c.categories(from)
	base := make([]float64, len(from))
	for k, g := range groups {
		col := seriesColour(k, g)
		c.p.Add(&bars{vals: shares[k], base: slices.Clone(base), width: 20, colour: func(int) color.Color { return col }})
		for i, s := range shares[k] {
			if !math.IsNaN(s) {
				base[i] += s
			}
		}
	}
	for k := len(groups) - 1; k >= 0; k-- {
		c.legend.Add(groups[k], swatch{fill: seriesColour(k, groups[k])})
	}
	f.chart = c
	return f
}
