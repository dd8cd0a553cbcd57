package montecarlo

import (
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// onlyS holds what the draws of an OnlyS Engine share. With the outputs
// fixed, a draw's flows are the base flows plus the change of S times the
// base outputs, region by region:
//
//	E'[s; p, r] = E[s; p, r] + sum over j in J ∩ p of ΔS[s, j] x⁽ʳ⁾_j
//
// which is, for each producing region p and consumer r, one dot product
// over the selected sectors of p.
type onlyS struct {
	flows [][]float64 // base flows per extension, k×R×R' row-major
	xt    *mat.Dense  // base x⁽ʳ⁾ transposed, R'×n: each consumer's outputs contiguous
	spans []span      // the producing regions with selected sectors
	va    []float64   // value added per consumer, which S does not change
	fd    []float64   // final demand per consumer, likewise
	st    []float64   // S of all stressors transposed, n×k: a column's stressors side by side
	k     int         // stressors of all extensions
	// The entries a draw varies, in the order they take their factors
	// (column by column, a column's stressors in turn; zeros, and entries
	// whose own σ is 0, skipped): stressor, column and value of each, and
	// with per-entry sigmas the σ of each (nil for one σ for all).
	selS   []int32
	selJ   []int32
	selVal []float64
	selSig []float64
}

// span is the stretch of region p's sectors from the first selected one to
// the last, [lo, hi) as region-major indices.
type span struct{ p, lo, hi int }

func (e *Engine) newOnlyS() *onlyS {
	o := &onlyS{
		xt: mat.DenseCopyOf(e.x.T()),
		va: make([]float64, e.consumers),
		fd: make([]float64, e.consumers),
	}
	e.valueAdded(o.va, e.share, e.xva)
	colSumsInto(o.fd, e.yr)
	for _, x := range e.exts {
		o.k += len(x.Stressors)
	}
	o.st = make([]float64, e.n*o.k)
	k0 := 0
	for _, x := range e.exts {
		for s := range x.Stressors {
			for j, v := range x.S.RawRowView(s) {
				o.st[j*o.k+k0+s] = v
			}
		}
		k0 += len(x.Stressors)
	}
	rr := e.regions * e.consumers
	for _, x := range e.exts {
		f := make([]float64, len(x.Stressors)*rr)
		for s := range x.Stressors {
			flowsInto(f[s*rr:(s+1)*rr], x.S.RawRowView(s), e.x, e.m, e.consumers)
		}
		o.flows = append(o.flows, f)
	}
	for _, j := range e.cols {
		p := j / e.m
		if k := len(o.spans) - 1; k >= 0 && o.spans[k].p == p {
			o.spans[k].hi = j + 1
			continue
		}
		o.spans = append(o.spans, span{p: p, lo: j, hi: j + 1})
	}
	sig := e.sigmaST(o.k)
	for _, j := range e.cols {
		for k, v := range o.st[j*o.k : (j+1)*o.k] {
			if v == 0 || sig != nil && sig[j*o.k+k] == 0 {
				continue
			}
			o.selS = append(o.selS, int32(k))
			o.selJ = append(o.selJ, int32(j))
			o.selVal = append(o.selVal, v)
			if sig != nil {
				o.selSig = append(o.selSig, sig[j*o.k+k])
			}
		}
	}
	return o
}

// sigmaST returns the per-entry sigmas of S laid out as onlyS.st, n×k,
// or nil when S has one σ for all.
func (e *Engine) sigmaST(k int) []float64 {
	if e.mc.Sigma.PerS == nil {
		return nil
	}
	out := make([]float64, e.n*k)
	k0 := 0
	for x, ext := range e.exts {
		for s := range ext.Stressors {
			for j, v := range e.mc.Sigma.PerS[x].RawRowView(s)[:e.n] {
				out[j*k+k0+s] = v
			}
		}
		k0 += len(ext.Stressors)
	}
	return out
}

// fill sets fac to the factors of a draw's varied entries, from the
// draw's stream of S.
func (o *onlyS) fill(st Stream, sigma float64, fac []float64) {
	f := newFactors(st, "S", 0, sigma)
	if o.selSig != nil {
		f.fillAt(fac, o.selSig)
		return
	}
	f.fill(fac)
}

// On a system library with dgemm the draws go in batches instead
// (batched, drawBatch): the dot products become one product per span,
// which leaves the lognormal factors (a normal and an exp, ~8 ns per
// varied entry, half of a batched draw at n = 4900) as the bulk of the
// cost. Both paths draw a draw's factors at once (factors.fill) for the
// entries listed in selS, selJ and selVal.
//
// drawS computes a draw that varies S alone. sc.ds holds ΔS, zero outside
// the selected columns, which each draw overwrites.
func (e *Engine) drawS(st Stream, sc *scratch, out []float64) {
	o := e.onlyS
	rp := e.consumers
	va, fd := out[:rp], out[rp:2*rp]
	copy(va, o.va)
	copy(fd, o.fd)

	fac := sc.factors(len(o.selVal))
	o.fill(st, e.mc.Sigma.S, fac)
	for i, v := range o.selVal {
		sc.ds[o.selS[i]][o.selJ[i]] = v*fac[i] - v
	}

	// Base flows first, then the change, consumer by consumer, with every
	// stressor's dot product over the same stretch of x⁽ʳ⁾ in turn, so that
	// stretch is read from memory once per draw.
	rr := e.regions * rp
	flows := sc.flows[:0]
	for i, ext := range e.exts {
		for s := range ext.Stressors {
			f := e.block(i, s, out)[7*rp:]
			copy(f, o.flows[i][s*rr:(s+1)*rr])
			flows = append(flows, f)
		}
	}
	for _, sp := range o.spans {
		for r := range rp {
			x := o.xt.RawRowView(r)[sp.lo:sp.hi]
			for k, f := range flows {
				f[sp.p*rp+r] += floats.Dot(sc.ds[k][sp.lo:sp.hi], x)
			}
		}
	}
	for i, ext := range e.exts {
		for s := range ext.Stressors {
			e.regional(e.block(i, s, out), e.fy[i][s*rp:(s+1)*rp], va, fd)
		}
	}
}
