package formats

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/table"
)

func init() {
	Register(Format{Name: "exiobase3", Options: []string{"region_codes"}, Read: readExiobase3})
}

// The values of the exiobase3 reader's option region_codes.
const (
	exio3Strict = "strict" // the default: every file in one convention
	exio3Rename = "rename" // rename ISO codes wherever they appear
)

// exio3Codes maps the ISO 3166 three-letter codes that some EXIOBASE 3
// files write to EXIOBASE's own two-letter region codes (rest-of-world
// regions WA, WE, WF, WL, WM included), which the rest of the files and
// pymrio use. "ROM" is the code these files give Romania.
var exio3Codes = map[string]string{
	"AUS": "AU", "AUT": "AT", "BEL": "BE", "BGR": "BG", "BRA": "BR", "CAN": "CA", "CHE": "CH",
	"CHN": "CN", "CYP": "CY", "CZE": "CZ", "DEU": "DE", "DNK": "DK", "ESP": "ES", "EST": "EE",
	"FIN": "FI", "FRA": "FR", "GBR": "GB", "GRC": "GR", "HRV": "HR", "HUN": "HU", "IDN": "ID",
	"IND": "IN", "IRL": "IE", "ITA": "IT", "JPN": "JP", "KOR": "KR", "LTU": "LT", "LUX": "LU",
	"LVA": "LV", "MEX": "MX", "MLT": "MT", "NLD": "NL", "NOR": "NO", "POL": "PL", "PRT": "PT",
	"ROM": "RO", "RUS": "RU", "SVK": "SK", "SVN": "SI", "SWE": "SE", "TUR": "TR", "TWN": "TW",
	"USA": "US", "ZAF": "ZA", "WWA": "WA", "WWE": "WE", "WWF": "WF", "WWL": "WL", "WWM": "WM",
}

// exio3TwoLetter is the set of EXIOBASE's two-letter codes.
var exio3TwoLetter = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range exio3Codes {
		m[v] = true
	}
	return m
}()

// readExiobase3 reads an EXIOBASE 3 download, ixi or pxp, as the zip
// archive it comes in or unpacked: pymrio's save_all layout with the
// variations of the releases (see the package documentation).
func readExiobase3(p string, opts map[string]string) (*table.Table, error) {
	mode := opts["region_codes"]
	switch mode {
	case "":
		mode = exio3Strict
	case exio3Strict, exio3Rename:
	default:
		return nil, fmt.Errorf("formats: exiobase3: option region_codes is %q; want %s or %s", mode, exio3Strict, exio3Rename)
	}
	codes := &regionCodes{strict: mode == exio3Strict}
	r := &pymrioReader{fyKeys: []string{"F_Y", "F_hh"}, fix: codes.fix}
	t, err := readSaveAll(p, r)
	if err != nil {
		return nil, err
	}
	if len(codes.renamed) > 0 {
		files := make([]string, len(codes.renamed))
		for i, f := range codes.renamed {
			files[i] = r.src.rel(f)
		}
		t.Notes = append(t.Notes, fmt.Sprintf("regions renamed from ISO three-letter codes to EXIOBASE's two-letter codes, as pymrio does, in %s",
			strings.Join(files, ", ")))
	}
	return t, nil
}

// regionCodes checks that every file of a table writes its regions in one
// convention, ISO three-letter or EXIOBASE two-letter codes, and renames
// the first into the second.
type regionCodes struct {
	strict bool

	// The convention of the first file that showed one, and that file.
	iso   bool
	first string

	renamed []string // the files renamed
}

// Which label level holds regions: the first index column of the product
// files, and the first header row of every file with two.
var exio3RegionRows = []string{"Z", "A", "Y", "x", "L"}

func (c *regionCodes) fix(key string, f *frame) error {
	var cells []*string
	if slices.Contains(exio3RegionRows, key) {
		for _, p := range f.rowParts {
			cells = append(cells, &p[0])
		}
	}
	if len(f.colParts) > 0 && len(f.colParts[0]) == 2 {
		for _, p := range f.colParts {
			cells = append(cells, &p[0])
		}
	}
	var iso, two []string
	for _, s := range cells {
		switch {
		case exio3Codes[*s] != "":
			iso = append(iso, *s)
		case exio3TwoLetter[*s]:
			two = append(two, *s)
		}
	}
	iso, two = firstSeen(iso), firstSeen(two)
	if len(iso) == 0 {
		if len(two) > 0 && c.first == "" {
			c.first = f.file
		}
		if len(two) > 0 && c.iso && c.strict {
			return c.mixed(f.file, two, c.first)
		}
		return nil
	}
	if c.strict {
		if len(two) > 0 {
			return fileError(f.file, ErrLabel, "regions in two conventions: ISO three-letter codes (%s) and EXIOBASE's two-letter codes (%s)",
				example(iso), example(two))
		}
		if c.first != "" && !c.iso {
			return c.mixed(f.file, iso, c.first)
		}
	}
	if c.first == "" {
		c.first, c.iso = f.file, true
	}
	for _, s := range cells {
		if v := exio3Codes[*s]; v != "" {
			*s = v
		}
	}
	c.renamed = append(c.renamed, f.file)
	return nil
}

// mixed reports a file whose region codes are not those of the first.
func (c *regionCodes) mixed(file string, codes []string, first string) error {
	this, that := "EXIOBASE's two-letter codes", "ISO three-letter codes"
	if !c.iso {
		this, that = that, this
	}
	return fileError(file, ErrLabel, "regions in %s (%s), but %s writes %s; the option region_codes: %s renames the ISO codes wherever they are",
		this, example(codes), first, that, exio3Rename)
}

// example lists the first few of codes.
func example(codes []string) string {
	if len(codes) > 4 {
		return strings.Join(codes[:4], ", ") + ", ..."
	}
	return strings.Join(codes, ", ")
}

// exio3Regions returns EXIOBASE 3's 49 region codes, sorted.
func exio3Regions() []string { return slices.Sorted(maps.Keys(exio3TwoLetter)) }
