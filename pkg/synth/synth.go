package synth

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// Options sizes a synthetic table. The zero value of a field takes the
// default written beside it.
type Options struct {
	Regions       int     // R, default 4
	Sectors       int     // m per region, default 10
	Stressors     int     // k, default 3
	Seed          uint64  // default 0 (a valid seed)
	ImportDensity float64 // share of non-zero entries in import blocks, default 0.1
}

func (o *Options) defaults() {
	if o.Regions == 0 {
		o.Regions = 4
	}
	if o.Sectors == 0 {
		o.Sectors = 10
	}
	if o.Stressors == 0 {
		o.Stressors = 3
	}
	if o.ImportDensity == 0 {
		o.ImportDensity = 0.1
	}
}

// Categories are the final-demand categories of every region.
var Categories = []string{
	"Final consumption expenditure by households",
	"Final consumption expenditure by government",
	"Gross fixed capital formation",
	"Changes in inventories",
}

// Streams separate the uses of the generator so no two quantities share
// random numbers.
const (
	streamWeight = iota + 1
	streamMask
	streamColSum
	streamOutput
	streamDemand
	streamIntensity
	streamInventory
)

// uniform returns a number in [0, 1) that depends only on its arguments
// (splitmix64 finalizer over a combined key).
func uniform(seed uint64, stream, i, j int) float64 {
	z := seed*0x9e3779b97f4a7c15 ^ uint64(stream)<<56 ^ uint64(i)<<28 ^ uint64(j)
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) / (1 << 53)
}

func normal(seed uint64, stream, i, j int) float64 {
	u1 := uniform(seed, stream, i, 2*j)
	u2 := uniform(seed, stream, i, 2*j+1)
	return math.Sqrt(-2*math.Log(1-u1)) * math.Cos(2*math.Pi*u2)
}

type gen struct {
	Options
	n int
	x []float64 // target outputs
	w []float64 // column sums of the raw weights
}

// weight is the raw weight of entry (i, j) of A before column scaling.
func (g *gen) weight(i, j int) float64 {
	m := g.Sectors
	if i/m != j/m && uniform(g.Seed, streamMask, i, j) >= g.ImportDensity {
		return 0
	}
	w := uniform(g.Seed, streamWeight, i, j)
	if i/m == j/m {
		return w * w * 4 // domestic inputs weigh more
	}
	return w * w
}

func (g *gen) colSum(j int) float64 {
	return 0.15 + 0.4*uniform(g.Seed, streamColSum, 0, j)
}

