package report

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// figures lays out every figure, in reading order.
func (d *dataset) figures() []*Figure {
	if len(d.years) == 0 {
		return d.placeholders("There are no outputs for this job.")
	}
	var figs []*Figure
	for _, y := range d.years {
		figs = append(figs, d.productionConsumption(y))
	}
	figs = append(figs, d.netExports(), d.flowMatrix())
	if d.groups.byRegion {
		d.leftOut = append(d.leftOut, "Flows between groups: the job names no groups, and the report's options "+
			"give none (--groups), so every group would be one region, as in the flow matrix.")
	} else {
		figs = append(figs, d.groupFlowFigure())
	}
	figs = append(figs, d.consumerShares(), d.intensities())
	if len(d.years) > 1 {
		figs = append(figs, d.overTime())
	}
	if d.baseline == "" && len(d.scenarios) > 1 {
		d.leftOut = append(d.leftOut, fmt.Sprintf("Changes against a baseline: every scenario is a Monte Carlo "+
			"scenario, so none is a deterministic baseline. The single-year figures show the means of %s; "+
			"naming a baseline (--baseline) compares the others' means with its means.", d.main))
	} else {
		for _, s := range d.scenarios[1:] {
			figs = append(figs, d.scenarioChange(s))
		}
	}
	for _, s := range d.scenarios {
		if f := d.monteCarlo(s); f != nil {
			figs = append(figs, f)
		}
	}
	return figs
}

const groupFlowsTitle = "Largest flows between groups"

// placeholders stands the main figures in with one note; the flows
// between groups only when there are groups.
func (d *dataset) placeholders(note string) []*Figure {
	titles := []string{
		"Production- and consumption-based emissions",
		"Net embodied exports",
		"Flows from producing to consuming region",
		groupFlowsTitle,
		"Emissions by consuming group",
		"Production and consumption intensity",
	}
	var figs []*Figure
	for _, t := range titles {
		if t == groupFlowsTitle && d.groups.byRegion {
			continue
		}
		figs = append(figs, &Figure{ID: t, Title: t, Note: note})
	}
	return figs
}

// shown names the chosen stressor in titles and axis labels; when the
// outputs name none, it says "emissions" rather than leave a gap.
func (d *dataset) shown() string {
	if d.stressor.Name == "" {
		return "emissions"
	}
	return d.stressor.Name
}

// unit is the chosen stressor's unit, or "unit" when the data has none.
func (d *dataset) unit() string {
	if d.stressor.Unit == "" {
		return "unit"
	}
	return d.stressor.Unit
}

// money is the table's monetary unit, taken from the factor inputs'
// stressors when they share one unit, or "unit" when they do not say.
// Value added and final demand are in it.
func (d *dataset) money() string {
	m := ""
	for _, s := range d.catalogue {
		if s.Extension != factorInputsExt {
			continue
		}
		if s.Unit == "" || (m != "" && s.Unit != m) {
			return "unit"
		}
		m = s.Unit
	}
	if m == "" {
		return "unit"
	}
	return m
}

// regionColumns returns columns of the regions file of p, or sets the
// figure's note to why it cannot and returns nil.
func (d *dataset) regionColumns(f *Figure, p part, names ...string) (*regionData, []map[string]float64) {
	rd := d.regionsOf[p]
	if rd.data == nil {
		f.Note = rd.note
		return nil, nil
	}
	cols, err := columns(rd.data, names...)
	if err != nil {
		f.Note = err.Error() + "."
		return nil, nil
	}
	return rd.data, cols
}

