package formats

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestExiobaseGroups checks the group files shipped for EXIOBASE 3: every
// one of its 49 region codes in exactly one group, and no other code.
func TestExiobaseGroups(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "groups", "exiobase3-*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no group files: %v", err)
	}
	regions := exio3Regions()
	if len(regions) != 49 {
		t.Fatalf("%d EXIOBASE regions, want 49", len(regions))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var groups map[string][]string
			if err := yaml.Unmarshal(data, &groups); err != nil {
				t.Fatal(err)
			}
			in := map[string]string{}
			for g, members := range groups {
				if len(members) == 0 {
					t.Errorf("group %s is empty", g)
				}
				for _, r := range members {
					if !slices.Contains(regions, r) {
						t.Errorf("group %s: %q is not an EXIOBASE region", g, r)
					}
					if other, ok := in[r]; ok {
						t.Errorf("%s is in %s and in %s", r, other, g)
					}
					in[r] = g
				}
			}
			for _, r := range regions {
				if _, ok := in[r]; !ok {
					t.Errorf("%s is in no group", r)
				}
			}
		})
	}
}
