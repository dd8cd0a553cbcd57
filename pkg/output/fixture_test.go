package output_test

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/accounts"
)

// counter hands out distinct values that are not short decimals, so a
// value read back from the wrong cell or rounded on the way shows.
type counter struct{ next float64 }

func (c *counter) value() float64 {
	c.next++
	return c.next/3 + 1e-7*c.next*c.next
}

func (c *counter) dense(r, k int) *mat.Dense {
	m := mat.NewDense(r, k, nil)
	for i := range r {
		for j := range k {
			m.Set(i, j, c.value())
		}
	}
	return m
}

func (c *counter) denses(n, r, k int) []*mat.Dense {
	ms := make([]*mat.Dense, n)
	for i := range ms {
		ms[i] = c.dense(r, k)
	}
	return ms
}

// fixture returns a small hand-made Result: producing regions A and B, a
// consumer-only region DISC, sectors s1 and s2; extension air with CO2 and
// CH4 (unit kg), extension water with one stressor and no units. Every
// value differs from every other; scale multiplies them all.
//
// Its Leontief inverse is 4×4, handed out in two blocks of columns.
//
// The nulls: DISC's production, exports, net exports, value added and
// production intensity; air CH4's consumption intensity in B; the share of
// the group "other" in air CO2, which emits nothing.
func fixture(scale float64) (*accounts.Result, []*accounts.Groups) {
	c := &counter{}
	res := &accounts.Result{
		Regions:     []string{"A", "B"},
		Consumers:   []string{"A", "B", "DISC"},
		Sectors:     []string{"s1", "s2"},
		ValueAdded:  []float64{c.value(), c.value(), math.NaN()},
		FinalDemand: []float64{c.value(), c.value(), c.value()},
	}
	const r, rr, m = 2, 3, 2
	var groups []*accounts.Groups
	for _, x := range []struct {
		name      string
		stressors []string
		units     []string
	}{
		{"air", []string{"CO2", "CH4"}, []string{"kg", "kg"}},
		{"water", []string{"blue"}, nil},
	} {
		k := len(x.stressors)
		e := &accounts.Extension{
			Name:                 x.name,
			Stressors:            x.stressors,
			Units:                x.units,
			Direct:               c.dense(k, r*m),
			Total:                c.dense(k, r*m),
			Production:           c.dense(k, rr),
			Consumption:          c.dense(k, rr),
			Imports:              c.dense(k, rr),
			Exports:              c.dense(k, rr),
			NetExports:           c.dense(k, rr),
			ProductionIntensity:  c.dense(k, rr),
			ConsumptionIntensity: c.dense(k, rr),
			Flows:                c.denses(k, r, rr),
			FlowsBySector:        c.denses(k, r*m, rr),
			Footprints:           c.dense(k, rr*m),
		}
		for s := range k {
			for _, d := range []*mat.Dense{e.Production, e.Exports, e.NetExports, e.ProductionIntensity} {
				d.Set(s, 2, math.NaN())
			}
		}
		res.Extensions = append(res.Extensions, e)
		groups = append(groups, &accounts.Groups{
			Names: []string{"G1", "other"},
			Value: c.denses(k, 2, 2),
			Share: c.denses(k, 2, 2),
		})
	}
	l := c.dense(r*m, r*m)
	res.Inverse = inverseOf(l, 3)
	res.Extensions[0].ConsumptionIntensity.Set(1, 1, math.NaN())
	groups[0].Share[0].Set(1, 0, math.NaN())
	groups[0].Share[0].Set(1, 1, math.NaN())

	if scale != 1 {
		l.Scale(scale, l)
		for i := range res.ValueAdded {
			res.ValueAdded[i] *= scale
			res.FinalDemand[i] *= scale
		}
		for x, e := range res.Extensions {
			all := []*mat.Dense{e.Direct, e.Total, e.Production, e.Consumption,
				e.Imports, e.Exports, e.NetExports, e.ProductionIntensity,
				e.ConsumptionIntensity, e.Footprints}
			all = append(all, e.Flows...)
			all = append(all, e.FlowsBySector...)
			all = append(all, groups[x].Value...)
			for _, d := range all {
				d.Scale(scale, d)
			}
		}
	}
	return res, groups
}

// inverseOf returns an Inverse that hands l out in two blocks of
// columns, split before column cut.
func inverseOf(l *mat.Dense, cut int) *accounts.Inverse {
	n, _ := l.Dims()
	return accounts.InverseOfBlocks(n, func(yield func(*accounts.InverseBlock) error) error {
		for _, b := range [][2]int{{0, cut}, {cut, n}} {
			if err := yield(&accounts.InverseBlock{First: b[0], L: l.Slice(0, n, b[0], b[1]).(*mat.Dense)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// inverseMatrix reads all of inv into one matrix.
func inverseMatrix(inv *accounts.Inverse) *mat.Dense {
	n := inv.N()
	l := mat.NewDense(n, n, nil)
	err := inv.Each(func(first int, cols *mat.Dense) error {
		_, w := cols.Dims()
		l.Slice(0, n, first, first+w).(*mat.Dense).Copy(cols)
		return nil
	})
	if err != nil {
		panic(err)
	}
	return l
}
