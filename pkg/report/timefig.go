package report

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// nanSum adds the values that are not null; null when all are.
func nanSum(xs []float64) float64 {
	s, any := 0.0, false
	for _, x := range xs {
		if !math.IsNaN(x) {
			s += x
			any = true
		}
	}
	if !any {
		return math.NaN()
	}
	return s
}

// band is a p05-p95 range by year of one series and account.
type band struct{ lo, hi []float64 }

func (d *dataset) overTime() *Figure {
	f := &Figure{
		ID:    "over-time",
		Title: fmt.Sprintf("Production and consumption of %s over time", d.shown()),
	}
	// Series: regions when few, else groups, else the largest regions.
	names, member := d.regions, func(r string) string { return r }
	kind := "region"
	if len(d.regions) > maxSeries && !d.groups.byRegion {
		names, member, kind = d.groups.names, func(r string) string { return d.groups.of[r] }, "group"
	}
	weight := make(map[string]float64)
	var gaps []string
	for _, y := range d.years {
		rd := d.regionsOf[part{y, d.main}]
		if rd.data == nil {
			gaps = append(gaps, y+": "+rd.note)
			continue
		}
		for _, r := range rd.data.regions {
			if v := rd.data.get(colProduction, r); !math.IsNaN(v) {
				weight[member(r)] += math.Abs(v)
			}
		}
	}
	if len(gaps) == len(d.years) {
		f.Note = "No year has regional accounts. " + strings.Join(gaps, " ")
		return f
	}
	kept, to := lump(names, weight)
	lumped := len(kept) < len(names)
	prod := make([][]float64, len(kept))
	cons := make([][]float64, len(kept))
	for k := range kept {
		prod[k] = make([]float64, len(d.years))
		cons[k] = make([]float64, len(d.years))
	}
	for t, y := range d.years {
		parts := make(map[string][2][]float64)
		if rd := d.regionsOf[part{y, d.main}].data; rd != nil {
			for _, r := range rd.regions {
				s := to[member(r)]
				pc := parts[s]
				pc[0] = append(pc[0], rd.get(colProduction, r))
				pc[1] = append(pc[1], rd.get(colConsumption, r))
				parts[s] = pc
			}
		}
		for k, s := range kept {
			prod[k][t], cons[k][t] = math.NaN(), math.NaN()
			if pc, ok := parts[s]; ok {
				prod[k][t], cons[k][t] = nanSum(pc[0]), nanSum(pc[1])
			}
		}
	}
	// Monte Carlo bands, only for series that are single regions.
	bands := make(map[[2]string]band)
	if kind == "region" && !lumped {
		for t, y := range d.years {
			for _, row := range d.summaryOf[part{y, d.main}].data {
				if row.account != colProduction && row.account != colConsumption {
					continue
				}
				k := [2]string{row.region, row.account}
				b, ok := bands[k]
				if !ok {
					b = band{nanSlice(len(d.years)), nanSlice(len(d.years))}
				}
				b.lo[t], b.hi[t] = row.p05, row.p95
				bands[k] = b
			}
		}
	}
	u := d.unit()
	f.Caption = fmt.Sprintf("Production (solid) and consumption (dashed) by %s, scenario %s.", kind, d.main)
	draws := 0
	for _, y := range d.years {
		if rd := d.regionsOf[part{y, d.main}].data; rd != nil {
			draws = max(draws, rd.draws)
		}
	}
	f.Caption += meanNote(d.main, draws)
	if lumped {
		f.Caption += fmt.Sprintf(" The %d smallest %ss are summed in the table's row %q and left out of the chart, "+
			"which their sum would flatten.", len(names)-len(kept)+1, kind, kept[len(kept)-1])
	}
	if len(bands) > 0 {
		f.Caption += " Shaded: the Monte Carlo p05-p95 range."
	}
	if len(gaps) > 0 {
		f.Caption += " Missing years: " + strings.Join(gaps, " ")
	}
	f.Table = &Table{Header: []string{"Year", strings.ToUpper(kind[:1]) + kind[1:], "Production (" + u + ")", "Consumption (" + u + ")"}}
	if len(bands) > 0 {
		f.Table.Header = append(f.Table.Header, "Production p05", "Production p95", "Consumption p05", "Consumption p95")
	}
	for t, y := range d.years {
		for k, s := range kept {
			row := []Cell{label(y), label(s), number(prod[k][t]), number(cons[k][t])}
			if len(bands) > 0 {
				for _, acc := range []string{colProduction, colConsumption} {
					b, ok := bands[[2]string{s, acc}]
					if !ok {
						row = append(row, number(math.NaN()), number(math.NaN()))
						continue
					}
					row = append(row, number(b.lo[t]), number(b.hi[t]))
				}
			}
			f.Table.Rows = append(f.Table.Rows, row)
		}
	}
	if blank(slices.Concat(prod, cons)...) {
		f.Note = noNumbers
		return f
	}
	xs := yearValues(d.years)
	c := newChart(f.Title, "Year", "", 640, 380)
	c.valueY(d.shown(), d.stressor.Unit)
	if xs == nil {
		xs = make([]float64, len(d.years))
		for i := range xs {
			xs[i] = float64(i)
		}
	}
	ticks := make([]plot.Tick, len(d.years))
	for i, y := range d.years {
		ticks[i] = plot.Tick{Value: xs[i], Label: y}
	}
	c.p.X.Tick.Marker = plot.ConstantTicks(ticks)
	// A margin, so that the first and last year labels are not cut.
	margin := 0.04 * (xs[len(xs)-1] - xs[0])
	c.p.X.Min, c.p.X.Max = xs[0]-margin, xs[len(xs)-1]+margin
	for k, s := range kept {
		if isLumped(s) {
			continue
		}
		col := seriesColour(k, s)
		for _, acc := range []string{colProduction, colConsumption} {
			if b, ok := bands[[2]string{s, acc}]; ok {
				addBand(c.p, xs, b, col)
			}
		}
		solid := draw.LineStyle{Color: col, Width: 1.8}
		dashed := draw.LineStyle{Color: col, Width: 1.8, Dashes: []vg.Length{5, 3}}
		addLine(c.p, xs, prod[k], solid)
		addLine(c.p, xs, cons[k], dashed)
		c.legend.Add(s, swatch{fill: col})
	}
	black := draw.LineStyle{Color: color.Black, Width: 1.5}
	blackDash := draw.LineStyle{Color: color.Black, Width: 1.5, Dashes: []vg.Length{5, 3}}
	c.legend.Add("production", swatch{line: &black})
	c.legend.Add("consumption", swatch{line: &blackDash})
	pad(&c.p.Y, 0.05)
	f.chart = c
	return f
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// runs splits the indices of ys into runs without a null; a lone point
// is a run of one.
func runs(ys []float64) [][]int {
	var out [][]int
	var cur []int
	for i, y := range ys {
		if math.IsNaN(y) || math.IsInf(y, 0) {
			if cur != nil {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, i)
	}
	if cur != nil {
		out = append(out, cur)
	}
	return out
}

// addLine draws ys against xs, broken where ys is null; a point with no
// neighbour is drawn as a dot.
func addLine(p *plot.Plot, xs, ys []float64, sty draw.LineStyle) {
	for _, run := range runs(ys) {
		pts := make(plotter.XYs, len(run))
		for i, j := range run {
			pts[i] = plotter.XY{X: xs[j], Y: ys[j]}
		}
		if len(pts) == 1 {
			sc, _ := plotter.NewScatter(pts)
			sc.GlyphStyle = draw.GlyphStyle{Color: sty.Color, Radius: 2.5, Shape: draw.CircleGlyph{}}
			p.Add(sc)
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			panic(fmt.Sprintf("report: finite line rejected: %v", err))
		}
		l.LineStyle = sty
		p.Add(l)
	}
}

// addBand shades between b.lo and b.hi, broken where either is null.
func addBand(p *plot.Plot, xs []float64, b band, col color.Color) {
	both := make([]float64, len(xs))
	for i := range xs {
		both[i] = b.lo[i] + b.hi[i]
	}
	r, g, bl, _ := col.RGBA()
	fill := color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(bl >> 8), A: 60}
	for _, run := range runs(both) {
		var pts plotter.XYs
		for _, j := range run {
			pts = append(pts, plotter.XY{X: xs[j], Y: b.hi[j]})
		}
		for _, j := range slices.Backward(run) {
			pts = append(pts, plotter.XY{X: xs[j], Y: b.lo[j]})
		}
		if len(run) == 1 {
			// A single year: a short vertical bar.
			pts = plotter.XYs{{X: xs[run[0]], Y: b.lo[run[0]]}, {X: xs[run[0]], Y: b.hi[run[0]]}}
			l, _ := plotter.NewLine(pts)
			l.LineStyle = draw.LineStyle{Color: fill, Width: 6}
			p.Add(l)
			continue
		}
		poly, err := plotter.NewPolygon(pts)
		if err != nil {
			panic(fmt.Sprintf("report: finite band rejected: %v", err))
		}
		poly.Color = fill
		poly.LineStyle.Width = 0
		p.Add(poly)
	}
}

func (d *dataset) scenarioChange(s string) *Figure {
	f := &Figure{
		ID:    "scenario-" + s,
		Title: fmt.Sprintf("Change of %s in scenario %s against %s, %s", d.shown(), s, d.baseline, d.year),
		Caption: fmt.Sprintf("Scenario %s less scenario %s, per region, for production, consumption and net exports "+
			"(docs/accounts.md, step 10).", s, d.baseline),
	}
	base, alt := d.regionsOf[d.focus()], d.regionsOf[part{d.year, s}]
	switch {
	case alt.data == nil:
		f.Note = alt.note
		return f
	case base.data == nil:
		f.Note = "The baseline is missing: " + base.note
		return f
	}
	accs := []string{colProduction, colConsumption, colNetExports}
	names := []string{"production", "consumption", "net exports"}
	bc, err1 := columns(base.data, accs...)
	ac, err2 := columns(alt.data, accs...)
	if err := errors.Join(err1, err2); err != nil {
		f.Note = err.Error() + "."
		return f
	}
	var regs []string
	for _, r := range d.regions {
		if slices.Contains(base.data.regions, r) || slices.Contains(alt.data.regions, r) {
			regs = append(regs, r)
		}
	}
	u := d.unit()
	head := func(s string, rd *regionData) string {
		if rd.draws > 0 {
			return s + ", mean (" + u + ")"
		}
		return s + " (" + u + ")"
	}
	if nb, na := base.data.draws, alt.data.draws; nb > 0 && nb == na {
		f.Caption += fmt.Sprintf(" Both are Monte Carlo scenarios: their numbers are the mean over %d draws.", na)
	} else {
		f.Caption += meanNote(d.baseline, nb) + meanNote(s, na)
	}
	f.Table = &Table{Header: []string{"Region", "Account", head(d.baseline, base.data), head(s, alt.data), "Change (" + u + ")"}}
	delta := make([][]float64, len(accs))
	for k := range accs {
		delta[k] = make([]float64, len(regs))
	}
	for i, r := range regs {
		for k := range accs {
			b, a := lookup(bc[k], r), lookup(ac[k], r)
			delta[k][i] = a - b
			f.Table.Rows = append(f.Table.Rows, []Cell{label(r), label(names[k]), number(b), number(a), number(a - b)})
		}
	}
	if blank(delta...) {
		f.Note = fmt.Sprintf("Scenario %s changes none of these accounts against %s.", s, d.baseline)
		return f
	}
	c := newChart(f.Title, "Region", "", widthFor(len(regs), 50), 340)
	c.valueY("Change of "+d.shown(), d.stressor.Unit)
	c.categories(regs)
	c.groupedBars([]string{"Δ production", "Δ consumption", "Δ net exports"}, delta,
		[]color.Color{productionColour, consumptionColour, series[2]})
	f.chart = c
	return f
}

func lookup(m map[string]float64, k string) float64 {
	if v, ok := m[k]; ok {
		return v
	}
	return math.NaN()
}

// marks draws a glyph at each category's value, offset like a bar.
type marks struct {
	vals   []float64
	offset vg.Length
	glyph  draw.GlyphStyle
}

// Plot implements plot.Plotter.
func (m *marks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, v := range m.vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		c.DrawGlyph(m.glyph, vg.Point{X: trX(float64(i)) + m.offset, Y: trY(v)})
	}
}

