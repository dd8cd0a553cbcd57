package report

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// pointLabels writes a name beside each point of a scatter plot. Each
// label takes the first of eight places around its point (right, left,
// above, below, then the corners) where it overlaps no label already
// placed, no point and nothing outside the data area. A label with no
// such place is left out: in a dense cloud a few points go unnamed,
// rather than all of them unreadable.
type pointLabels struct {
	pts    plotter.XYs
	names  []string
	style  text.Style
	radius vg.Length // of the glyphs drawn at the points
}

// place is one spot for a label: an offset from the point, in units of
// the glyph's radius plus a gap, and the alignment there.
type place struct {
	dx, dy float64
	x      text.XAlignment
	y      text.YAlignment
}

var places = []place{
	{1, 0, draw.XLeft, draw.YCenter},
	{-1, 0, draw.XRight, draw.YCenter},
	{0, 1, draw.XCenter, draw.YBottom},
	{0, -1, draw.XCenter, draw.YTop},
	{0.8, 0.8, draw.XLeft, draw.YBottom},
	{0.8, -0.8, draw.XLeft, draw.YTop},
	{-0.8, 0.8, draw.XRight, draw.YBottom},
	{-0.8, -0.8, draw.XRight, draw.YTop},
}

// box returns where the label of pt would sit at pl.
func (l *pointLabels) box(pt vg.Point, name string, pl place) (vg.Point, vg.Rectangle) {
	sty := l.style
	sty.XAlign, sty.YAlign = pl.x, pl.y
	off := l.radius + 3
	at := vg.Point{X: pt.X + vg.Length(pl.dx)*off, Y: pt.Y + vg.Length(pl.dy)*off}
	r := sty.Rectangle(name)
	return at, vg.Rectangle{Min: at.Add(r.Min), Max: at.Add(r.Max)}
}

// placed is where a label goes: its anchor, alignment and extent; ok
// is false for a label left out.
type placed struct {
	at  vg.Point
	pl  place
	box vg.Rectangle
	ok  bool
}

// layout places the labels of the points pts, in canvas coordinates,
// inside frame.
func (l *pointLabels) layout(pts []vg.Point, frame vg.Rectangle) []placed {
	var taken []vg.Rectangle
	for _, pt := range pts {
		r := vg.Point{X: l.radius, Y: l.radius}
		taken = append(taken, vg.Rectangle{Min: pt.Sub(r), Max: pt.Add(r)})
	}
	out := make([]placed, len(pts))
	for i, pt := range pts {
		for _, pl := range places {
			at, r := l.box(pt, l.names[i], pl)
			free := area(intersect(r, frame)) == area(r)
			for _, t := range taken {
				free = free && area(intersect(r, t)) == 0
			}
			if free {
				out[i] = placed{at, pl, r, true}
				taken = append(taken, r)
				break
			}
		}
	}
	return out
}

// Plot implements plot.Plotter.
func (l *pointLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	pts := make([]vg.Point, len(l.pts))
	for i, xy := range l.pts {
		pts[i] = vg.Point{X: trX(xy.X), Y: trY(xy.Y)}
	}
	for i, pl := range l.layout(pts, c.Rectangle) {
		if !pl.ok {
			continue
		}
		sty := l.style
		sty.XAlign, sty.YAlign = pl.pl.x, pl.pl.y
		c.FillText(sty, pl.at, l.names[i])
	}
}

// GlyphBoxes implements plot.GlyphBoxer: it keeps room for each label
// in its first place, right of its point, inside the plot.
func (l *pointLabels) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	boxes := make([]plot.GlyphBox, len(l.pts))
	for i, xy := range l.pts {
		_, r := l.box(vg.Point{}, l.names[i], places[0])
		boxes[i] = plot.GlyphBox{X: p.X.Norm(xy.X), Y: p.Y.Norm(xy.Y), Rectangle: r}
	}
	return boxes
}

func intersect(a, b vg.Rectangle) vg.Rectangle {
	r := vg.Rectangle{
		Min: vg.Point{X: max(a.Min.X, b.Min.X), Y: max(a.Min.Y, b.Min.Y)},
		Max: vg.Point{X: min(a.Max.X, b.Max.X), Y: min(a.Max.Y, b.Max.Y)},
	}
	if r.Max.X <= r.Min.X || r.Max.Y <= r.Min.Y {
		return vg.Rectangle{}
	}
	return r
}

func area(r vg.Rectangle) float64 { return float64((r.Max.X - r.Min.X) * (r.Max.Y - r.Min.Y)) }

// diagonal draws the line y = x across the data area. It has no data
// range of its own, so it never widens the axes: where the axes' ranges
// do not overlap, it is off the chart.
type diagonal struct{ style draw.LineStyle }

// Plot implements plot.Plotter.
func (d diagonal) Plot(c draw.Canvas, p *plot.Plot) {
	lo, hi := max(p.X.Min, p.Y.Min), min(p.X.Max, p.Y.Max)
	if !(hi > lo) {
		return
	}
	trX, trY := p.Transforms(&c)
	line := []vg.Point{{X: trX(lo), Y: trY(lo)}, {X: trX(hi), Y: trY(hi)}}
	c.StrokeLines(d.style, c.ClipLinesXY(line)...)
}

// crosses reports whether the line y = x passes through the axes'
// ranges.
func crosses(p *plot.Plot) bool { return max(p.X.Min, p.Y.Min) < min(p.X.Max, p.Y.Max) }
