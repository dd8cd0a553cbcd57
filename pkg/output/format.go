package output

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
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

// DrawKey returns the key of the file of one Monte Carlo draw, numbered
// from 0: Key's partitions with a third, the draw, before the file name:
//
//	year=2019/scenario=mc/draw=7/regions.arrow
//
// The draw is written in decimal without leading zeros, so Hive readers
// type it as an integer. DrawKey panics for a negative draw, an unknown
// account or format.
func DrawKey(year, scenario string, draw int, account string, f Format) string {
	if draw < 0 {
		panic(fmt.Sprintf("output: draw %d < 0", draw))
	}
	dir, file := path.Split(Key(year, scenario, account, f))
	return dir + "draw=" + strconv.Itoa(draw) + "/" + file
}

// ParseKey splits a key that Key wrote into its parts. A key of any other
// shape, a DrawKey's included, is an error that quotes it.
func ParseKey(key string) (year, scenario, account string, f Format, err error) {
	if strings.Count(key, "/") != 2 {
		return "", "", "", 0, keyError(key, "not three segments")
	}
	year, scenario, _, account, f, err = ParseDrawKey(key)
	return year, scenario, account, f, err
}

// ParseDrawKey splits a key that Key or DrawKey wrote into its parts; draw
// is -1 for a key without a draw. A key of any other shape is an error
// that quotes it.
func ParseDrawKey(key string) (year, scenario string, draw int, account string, f Format, err error) {
	fail := func(why string) (string, string, int, string, Format, error) {
		return "", "", 0, "", 0, keyError(key, why)
	}
	parts := strings.Split(key, "/")
	draw = -1
	switch len(parts) {
	case 3:
	case 4:
		raw, ok := strings.CutPrefix(parts[2], "draw=")
		if !ok {
			return fail("segment 3 does not start with draw=")
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || strconv.Itoa(n) != raw {
			return fail("draw " + strconv.Quote(raw) + " is not a number without sign or leading zeros")
		}
		draw = n
		parts = append(parts[:2], parts[3])
	default:
		return fail("not three or four segments")
	}
	values := make([]string, 2)
	for i, name := range []string{"year", "scenario"} {
		raw, ok := strings.CutPrefix(parts[i], name+"=")
		if !ok {
			return fail("segment " + fmt.Sprint(i+1) + " does not start with " + name + "=")
		}
		v, err := url.PathUnescape(raw)
		if err != nil {
			return fail(name + " is not escaped correctly")
		}
		values[i] = v
	}
	for _, f := range []Format{Arrow, Parquet} {
		if name, ok := strings.CutSuffix(parts[2], f.Ext()); ok {
			if !IsAccount(name) {
				return fail("unknown account " + fmt.Sprintf("%q", name))
			}
			return values[0], values[1], draw, name, f, nil
		}
	}
	return fail("file name does not end in .arrow or .parquet")
}

// keyError is the error of a key that is not of Key's or DrawKey's shape.
func keyError(key, why string) error {
	return fmt.Errorf("output: key %q: %s (want year=Y/scenario=S/ACCOUNT.EXT or year=Y/scenario=S/draw=K/ACCOUNT.EXT)", key, why)
}
