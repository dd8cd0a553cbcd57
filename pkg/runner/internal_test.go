package runner

import (
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/table"
)

func TestResidual(t *testing.T) {
	tests := []struct {
		name     string
		v        float64
		want     float64
		wantWarn bool
	}{
		{"below the limit", 1e-12, 1e-12, false},
		{"at the limit", 1e-6, 1e-6, false},
		{"above", 0.1, 0.1, true},
		{"NaN", math.NaN(), -1, true},
		{"infinite", math.Inf(1), -1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, w := residual(tt.v, 1e-6)
			if got != tt.want || (w != nil) != tt.wantWarn {
				t.Fatalf("residual(%v) = %v, warning %+v; want %v, warning %v", tt.v, got, w, tt.want, tt.wantWarn)
			}
			if w != nil && (w.Kind != plan.LargeResidual || w.Message == "") {
				t.Errorf("warning %+v", w)
			}
		})
	}
}

func TestCache(t *testing.T) {
	loaded := map[string]*atomic.Int32{"a": {}, "b": {}, "c": {}}
	load := func(key string) func() (*prepared, error) {
		return func() (*prepared, error) {
			loaded[key].Add(1)
			return &prepared{t: &table.Table{Source: key}}, nil
		}
	}
	c := &cache{max: 2}

	// Overlapping gets of one key share one load.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if p, err := c.get("a", load("a")); err != nil || p.t.Source != "a" {
				t.Errorf("get a: %v, %v", p, err)
			}
		})
	}
	wg.Wait()
	c.get("b", load("b"))
	c.get("a", load("a")) // a is now the most recent
	c.get("c", load("c")) // evicts b
	c.get("a", load("a"))
	c.get("b", load("b"))
	for key, want := range map[string]int32{"a": 1, "b": 2, "c": 1} {
		if got := loaded[key].Load(); got != want {
			t.Errorf("%s loaded %d times, want %d", key, got, want)
		}
	}

	// A failed load is not kept.
	fails := 0
	bad := func() (*prepared, error) { fails++; return nil, errors.New("unreadable") }
	c.get("d", bad)
	c.get("d", bad)
	if fails != 2 {
		t.Errorf("failed load tried %d times, want 2", fails)
	}

	// put keeps a table unless the key is there; a cache of size 0 keeps
	// nothing.
	c.put("e", &prepared{t: &table.Table{Source: "e1"}})
	c.put("e", &prepared{t: &table.Table{Source: "e2"}})
	if p, _ := c.get("e", load("a")); p.t.Source != "e1" {
		t.Errorf("put: got %s, want e1", p.t.Source)
	}
	none := &cache{}
	none.put("a", &prepared{})
	none.get("a", load("a"))
	none.get("a", load("a"))
	if got := loaded["a"].Load(); got != 3 {
		t.Errorf("a cache of size 0: %d loads in all, want 3", got)
	}
}
