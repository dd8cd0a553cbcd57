package output

import (
	"fmt"
	"net/url"
	"strings"
)

// Format is the file format of an output file.
type Format int

// The formats. Arrow is the default.
const (
	// Arrow is the Arrow IPC file format ("Feather v2"), record batch
	// bodies compressed with zstd.
	Arrow Format = iota
	// Parquet is Apache Parquet, column chunks compressed with zstd.
	Parquet
)

// String returns "arrow" or "parquet", the names ParseFormat accepts.
func (f Format) String() string {
	switch f {
	case Arrow:
		return "arrow"
	case Parquet:
		return "parquet"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Ext returns the file name extension of the format, with its dot.
// It panics for a Format that is not Arrow or Parquet.
func (f Format) Ext() string {
	switch f {
	case Arrow:
		return ".arrow"
	case Parquet:
		return ".parquet"
	}
	panic(fmt.Sprintf("output: unknown format %d", int(f)))
}

// ParseFormat returns the format called s ("arrow" or "parquet"); the empty
// string means Arrow. Any other name is an error.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "", "arrow":
		return Arrow, nil
	case "parquet":
		return Parquet, nil
	}
	return 0, fmt.Errorf("output: unknown format %q (want arrow or parquet)", s)
}

// Key returns the slash-separated name of an output file within an output
// location, partitioned the way Hive, pyarrow.dataset and DuckDB read:
//
//	year=2019/scenario=base/regions.arrow
//
// Year and scenario are escaped as URL path segments, so a slash in a
// scenario name stays inside its segment. Key panics for an unknown account
// or format.
func Key(year, scenario, account string, f Format) string {
	if !IsAccount(account) {
		panic(fmt.Sprintf("output: unknown account %q", account))
	}
	return "year=" + url.PathEscape(year) +
		"/scenario=" + url.PathEscape(scenario) +
		"/" + account + f.Ext()
}

// ParseKey splits a key that Key wrote into its parts. A key of any other
// shape is an error that quotes it.
func ParseKey(key string) (year, scenario, account string, f Format, err error) {
	bad := func(why string) error {
		return fmt.Errorf("output: key %q: %s (want year=Y/scenario=S/ACCOUNT.EXT)", key, why)
	}
	parts := strings.Split(key, "/")
	if len(parts) != 3 {
		return "", "", "", 0, bad("not three segments")
	}
	values := make([]string, 2)
	for i, name := range []string{"year", "scenario"} {
		raw, ok := strings.CutPrefix(parts[i], name+"=")
		if !ok {
			return "", "", "", 0, bad("segment " + fmt.Sprint(i+1) + " does not start with " + name + "=")
		}
		v, err := url.PathUnescape(raw)
		if err != nil {
			return "", "", "", 0, bad(name + " is not escaped correctly")
		}
		values[i] = v
	}
	for _, f := range []Format{Arrow, Parquet} {
		if name, ok := strings.CutSuffix(parts[2], f.Ext()); ok {
			if !IsAccount(name) {
				return "", "", "", 0, bad("unknown account " + fmt.Sprintf("%q", name))
			}
			return values[0], values[1], name, f, nil
		}
	}
	return "", "", "", 0, bad("file name does not end in .arrow or .parquet")
}
