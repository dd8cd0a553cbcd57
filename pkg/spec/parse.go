package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The keys each level of a spec accepts; any other key is an error.
var (
	jobKeys        = []string{"job", "output", "output_format", "tables", "stressors", "accounts", "groups", "scenarios"}
	tableKeys      = []string{"year", "format", "path", "options"}
	scenarioKeys   = []string{"name", "shocks", "montecarlo"}
	shockKeys      = []string{"target", "region", "sector", "from_region", "from_sector", "scale"}
	montecarloKeys = []string{"draws", "seed", "sigma", "region", "sector", "per_draw"}
	sigmaKeys      = []string{TargetS, TargetY, TargetA}
	sigmaTableKeys = []string{"table"}
)

// Load reads, defaults and validates the job spec at path, as Parse does,
// with path as the name in errors and its folder as Job.Dir.
func Load(path string) (*Job, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	return Parse(data, path, filepath.Dir(path))
}

// Parse decodes a job spec from YAML, sets its defaults (SetDefaults) and
// validates it (Validate). name is the file name errors give; dir becomes
// Job.Dir, against which relative table paths resolve.
//
// It rejects keys it does not know, values of the wrong kind, empty lists
// (leave a key out for its default) and everything Validate rejects. The
// error joins every problem found; each is an *Error with the file, line
// and field.
func Parse(data []byte, name, dir string) (*Job, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Msg: "the job spec is empty"}
		}
		return nil, syntaxError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			line = 0
		}
		return nil, &Error{File: name, Line: line, Msg: "more than one YAML document; a job spec is one"}
	}

	d := &decoder{file: name, lines: map[string]int{}}
	j := d.job(doc.Content[0])
	if len(d.errs) > 0 {
		return nil, join(d.errs)
	}
	j.Dir = dir
	j.SetDefaults()
	errs := j.problems()
	for _, e := range errs {
		e.File, e.Line = name, d.line(e.Field)
	}
	if err := join(errs); err != nil {
		return nil, err
	}
	return j, nil
}

// syntaxError turns the YAML library's "yaml: line N: msg" into an *Error
// with that line.
func syntaxError(name string, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if l, convErr := strconv.Atoi(n); convErr == nil {
				line, msg = l, after
			}
		}
	}
	return &Error{File: name, Line: line, Msg: "YAML: " + msg}
}

// TablePath returns where table t of j lies: a relative path joined to
// j.Dir, an absolute path or a URL such as s3://bucket/key unchanged.
func (j *Job) TablePath(t Table) string { return j.resolve(t.Path) }

// resolve joins a relative path to j.Dir and keeps an absolute path or a
// URL.
func (j *Job) resolve(p string) string {
	if strings.Contains(p, "://") || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(j.Dir, p)
}

// decoder turns the YAML tree into a Job, recording the line of every field
// it meets and a problem for every node of the wrong kind.
type decoder struct {
	file  string
	lines map[string]int // field path -> line
	errs  []*Error
}

func (d *decoder) errorf(n *yaml.Node, field, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// line returns the line of field, or of the nearest enclosing field known.
func (d *decoder) line(field string) int {
	for {
		if l, ok := d.lines[field]; ok {
			return l
		}
		i := strings.LastIndexAny(field, ".[")
		if i < 0 {
			return d.lines[""]
		}
		field = field[:i]
	}
}

// at records where field is and follows an alias to what it names.
func (d *decoder) at(n *yaml.Node, field string) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if _, ok := d.lines[field]; !ok {
		d.lines[field] = n.Line
	}
	return n
}

