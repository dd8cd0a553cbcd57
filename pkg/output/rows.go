package output

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/accounts"
)

// filler appends the rows of one account of res to w.
type filler func(w *Writer, res *accounts.Result, groups []*accounts.Groups) error

// fillers holds one filler per account. Each writes rows in the order of
// its key columns: extension, stressor, then the account's own labels in
// the order the Result holds them; leontief, which has neither extension
// nor stressor, column by column of L.
var fillers = map[string]filler{
	Regions:       fillRegions,
	Flows:         fillFlows,
	Footprints:    fillFootprints,
	Multipliers:   fillMultipliers,
	FlowsBySector: fillFlowsBySector,
	GroupFlows:    fillGroups,
	Leontief:      fillLeontief,
}

// Columns after the lead (extension, stressor, unit) start here.
const first = 3

// lead writes the extension, stressor and unit of stressor s of e.
func (w *Writer) lead(e *accounts.Extension, s int) {
	w.str(0, e.Name)
	w.str(1, e.Stressors[s])
	if s < len(e.Units) && e.Units[s] != "" {
		w.str(2, e.Units[s])
	} else {
		w.null(2)
	}
}

// mustShape panics when m is not r x c: the Result was built wrongly.
func mustShape(what string, m *mat.Dense, r, c int) {
	if m == nil {
		panic(fmt.Sprintf("output: %s is nil, want %d x %d", what, r, c))
	}
	if mr, mc := m.Dims(); mr != r || mc != c {
		panic(fmt.Sprintf("output: %s is %d x %d, want %d x %d", what, mr, mc, r, c))
	}
}

// mustLen panics when a per-consumer or per-stressor slice has the wrong length.
func mustLen(what string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("output: %s has %d entries, want %d", what, got, want))
	}
}

// checkExtension panics when e's labels disagree with each other.
func checkExtension(e *accounts.Extension) {
	if len(e.Units) != 0 {
		mustLen("extension "+e.Name+" units", len(e.Units), len(e.Stressors))
	}
}

