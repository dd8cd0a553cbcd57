package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/spec"
)

// Failure is one failed task the manifest lists.
type Failure struct {
	Task, Year, Scenario, Error string
}

// TableInfo is one input table the manifest's spec names.
type TableInfo struct {
	Year, Format, Path string
}

// Entry is one manifest field the report shows as it is: a key with
// either a text or nested entries.
type Entry struct {
	Key   string
	Text  string
	Items []Entry
}

// manifest is the lenient reading of manifest.json: every field is
// optional and of any shape; what fits is used, the rest is shown.
type manifest struct {
	job, version string
	tables       []TableInfo
	accounts     []string // nil when the spec does not say
	scenarios    []string
	// monteCarlo names the spec's scenarios with a montecarlo field.
	monteCarlo []string
	groups     spec.Groups
	warnings   []string
	failures   []Failure
	outputs    []string // keys of the output files, relative to the job's folder
	// sha256 holds the hex sha256 the manifest lists for each output key.
	sha256 map[string][]string
	rest   []Entry // fields shown as they are
}

// Manifest fields read into the header rather than shown raw.
var manifestKnown = []string{"version", "warnings", "failures"}

// parseManifest reads manifest.json. Only malformed JSON is an error.
func parseManifest(data []byte) (*manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	m := &manifest{version: jsonText(raw["version"])}
	if sp, ok := raw["spec"].(map[string]any); ok {
		m.job = jsonText(sp["job"])
		for _, t := range list(sp["tables"]) {
			if t, ok := t.(map[string]any); ok {
				m.tables = append(m.tables, TableInfo{jsonText(t["year"]), jsonText(t["format"]), jsonText(t["path"])})
			}
		}
		if acc, ok := sp["accounts"].([]any); ok {
			m.accounts = jsonTexts(acc)
		}
		for _, sc := range list(sp["scenarios"]) {
			mc := false
			if obj, ok := sc.(map[string]any); ok {
				sc, mc = obj["name"], obj["montecarlo"] != nil
			}
			m.scenarios = append(m.scenarios, jsonText(sc))
			if mc {
				m.monteCarlo = append(m.monteCarlo, jsonText(sc))
			}
		}
		m.groups = manifestGroups(sp["groups"])
	}
	if m.job == "" {
		m.job = jsonText(raw["job"])
	}
	m.warnings = warningTexts(raw["warnings"])
	m.failures = failureList(raw["failures"])
	for _, o := range list(raw["outputs"]) {
		key, sum := jsonText(o), ""
		if o, ok := o.(map[string]any); ok {
			key, sum = jsonText(o["key"]), jsonText(o["sha256"])
		}
		// Keys may start with the job's folder, which may have been
		// renamed since: keep year=/scenario=/file.
		segs := strings.Split(key, "/")
		if len(segs) < 3 {
			continue
		}
		key = strings.Join(segs[len(segs)-3:], "/")
		m.outputs = append(m.outputs, key)
		if sum != "" {
			if m.sha256 == nil {
				m.sha256 = make(map[string][]string)
			}
			m.sha256[key] = append(m.sha256[key], sum)
		}
	}
	for _, k := range sortedKeys(raw) {
		if !slices.Contains(manifestKnown, k) {
			m.rest = append(m.rest, entry(k, raw[k], 0))
		}
	}
	return m, nil
}

// failed returns the failure of the task that wrote p, if any.
func (m *manifest) failed(p part) (Failure, bool) {
	if m == nil {
		return Failure{}, false
	}
	for _, f := range m.failures {
		if f.Year == p.year && (f.Scenario == p.scenario || f.Scenario == "") {
			return f, true
		}
	}
	return Failure{}, false
}

// sums returns the sha256 sums the manifest lists for key, relative to
// the job's folder; nil when it lists none.
func (m *manifest) sums(key string) []string {
	if m == nil {
		return nil
	}
	return m.sha256[key]
}

// lists reports whether the manifest lists an output file of acc in p.
func (m *manifest) lists(p part, acc string) bool {
	if m == nil {
		return false
	}
	for _, k := range m.outputs {
		if q, a, ok := parseKey(k); ok && q == p && a == acc {
			return true
		}
	}
	return false
}

// missing returns the output files the manifest lists that t lacks.
func (m *manifest) missing(t *tree) []string {
	if m == nil {
		return nil
	}
	var out []string
	for _, k := range m.outputs {
		if p, acc, ok := parseKey(k); ok && t.files[p][acc] == "" {
			out = append(out, k)
		}
	}
	return out
}

// requested reports whether the spec asked for the account; true when
// the spec does not list accounts.
func (m *manifest) requested(acc string) bool {
	return m == nil || m.accounts == nil || slices.Contains(m.accounts, acc)
}

