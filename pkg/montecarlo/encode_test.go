package montecarlo

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"
)

func TestSamplesRoundTrip(t *testing.T) {
	mc := mcOf(0.3, 0, 0, "", "")
	e, err := New(testTable(2, 2, 4, false), mc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.Run(context.Background(), 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	data, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Samples
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if got.First != 3 || got.Count != 4 || len(got.Labels) != len(s.Labels) || len(got.Values) != len(s.Values) {
		t.Fatalf("decoded draws [%d, +%d) of %d labels, %d values", got.First, got.Count, len(got.Labels), len(got.Values))
	}
	nulls := 0
	for i, v := range s.Values {
		if math.Float64bits(got.Values[i]) != math.Float64bits(v) {
			t.Fatalf("value %d: %v, want %v", i, got.Values[i], v)
		}
		if math.IsNaN(v) {
			nulls++
		}
	}
	if nulls == 0 {
		t.Error("no null among the values: the test does not show that nulls survive")
	}
	for i, l := range s.Labels {
		if got.Labels[i] != l {
			t.Fatalf("label %d: %+v, want %+v", i, got.Labels[i], l)
		}
	}
}

func TestUnmarshalErrors(t *testing.T) {
	good, _ := (&Samples{Labels: []Label{{Account: Flows}}, First: 1, Count: 2, Values: []float64{1, 2}}).MarshalBinary()
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"other header", append([]byte("x"), good...)},
		{"short", good[:len(samplesMagic)+10]},
		{"value missing", good[:len(good)-8]},
		{"value too many", append(append([]byte(nil), good...), make([]byte, 8)...)},
		{"labels not JSON", bytes.Replace(good, []byte(`[{`), []byte(`[[`), 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Samples{First: 9}
			err := s.UnmarshalBinary(tc.data)
			if !errors.Is(err, ErrSamples) {
				t.Errorf("err = %v, want ErrSamples", err)
			}
			if s.First != 9 {
				t.Error("samples changed after an error")
			}
		})
	}
}

func FuzzUnmarshalSamples(f *testing.F) {
	good, _ := (&Samples{Labels: []Label{{Account: Flows, Region: "a"}}, First: 1, Count: 2, Values: []float64{1, math.NaN()}}).MarshalBinary()
	f.Add(good)
	f.Add([]byte(samplesMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Samples
		if err := s.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrSamples) {
				t.Fatalf("error %v does not wrap ErrSamples", err)
			}
			return
		}
		if len(s.Values) != s.Count*len(s.Labels) {
			t.Fatalf("%d values for %d draws of %d labels", len(s.Values), s.Count, len(s.Labels))
		}
		again, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Samples
		if err := back.UnmarshalBinary(again); err != nil || back.Count != s.Count || back.First != s.First {
			t.Fatalf("round trip: %v", err)
		}
	})
}
