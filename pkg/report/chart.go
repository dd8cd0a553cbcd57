package report

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"regexp"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// pngDPI is the resolution of the PNG figures.
const pngDPI = 144

// Colours. The series colours are the Okabe-Ito set, which readers with
// the common colour-vision deficiencies still tell apart.
var (
	series = []color.Color{
		rgb(0x00, 0x72, 0xB2), rgb(0xE6, 0x9F, 0x00), rgb(0x00, 0x9E, 0x73), rgb(0xD5, 0x5E, 0x00),
		rgb(0x56, 0xB4, 0xE9), rgb(0xCC, 0x79, 0xA7), rgb(0xF0, 0xE4, 0x42), rgb(0x33, 0x33, 0x33),
	}
	grey      = rgb(0xBB, 0xBB, 0xBB)
	lightGrey = rgb(0xEE, 0xEE, 0xEE)
	// productionColour and consumptionColour keep one meaning in every chart.
	productionColour  = series[0]
	consumptionColour = series[1]
)

func rgb(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 255} }

// seriesColour gives series i its colour; a lumped "other" series is grey.
func seriesColour(i int, name string) color.Color {
	if isLumped(name) {
		return grey
	}
	return series[i%len(series)]
}

var lumpedName = regexp.MustCompile(`^` + otherGroup + ` \(\d+\)$`)

func isLumped(name string) bool { return lumpedName.MatchString(name) }

// sans returns the text style of every label: Liberation Sans, which is
// compiled into the plot library, so PNGs need no font on the machine.
func sans(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, size),
		Handler: plot.DefaultTextHandler,
	}
}

// chart is a plot with its legend drawn outside the data area, on the
// right, so that no legend hides data.
type chart struct {
	p      *plot.Plot
	legend plot.Legend
	w, h   vg.Length
	// title is drawn above the plot in PNGs; in the page the figure's
	// heading says it.
	title string
	// x and y, when set, name what a numeric axis measures; its label
	// and ticks are written when the chart is drawn, once its range is
	// known (see quantity).
	x, y *quantity
}

// newChart returns a chart with the report's fonts and axis labels.
func newChart(title, xLabel, yLabel string, w, h vg.Length) *chart {
	p := plot.New()
	p.Title.TextStyle.Font = sans(13).Font
	p.Title.Padding = 6
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(11).Font
		a.Tick.Label.Font = sans(9).Font
	}
	p.X.Label.Text = xLabel
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{div: 1}, niceTicks{div: 1}
	p.Y.Label.Text = yLabel
	l := plot.NewLegend()
	l.TextStyle = sans(10)
	l.Top, l.Left = true, true
	l.Padding = 2
	l.ThumbnailWidth = 14
	return &chart{p: p, legend: l, w: w, h: h, title: title}
}

// valueY makes the y axis measure name in unit (see quantity).
func (c *chart) valueY(name, unit string) { c.y = &quantity{name, unit} }

// valueX makes the x axis measure name in unit (see quantity).
func (c *chart) valueX(name, unit string) { c.x = &quantity{name, unit} }

// quantity is what a value axis measures. Large numbers are shown in
// thousands, millions, billions or trillions of the unit, named in the
// axis label, so that a tick reads 900, not 900000000; the tables keep
// the exact values.
type quantity struct{ name, unit string }

// magnitudes are the scales of an axis, largest first.
var magnitudes = []struct {
	factor float64
	word   string
}{{1e12, "trillion"}, {1e9, "billion"}, {1e6, "million"}, {1e3, "thousand"}}

// magnitude returns the scale for numbers up to top in absolute value,
// from a thousand when top reaches from: 1 and "" below.
func magnitude(top, from float64) (float64, string) {
	if !(top >= from) {
		return 1, ""
	}
	for _, m := range magnitudes {
		if top >= m.factor {
			return m.factor, m.word
		}
	}
	return 1, ""
}

// label returns the axis label for a scale's word: "CO2 (million kg)".
// The part in brackets does not break across lines.
func (q quantity) label(word string) string {
	u := strings.TrimSpace(word + " " + q.unit)
	if u == "" {
		return q.name
	}
	return q.name + " (" + strings.ReplaceAll(u, " ", nbsp) + ")"
}

// nbsp is the no-break space, which wrap does not break at.
const nbsp = "\u00a0"

// apply writes a's label and ticks for its current range.
func (q *quantity) apply(a *plot.Axis) {
	if q == nil {
		return
	}
	div, word := magnitude(math.Max(math.Abs(a.Min), math.Abs(a.Max)), 1e5)
	a.Label.Text = q.label(word)
	a.Tick.Marker = niceTicks{div: div}
}

// niceTicks places five or so labelled ticks at round multiples of 1,
// 2, 2.5 or 5 times a power of ten (so that zero is one of them when in
// range), with unlabelled ones between. Labels are the values divided
// by div, written as the tables write numbers.
type niceTicks struct{ div float64 }

