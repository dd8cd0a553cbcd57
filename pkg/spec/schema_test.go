package spec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// root is the repository root, seen from this package's folder.
var root = filepath.Join("..", "..")

// schemaNode is the part of a JSON Schema these tests read.
type schemaNode struct {
	Properties map[string]*schemaNode `json:"properties"`
	Required   []string               `json:"required"`
	Defs       map[string]*schemaNode `json:"$defs"`
	Enum       []string               `json:"enum"`
	Items      *schemaNode            `json:"items"`
	Ref        string                 `json:"$ref"`
	Schema     string                 `json:"$schema"`
}

func readSchema(t *testing.T) *schemaNode {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "schemas", "job.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) {
		t.Fatal("schemas/job.schema.json is not valid JSON")
	}
	var s schemaNode
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

func sortedKeys(m map[string]*schemaNode) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// TestSchemaMatchesParser checks that the schema names exactly the keys
// Parse accepts, at every level (the Monte Carlo scenario and its sigma
// too), and the same names for formats, accounts,
// output formats and shock targets.
func TestSchemaMatchesParser(t *testing.T) {
	s := readSchema(t)
	if s.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %q, want draft 2020-12", s.Schema)
	}
	levels := []struct {
		name   string
		schema *schemaNode
		keys   []string
	}{
		{"job", s, jobKeys},
		{"table", s.Defs["table"], tableKeys},
		{"scenario", s.Defs["scenario"], scenarioKeys},
		{"shock", s.Defs["shock"], shockKeys},
		{"montecarlo", s.Defs["montecarlo"], montecarloKeys},
		{"sigma", s.Defs["sigma"], sigmaKeys},
	}
	for _, l := range levels {
		if l.schema == nil {
			t.Errorf("the schema has no %s", l.name)
			continue
		}
		if got, want := sortedKeys(l.schema.Properties), sorted(l.keys); !slices.Equal(got, want) {
			t.Errorf("%s: schema properties %v, parser keys %v", l.name, got, want)
		}
		for _, r := range l.schema.Required {
			if !slices.Contains(l.keys, r) {
				t.Errorf("%s: required %q is not a key the parser accepts", l.name, r)
			}
		}
	}
	enums := []struct {
		name string
		got  []string
		want []string
	}{
		{"format", s.Defs["table"].Properties["format"].Enum, Formats()},
		{"accounts", s.Properties["accounts"].Items.Enum, knownAccounts},
		{"output_format", s.Properties["output_format"].Enum, knownOutputs},
		{"target", s.Defs["shock"].Properties["target"].Enum, knownTargets},
	}
	for _, e := range enums {
		if !slices.Equal(sorted(e.got), sorted(e.want)) {
			t.Errorf("%s: schema enum %v, parser %v", e.name, e.got, e.want)
		}
	}
}

// TestExamples loads every example job. Whether its tables exist and agree
// with it is checked in package formats.
func TestExamples(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(root, "examples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 2 {
		t.Fatalf("found %d examples, want at least 2", len(paths))
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			j, err := Load(p)
			if err != nil {
				t.Fatal(err)
			}
			if j.Dir != filepath.Dir(p) {
				t.Errorf("Dir = %q, want %q", j.Dir, filepath.Dir(p))
			}
			for _, tab := range j.Tables {
				if _, err := os.Stat(j.TablePath(tab)); err != nil {
					t.Errorf("table %s: %v", tab.Year, err)
				}
			}
		})
	}
}