// mapping calls each for every key of the mapping n, in order, after
// checking the key is one of keys (all keys when keys is nil) and new.
func (d *decoder) mapping(n *yaml.Node, field string, keys []string, each func(key string, v *yaml.Node)) {
	n = d.at(n, field)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, field, "want a mapping of keys to values, got %s", kind(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		sub := key
		if field != "" {
			sub = field + "." + key
		}
		switch {
		case k.Kind != yaml.ScalarNode:
			d.errorf(k, field, "a key must be a plain name, got %s", kind(k))
			continue
		case keys != nil && !slices.Contains(keys, key):
			d.errorf(k, field, "unknown key %q (known: %s)", key, list(keys))
			continue
		case seen[key]:
			d.errorf(k, field, "key %q is given twice", key)
			continue
		}
		seen[key] = true
		d.lines[sub] = k.Line
		each(key, v)
	}
}

// sequence calls each for every item of the non-empty sequence n.
func (d *decoder) sequence(n *yaml.Node, field string, each func(f string, item *yaml.Node)) {
	n = d.at(n, field)
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, field, "want a list, got %s", kind(n))
		return
	}
	if len(n.Content) == 0 {
		d.errorf(n, field, "empty list; leave the key out for the default")
		return
	}
	for i, item := range n.Content {
		f := fmt.Sprintf("%s[%d]", field, i)
		each(f, d.at(item, f))
	}
}

// str returns the scalar n as written. A null is "", left for validation
// to report where a value is required.
func (d *decoder) str(n *yaml.Node, field string) string {
	n = d.at(n, field)
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, field, "want a single value, got %s", kind(n))
		return ""
	}
	if n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

func (d *decoder) strs(n *yaml.Node, field string) []string {
	var out []string
	d.sequence(n, field, func(f string, item *yaml.Node) {
		out = append(out, d.str(item, f))
	})
	return out
}

// scalar decodes the scalar n into a T when its YAML tag is one of tags,
// and reports otherwise that it wants what want says.
func scalar[T any](d *decoder, n *yaml.Node, field, want string, tags ...string) T {
	n = d.at(n, field)
	var v T
	if n.Kind != yaml.ScalarNode || !slices.Contains(tags, n.Tag) || n.Decode(&v) != nil {
		d.errorf(n, field, "want %s, got %s", want, kind(n))
	}
	return v
}

func (d *decoder) number(n *yaml.Node, field string) float64 {
	return scalar[float64](d, n, field, "a number", "!!int", "!!float")
}

func (d *decoder) job(n *yaml.Node) *Job {
	d.lines[""] = n.Line
	j := &Job{}
	d.mapping(n, "", jobKeys, func(key string, v *yaml.Node) {
		switch key {
		case "job":
			j.Job = d.str(v, key)
		case "output":
			j.Output = d.str(v, key)
		case "output_format":
			j.OutputFormat = d.str(v, key)
			if j.OutputFormat == "" {
				d.errorf(v, key, "output_format is empty; leave it out for the default")
			}
		case "tables":
			d.sequence(v, key, func(f string, item *yaml.Node) {
				j.Tables = append(j.Tables, d.table(item, f))
			})
		case "stressors":
			j.Stressors = d.strs(v, key)
		case "accounts":
			j.Accounts = d.strs(v, key)
		case "groups":
			d.mapping(v, key, nil, func(name string, regions *yaml.Node) {
				f := key + "." + name
				j.Groups = append(j.Groups, Group{Name: name, Regions: d.strs(regions, f)})
			})
		case "scenarios":
			d.sequence(v, key, func(f string, item *yaml.Node) {
				j.Scenarios = append(j.Scenarios, d.scenario(item, f))
			})
		}
	})
	return j
}

func (d *decoder) table(n *yaml.Node, field string) Table {
	var t Table
	d.mapping(n, field, tableKeys, func(key string, v *yaml.Node) {
		f := field + "." + key
		switch key {
		case "year":
			t.Year = d.str(v, f)
		case "format":
			t.Format = d.str(v, f)
		case "path":
			t.Path = d.str(v, f)
		case "options":
			t.Options = map[string]string{}
			d.mapping(v, f, nil, func(name string, value *yaml.Node) {
				t.Options[name] = d.str(value, f+"."+name)
			})
		}
	})
	return t
}