// Ticks implements plot.Ticker.
func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return []plot.Tick{{Value: lo, Label: formatNumber(lo / t.div)}}
	}
	mag := math.Pow(10, math.Floor(math.Log10((hi-lo)/5)))
	step, minor, best := 0.0, 0, math.Inf(1)
	// Steps of 2.5 pay half a tick: their labels are longer.
	for _, c := range []struct {
		f, cost float64
		minor   int
	}{{1, 0, 5}, {2, 0, 4}, {2.5, 0.5, 5}, {5, 0, 5}, {10, 0, 5}, {20, 0, 4}} {
		s := c.f * mag
		n := math.Floor(hi/s+1e-9) - math.Ceil(lo/s-1e-9) + 1
		// On a tie the larger step wins: fewer, shorter labels.
		if d := math.Abs(n-5) + c.cost; d <= best {
			step, minor, best = s, c.minor, d
		}
	}
	var ticks []plot.Tick
	sub := step / float64(minor)
	// The tolerance keeps a tick that rounding puts a hair outside.
	tol := 1e-9 * sub
	for k := math.Ceil((lo - tol) / sub); k*sub <= hi+tol; k++ {
		v := k * sub
		if int64(k)%int64(minor) != 0 {
			ticks = append(ticks, plot.Tick{Value: v})
			continue
		}
		label := "0"
		if v != 0 {
			label = formatNumber(v / t.div)
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}

// categories labels the x axis with names at 0, 1, ...; long or many
// names are turned upright.
func (c *chart) categories(names []string) {
	if len(names) == 0 {
		panic("report: no category names")
	}
	c.p.NominalX(names...)
	longest := 0
	for _, n := range names {
		longest = max(longest, len([]rune(n)))
	}
	if len(names)*max(longest, 3) > 60 {
		c.p.X.Tick.Label.Rotation = math.Pi / 2
		c.p.X.Tick.Label.XAlign = draw.XRight
		c.p.X.Tick.Label.YAlign = draw.YCenter
	}
	c.p.X.Min, c.p.X.Max = -0.6, float64(len(names))-0.4
}

// pad widens the range of a numeric axis by frac of its span on each
// side, so that no point or line end sits on the frame.
func pad(a *plot.Axis, frac float64) {
	d := frac * (a.Max - a.Min)
	if d == 0 {
		d = frac * math.Max(math.Abs(a.Max), 1)
	}
	a.Min, a.Max = a.Min-d, a.Max+d
}

// draw draws the plot, then the legend in a strip on its right; the
// title, wrapped to the plot's width, only when titled.
func (c *chart) draw(dc draw.Canvas, titled bool) {
	const gap = 8
	r := c.legend.Rectangle(dc)
	lw := r.Max.X - r.Min.X
	if lw > 0 {
		lw += 2 * gap
	}
	c.x.apply(&c.p.X)
	c.y.apply(&c.p.Y)
	c.p.Title.Text = ""
	top := vg.Length(0)
	if titled && c.title != "" {
		c.p.Title.Text = wrap(c.title, c.p.Title.TextStyle, dc.Max.X-dc.Min.X-lw-2*gap)
		tr := c.p.Title.TextStyle.Rectangle(c.p.Title.Text)
		top = tr.Max.Y - tr.Min.Y + c.p.Title.Padding
	}
	// Long axis labels wrap rather than run past the plot's edges.
	c.p.X.Label.Text = wrap(c.p.X.Label.Text, c.p.X.Label.TextStyle, dc.Max.X-dc.Min.X-lw-60)
	c.p.Y.Label.Text = wrap(c.p.Y.Label.Text, c.p.Y.Label.TextStyle, dc.Max.Y-dc.Min.Y-top-60)
	c.p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
	if lw == 0 {
		return
	}
	strip := draw.Crop(dc, dc.Max.X-dc.Min.X-lw+gap, 0, 0, -top-gap)
	c.legend.Draw(strip)
}

// wrap breaks s at spaces into lines no wider than w in style sty. A
// word wider than w keeps a line of its own; a no-break space (U+00A0)
// holds its words together.
func wrap(s string, sty text.Style, w vg.Length) string {
	var lines []string
	line := ""
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\n' })
	for _, word := range words {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if line != "" && sty.Width(try) > w {
			lines = append(lines, line)
			try = word
		}
		line = try
	}
	return strings.Join(append(lines, line), "\n")
}

// svgZoom is how much larger than drawn a chart may show in the page.
const svgZoom = 4.0 / 3

// svgFonts widens the font families vgsvg writes, which name only the
// font the plot library measured, with the browser's own fallbacks.
var svgFonts = regexp.MustCompile(`font-family:Liberation (Sans|Serif|Mono);`)

// svg renders the chart, without its title, as an SVG element fit to
// sit inside HTML: no XML prelude, sans-serif fallbacks, and a size that
// follows the page width.
func (c *chart) svg() []byte {
	cv := vgsvg.New(c.w, c.h)
	c.draw(draw.New(cv), false)
	var buf bytes.Buffer
	if _, err := cv.WriteTo(&buf); err != nil {
		panic(fmt.Sprintf("report: writing SVG to memory: %v", err))
	}
	b := buf.Bytes()
	if i := bytes.Index(b, []byte("<svg")); i > 0 {
		b = b[i:]
	}
	b = svgFonts.ReplaceAll(b, []byte(`font-family:'Liberation $1',Arial,Helvetica,sans-serif;`))
	// The chart fills the column, up to a third larger than drawn, so
	// that its small print stays readable on a wide screen.
	fit := fmt.Sprintf(`<svg style="width:100%%;max-width:%.0fpx;height:auto" `, svgZoom*c.w.Dots(96))
	b = bytes.Replace(b, []byte("<svg "), []byte(fit), 1)
	return bytes.TrimSpace(b)
}

// writePNG renders the chart, with its title, as a PNG image.
func (c *chart) writePNG(w io.Writer) error {
	cv := vgimg.NewWith(vgimg.UseWH(c.w, c.h), vgimg.UseDPI(pngDPI))
	c.draw(draw.New(cv), true)
	_, err := vgimg.PngCanvas{Canvas: cv}.WriteTo(w)
	return err
}

// swatch is a legend thumbnail: a filled box, or a line when line is set.
type swatch struct {
	fill color.Color
	line *draw.LineStyle
	dot  *draw.GlyphStyle
}

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	if s.fill != nil {
		pts := []vg.Point{c.Min, {X: c.Min.X, Y: c.Max.Y}, c.Max, {X: c.Max.X, Y: c.Min.Y}}
		c.FillPolygon(s.fill, pts)
	}
	mid := (c.Min.Y + c.Max.Y) / 2
	if s.line != nil {
		c.StrokeLine2(*s.line, c.Min.X, mid, c.Max.X, mid)
	}
	if s.dot != nil {
		c.DrawGlyph(*s.dot, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: mid})
	}
}

