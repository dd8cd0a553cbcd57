package report

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mrioflow/mrioflow/pkg/spec"
)

// otherGroup names the regions in no group.
const otherGroup = "other"

// maxSeries is the most series one chart colours apart; the smallest
// beyond it are drawn together as one.
const maxSeries = 8

// ParseGroups reads a region-to-group mapping, YAML or JSON, written
// either as {group: [regions]} (groups keep the order written) or as
// [{name: group, regions: [regions]}]. It returns an error naming the
// line when the text is neither, a group has no name or comes twice, or
// a region is in two groups (MATH.md 13: each region in at most one).
func ParseGroups(data []byte) (spec.Groups, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("report: groups: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("report: groups: empty document")
	}
	root := doc.Content[0]
	var gs spec.Groups
	var lines []int
	add := func(name, regions *yaml.Node) error {
		var g spec.Group
		if err := name.Decode(&g.Name); err != nil {
			return fmt.Errorf("line %d: group name: %w", name.Line, err)
		}
		if regions == nil || regions.Kind != yaml.SequenceNode {
			return fmt.Errorf("line %d: group %q: want a list of regions", name.Line, g.Name)
		}
		if err := regions.Decode(&g.Regions); err != nil {
			return fmt.Errorf("line %d: group %q: %w", regions.Line, g.Name, err)
		}
		gs = append(gs, g)
		lines = append(lines, name.Line)
		return nil
	}
	var err error
	switch root.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(root.Content) && err == nil; i += 2 {
			err = add(root.Content[i], root.Content[i+1])
		}
	case yaml.SequenceNode:
		for _, item := range root.Content {
			name, regions := field(item, "name"), field(item, "regions")
			if name == nil {
				err = fmt.Errorf("line %d: want {name, regions}", item.Line)
				break
			}
			if err = add(name, regions); err != nil {
				break
			}
		}
	default:
		err = fmt.Errorf("line %d: want {group: [regions]} or a list of {name, regions}", root.Line)
	}
	if err == nil {
		err = checkGroups(gs, lines)
	}
	if err != nil {
		return nil, fmt.Errorf("report: groups: %w", err)
	}
	return gs, nil
}

// field returns the value of key in a mapping node, or nil.
func field(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// checkGroups rejects nameless and repeated groups, empty region names
// and regions in two groups. lines[i] is where group i starts, or 0.
func checkGroups(gs spec.Groups, lines []int) error {
	at := func(i int) string {
		if i < len(lines) && lines[i] > 0 {
			return fmt.Sprintf("line %d: ", lines[i])
		}
		return ""
	}
	seen := make(map[string]bool)
	member := make(map[string]string)
	for i, g := range gs {
		if strings.TrimSpace(g.Name) == "" {
			return fmt.Errorf("%sgroup without a name", at(i))
		}
		if seen[g.Name] {
			return fmt.Errorf("%sgroup %q comes twice", at(i), g.Name)
		}
		seen[g.Name] = true
		for _, r := range g.Regions {
			if r == "" {
				return fmt.Errorf("%sgroup %q: empty region name", at(i), g.Name)
			}
			if other, dup := member[r]; dup {
				return fmt.Errorf("%sregion %q is in group %q and in group %q", at(i), r, other, g.Name)
			}
			member[r] = g.Name
		}
	}
	return nil
}

// grouping assigns every region of the data to one group.
type grouping struct {
	names []string          // in order, otherGroup last when used
	of    map[string]string // region -> group
	// byRegion is true when no mapping was given and every region is
	// its own group.
	byRegion bool
}

// newGrouping places regions into gs; regions in no group go to
// otherGroup. Without groups every region is its own group.
func newGrouping(gs spec.Groups, regions []string) grouping {
	g := grouping{of: make(map[string]string, len(regions))}
	if len(gs) == 0 {
		g.byRegion = true
		g.names = slices.Clone(regions)
		for _, r := range regions {
			g.of[r] = r
		}
		return g
	}
	for _, grp := range gs {
		g.names = append(g.names, grp.Name)
		for _, r := range grp.Regions {
			g.of[r] = grp.Name
		}
	}
	other := false
	for _, r := range regions {
		if _, ok := g.of[r]; !ok {
			g.of[r] = otherGroup
			other = true
		}
	}
	if other && !slices.Contains(g.names, otherGroup) {
		g.names = append(g.names, otherGroup)
	}
	return g
}

// lump keeps the maxSeries-1 names of largest weight, in their given
// order, and maps the rest to one name "other (n)". With maxSeries
// names or fewer every name maps to itself.
func lump(names []string, weight map[string]float64) (kept []string, to map[string]string) {
	to = make(map[string]string, len(names))
	for _, n := range names {
		to[n] = n
	}
	if len(names) <= maxSeries {
		return slices.Clone(names), to
	}
	ranked := slices.Clone(names)
	abs := func(n string) float64 {
		w := math.Abs(weight[n])
		if math.IsNaN(w) {
			return -1
		}
		return w
	}
	slices.SortStableFunc(ranked, func(a, b string) int { return cmp.Compare(abs(b), abs(a)) })
	top := make(map[string]bool)
	for _, n := range ranked[:maxSeries-1] {
		top[n] = true
	}
	rest := fmt.Sprintf("%s (%d)", otherGroup, len(names)-(maxSeries-1))
	for _, n := range names {
		if top[n] {
			kept = append(kept, n)
		} else {
			to[n] = rest
		}
	}
	return append(kept, rest), to
}