var (
	yearInTask     = regexp.MustCompile(`year=([^/\s,]+)`)
	scenarioInTask = regexp.MustCompile(`scenario=([^/\s,]+)`)
)

func failureList(v any) []Failure {
	var out []Failure
	add := func(task string, f map[string]any) {
		fl := Failure{Task: task, Year: jsonText(f["year"]), Scenario: jsonText(f["scenario"])}
		if fl.Task == "" {
			fl.Task = jsonText(f["task"])
		}
		for _, k := range []string{"error", "err", "message", "reason"} {
			if fl.Error = jsonText(f[k]); fl.Error != "" {
				break
			}
		}
		if m := yearInTask.FindStringSubmatch(fl.Task); fl.Year == "" && m != nil {
			fl.Year = m[1]
		}
		if m := scenarioInTask.FindStringSubmatch(fl.Task); fl.Scenario == "" && m != nil {
			fl.Scenario = m[1]
		}
		out = append(out, fl)
	}
	switch v := v.(type) {
	case []any:
		for _, f := range v {
			if f, ok := f.(map[string]any); ok {
				add("", f)
			} else {
				add(jsonText(f), nil)
			}
		}
	case map[string]any:
		for _, k := range sortedKeys(v) {
			if f, ok := v[k].(map[string]any); ok {
				add(k, f)
			} else {
				add(k, map[string]any{"error": v[k]})
			}
		}
	}
	return out
}

// warningTexts flattens a list of warnings, or a map from kind to
// warnings, into one line each.
func warningTexts(v any) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, w := range v {
			out = append(out, oneLine(w))
		}
	case map[string]any:
		for _, k := range sortedKeys(v) {
			for _, w := range list(v[k]) {
				out = append(out, k+": "+oneLine(w))
			}
		}
	case nil:
	default:
		out = append(out, oneLine(v))
	}
	return out
}

// oneLine writes a warning: an object's message first, then its other
// fields as key=value in key order.
func oneLine(v any) string {
	obj, ok := v.(map[string]any)
	if !ok {
		return jsonText(v)
	}
	var msg string
	var fields []string
	for _, k := range sortedKeys(obj) {
		if msg == "" && (k == "message" || k == "msg" || k == "warning") {
			msg = jsonText(obj[k])
			continue
		}
		fields = append(fields, k+"="+jsonText(obj[k]))
	}
	switch {
	case msg == "":
		return strings.Join(fields, ", ")
	case len(fields) == 0:
		return msg
	}
	return msg + " (" + strings.Join(fields, ", ") + ")"
}

// manifestGroups reads groups written as {group: [regions]} or as
// [{name, regions}].
func manifestGroups(v any) spec.Groups {
	var gs spec.Groups
	switch v := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(v) {
			gs = append(gs, spec.Group{Name: k, Regions: jsonTexts(list(v[k]))})
		}
	case []any:
		for _, g := range v {
			if g, ok := g.(map[string]any); ok {
				gs = append(gs, spec.Group{Name: jsonText(g["name"]), Regions: jsonTexts(list(g["regions"]))})
			}
		}
	}
	return gs
}

// entry turns a JSON value into a shown entry; below depth 3 a value is
// written as compact JSON.
func entry(key string, v any, depth int) Entry {
	const maxDepth, maxText = 3, 4000
	e := Entry{Key: key}
	switch v := v.(type) {
	case map[string]any:
		if depth < maxDepth {
			for _, k := range sortedKeys(v) {
				e.Items = append(e.Items, entry(k, v[k], depth+1))
			}
			return e
		}
	case []any:
		if allScalar(v) {
			const maxItems = 40
			e.Text = strings.Join(jsonTexts(v[:min(len(v), maxItems)]), ", ")
			if len(v) > maxItems {
				e.Text += fmt.Sprintf(" … and %d more", len(v)-maxItems)
			}
			return e
		}
		if depth < maxDepth {
			for i, x := range v {
				e.Items = append(e.Items, entry(fmt.Sprint(i+1), x, depth+1))
			}
			return e
		}
	default:
		e.Text = jsonText(v)
		return e
	}
	b, _ := json.Marshal(v)
	e.Text = string(b)
	if len(e.Text) > maxText {
		e.Text = e.Text[:maxText] + " …"
	}
	return e
}

func allScalar(v []any) bool {
	for _, x := range v {
		switch x.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

// jsonText writes a scalar JSON value; "" for null or a missing field.
func jsonText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool, float64:
		return fmt.Sprint(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonTexts(v []any) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = jsonText(x)
	}
	return out
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