// bars draws one bar per category at x = i, from base[i] (0 when base
// is nil) to base[i] + vals[i]. A NaN value draws nothing, so a null
// stays visibly absent rather than a bar of height zero.
type bars struct {
	vals   []float64
	base   []float64
	colour func(i int) color.Color
	width  vg.Length
	offset vg.Length
}

func (b *bars) bottom(i int) float64 {
	if b.base == nil {
		return 0
	}
	return b.base[i]
}

// Plot implements plot.Plotter.
func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, v := range b.vals {
		lo := b.bottom(i)
		if math.IsNaN(v) || math.IsNaN(lo) {
			continue
		}
		x0 := trX(float64(i)) - b.width/2 + b.offset
		x1 := x0 + b.width
		y0, y1 := trY(lo), trY(lo+v)
		pts := []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}}
		c.FillPolygon(b.colour(i), c.ClipPolygonXY(pts))
	}
}

// DataRange implements plot.DataRanger; zero is always in range.
func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymin, ymax = 0, 0
	for i, v := range b.vals {
		lo := b.bottom(i)
		if math.IsNaN(v) || math.IsNaN(lo) {
			continue
		}
		ymin = math.Min(ymin, math.Min(lo, lo+v))
		ymax = math.Max(ymax, math.Max(lo, lo+v))
	}
	// Headroom, so that the longest bar does not touch the frame.
	pad := 0.04 * (ymax - ymin)
	if ymax > 0 {
		ymax += pad
	}
	if ymin < 0 {
		ymin -= pad
	}
	return 0, float64(len(b.vals) - 1), ymin, ymax
}

// zeroLine draws a horizontal rule at y = 0 across the data area.
type zeroLine struct{}

// Plot implements plot.Plotter.
func (zeroLine) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(0)
	if c.ContainsY(y) {
		c.StrokeLine2(draw.LineStyle{Color: color.Black, Width: 0.8}, c.Min.X, y, c.Max.X, y)
	}
}

// groupedBars adds one bars series per name, side by side within each
// category, and a legend entry for each.
func (c *chart) groupedBars(names []string, vals [][]float64, colours []color.Color) {
	n := len(names)
	slot := vg.Length(34) / vg.Length(n)
	if n == 1 {
		slot = 22
	}
	for k := range names {
		col := colours[k]
		c.p.Add(&bars{
			vals:   vals[k],
			colour: func(int) color.Color { return col },
			width:  slot * 0.92,
			offset: slot * (vg.Length(k) - vg.Length(n-1)/2),
		})
		c.legend.Add(names[k], swatch{fill: col})
	}
	c.p.Add(zeroLine{})
}

// widthFor sizes a chart to its number of categories.
func widthFor(categories int, perCategory vg.Length) vg.Length {
	return min(max(vg.Length(560), vg.Length(180)+perCategory*vg.Length(categories)), 1800)
}
