package formats_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/formats"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// TestFormatsAgreeWithSpec keeps the format names a spec accepts equal to
// the readers registered here: package spec cannot import this one.
func TestFormatsAgreeWithSpec(t *testing.T) {
	if got, want := formats.Formats(), spec.Formats(); !slices.Equal(got, want) {
		t.Errorf("formats.Formats() = %v, spec.Formats() = %v", got, want)
	}
}

// TestExamples reads the tables of every example job and checks every
// stressor, region and sector pattern the job names against them.
func TestExamples(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "examples", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			job, err := spec.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, tb := range job.Tables {
				tab, err := formats.Open(tb.Format, job.TablePath(tb), tb.Options)
				if err != nil {
					t.Fatal(err)
				}
				if err := tab.SelectStressors(job.Stressors); err != nil {
					t.Error(err)
				}
				for _, g := range job.Groups {
					for _, r := range g.Regions {
						if _, ok := tab.ConsumerIndex(r); !ok {
							t.Errorf("year %s: group %s: no region %q", tb.Year, g.Name, r)
						}
					}
				}
				for _, sc := range job.Scenarios {
					for _, sh := range sc.Shocks {
						for _, r := range []string{sh.Region, sh.FromRegion} {
							if _, ok := tab.ConsumerIndex(r); r != "" && !ok {
								t.Errorf("year %s, scenario %s: no region %q", tb.Year, sc.Name, r)
							}
						}
						for _, glob := range []string{sh.Sector, sh.FromSector} {
							if _, err := tab.MatchSectors(glob); glob != "" && err != nil {
								t.Errorf("year %s, scenario %s: %v", tb.Year, sc.Name, err)
							}
						}
					}
				}
			}
		})
	}
}
