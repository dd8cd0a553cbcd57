package output_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/output"
)

// peakAllocator records the most bytes it had handed out at once.
type peakAllocator struct {
	memory.Allocator
	mu        sync.Mutex
	now, peak int
}

func (a *peakAllocator) add(d int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.now += d
	a.peak = max(a.peak, a.now)
}

func (a *peakAllocator) Allocate(size int) []byte {
	a.add(size)
	return a.Allocator.Allocate(size)
}

func (a *peakAllocator) Reallocate(size int, b []byte) []byte {
	a.add(size - len(b))
	return a.Allocator.Reallocate(size, b)
}

func (a *peakAllocator) Free(b []byte) {
	a.add(-len(b))
	a.Allocator.Free(b)
}

// TestLeontiefStreams writes the L of 6 regions of 100 sectors (360,000
// rows), whose columns an Inverse makes 64 at a time, in record batches of
// 4096 rows, and checks that the Arrow buffers never held more than a few
// batches' worth: the labels of all n² rows at once would take over 15 MB.
// Encode, which gathers the file in memory, gives the same bytes.
func TestLeontiefStreams(t *testing.T) {
	const regions, m = 6, 100
	const n = regions * m
	res := &accounts.Result{}
	for r := range regions {
		res.Regions = append(res.Regions, fmt.Sprintf("region%d", r))
	}
	for j := range m {
		res.Sectors = append(res.Sectors, fmt.Sprintf("sector%03d", j))
	}
	res.Inverse = accounts.InverseOfBlocks(n, func(yield func(*accounts.InverseBlock) error) error {
		for c0 := 0; c0 < n; c0 += 64 {
			w := min(64, n-c0)
			b := mat.NewDense(n, w, nil)
			for i := range n {
				for c := range w {
					b.Set(i, c, 1/float64(1+i+c0+c))
				}
			}
			if err := yield(&accounts.InverseBlock{First: c0, L: b}); err != nil {
				return err
			}
		}
		return nil
	})
	for _, f := range []output.Format{output.Arrow, output.Parquet} {
		t.Run(f.String(), func(t *testing.T) {
			mem := &peakAllocator{Allocator: memory.NewGoAllocator()}
			var file bytes.Buffer
			w, err := output.NewWriter(&file, output.Leontief, f, output.WithAllocator(mem), output.WithBatchRows(4096))
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(res, nil); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if w.Rows() != n*n {
				t.Errorf("%d rows, want %d", w.Rows(), n*n)
			}
			// One batch: four labels of up to 9 bytes with their offsets
			// and a float64, about 220 kB. Parquet keeps its row group's
			// pages besides.
			limit := 2 << 20
			if f == output.Parquet {
				limit = 8 << 20
			}
			t.Logf("%v: peak %.1f MB of Arrow buffers for %d rows", f, float64(mem.peak)/(1<<20), n*n)
			if mem.peak > limit {
				t.Errorf("peak %d bytes of Arrow buffers, want at most %d", mem.peak, limit)
			}
			// Encode gathers the file in pieces of 1 MB: the same bytes.
			data, rows, err := output.Encode(output.Leontief, f, res, nil, output.WithBatchRows(4096))
			if err != nil {
				t.Fatal(err)
			}
			if rows != n*n || !bytes.Equal(data, file.Bytes()) {
				t.Errorf("Encode gave %d bytes and %d rows; want the Writer's %d bytes and %d rows", len(data), rows, file.Len(), n*n)
			}
			if f == output.Arrow && len(data) < 2<<20 {
				t.Errorf("the Arrow file is %d bytes, too few to fill several pieces of 1 MB", len(data))
			}
		})
	}
}