func fillRegions(w *Writer, res *accounts.Result, _ []*accounts.Groups) error {
	nc := len(res.Consumers)
	mustLen("value added", len(res.ValueAdded), nc)
	mustLen("final demand", len(res.FinalDemand), nc)
	for _, e := range res.Extensions {
		checkExtension(e)
		k := len(e.Stressors)
		cols := []*mat.Dense{
			e.Production, e.Consumption, e.Imports, e.Exports, e.NetExports,
		}
		names := []string{"production", "consumption", "imports", "exports", "net exports"}
		for i, m := range cols {
			mustShape(e.Name+" "+names[i], m, k, nc)
		}
		mustShape(e.Name+" production intensity", e.ProductionIntensity, k, nc)
		mustShape(e.Name+" consumption intensity", e.ConsumptionIntensity, k, nc)
		for s := range k {
			for c, region := range res.Consumers {
				w.lead(e, s)
				w.str(first, region)
				for i, m := range cols {
					w.num(first+1+i, m.At(s, c))
				}
				w.num(first+6, res.ValueAdded[c])
				w.num(first+7, res.FinalDemand[c])
				w.num(first+8, e.ProductionIntensity.At(s, c))
				w.num(first+9, e.ConsumptionIntensity.At(s, c))
				if err := w.endRow(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func fillFlows(w *Writer, res *accounts.Result, _ []*accounts.Groups) error {
	for _, e := range res.Extensions {
		checkExtension(e)
		mustLen(e.Name+" flows", len(e.Flows), len(e.Stressors))
		for s, m := range e.Flows {
			mustShape(fmt.Sprintf("%s flows of stressor %d", e.Name, s), m, len(res.Regions), len(res.Consumers))
			for p, from := range res.Regions {
				for r, to := range res.Consumers {
					w.lead(e, s)
					w.str(first, from)
					w.str(first+1, to)
					w.num(first+2, m.At(p, r))
					if err := w.endRow(); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func fillFootprints(w *Writer, res *accounts.Result, _ []*accounts.Groups) error {
	m := len(res.Sectors)
	for _, e := range res.Extensions {
		checkExtension(e)
		mustShape(e.Name+" footprints", e.Footprints, len(e.Stressors), len(res.Consumers)*m)
		for s := range e.Stressors {
			for r, region := range res.Consumers {
				for j, sector := range res.Sectors {
					w.lead(e, s)
					w.str(first, region)
					w.str(first+1, sector)
					w.num(first+2, e.Footprints.At(s, r*m+j))
					if err := w.endRow(); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func fillMultipliers(w *Writer, res *accounts.Result, _ []*accounts.Groups) error {
	m := len(res.Sectors)
	n := len(res.Regions) * m
	for _, e := range res.Extensions {
		checkExtension(e)
		mustShape(e.Name+" direct multipliers", e.Direct, len(e.Stressors), n)
		mustShape(e.Name+" total multipliers", e.Total, len(e.Stressors), n)
		for s := range e.Stressors {
			for p, region := range res.Regions {
				for i, sector := range res.Sectors {
					w.lead(e, s)
					w.str(first, region)
					w.str(first+1, sector)
					w.num(first+2, e.Direct.At(s, p*m+i))
					w.num(first+3, e.Total.At(s, p*m+i))
					if err := w.endRow(); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func fillFlowsBySector(w *Writer, res *accounts.Result, _ []*accounts.Groups) error {
	m := len(res.Sectors)
	for _, e := range res.Extensions {
		checkExtension(e)
		if e.FlowsBySector == nil {
			return fmt.Errorf("output: %s: extension %q has no flows by sector (they were not computed)",
				FlowsBySector, e.Name)
		}
		mustLen(e.Name+" flows by sector", len(e.FlowsBySector), len(e.Stressors))
		for s, f := range e.FlowsBySector {
			mustShape(fmt.Sprintf("%s flows by sector of stressor %d", e.Name, s), f, len(res.Regions)*m, len(res.Consumers))
			for p, from := range res.Regions {
				for i, sector := range res.Sectors {
					for r, to := range res.Consumers {
						w.lead(e, s)
						w.str(first, from)
						w.str(first+1, sector)
						w.str(first+2, to)
						w.num(first+3, f.At(p*m+i, r))
						if err := w.endRow(); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}

func fillGroups(w *Writer, res *accounts.Result, groups []*accounts.Groups) error {
	if groups == nil {
		return fmt.Errorf("output: %s: no groups were given", GroupFlows)
	}
	mustLen("groups", len(groups), len(res.Extensions))
	for x, e := range res.Extensions {
		checkExtension(e)
		g := groups[x]
		if g == nil {
			return fmt.Errorf("output: %s: extension %q has no groups", GroupFlows, e.Name)
		}
		ng := len(g.Names)
		mustLen(e.Name+" group values", len(g.Value), len(e.Stressors))
		mustLen(e.Name+" group shares", len(g.Share), len(e.Stressors))
		for s := range e.Stressors {
			mustShape(fmt.Sprintf("%s group values of stressor %d", e.Name, s), g.Value[s], ng, ng)
			mustShape(fmt.Sprintf("%s group shares of stressor %d", e.Name, s), g.Share[s], ng, ng)
			for p, from := range g.Names {
				for r, to := range g.Names {
					w.lead(e, s)
					w.str(first, from)
					w.str(first+1, to)
					w.num(first+2, g.Value[s].At(p, r))
					w.num(first+3, g.Share[s].At(p, r))
					if err := w.endRow(); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// fillLeontief writes L = (I - A)⁻¹ column by column, as res.Inverse
// solves it, so the Writer holds one chunk of L and one record batch of
// rows at a time.
func fillLeontief(w *Writer, res *accounts.Result, _ []*accounts.Groups) error {
	if res.Inverse == nil {
		return fmt.Errorf("output: %s: the Result holds no Leontief inverse (accounts.Options.Leontief was not set)", Leontief)
	}
	m := len(res.Sectors)
	n := len(res.Regions) * m
	mustLen("Leontief inverse", res.Inverse.N(), n)
	return res.Inverse.Each(func(first int, cols *mat.Dense) error {
		raw := cols.RawMatrix()
		for c := range raw.Cols {
			j := first + c
			toRegion, toSector := res.Regions[j/m], res.Sectors[j%m]
			for i := range n {
				w.str(0, res.Regions[i/m])
				w.str(1, res.Sectors[i%m])
				w.str(2, toRegion)
				w.str(3, toSector)
				w.num(4, raw.Data[i*raw.Stride+c])
				if err := w.endRow(); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
