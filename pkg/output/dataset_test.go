package output_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mrioflow/mrioflow/pkg/output"
)

// TestPartitionsReadAsOneDataset writes the regions of two (year, scenario)
// partitions under their keys and reads every file back as one dataset,
// taking year and scenario from the key, as a partitioned reader does.
func TestPartitionsReadAsOneDataset(t *testing.T) {
	parts := []struct {
		year, scenario string
		scale          float64
	}{
		{"2019", "base", 1},
		{"2020", "high growth/v2", 2}, // a slash stays inside its segment
	}
	for _, f := range []output.Format{output.Arrow, output.Parquet} {
		t.Run(f.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			files := map[string][]byte{} // a store, by key
			for _, p := range parts {
				res, groups := fixture(p.scale)
				data, _, err := output.Encode(output.Regions, f, res, groups,
					output.WithAllocator(mem),
					output.WithMetadata("year", p.year),
					output.WithMetadata("scenario", p.scenario))
				if err != nil {
					t.Fatal(err)
				}
				files[output.Key(p.year, p.scenario, output.Regions, f)] = data
			}

			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range files {
					if !yield(k) {
						return
					}
				}
			})
			want := []string{
				"year=2019/scenario=base/regions" + f.Ext(),
				"year=2020/scenario=high%20growth%2Fv2/regions" + f.Ext(),
			}
			if !slices.Equal(keys, want) {
				t.Fatalf("keys %q, want %q", keys, want)
			}

			total := 0
			for i, key := range keys {
				year, scenario, account, format, err := output.ParseKey(key)
				if err != nil {
					t.Fatal(err)
				}
				p := parts[i]
				if year != p.year || scenario != p.scenario || account != output.Regions || format != f {
					t.Errorf("ParseKey(%q) = %q %q %q %v", key, year, scenario, account, format)
				}
				tbl, err := output.ReadTable(files[key], format, output.WithAllocator(mem))
				if err != nil {
					t.Fatal(err)
				}
				md := tbl.Schema().Metadata()
				if y, _ := md.GetValue("year"); y != p.year {
					t.Errorf("%s: metadata year %q, want %q", key, y, p.year)
				}
				if s, _ := md.GetValue("scenario"); s != p.scenario {
					t.Errorf("%s: metadata scenario %q, want %q", key, s, p.scenario)
				}
				res, groups := fixture(p.scale)
				checkTable(t, output.Regions, tbl, res, groups)
				total += int(tbl.NumRows())
				tbl.Release()
			}
			if want := 2 * int(wantRows[output.Regions]); total != want {
				t.Errorf("dataset has %d rows, want %d", total, want)
			}
		})
	}
}

func TestKey(t *testing.T) {
	tests := []struct {
		year, scenario, account string
		format                  output.Format
		want                    string
	}{
		{"2019", "base", output.Flows, output.Arrow, "year=2019/scenario=base/flows.arrow"},
		{"2011", "tax=50%", output.GroupFlows, output.Parquet, "year=2011/scenario=tax=50%25/groups.parquet"},
		{"2011", "a/b c", output.FlowsBySector, output.Arrow, "year=2011/scenario=a%2Fb%20c/flows_by_sector.arrow"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			got := output.Key(tc.year, tc.scenario, tc.account, tc.format)
			if got != tc.want {
				t.Fatalf("Key = %q, want %q", got, tc.want)
			}
			y, s, a, f, err := output.ParseKey(got)
			if err != nil || y != tc.year || s != tc.scenario || a != tc.account || f != tc.format {
				t.Errorf("ParseKey(%q) = %q %q %q %v %v", got, y, s, a, f, err)
			}
		})
	}
}

func TestParseKeyErrors(t *testing.T) {
	tests := []struct{ key, want string }{
		{"regions.arrow", "not three segments"},
		{"year=1/scenario=x/y/regions.arrow", "not three segments"},
		{"yr=1/scenario=x/regions.arrow", "does not start with year="},
		{"year=1/scen=x/regions.arrow", "does not start with scenario="},
		{"year=%zz/scenario=x/regions.arrow", "year is not escaped correctly"},
		{"year=1/scenario=x/stocks.arrow", `unknown account "stocks"`},
		{"year=1/scenario=x/regions.csv", "does not end in .arrow or .parquet"},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			_, _, _, _, err := output.ParseKey(tc.key)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.key) {
				t.Errorf("error %v, want one quoting the key and containing %q", err, tc.want)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want output.Format
		err  bool
	}{
		{"", output.Arrow, false},
		{"arrow", output.Arrow, false},
		{"parquet", output.Parquet, false},
		{"feather", 0, true},
		{"Arrow", 0, true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.in), func(t *testing.T) {
			got, err := output.ParseFormat(tc.in)
			if (err != nil) != tc.err || (!tc.err && got != tc.want) {
				t.Errorf("ParseFormat(%q) = %v, %v", tc.in, got, err)
			}
			if tc.err {
				return
			}
			if again, err := output.ParseFormat(got.String()); err != nil || again != got {
				t.Errorf("ParseFormat(%q.String()) = %v, %v", got, again, err)
			}
		})
	}
}

func FuzzParseKey(f *testing.F) {
	for _, k := range []string{
		"year=2019/scenario=base/regions.arrow",
		"year=2011/scenario=a%2Fb%20c/flows_by_sector.parquet",
		"year=/scenario=/groups.arrow",
		"year=%zz/scenario=x/regions.arrow",
	} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		y, s, a, format, err := output.ParseKey(key)
		if err != nil {
			return
		}
		// What parses names a file Key writes, which parses the same.
		again := output.Key(y, s, a, format)
		y2, s2, a2, f2, err := output.ParseKey(again)
		if err != nil || y2 != y || s2 != s || a2 != a || f2 != format {
			t.Errorf("ParseKey(%q) -> Key %q -> %q %q %q %v %v", key, again, y2, s2, a2, f2, err)
		}
	})
}

func FuzzReadTable(f *testing.F) {
	res, groups := fixture(1)
	for _, account := range []string{output.Regions, output.GroupFlows} {
		for _, format := range []output.Format{output.Arrow, output.Parquet} {
			data, _, err := output.Encode(account, format, res, groups, output.WithBatchRows(4))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data, format == output.Parquet)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, parquet bool) {
		format := output.Arrow
		if parquet {
			format = output.Parquet
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		tbl, err := output.ReadTable(data, format, output.WithAllocator(mem))
		if err != nil {
			return
		}
		if err := output.CheckSchema(tbl.Schema()); err != nil {
			t.Errorf("ReadTable accepted a file CheckSchema rejects: %v", err)
		}
		tbl.Release()
		mem.AssertSize(t, 0)
	})
}
