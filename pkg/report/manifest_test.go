package report

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/spec"
)

func TestParseManifest(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		check    func(t *testing.T, m *manifest)
		wantErr  bool
		restKeys []string
	}{
		{
			name: "full",
			in: `{"version": {"mrioflow": "1.2.0"}, "spec": {"job": "j", "tables": [{"year": 2015, "format": "exiobase3", "path": "x"}],
				"accounts": ["regions"], "scenarios": [{"name": "base"}, "alt"], "groups": [{"name": "G", "regions": ["A"]}]},
				"warnings": ["w1", {"message": "zero output", "region": "R", "amount": 2.5}],
				"failures": [{"task": "j/year=2015/scenario=alt", "error": "boom"}], "timings": {"total": 3}}`,
			check: func(t *testing.T, m *manifest) {
				if m.job != "j" || m.version != `{"mrioflow":"1.2.0"}` {
					t.Errorf("job %q version %q", m.job, m.version)
				}
				if !reflect.DeepEqual(m.tables, []TableInfo{{"2015", "exiobase3", "x"}}) {
					t.Errorf("tables %+v", m.tables)
				}
				if !slices.Equal(m.scenarios, []string{"base", "alt"}) || !slices.Equal(m.accounts, []string{"regions"}) {
					t.Errorf("scenarios %q accounts %q", m.scenarios, m.accounts)
				}
				if !reflect.DeepEqual(m.groups, spec.Groups{{Name: "G", Regions: []string{"A"}}}) {
					t.Errorf("groups %+v", m.groups)
				}
				if !slices.Equal(m.warnings, []string{"w1", "zero output (amount=2.5, region=R)"}) {
					t.Errorf("warnings %q", m.warnings)
				}
				want := Failure{Task: "j/year=2015/scenario=alt", Year: "2015", Scenario: "alt", Error: "boom"}
				if len(m.failures) != 1 || m.failures[0] != want {
					t.Errorf("failures %+v", m.failures)
				}
				if f, ok := m.failed(part{"2015", "alt"}); !ok || f.Error != "boom" {
					t.Errorf("failed(2015, alt) = %+v, %v", f, ok)
				}
				if _, ok := m.failed(part{"2015", "base"}); ok {
					t.Error("failed(2015, base) is true")
				}
				if m.requested(accFlows) || !m.requested(accRegions) {
					t.Error("requested does not follow the spec's accounts")
				}
			},
			restKeys: []string{"spec", "timings"},
		},
		{
			name: "failures as a map and warnings by kind",
			in:   `{"failures": {"year=2011/scenario=s": "lost", "t2": {"year": "2012", "err": "x"}}, "warnings": {"balance": ["b1"], "zero": "z"}}`,
			check: func(t *testing.T, m *manifest) {
				want := []Failure{{Task: "t2", Year: "2012", Error: "x"}, {Task: "year=2011/scenario=s", Year: "2011", Scenario: "s", Error: "lost"}}
				if !reflect.DeepEqual(m.failures, want) {
					t.Errorf("failures %+v", m.failures)
				}
				if _, ok := m.failed(part{"2012", "any"}); !ok {
					t.Error("a failure without a scenario does not cover the year")
				}
				if !slices.Equal(m.warnings, []string{"balance: b1"}) {
					t.Errorf("warnings %q", m.warnings)
				}
				if !m.requested(accFlows) {
					t.Error("no accounts in the spec must mean all")
				}
			},
		},
		{
			name: "groups as a map",
			in:   `{"spec": {"groups": {"B": ["y"], "A": ["x"]}}}`,
			check: func(t *testing.T, m *manifest) {
				want := spec.Groups{{Name: "A", Regions: []string{"x"}}, {Name: "B", Regions: []string{"y"}}}
				if !reflect.DeepEqual(m.groups, want) {
					t.Errorf("groups %+v", m.groups)
				}
			},
			restKeys: []string{"spec"},
		},
		{name: "not JSON", in: `{"version": `, wantErr: true},
		{name: "not an object", in: `[1, 2]`, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := parseManifest([]byte(c.in))
			if c.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.check != nil {
				c.check(t, m)
			}
			var keys []string
			for _, e := range m.rest {
				keys = append(keys, e.Key)
			}
			if !slices.Equal(keys, c.restKeys) {
				t.Errorf("shown as is: %q, want %q", keys, c.restKeys)
			}
		})
	}
}

func TestManifestEntry(t *testing.T) {
	m, err := parseManifest([]byte(`{"outputs": [` + strings.Repeat(`"k",`, 50) + `"k"], "deep": {"a": {"b": {"c": {"d": 1}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Entry{}
	for _, e := range m.rest {
		got[e.Key] = e
	}
	if out := got["outputs"].Text; !strings.HasSuffix(out, "… and 11 more") {
		t.Errorf("a long list is not cut: %q", out)
	}
	deep := got["deep"].Items[0].Items[0].Items[0]
	if deep.Key != "c" || deep.Text != `{"d":1}` {
		t.Errorf("deep entry %+v, want c written as JSON", deep)
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"spec": {"tables": [{"year": 1}]}, "failures": [{"task": "year=1/scenario=b"}], "warnings": [{}]}`))
	f.Add([]byte(`{"failures": {"a": 1}, "warnings": 3, "spec": {"groups": [1, {"name": 2}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseManifest(data)
		if err != nil {
			return
		}
		for _, fl := range m.failures {
			m.failed(part{fl.Year, fl.Scenario})
		}
	})
}
