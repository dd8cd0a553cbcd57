package report

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"regexp"

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
}

// newChart returns a chart with the report's fonts and axis labels.
func newChart(title, xLabel, yLabel string, w, h vg.Length) *chart {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(13).Font
	p.Title.Padding = 6
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(11).Font
		a.Tick.Label.Font = sans(9).Font
	}
	p.X.Label.Text = xLabel
	p.X.Tick.Marker, p.Y.Tick.Marker = numberTicks{}, numberTicks{}
	p.Y.Label.Text = yLabel
	l := plot.NewLegend()
	l.TextStyle = sans(10)
	l.Top, l.Left = true, true
	l.Padding = 2
	l.ThumbnailWidth = 14
	return &chart{p: p, legend: l, w: w, h: h}
}

// numberTicks places ticks as the plot library does and labels them
// as the tables write numbers, so an axis reads 750, not 750.00.
type numberTicks struct{}

// Ticks implements plot.Ticker.
func (numberTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i, t := range ticks {
		if t.Label != "" {
			ticks[i].Label = formatNumber(t.Value)
		}
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

// draw draws the plot, then the legend in a strip on its right.
func (c *chart) draw(dc draw.Canvas) {
	const gap = 8
	r := c.legend.Rectangle(dc)
	lw := r.Max.X - r.Min.X
	if lw > 0 {
		lw += 2 * gap
	}
	c.p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
	if lw == 0 {
		return
	}
	title := c.p.Title.TextStyle.Rectangle(c.p.Title.Text)
	strip := draw.Crop(dc, dc.Max.X-dc.Min.X-lw+gap, 0, 0, -(title.Max.Y-title.Min.Y)-c.p.Title.Padding-gap)
	c.legend.Draw(strip)
}

// svgFonts widens the font families vgsvg writes, which name only the
// font the plot library measured, with the browser's own fallbacks.
var svgFonts = regexp.MustCompile(`font-family:Liberation (Sans|Serif|Mono);`)

// svg renders the chart as an SVG element fit to sit inside HTML: no XML
// prelude, sans-serif fallbacks, and a size that follows the page width.
func (c *chart) svg() []byte {
	cv := vgsvg.New(c.w, c.h)
	c.draw(draw.New(cv))
	var buf bytes.Buffer
	if _, err := cv.WriteTo(&buf); err != nil {
		panic(fmt.Sprintf("report: writing SVG to memory: %v", err))
	}
	b := buf.Bytes()
	if i := bytes.Index(b, []byte("<svg")); i > 0 {
		b = b[i:]
	}
	b = svgFonts.ReplaceAll(b, []byte(`font-family:'Liberation $1',Arial,Helvetica,sans-serif;`))
	return bytes.TrimSpace(b)
}

// writePNG renders the chart as a PNG image.
func (c *chart) writePNG(w io.Writer) error {
	cv := vgimg.NewWith(vgimg.UseWH(c.w, c.h), vgimg.UseDPI(pngDPI))
	c.draw(draw.New(cv))
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