// DataRange implements plot.DataRanger.
func (m *marks) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymin, ymax = math.Inf(1), math.Inf(-1)
	for _, v := range m.vals {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
		}
	}
	if ymin > ymax {
		ymin, ymax = 0, 0
	}
	return 0, float64(len(m.vals) - 1), ymin, ymax
}

// mcAccounts are the accounts of a summary the Monte Carlo figure draws:
// those in the stressor's unit that add up (intensities are per unit of
// money, flows are drawn nowhere per pair).
var mcAccounts = []string{colProduction, colConsumption, colNetExports}

// monteCarlo draws the p05-p95 range and the mean of production,
// consumption and net exports per region; nil when scenario s has no
// summary.
func (d *dataset) monteCarlo(s string) *Figure {
	sm := d.summaryOf[part{d.year, s}]
	if sm.data == nil && sm.note == "" {
		return nil
	}
	f := &Figure{
		ID:    "monte-carlo-" + s,
		Title: fmt.Sprintf("Monte Carlo range of %s, scenario %s, %s", d.shown(), s, d.year),
		Caption: "Bars span the 5th to the 95th percentile of the draws; the dot is the mean. " +
			"Production, consumption and net exports are drawn; the summary's intensities, flows, " +
			"value added and final demand are not.",
	}
	if sm.data == nil {
		f.Note = sm.note
		return f
	}
	var regs, accs []string
	rows := make(map[[2]string]summaryRow)
	for _, r := range sm.data {
		if !slices.Contains(mcAccounts, r.account) {
			continue
		}
		rows[[2]string{r.region, r.account}] = r
		if !slices.Contains(regs, r.region) {
			regs = append(regs, r.region)
		}
		if !slices.Contains(accs, r.account) {
			accs = append(accs, r.account)
		}
	}
	if len(rows) == 0 {
		f.Note = "The summary holds no production, consumption or net exports of " + d.shown() + "."
		return f
	}
	regs, accs = byOrder(regs, d.regions), byOrder(accs, mcAccounts)
	u := d.unit()
	f.Table = &Table{Header: []string{"Region", "Account", "Mean (" + u + ")", "SD", "p05", "p50", "p95", "Draws"}}
	lo, span, mean := make([][]float64, len(accs)), make([][]float64, len(accs)), make([][]float64, len(accs))
	for k, a := range accs {
		lo[k], span[k], mean[k] = nanSlice(len(regs)), nanSlice(len(regs)), nanSlice(len(regs))
		for i, r := range regs {
			row, ok := rows[[2]string{r, a}]
			if !ok {
				continue
			}
			lo[k][i], span[k][i], mean[k][i] = row.p05, row.p95-row.p05, row.mean
		}
	}
	for _, r := range regs {
		for _, a := range accs {
			if row, ok := rows[[2]string{r, a}]; ok {
				f.Table.Rows = append(f.Table.Rows, []Cell{label(r), label(a), number(row.mean), number(row.sd),
					number(row.p05), number(row.p50), number(row.p95), number(row.nd)})
			}
		}
	}
	if blank(slices.Concat(lo, mean)...) {
		f.Note = noNumbers
		return f
	}
	c := newChart(f.Title, "Region", "", widthFor(len(regs), vg.Length(16*len(accs)+14)), 360)
	c.valueY(d.shown(), d.stressor.Unit)
	c.categories(regs)
	n := len(accs)
	slot := vg.Length(min(16, 40/n))
	for k, a := range accs {
		col := seriesColour(k, a)
		off := slot * (vg.Length(k) - vg.Length(n-1)/2)
		c.p.Add(&bars{vals: span[k], base: lo[k], width: slot * 0.8, offset: off, colour: func(int) color.Color { return col }})
		c.p.Add(&marks{vals: mean[k], offset: off, glyph: draw.GlyphStyle{Color: color.Black, Radius: 2, Shape: draw.CircleGlyph{}}})
		c.legend.Add(a+" p05-p95", swatch{fill: col})
	}
	c.legend.Add("mean", swatch{dot: &draw.GlyphStyle{Color: color.Black, Radius: 2, Shape: draw.CircleGlyph{}}})
	c.p.Add(zeroLine{})
	f.chart = c
	return f
}
