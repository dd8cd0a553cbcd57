package report

import (
	"cmp"
	"context"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Source reads the objects of an output tree by key. Keys use forward
// slashes whatever the storage; a local folder and an S3 bucket both fit.
type Source interface {
	// Get returns the whole object stored under key. Build only asks
	// for keys that List returned, so any error fails the report.
	Get(ctx context.Context, key string) ([]byte, error)
	// List returns the keys of every object under prefix, at any depth,
	// as keys that Get accepts, in any order.
	List(ctx context.Context, prefix string) ([]string, error)
}

// The account files the report knows, by base name without extension.
const (
	accRegions     = "regions"
	accFlows       = "flows"
	accFootprints  = "footprints"
	accMultipliers = "multipliers"
	accGroups      = "groups"
	accSummary     = "summary"
)

// part names one (year, scenario) partition of the output tree.
type part struct{ year, scenario string }

func (p part) String() string { return "year " + p.year + ", scenario " + p.scenario }

// tree is what a listing of a job's folder holds.
type tree struct {
	prefix   string                     // the job's folder; "" for the root
	manifest string                     // key of manifest.json; "" when absent
	files    map[part]map[string]string // account -> object key
	other    []string                   // keys the report does not use
}

// scanTree sorts the keys under prefix (the job folder, "" for the
// root) into partitions and account files. A key that fits no known
// shape goes to other.
func scanTree(prefix string, keys []string) *tree {
	t := &tree{prefix: prefix, files: make(map[part]map[string]string)}
	slices.Sort(keys)
	for _, key := range keys {
		rel := key
		if prefix != "" {
			rel = strings.TrimPrefix(key, prefix+"/")
			if rel == key {
				t.other = append(t.other, key)
				continue
			}
		}
		if rel == "manifest.json" {
			t.manifest = key
			continue
		}
		p, acc, ok := parseKey(rel)
		if !ok {
			t.other = append(t.other, key)
			continue
		}
		if t.files[p] == nil {
			t.files[p] = make(map[string]string)
		}
		// An Arrow file wins over a Parquet file of the same account.
		if old, dup := t.files[p][acc]; !dup || path.Ext(old) == ".parquet" {
			t.files[p][acc] = key
		}
	}
	return t
}

// rel returns key relative to the job's folder.
func (t *tree) rel(key string) string {
	if t.prefix == "" {
		return key
	}
	return strings.TrimPrefix(key, t.prefix+"/")
}

// parseKey splits "year=Y/scenario=S/account.ext".
func parseKey(rel string) (part, string, bool) {
	segs := strings.Split(rel, "/")
	if len(segs) != 3 {
		return part{}, "", false
	}
	year, ok1 := hiveValue(segs[0], "year")
	scen, ok2 := hiveValue(segs[1], "scenario")
	ext := path.Ext(segs[2])
	if !ok1 || !ok2 || (ext != ".arrow" && ext != ".parquet") {
		return part{}, "", false
	}
	return part{year, scen}, strings.TrimSuffix(segs[2], ext), true
}

// hiveValue returns v from "name=v", unescaping %XX as Hive paths do.
func hiveValue(seg, name string) (string, bool) {
	v, ok := strings.CutPrefix(seg, name+"=")
	if !ok || v == "" {
		return "", false
	}
	if u, err := url.PathUnescape(v); err == nil {
		v = u
	}
	return v, true
}

// sortYears orders years numerically when every one is an integer and
// as text otherwise, so that "2010" follows "2009" and "995" precedes
// "2000".
func sortYears(years []string) {
	numeric := true
	for _, y := range years {
		if _, err := strconv.Atoi(y); err != nil {
			numeric = false
			break
		}
	}
	slices.SortFunc(years, func(a, b string) int {
		if numeric {
			x, _ := strconv.Atoi(a)
			y, _ := strconv.Atoi(b)
			return cmp.Compare(x, y)
		}
		return strings.Compare(a, b)
	})
}

// yearValues returns the years as numbers for a time axis, or nil when
// some year is not a number.
func yearValues(years []string) []float64 {
	xs := make([]float64, len(years))
	for i, y := range years {
		v, err := strconv.ParseFloat(y, 64)
		if err != nil {
			return nil
		}
		xs[i] = v
	}
	return xs
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
