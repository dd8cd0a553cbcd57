package runner

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// sizeUnits are the units a size may carry, in any case: powers of 1000
// (k, kB, M, MB, ...) and of 1024 (Ki, KiB, Mi, MiB, ...). Bytes, never
// bits.
var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
	"ki": 1 << 10, "kib": 1 << 10, "mi": 1 << 20, "mib": 1 << 20,
	"gi": 1 << 30, "gib": 1 << 30, "ti": 1 << 40, "tib": 1 << 40,
}

// parseSize reads a number of bytes such as 20GB, 500MiB, 1.5 TB or
// 4096. It rejects a negative or missing number, an unknown unit and a
// size beyond an int64, and a size above 0 but below one byte (it would
// read as 0, no limit); a fraction of a byte is dropped.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	if num == "" {
		return 0, fmt.Errorf("%q: want a number of bytes such as 20GB or 500MiB", s)
	}
	x, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: %q is no number", s, num)
	}
	scale, ok := sizeUnits[unit]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q (want B, kB, MB, GB, TB, KiB, MiB, GiB or TiB)", s, t[i:])
	}
	if x*scale >= math.MaxInt64 {
		return 0, fmt.Errorf("%q: too large", s)
	}
	if x > 0 && x*scale < 1 {
		// 0 means no limit: a size that rounds down to it would lift the
		// limit it was meant to set.
		return 0, fmt.Errorf("%q: less than one byte", s)
	}
	return int64(x * scale), nil
}

// formatSize writes n bytes in the largest decimal unit that keeps a
// number of at least 1, to about three digits: 512 B, 20 GB, 1.5 TB.
func formatSize(n int64) string {
	x, unit := float64(n), "B"
	for _, u := range []string{"kB", "MB", "GB", "TB", "PB", "EB"} {
		if x < 1000 {
			break
		}
		x, unit = x/1000, u
	}
	prec := 2
	switch {
	case x >= 100:
		prec = 0
	case x >= 10:
		prec = 1
	}
	num := strconv.FormatFloat(x, 'f', prec, 64)
	if strings.Contains(num, ".") {
		num = strings.TrimRight(strings.TrimRight(num, "0"), ".")
	}
	return num + " " + unit
}

// sizeFlag is a flag.Value of a size in bytes (parseSize).
type sizeFlag struct{ p *int64 }

func (f sizeFlag) String() string {
	if f.p == nil || *f.p == 0 {
		return "0"
	}
	return formatSize(*f.p)
}

func (f sizeFlag) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	*f.p = n
	return nil
}
