package output_test

import (
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/output"
)

func TestDrawKey(t *testing.T) {
	tests := []struct {
		name, year, scenario string
		draw                 int
		account              string
		format               output.Format
		want                 string
	}{
		{"first draw", "2019", "mc", 0, output.Regions, output.Arrow, "year=2019/scenario=mc/draw=0/regions.arrow"},
		{"escaped scenario", "2011", "a/b c", 12, output.Flows, output.Parquet, "year=2011/scenario=a%2Fb%20c/draw=12/flows.parquet"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := output.DrawKey(tc.year, tc.scenario, tc.draw, tc.account, tc.format)
			if got != tc.want {
				t.Fatalf("DrawKey = %q, want %q", got, tc.want)
			}
			y, s, d, a, f, err := output.ParseDrawKey(got)
			if err != nil || y != tc.year || s != tc.scenario || d != tc.draw || a != tc.account || f != tc.format {
				t.Errorf("ParseDrawKey(%q) = %q %q %d %q %v %v", got, y, s, d, a, f, err)
			}
			// ParseKey keeps to keys without a draw.
			if _, _, _, _, err := output.ParseKey(got); err == nil || !strings.Contains(err.Error(), "not three segments") {
				t.Errorf("ParseKey(%q) error %v, want not three segments", got, err)
			}
		})
	}
}

func TestParseDrawKeyWithoutDraw(t *testing.T) {
	key := output.Key("2019", "base", output.Regions, output.Parquet)
	y, s, d, a, f, err := output.ParseDrawKey(key)
	if err != nil || y != "2019" || s != "base" || d != -1 || a != output.Regions || f != output.Parquet {
		t.Errorf("ParseDrawKey(%q) = %q %q %d %q %v %v, want draw -1", key, y, s, d, a, f, err)
	}
}

func TestParseDrawKeyErrors(t *testing.T) {
	tests := []struct{ key, want string }{
		{"regions.arrow", "not three or four segments"},
		{"year=1/scenario=x/draw=1/y/regions.arrow", "not three or four segments"},
		{"year=1/scenario=x/d=1/regions.arrow", "segment 3 does not start with draw="},
		{"year=1/scenario=x/draw=/regions.arrow", `draw ""`},
		{"year=1/scenario=x/draw=-1/regions.arrow", `draw "-1"`},
		{"year=1/scenario=x/draw=01/regions.arrow", `draw "01"`},
		{"year=1/scenario=x/draw=+1/regions.arrow", `draw "+1"`},
		{"year=1/scenario=x/draw=1e3/regions.arrow", `draw "1e3"`},
		{"yr=1/scenario=x/draw=1/regions.arrow", "does not start with year="},
		{"year=1/scenario=x/draw=1/stocks.arrow", `unknown account "stocks"`},
		{"year=1/scenario=x/draw=1/regions.csv", "does not end in .arrow or .parquet"},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			_, _, _, _, _, err := output.ParseDrawKey(tc.key)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.key) {
				t.Errorf("error %v, want one quoting the key and containing %q", err, tc.want)
			}
		})
	}
}

func TestDrawKeyNegativePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("DrawKey(-1) did not panic")
		}
	}()
	output.DrawKey("2019", "mc", -1, output.Regions, output.Arrow)
}

func FuzzParseDrawKey(f *testing.F) {
	for _, k := range []string{
		"year=2019/scenario=mc/draw=0/regions.arrow",
		"year=2011/scenario=a%2Fb%20c/draw=31/flows.parquet",
		"year=2019/scenario=base/regions.arrow",
		"year=1/scenario=x/draw=007/regions.arrow",
	} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		y, s, d, a, format, err := output.ParseDrawKey(key)
		if err != nil {
			return
		}
		// What parses names a file Key or DrawKey writes, which parses the same.
		again := output.Key(y, s, a, format)
		if d >= 0 {
			again = output.DrawKey(y, s, d, a, format)
		}
		y2, s2, d2, a2, f2, err := output.ParseDrawKey(again)
		if err != nil || y2 != y || s2 != s || d2 != d || a2 != a || f2 != format {
			t.Errorf("ParseDrawKey(%q) -> %q -> %q %q %d %q %v %v", key, again, y2, s2, d2, a2, f2, err)
		}
	})
}
