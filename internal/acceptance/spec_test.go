package acceptance

import (
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

// exampleSpec is the part of a job spec the tests need to know what the
// outputs should hold: the groups, in order, and each scenario's shocks.
type exampleSpec struct {
	Groups    yaml.Node `yaml:"groups"`
	Scenarios []struct {
		Name   string  `yaml:"name"`
		Shocks []shock `yaml:"shocks"`
	} `yaml:"scenarios"`
}

// readSpec reads the job file at path.
func readSpec(t testing.TB, path string) *exampleSpec {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s exampleSpec
	if err := yaml.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(s.Scenarios) == 0 {
		t.Fatalf("%s: no scenarios", path)
	}
	return &s
}

// groupOf maps each region that the spec puts in a group to the group.
func (s *exampleSpec) groupOf(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	n := s.Groups.Content
	for i := 0; i+1 < len(n); i += 2 {
		var regions []string
		if err := n[i+1].Decode(&regions); err != nil {
			t.Fatal(err)
		}
		for _, r := range regions {
			out[r] = n[i].Value
		}
	}
	return out
}

// shocks returns the shocks of the scenario called name.
func (s *exampleSpec) shocks(t testing.TB, name string) []shock {
	t.Helper()
	for _, sc := range s.Scenarios {
		if sc.Name == name {
			return sc.Shocks
		}
	}
	t.Fatalf("no scenario %q in the spec", name)
	return nil
}