func (d *decoder) scenario(n *yaml.Node, field string) Scenario {
	var s Scenario
	d.mapping(n, field, scenarioKeys, func(key string, v *yaml.Node) {
		f := field + "." + key
		switch key {
		case "name":
			s.Name = d.str(v, f)
		case "shocks":
			d.sequence(v, f, func(sf string, item *yaml.Node) {
				s.Shocks = append(s.Shocks, d.shock(item, sf))
			})
		case "montecarlo":
			s.MonteCarlo = d.montecarlo(v, f)
		}
	})
	return s
}

func (d *decoder) montecarlo(n *yaml.Node, field string) *MonteCarlo {
	mc := &MonteCarlo{}
	hasDraws, hasSigma := false, false
	d.mapping(n, field, montecarloKeys, func(key string, v *yaml.Node) {
		f := field + "." + key
		switch key {
		case "draws":
			mc.Draws, hasDraws = scalar[int](d, v, f, "a whole number", "!!int"), true
		case "seed":
			mc.Seed = scalar[uint64](d, v, f, fmt.Sprintf("a whole number from 0 to %d", uint64(math.MaxUint64)), "!!int")
		case "sigma":
			hasSigma = true
			d.mapping(v, f, sigmaKeys, func(target string, x *yaml.Node) {
				tf := f + "." + target
				num, table := &mc.Sigma.S, &mc.Sigma.Table.S
				switch target {
				case TargetY:
					num, table = &mc.Sigma.Y, &mc.Sigma.Table.Y
				case TargetA:
					num, table = &mc.Sigma.A, &mc.Sigma.Table.A
				}
				if d.at(x, tf).Kind == yaml.MappingNode {
					*table = d.sigmaTable(x, tf)
					return
				}
				*num = d.number(x, tf)
			})
		case "region":
			mc.Region = d.str(v, f)
		case "sector":
			mc.Sector = d.str(v, f)
		case "per_draw":
			mc.PerDraw = scalar[bool](d, v, f, "true or false", "!!bool")
		}
	})
	if d.at(n, field).Kind == yaml.MappingNode {
		// At the line of the montecarlo key, not of the mapping's first key.
		for _, miss := range []struct {
			key string
			has bool
		}{{"draws", hasDraws}, {"sigma", hasSigma}} {
			if !miss.has {
				d.errs = append(d.errs, &Error{File: d.file, Line: d.line(field), Field: field, Msg: miss.key + " is missing"})
			}
		}
	}
	return mc
}

// sigmaTable reads a target's {table: PATH}, whose path must not be
// empty.
func (d *decoder) sigmaTable(n *yaml.Node, field string) string {
	path, has := "", false
	d.mapping(n, field, sigmaTableKeys, func(_ string, v *yaml.Node) {
		path, has = d.str(v, field+".table"), true
	})
	if !has {
		d.errorf(n, field, "table is missing; write a number or {table: PATH}")
	} else if path == "" {
		d.errorf(n, field, "table is empty; write the path of a file of sigmas")
	}
	return path
}

func (d *decoder) shock(n *yaml.Node, field string) Shock {
	var s Shock
	hasScale := false
	d.mapping(n, field, shockKeys, func(key string, v *yaml.Node) {
		f := field + "." + key
		switch key {
		case "target":
			s.Target = d.str(v, f)
		case "region":
			s.Region = d.str(v, f)
		case "sector":
			s.Sector = d.str(v, f)
		case "from_region":
			s.FromRegion = d.str(v, f)
		case "from_sector":
			s.FromSector = d.str(v, f)
		case "scale":
			s.Scale, hasScale = d.number(v, f), true
		}
	})
	if !hasScale && n.Kind == yaml.MappingNode {
		d.errorf(n, field, "scale is missing")
	}
	return s
}

// kind describes a node for errors.
func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	default:
		return "an alias"
	}
}
