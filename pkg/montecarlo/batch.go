package montecarlo

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/openblas"
)

// batchRows is about how many rows (draws times stressors) one product of
// a batch of OnlyS draws has: enough for the library's kernels to run at
// speed, few enough that a worker's ΔS of a batch stays small.
const batchRows = 96

// batched holds what OnlyS draws on a system library share: the library,
// whose dgemm computes the change of the flows of a batch of draws at
// once, and the batch size.
//
// Batches are fixed by the draw numbers: batch b is the draws b·size, ...,
// (b+1)·size - 1, always computed as one product of that shape, with the
// rows of draws outside the asked range left zero. A row of a product
// depends only on its own values and the shape, so each draw is the same
// to the bit whichever worker, block or call computes it.
type batched struct {
	lib  *openblas.Lib
	size int
}

// newBatched returns the batching of an OnlyS Engine on a system library
// with dgemm; nil on any other backend, where draws go one at a time.
func (e *Engine) newBatched() *batched {
	if _, ok := e.opts.Backend.(*leontief.System); !ok {
		return nil
	}
	lib, err := openblas.Load()
	if err != nil || !lib.HasGemm() {
		return nil
	}
	return &batched{lib: lib, size: max(1, batchRows/max(1, e.onlyS.k))}
}

// batchScratch is one worker's memory for batches.
type batchScratch struct {
	ds    []float64   // size·k × n row-major: ΔS of draw i's stressor s in row i·k + s
	pos   []int32     // where in a draw's rows of ds each varied entry goes
	fac   []float64   // one draw's factors
	c     []float64   // size·k × R': one span's change of the flows
	flows [][]float64 // the flows of each stressor within one draw's values
}

func (e *Engine) newBatchScratch() *batchScratch {
	rows := e.batched.size * e.onlyS.k
	o := e.onlyS
	pos := make([]int32, len(o.selVal))
	for i := range pos {
		pos[i] = o.selS[i]*int32(e.n) + o.selJ[i]
	}
	return &batchScratch{
		ds:  make([]float64, rows*e.n),
		c:   make([]float64, rows*e.consumers),
		pos: pos,
		fac: make([]float64, len(pos)),
	}
}

// runBatches is Run for batched OnlyS draws: workers take whole batches.
func (e *Engine) runBatches(ctx context.Context, s *Samples, workers int) error {
	size := e.batched.size
	lo, hi := s.First/size, (s.First+s.Count+size-1)/size
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		mu      sync.Mutex
		failure error
	)
	next.Store(int64(lo))
	for range min(workers, hi-lo) {
		wg.Go(func() {
			sc := e.newBatchScratch()
			outs := make([][]float64, size)
			for {
				b := int(next.Add(1) - 1)
				if b >= hi {
					return
				}
				if err := ctx.Err(); err != nil {
					mu.Lock()
					failure = err
					mu.Unlock()
					next.Store(int64(hi))
					return
				}
				for i := range outs {
					outs[i] = nil
					if d := b*size + i; d >= s.First && d < s.First+s.Count {
						outs[i] = s.Draw(d)
					}
				}
				e.drawBatch(b, sc, outs)
			}
		})
	}
	wg.Wait()
	return failure
}

// drawBatch computes the draws of batch b whose values outs holds (nil for
// a draw not asked for), as drawS does one: base flows plus, span by span,
// ΔS times the base outputs, here one product per span for the batch.
func (e *Engine) drawBatch(b int, sc *batchScratch, outs [][]float64) {
	o, bt := e.onlyS, e.batched
	n, rp, k := e.n, e.consumers, o.k
	rr := e.regions * rp
	for i, out := range outs {
		rows := sc.ds[i*k*n : (i+1)*k*n]
		if out == nil {
			for s := range k {
				for _, sp := range o.spans {
					clear(rows[s*n+sp.lo : s*n+sp.hi])
				}
			}
			continue
		}
		copy(out[:rp], o.va)
		copy(out[rp:2*rp], o.fd)
		st := Stream{Seed: e.mc.Seed, Year: e.opts.Year, Scenario: e.opts.Scenario, Draw: b*bt.size + i}
		o.fill(st, e.mc.Sigma.S, sc.fac)
		for i, p := range sc.pos {
			v := o.selVal[i]
			rows[p] = v*sc.fac[i] - v
		}
		for x, ext := range e.exts {
			for s := range ext.Stressors {
				copy(e.block(x, s, out)[7*rp:], o.flows[x][s*rr:(s+1)*rr])
			}
		}
	}
	xm := e.x.RawMatrix()
	for _, sp := range o.spans {
		bt.lib.Gemm(len(outs)*k, rp, sp.hi-sp.lo, sc.ds[sp.lo:], n, xm.Data[sp.lo*xm.Stride:], xm.Stride, sc.c, rp)
		for i, out := range outs {
			if out == nil {
				continue
			}
			sc.flows = e.flowSlices(out, sc.flows[:0])
			for s, fl := range sc.flows {
				add := sc.c[(i*k+s)*rp : (i*k+s+1)*rp]
				acc := fl[sp.p*rp : (sp.p+1)*rp]
				for r, v := range add {
					acc[r] += v
				}
			}
		}
	}
	for _, out := range outs {
		if out == nil {
			continue
		}
		for x, ext := range e.exts {
			for s := range ext.Stressors {
				e.regional(e.block(x, s, out), e.fy[x][s*rp:(s+1)*rp], out[:rp], out[rp:2*rp])
			}
		}
	}
}

// flowSlices appends to dst the flows of every stressor within a draw's
// values, in the order of the extensions and their stressors.
func (e *Engine) flowSlices(out []float64, dst [][]float64) [][]float64 {
	for x, ext := range e.exts {
		for s := range ext.Stressors {
			dst = append(dst, e.block(x, s, out)[7*e.consumers:])
		}
	}
	return dst
}