// columns fetches several columns of a regions file at once.
func columns(rd *regionData, names ...string) ([]map[string]float64, error) {
	out := make([]map[string]float64, len(names))
	var errs []error
	for i, n := range names {
		var err error
		out[i], err = rd.column(n)
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// blank reports whether every value is null or zero: a chart of them
// would be empty axes.
func blank(xs ...[]float64) bool {
	for _, x := range xs {
		for _, v := range x {
			if !math.IsNaN(v) && v != 0 {
				return false
			}
		}
	}
	return true
}

const noNumbers = "Every value is zero or null, so there is nothing to draw."

func (d *dataset) productionConsumption(year string) *Figure {
	f := &Figure{
		ID:    "production-consumption-" + year,
		Title: fmt.Sprintf("Production- and consumption-based %s, %s", d.shown(), year),
		Caption: fmt.Sprintf("Emissions released in each region (production) beside those caused worldwide by its final demand "+
			"(consumption), scenario %s. A region with no bar has a null value.", d.main),
	}
	rd, cols := d.regionColumns(f, part{year, d.main}, colProduction, colConsumption)
	if rd == nil {
		return f
	}
	f.Caption += meanNote(d.main, rd.draws)
	regs := rd.regions
	prod, cons := pick(cols[0], regs), pick(cols[1], regs)
	f.Table = &Table{Header: []string{"Region", "Production (" + d.unit() + ")", "Consumption (" + d.unit() + ")"}}
	for i, r := range regs {
		f.Table.Rows = append(f.Table.Rows, []Cell{label(r), number(prod[i]), number(cons[i])})
	}
	if blank(prod, cons) {
		f.Note = noNumbers
		return f
	}
	c := newChart(f.Title, "Region", "", widthFor(len(regs), 44), 340)
	c.valueY(d.shown(), d.stressor.Unit)
	c.categories(regs)
	c.groupedBars([]string{"Production", "Consumption"}, [][]float64{prod, cons},
		[]color.Color{productionColour, consumptionColour})
	f.chart = c
	return f
}

// pick returns m's values in the order of keys, NaN where m has none.
func pick(m map[string]float64, keys []string) []float64 {
	out := make([]float64, len(keys))
	for i, k := range keys {
		v, ok := m[k]
		if !ok {
			v = math.NaN()
		}
		out[i] = v
	}
	return out
}

func (d *dataset) netExports() *Figure {
	f := &Figure{
		ID:    "net-exports",
		Title: fmt.Sprintf("Net embodied exports of %s, %s", d.shown(), d.year),
		Caption: fmt.Sprintf("Emissions embodied in exports less those embodied in imports, scenario %s, from the largest "+
			"net exporter to the largest net importer. Above zero a region exports more emissions than it imports.", d.main),
	}
	rd, cols := d.regionColumns(f, d.focus(), colExports, colImports, colNetExports)
	if rd == nil {
		return f
	}
	f.Caption += meanNote(d.main, rd.draws)
	regs := slices.Clone(rd.regions)
	net := cols[2]
	slices.SortStableFunc(regs, func(a, b string) int {
		x, y := net[a], net[b]
		switch {
		case math.IsNaN(x) || math.IsNaN(y):
			return cmp.Compare(btoi(math.IsNaN(x)), btoi(math.IsNaN(y)))
		}
		return cmp.Compare(y, x)
	})
	vals := pick(net, regs)
	u := d.unit()
	f.Table = &Table{Header: []string{"Region", "Exports (" + u + ")", "Imports (" + u + ")", "Net exports (" + u + ")"}}
	for i, r := range regs {
		f.Table.Rows = append(f.Table.Rows, []Cell{label(r), number(cols[0][r]), number(cols[1][r]), number(vals[i])})
	}
	if blank(vals) {
		f.Note = noNumbers
		return f
	}
	exporter, importer := series[2], series[3]
	c := newChart(f.Title, "Region", "", widthFor(len(regs), 30), 340)
	c.valueY("Net exports of "+d.shown(), d.stressor.Unit)
	c.categories(regs)
	c.p.Add(&bars{vals: vals, width: 20, colour: func(i int) color.Color {
		if vals[i] < 0 {
			return importer
		}
		return exporter
	}}, zeroLine{})
	c.legend.Add("net exporter", swatch{fill: exporter})
	c.legend.Add("net importer", swatch{fill: importer})
	f.chart = c
	return f
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (d *dataset) intensities() *Figure {
	u := d.unit()
	f := &Figure{
		ID:    "intensities",
		Title: fmt.Sprintf("Production and consumption intensity of %s, %s", d.shown(), d.year),
		Caption: fmt.Sprintf("Production per unit of value added against consumption per unit of final demand, one point per "+
			"region, scenario %s. Above the dashed line of equal intensity, a region's consumption is more emission-intensive than its production.", d.main),
	}
	rd, cols := d.regionColumns(f, d.focus(), colProduction, colValueAdded, colProdIntens, colConsumption, colFinalDemand, colConsIntens)
	if rd == nil {
		return f
	}
	if rd.draws > 0 {
		f.Caption += meanNote(d.main, rd.draws) + " An intensity's mean is the mean of each draw's ratio, " +
			"not the ratio of the means beside it."
	}
	m := d.money()
	f.Table = &Table{Header: []string{"Region", "Production (" + u + ")", "Value added (" + m + ")",
		"Production intensity (" + u + " per " + m + ")", "Consumption (" + u + ")", "Final demand (" + m + ")",
		"Consumption intensity (" + u + " per " + m + ")"}}
	var pts []plotter.XYs
	var names []string
	lbl := &pointLabels{style: sans(9), radius: 4}
	above, below := 0, 0
	groupIdx := make(map[string]int)
	for _, r := range rd.regions {
		row := []Cell{label(r)}
		for _, c := range cols {
			row = append(row, number(c[r]))
		}
		f.Table.Rows = append(f.Table.Rows, row)
		x, y := cols[2][r], cols[5][r]
		if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
			continue
		}
		g := "region"
		if !d.groups.byRegion {
			g = d.groups.of[r]
		}
		k, ok := groupIdx[g]
		if !ok {
			k = len(pts)
			groupIdx[g] = k
			pts = append(pts, nil)
			names = append(names, g)
		}
		pts[k] = append(pts[k], plotter.XY{X: x, Y: y})
		lbl.pts = append(lbl.pts, plotter.XY{X: x, Y: y})
		lbl.names = append(lbl.names, r)
		if y > x {
			above++
		} else if y < x {
			below++
		}
	}
	if len(lbl.pts) == 0 {
		f.Note = "No region has both a production and a consumption intensity (both need non-zero value added and final demand)."
		return f
	}
	c := newChart(f.Title, "", "", 600, 420)
	c.valueX("Production intensity", u+" per "+m+" of value added")
	c.valueY("Consumption intensity", u+" per "+m+" of final demand")
	// The line first, so that the points sit on top of it; it draws
	// nothing when it misses the ranges.
	eq := draw.LineStyle{Color: grey, Width: 1, Dashes: []vg.Length{4, 3}}
	c.p.Add(diagonal{eq})
	for k, xy := range pts {
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			panic(fmt.Sprintf("report: finite points rejected: %v", err))
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: seriesColour(k, names[k]), Radius: lbl.radius, Shape: draw.CircleGlyph{}}
		c.p.Add(sc)
		c.legend.Add(names[k], swatch{dot: &sc.GlyphStyle})
	}
	c.p.Add(lbl)
	if len(lbl.pts) > maxSeries {
		f.Caption += " Where names would overlap, some points go unnamed; the table lists every region."
	}
	pad(&c.p.X, 0.06)
	pad(&c.p.Y, 0.06)
	if crosses(c.p) {
		// One range on both axes puts the line at 45 degrees, so that a
		// point's distance from it reads the same either way.
		lo, hi := min(c.p.X.Min, c.p.Y.Min), max(c.p.X.Max, c.p.Y.Max)
		c.p.X.Min, c.p.X.Max, c.p.Y.Min, c.p.Y.Max = lo, hi, lo, hi
		c.legend.Add("equal intensity", swatch{line: &eq})
	} else {
		side := "below"
		if above > 0 && below == 0 {
			side = "above"
		}
		f.Caption += fmt.Sprintf(" Here every region lies %s that line, which falls outside the chart's ranges.", side)
	}
	f.chart = c
	return f
}
