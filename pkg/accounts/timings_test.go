package accounts

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestTimings(t *testing.T) {
	cases := []struct {
		name string
		flow bool
	}{
		{"flow form", true},
		{"coefficient form", false},
	}
	// Coefficients times the table's check in coefficient form.
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tab := randomTable(rand.New(rand.NewPCG(1, 9)), 3, 40, 0, 2, []int{2}, tc.flow)
			tm := Timings{Coefficients: time.Hour} // Compute must reset it
			start := time.Now()
			if _, err := Compute(tab, Options{Timings: &tm}); err != nil {
				t.Fatal(err)
			}
			total := time.Since(start)
			if tm.Coefficients <= 0 || tm.Coefficients >= time.Hour || tm.Factorize <= 0 || tm.Solve <= 0 || tm.Accounts <= 0 {
				t.Errorf("steps %+v: each must take some time, and no more than Compute", tm)
			}
			if sum := tm.Coefficients + tm.Factorize + tm.Solve + tm.Accounts; sum > total {
				t.Errorf("steps add up to %v, more than the %v Compute took", sum, total)
			}
		})
	}
}
