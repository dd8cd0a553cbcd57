package runner_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/mrioflow/mrioflow/internal/testenv"
	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/formats"
	"github.com/mrioflow/mrioflow/pkg/leontief"
	"github.com/mrioflow/mrioflow/pkg/store"
	"github.com/mrioflow/mrioflow/pkg/synth"
)

// TestMeasureFactorsStored weighs the two ways a block task can get the
// LU of I - A: factorize again (what --blocks-per-year does) or fetch the
// factors that one task stored. For each order (synthetic tables of 100
// sectors per region) and backend it times one leontief.Factorize, and
// the round trip of the factors (n × n float64 and n int64 pivots, raw
// little-endian) through a local folder and through S3 (versitygw on
// 127.0.0.1): encode and Put, then Get and decode. It prints a table and
// runs only with MRIOFLOW_MEASURE_FACTORS=1; MRIOFLOW_MEASURE_N sets the
// orders (default 2000,4900).
//
// Put counts encoding, get decoding. The pivots are not exported by
// leontief, so zeros of the same size stand in for them: the measurement
// is of bytes moved, not of a restore.
//
// TODO(blocks): a store-once mode would need leontief to write and read an
// LU (factors, pivots, backend name, condition estimate) and the plan to
// make block tasks wait for the factorizing one; the README says why the
// blocks recompute instead.
func TestMeasureFactorsStored(t *testing.T) {
	if os.Getenv("MRIOFLOW_MEASURE_FACTORS") != "1" {
		t.Skip("set MRIOFLOW_MEASURE_FACTORS=1 to measure")
	}
	orders := []int{2000, 4900}
	if s := os.Getenv("MRIOFLOW_MEASURE_N"); s != "" {
		orders = nil
		for f := range strings.SplitSeq(s, ",") {
			n, err := strconv.Atoi(f)
			if err != nil || n <= 0 || n%100 != 0 {
				t.Fatalf("MRIOFLOW_MEASURE_N: %q is not a multiple of 100", f)
			}
			orders = append(orders, n)
		}
	}
	backends := []leontief.Backend{leontief.Native{}}
	if sys, err := leontief.LoadSystem(); err == nil {
		backends = append(backends, sys)
	} else {
		t.Logf("system LAPACK not measured: %v", err)
	}
	ctx := context.Background()
	local, err := store.Open(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stores := []struct {
		name string
		s    store.Store
	}{{"local", local}}
	s3 := testenv.StartS3(t)
	remote, err := store.Open(ctx, "s3://"+s3.Bucket+"/factors", store.Options{
		Endpoint: s3.Endpoint, Region: "us-east-1", AccessKey: s3.AccessKey, SecretKey: s3.SecretKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	stores = append(stores, struct {
		name string
		s    store.Store
	}{"s3", remote})

	fmt.Printf("%6s  %-8s  %9s  %7s  %-5s  %9s  %9s\n", "n", "backend", "factorize", "MB", "store", "put", "get")
	for _, n := range orders {
		dir := t.TempDir()
		if err := synth.Write(dir, synth.Options{Regions: n / 100, Sectors: 100, Stressors: 3, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		tab, err := formats.Open("pymrio", dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := accounts.Coefficients(tab); err != nil {
			t.Fatal(err)
		}
		for _, backend := range backends {
			a := mat.DenseCopyOf(tab.A)
			start := time.Now()
			if _, err := leontief.Factorize(a, leontief.WithBackend(backend)); err != nil {
				t.Fatal(err)
			}
			factorize := time.Since(start)
			name := "lapack"
			if _, native := backend.(leontief.Native); native {
				name = "gonum"
			}
			for _, st := range stores {
				key := fmt.Sprintf("lu-%d-%s", n, name)
				start = time.Now()
				data := encodeFactors(a, n)
				if err := st.s.Put(ctx, key, data); err != nil {
					t.Fatal(err)
				}
				put := time.Since(start)
				start = time.Now()
				back, err := st.s.Get(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				got := decodeFactors(t, back, n)
				get := time.Since(start)
				if !mat.Equal(got, a) {
					t.Fatalf("%s: the factors came back changed", st.name)
				}
				fmt.Printf("%6d  %-8s  %9s  %7.1f  %-5s  %9s  %9s\n", n, name, factorize.Round(time.Millisecond),
					float64(len(data))/1e6, st.name, put.Round(time.Millisecond), get.Round(time.Millisecond))
			}
		}
	}
}

// encodeFactors writes the n × n factors in a, row by row, and n zero
// pivots, little-endian.
func encodeFactors(a *mat.Dense, n int) []byte {
	buf := make([]byte, 0, 8*(n*n+n))
	for i := range n {
		for _, v := range a.RawRowView(i) {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
	}
	for range n {
		buf = binary.LittleEndian.AppendUint64(buf, 0)
	}
	return buf
}

// decodeFactors reads back what encodeFactors wrote, pivots dropped.
func decodeFactors(t *testing.T, data []byte, n int) *mat.Dense {
	t.Helper()
	if len(data) != 8*(n*n+n) {
		t.Fatalf("factors of %d bytes, want %d", len(data), 8*(n*n+n))
	}
	v := make([]float64, n*n)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	return mat.NewDense(n, n, v)
}