// Write writes a table of the given size into dir, which it creates, as
// pymrio's save_all does in txt format: Z.txt, Y.txt, unit.txt,
// file_parameters.json, and an extension folder "emissions" with F.txt,
// F_Y.txt and unit.txt.
func Write(dir string, opt Options) error {
	opt.defaults()
	if opt.Regions < 1 || opt.Sectors < 1 || opt.Stressors < 1 {
		panic("synth: sizes must be positive")
	}
	g := &gen{Options: opt, n: opt.Regions * opt.Sectors}
	g.x = make([]float64, g.n)
	for j := range g.x {
		g.x[j] = 1000 * math.Exp(0.8*normal(g.Seed, streamOutput, 0, j))
	}
	g.w = make([]float64, g.n)
	for i := 0; i < g.n; i++ {
		for j := 0; j < g.n; j++ {
			g.w[j] += g.weight(i, j)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "emissions"), 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	demand, err := g.writeZ(filepath.Join(dir, "Z.txt"))
	if err != nil {
		return err
	}
	if err := g.writeY(filepath.Join(dir, "Y.txt"), demand); err != nil {
		return err
	}
	if err := g.writeExtension(filepath.Join(dir, "emissions")); err != nil {
		return err
	}
	return g.writeMeta(dir)
}

func (g *gen) region(r int) string { return fmt.Sprintf("R%03d", r) }
func (g *gen) sector(s int) string { return fmt.Sprintf("s%03d", s) }

// header writes the two column-header rows over (region, sector) columns
// or (region, category) columns, then the row of index names.
func (g *gen) header(w *bufio.Writer, level2 string, names []string, index []string) {
	w.WriteString("region")
	for i := 1; i < len(index); i++ {
		w.WriteByte('\t')
	}
	for r := 0; r < g.Regions; r++ {
		for range names {
			w.WriteByte('\t')
			w.WriteString(g.region(r))
		}
	}
	w.WriteByte('\n')
	w.WriteString(level2)
	for i := 1; i < len(index); i++ {
		w.WriteByte('\t')
	}
	for r := 0; r < g.Regions; r++ {
		for _, s := range names {
			w.WriteByte('\t')
			w.WriteString(s)
		}
	}
	w.WriteByte('\n')
	for i, s := range index {
		if i > 0 {
			w.WriteByte('\t')
		}
		w.WriteString(s)
	}
	for r := 0; r < g.Regions*len(names); r++ {
		w.WriteByte('\t')
	}
	w.WriteByte('\n')
}

func (g *gen) sectorNames() []string {
	s := make([]string, g.Sectors)
	for i := range s {
		s[i] = g.sector(i)
	}
	return s
}

func appendNum(b []byte, v float64) []byte {
	if v == 0 {
		return append(b, '0')
	}
	return strconv.AppendFloat(b, v, 'g', 9, 64)
}

// writeZ writes Z and returns each row's total final demand.
func (g *gen) writeZ(path string) ([]float64, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	g.header(w, "sector", g.sectorNames(), []string{"region", "sector"})
	scale := make([]float64, g.n) // A_ij = weight * colSum_j / w_j; Z = A x
	for j := range scale {
		if g.w[j] > 0 {
			scale[j] = g.colSum(j) / g.w[j] * g.x[j]
		}
	}
	demand := make([]float64, g.n)
	line := make([]byte, 0, 16*g.n)
	for i := 0; i < g.n; i++ {
		line = append(line[:0], g.region(i/g.Sectors)...)
		line = append(line, '\t')
		line = append(line, g.sector(i%g.Sectors)...)
		row := 0.0
		for j := 0; j < g.n; j++ {
			z := g.weight(i, j) * scale[j]
			row += z
			line = append(line, '\t')
			line = appendNum(line, z)
		}
		line = append(line, '\n')
		w.Write(line)
		demand[i] = math.Max(g.x[i]-row, 0.05*g.x[i])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return nil, fmt.Errorf("synth: %s: %w", path, err)
	}
	return demand, f.Close()
}

// writeY spreads each row's final demand over the consuming regions (mostly
// the producer's own) and categories, with signed inventory changes.
func (g *gen) writeY(path string, demand []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	c := len(Categories)
	g.header(w, "category", Categories, []string{"region", "sector"})
	shares := []float64{0.6, 0.2, 0.2, 0}
	line := make([]byte, 0, 16*g.Regions*c)
	cols := make([]float64, g.Regions*c)
	weights := make([]float64, g.Regions)
	for i := 0; i < g.n; i++ {
		home := i / g.Sectors
		// Consumer weights: the home region takes most.
		var tot float64
		for r := range weights {
			if r == home {
				weights[r] = 3 * float64(g.Regions)
			} else {
				weights[r] = uniform(g.Seed, streamDemand, i, r)
			}
			tot += weights[r]
		}
		for r := range weights {
			d := demand[i] * weights[r] / tot
			inv := 0.1 * d * (2*uniform(g.Seed, streamInventory, i, r) - 1)
			for k := 0; k < c; k++ {
				cols[r*c+k] = d * shares[k]
			}
			cols[r*c] -= inv // households absorb the inventory change
			cols[r*c+c-1] = inv
		}
		line = append(line[:0], g.region(home)...)
		line = append(line, '\t')
		line = append(line, g.sector(i%g.Sectors)...)
		for _, v := range cols {
			line = append(line, '\t')
			line = appendNum(line, v)
		}
		line = append(line, '\n')
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("synth: %s: %w", path, err)
	}
	return f.Close()
}
