package formats

import (
	"github.com/mrioflow/mrioflow/pkg/table"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Labels are matched by key, never by position: a key is a label's parts
// joined by sep, such as region sep sector, so that parts holding a "/"
// cannot collide. show is how errors write a label: as the file does.
const sep = "\x00"

func key(parts ...string) string { return strings.Join(parts, sep) }

// axis is the order of one dimension of the table: products (region,
// sector), final-demand columns (consumer, category), stressors.
type axis struct {
	keys  []string
	shows []string
	pos   map[string]int

	// For errors: what a label of the axis is ("a product of Z.txt"), and
	// why a file needs each ("every region needs every sector of Z.txt").
	is, need string
}

func newAxis(is, need string, keys, shows []string) *axis {
	a := &axis{keys: keys, shows: shows, pos: make(map[string]int, len(keys)), is: is, need: need}
	for i, k := range keys {
		if _, ok := a.pos[k]; ok {
			panic("formats: axis with a repeated key " + shows[i]) // callers build axes of unique keys
		}
		a.pos[k] = i
	}
	return a
}

func (a *axis) len() int { return len(a.keys) }

// grid returns the axis of every (outer, inner) pair, outer-major.
func grid(is, need string, outer, inner []string, show func(o, i string) string) *axis {
	keys := make([]string, 0, len(outer)*len(inner))
	shows := make([]string, 0, cap(keys))
	for _, o := range outer {
		for _, i := range inner {
			keys = append(keys, key(o, i))
			shows = append(shows, show(o, i))
		}
	}
	return newAxis(is, need, keys, shows)
}

// side is one dimension of a frame, the rows or the columns, with the keys
// it gives in the file's order.
type side struct {
	f     *frame
	rows  bool
	keys  []string
	shows []string
}

// rowSide and colSide key each label by its parts; keyOf may re-key them.
func (f *frame) rowSide(keyOf func(parts []string) string) side {
	s := side{f: f, rows: true, keys: make([]string, f.rows()), shows: make([]string, f.rows())}
	for i, p := range f.rowParts {
		s.keys[i], s.shows[i] = keyOf(p), f.rowLabel(i)
	}
	return s
}

func (f *frame) colSide(keyOf func(parts []string) string) side {
	s := side{f: f, keys: make([]string, f.cols()), shows: make([]string, f.cols())}
	for j, p := range f.colParts {
		s.keys[j], s.shows[j] = keyOf(p), f.colLabel(j)
	}
	return s
}

func joined(parts []string) string { return key(parts...) }

// errorAt returns an error at entry i of the side: its line (and column).
func (s side) errorAt(i int, kind error, format string, args ...any) error {
	e := &ParseError{File: s.f.file, Err: wrapKind(kind, format, args...)}
	if s.rows {
		e.Line, e.Column = s.f.rowLines[i], 1
	} else {
		e.Line, e.Column = s.f.colLine, s.f.indexCols+i+1
	}
	return e
}

func (s side) what() string {
	if s.rows {
		return "row"
	}
	return "column"
}

// orderBy returns, for each entry of the side in file order, its position
// on the axis. It fails on a label the axis lacks, on a label given twice
// and on an axis label the side lacks, naming the first such label.
func (s side) orderBy(a *axis) ([]int, error) {
	perm := make([]int, len(s.keys))
	seen := make([]int, a.len()) // entry+1 that took each position
	for i, k := range s.keys {
		p, ok := a.pos[k]
		if !ok {
			return nil, s.errorAt(i, ErrLabel, "%s %q is not %s", s.what(), s.shows[i], a.is)
		}
		if seen[p] > 0 {
			return nil, s.errorAt(i, ErrDuplicateLabel, "%s %q appears twice (also %s)",
				s.what(), s.shows[i], s.place(seen[p]-1))
		}
		seen[p] = i + 1
		perm[i] = p
	}
	for p, n := range seen {
		if n == 0 {
			return nil, fileError(s.f.file, ErrLabel, "no %s %q; %s", s.what(), a.shows[p], a.need)
		}
	}
	return perm, nil
}

// place says where entry i of the side is, for errors.
func (s side) place(i int) string {
	if s.rows {
		return "line " + strconv.Itoa(s.f.rowLines[i])
	}
	return "column " + strconv.Itoa(s.f.indexCols+i+1)
}

// unique checks that no key of the side repeats.
func (s side) unique() error {
	first := make(map[string]int, len(s.keys))
	for i, k := range s.keys {
		if j, ok := first[k]; ok {
			return s.errorAt(i, ErrDuplicateLabel, "%s %q appears twice (also %s)", s.what(), s.shows[i], s.place(j))
		}
		first[k] = i
	}
	return nil
}

// matrix returns the frame's numbers as a rows x cols matrix with data row
// i at row rowPerm[i] and column j at colPerm[j]. Both permutations must be
// complete (from orderBy). The numbers are moved in the frame's own buffer,
// with one row of scratch, so a large matrix is never held twice; the frame
// must not be used afterwards.
func (f *frame) matrix(rowPerm, colPerm []int) *mat.Dense {
	r, c := len(rowPerm), len(colPerm)
	data := f.data[: r*c : r*c]
	f.data = nil
	if !identity(colPerm) {
		tmp := make([]float64, c)
		for i := range r {
			row := data[i*c : (i+1)*c]
			copy(tmp, row)
			for j, pj := range colPerm {
				row[pj] = tmp[j]
			}
		}
	}
	// Rows follow their permutation's cycles: the row in hand goes to its
	// place, and the row it displaces is the next in hand.
	var hand []float64
	done := make([]bool, r)
	for start := range r {
		if done[start] || rowPerm[start] == start {
			continue
		}
		if hand == nil {
			hand = make([]float64, c)
		}
		copy(hand, data[start*c:(start+1)*c])
		for i := rowPerm[start]; ; i = rowPerm[i] {
			row := data[i*c : (i+1)*c]
			for k := range row {
				row[k], hand[k] = hand[k], row[k]
			}
			done[i] = true
			if i == start {
				break
			}
		}
	}
	return mat.NewDense(r, c, data)
}

func identity(p []int) bool {
	for i, v := range p {
		if i != v {
			return false
		}
	}
	return true
}

// firstSeen returns the distinct values in order of first appearance.
func firstSeen(values []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// products returns the regions and sectors a side of product labels names,
// each in order of first appearance, and the region-major axis of all
// their pairs. The side's keys are key(region, sector).
func products(s side, show func(region, sector string) string) (regions, sectors []string, a *axis) {
	rs := make([]string, len(s.keys))
	ss := make([]string, len(s.keys))
	for i, k := range s.keys {
		rs[i], ss[i], _ = strings.Cut(k, sep)
	}
	regions, sectors = firstSeen(rs), firstSeen(ss)
	name := filepath.Base(s.f.file)
	return regions, sectors, grid("a product (row) of "+name, "every region needs every sector of "+name,
		regions, sectors, show)
}

// core reads the n x n matrix f whose rows and columns are the products,
// keyed by keyOf as key(region, sector): it sets t's regions and sectors
// from the rows and returns the matrix, ordered region-major, and the axis
// of the products.
func core(t *table.Table, f *frame, keyOf func([]string) string, show func(region, sector string) string) (*mat.Dense, *axis, error) {
	rows := f.rowSide(keyOf)
	for i, k := range rows.keys {
		if !strings.Contains(k, sep) {
			return nil, nil, rows.errorAt(i, ErrLayout, "row %q names no region and sector", rows.shows[i])
		}
	}
	var prod *axis
	t.Regions, t.Sectors, prod = products(rows, show)
	rowPerm, err := rows.orderBy(prod)
	if err != nil {
		return nil, nil, err
	}
	colPerm, err := f.colSide(keyOf).orderBy(prod)
	if err != nil {
		return nil, nil, err
	}
	return f.matrix(rowPerm, colPerm), prod, nil
}
