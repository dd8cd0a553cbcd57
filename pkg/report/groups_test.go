package report

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/spec"
)

func TestParseGroups(t *testing.T) {
	bri := spec.Groups{{Name: "BRI", Regions: []string{"CN", "RU"}}, {Name: "EU", Regions: []string{"DE", "FR"}}}
	cases := []struct {
		name    string
		in      string
		want    spec.Groups
		wantErr string
	}{
		{"yaml map keeps order", "BRI: [CN, RU]\nEU:\n  - DE\n  - FR\n", bri, ""},
		{"json map keeps order", `{"BRI": ["CN", "RU"], "EU": ["DE", "FR"]}`, bri, ""},
		{"list form", "- name: BRI\n  regions: [CN, RU]\n- name: EU\n  regions: [DE, FR]\n", bri, ""},
		{"empty group", "BRI: []\n", spec.Groups{{Name: "BRI", Regions: []string{}}}, ""},
		{"region twice", "BRI: [CN, RU]\nEU: [DE, CN]\n", nil, `line 2: region "CN" is in group "BRI" and in group "EU"`},
		{"group twice", "- name: A\n  regions: [x]\n- name: A\n  regions: [y]\n", nil, `line 3: group "A" comes twice`},
		{"no name", "- regions: [x]\n", nil, "line 1: want {name, regions}"},
		{"blank name", `{"": ["x"]}`, nil, "group without a name"},
		{"regions not a list", "BRI: CN\n", nil, `line 1: group "BRI": want a list of regions`},
		{"region not a string", "BRI: [[CN]]\n", nil, `group "BRI"`},
		{"scalar document", "just text\n", nil, "want {group: [regions]}"},
		{"empty document", "", nil, "empty document"},
		{"bad syntax", "BRI: [CN\n", nil, "report: groups:"},
		{"empty region name", `{"A": [""]}`, nil, `group "A": empty region name`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseGroups([]byte(c.in))
			if failed(t, err, c.wantErr) {
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func FuzzParseGroups(f *testing.F) {
	for _, s := range []string{"A: [x, y]\nB: [z]\n", `{"A": ["x"]}`, "- name: A\n  regions: [x]\n", "A: [x]\nB: [x]\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		gs, err := ParseGroups(data)
		if err != nil {
			return
		}
		// What parses keeps MATH.md 13: a region in at most one group.
		seen := map[string]bool{}
		for _, g := range gs {
			if strings.TrimSpace(g.Name) == "" {
				t.Fatalf("nameless group from %q", data)
			}
			for _, r := range g.Regions {
				if seen[r] || r == "" {
					t.Fatalf("region %q twice or empty from %q", r, data)
				}
				seen[r] = true
			}
		}
	})
}

func TestNewGrouping(t *testing.T) {
	regions := []string{"A", "B", "C"}
	g := newGrouping(spec.Groups{{Name: "G", Regions: []string{"A", "Z"}}}, regions)
	if !slices.Equal(g.names, []string{"G", otherGroup}) || g.of["A"] != "G" || g.of["B"] != otherGroup || g.byRegion {
		t.Errorf("grouping %+v", g)
	}
	g = newGrouping(nil, regions)
	if !g.byRegion || !slices.Equal(g.names, regions) || g.of["C"] != "C" {
		t.Errorf("by region: %+v", g)
	}
}

func TestLump(t *testing.T) {
	var names []string
	w := map[string]float64{}
	for i := range 10 {
		n := string(rune('a' + i))
		names = append(names, n)
		w[n] = float64(i)
	}
	w["a"] = -100 // large by size, whatever the sign
	w["b"] = math.NaN()
	kept, to := lump(names, w)
	want := []string{"a", "e", "f", "g", "h", "i", "j", "other (3)"}
	if !slices.Equal(kept, want) {
		t.Errorf("kept %q, want %q", kept, want)
	}
	if to["b"] != "other (3)" || to["a"] != "a" || !isLumped(to["c"]) {
		t.Errorf("mapping %v", to)
	}
	kept, _ = lump(names[:3], w)
	if !slices.Equal(kept, names[:3]) {
		t.Errorf("few names lumped: %q", kept)
	}
}
