package report

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/net/html"

	"github.com/mrioflow/mrioflow/pkg/spec"
)

// page is what a test reads back from the HTML.
type parsedPage struct {
	figures map[string]*parsedFigure
	order   []string
	notes   []string // the header's "what is missing" items
	leftOut []string // the figures left out, and why
	text    string   // all visible text
}

type parsedFigure struct {
	title  string
	note   string
	svg    *html.Node
	header []string
	rows   [][]parsedCell
}

type parsedCell struct {
	text, exact string
	num, null   bool
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, c string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), c)
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func element(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == name }
}

func parsePage(t *testing.T, b []byte) *parsedPage {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parsing the HTML: %v", err)
	}
	pg := &parsedPage{figures: map[string]*parsedFigure{}, text: textOf(doc)}
	for _, sec := range find(doc, func(n *html.Node) bool { return element("section")(n) && attr(n, "id") == "missing" }) {
		for _, li := range find(sec, element("li")) {
			pg.notes = append(pg.notes, textOf(li))
		}
	}
	for _, ul := range find(doc, func(n *html.Node) bool { return element("ul")(n) && hasClass(n, "left-out") }) {
		for _, li := range find(ul, element("li")) {
			pg.leftOut = append(pg.leftOut, textOf(li))
		}
	}
	for _, sec := range find(doc, func(n *html.Node) bool { return element("section")(n) && hasClass(n, "figure") }) {
		f := &parsedFigure{}
		id := attr(sec, "id")
		if _, dup := pg.figures[id]; dup {
			t.Errorf("figure id %q appears twice", id)
		}
		pg.figures[id] = f
		pg.order = append(pg.order, id)
		if h := find(sec, element("h2")); len(h) > 0 {
			f.title = textOf(h[0])
		}
		if ns := find(sec, func(n *html.Node) bool { return hasClass(n, "missing") }); len(ns) > 0 {
			f.note = textOf(ns[0])
		}
		if svgs := find(sec, element("svg")); len(svgs) > 0 {
			f.svg = svgs[0]
		}
		for _, tbl := range find(sec, element("table")) {
			for _, th := range find(tbl, func(n *html.Node) bool { return element("th")(n) && n.Parent.Parent.Data == "thead" }) {
				f.header = append(f.header, textOf(th))
			}
			for _, tr := range find(tbl, func(n *html.Node) bool { return element("tr")(n) && n.Parent.Data == "tbody" }) {
				var row []parsedCell
				for c := tr.FirstChild; c != nil; c = c.NextSibling {
					if c.Type != html.ElementNode {
						continue
					}
					row = append(row, parsedCell{text: textOf(c), exact: attr(c, "data-value"),
						num: hasClass(c, "num"), null: hasClass(c, "null")})
				}
				f.rows = append(f.rows, row)
			}
		}
	}
	return pg
}

// expRow is a table row a test expects: its labels, then its numbers
// (NaN for a null).
type expRow struct {
	labels []string
	vals   []float64
}

// checkTable compares a parsed table with the expected rows: labels
// exactly, numbers both by their exact value and by their shown text.
func checkTable(t *testing.T, id string, f *parsedFigure, want []expRow) {
	t.Helper()
	if f == nil {
		t.Errorf("%s: figure missing", id)
		return
	}
	if len(f.rows) != len(want) {
		t.Errorf("%s: %d table rows, want %d", id, len(f.rows), len(want))
		return
	}
	scale := 0.0
	for _, w := range want {
		for _, v := range w.vals {
			if !math.IsNaN(v) {
				scale = math.Max(scale, math.Abs(v))
			}
		}
	}
	for i, w := range want {
		got := f.rows[i]
		if len(got) != len(w.labels)+len(w.vals) {
			t.Errorf("%s row %d: %d cells, want %d", id, i, len(got), len(w.labels)+len(w.vals))
			continue
		}
		for j, l := range w.labels {
			if got[j].text != l {
				t.Errorf("%s row %d cell %d: label %q, want %q", id, i, j, got[j].text, l)
			}
		}
		for j, v := range w.vals {
			c := got[len(w.labels)+j]
			if math.IsNaN(v) {
				if !c.null || c.text != nullText || c.exact != "" {
					t.Errorf("%s row %d (%v) cell %d: %q (null %v), want a null shown as %q", id, i, w.labels, j, c.text, c.null, nullText)
				}
				continue
			}
			exact, err := strconv.ParseFloat(c.exact, 64)
			if err != nil {
				t.Errorf("%s row %d (%v) cell %d: data-value %q: %v", id, i, w.labels, j, c.exact, err)
				continue
			}
			if d := math.Abs(exact - v); d > 1e-12*math.Max(math.Abs(v), scale) {
				t.Errorf("%s row %d (%v) cell %d: value %v, want %v (difference %g)", id, i, w.labels, j, exact, v, d)
			}
			shown, err := strconv.ParseFloat(c.text, 64)
			if err != nil {
				t.Errorf("%s row %d (%v) cell %d: text %q: %v", id, i, w.labels, j, c.text, err)
				continue
			}
			if d := math.Abs(shown - v); d > 5e-6*math.Abs(v)+1e-300 {
				t.Errorf("%s row %d (%v) cell %d: shown %q, want %v (difference %g)", id, i, w.labels, j, c.text, v, d)
			}
		}
	}
}

// failed reports whether the case wanted an error, and fails the test
// when err is not the one wanted (none when want is empty).
func failed(t *testing.T, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
	return true
}

// checkSVG asserts the figure has a drawn chart: many shapes and text.
func checkSVG(t *testing.T, id string, f *parsedFigure) {
	t.Helper()
	if f == nil || f.svg == nil {
		t.Errorf("%s: no <svg>", id)
		return
	}
	paths := len(find(f.svg, element("path")))
	texts := len(find(f.svg, element("text")))
	if paths < 8 || texts < 4 {
		t.Errorf("%s: the SVG has %d paths and %d texts, want at least 8 and 4", id, paths, texts)
	}
	if f.note != "" {
		t.Errorf("%s: drawn figure has a note %q", id, f.note)
	}
}

func buildFixture(t *testing.T, fx *fixture, opts Options) (*Report, []byte) {
	t.Helper()
	root := t.TempDir()
	if err := fx.write(root); err != nil {
		t.Fatalf("writing the fixture: %v", err)
	}
	if opts.Job == "" {
		opts.Job = fx.job
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	rep, err := build(context.Background(), dirSource{root}, opts, mem)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	mem.AssertSize(t, 0)
	var buf bytes.Buffer
	if err := rep.WriteHTML(&buf); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return rep, buf.Bytes()
}

// Expected tables, recomputed from the fixture's formulas.

func (fx *fixture) wantProdCons(s Stressor, p part) []expRow {
	var rows []expRow
	for _, r := range fx.consumers {
		row := fx.regionRow(s, p, r)
		rows = append(rows, expRow{[]string{r}, []float64{row[colProduction], row[colConsumption]}})
	}
	return rows
}

func (fx *fixture) wantNetExports(s Stressor, p part) []expRow {
	var rows []expRow
	for _, r := range fx.consumers {
		row := fx.regionRow(s, p, r)
		rows = append(rows, expRow{[]string{r}, []float64{row[colExports], row[colImports], row[colNetExports]}})
	}
	slices.SortStableFunc(rows, func(a, b expRow) int {
		x, y := a.vals[2], b.vals[2]
		if math.IsNaN(x) || math.IsNaN(y) {
			return cmp.Compare(btoi(math.IsNaN(x)), btoi(math.IsNaN(y)))
		}
		return cmp.Compare(y, x)
	})
	return rows
}

func (fx *fixture) wantFlowMatrix(s Stressor, p part) []expRow {
	var rows []expRow
	for _, q := range fx.producers {
		var vals []float64
		for _, r := range fx.consumers {
			vals = append(vals, fx.flow(s, p, q, r))
		}
		rows = append(rows, expRow{[]string{q}, vals})
	}
	return rows
}

func (fx *fixture) wantGroupFlows(s Stressor, p part) []expRow {
	gf := fx.groupFlows(s, p)
	slices.SortStableFunc(gf, func(a, b groupFlow) int { return cmp.Compare(b.value, a.value) })
	var rows []expRow
	rest, n := 0.0, 0
	for _, g := range gf {
		if len(rows) < maxRibbons && g.value > 0 {
			rows = append(rows, expRow{[]string{g.from, g.to}, []float64{g.value, 100 * g.share}})
		} else {
			rest += g.value
			n++
		}
	}
	if n > 0 {
		rows = append(rows, expRow{[]string{"the other " + strconv.Itoa(n) + " pairs", ""}, []float64{rest, math.NaN()}})
	}
	return rows
}

func (fx *fixture) wantShares(s Stressor, p part, groupOf func(string) string, groups []string) []expRow {
	var rows []expRow
	for _, q := range fx.producers {
		total := 0.0
		part := map[string]float64{}
		for _, r := range fx.consumers {
			v := fx.flow(s, p, q, r)
			total += v
			part[groupOf(r)] += v
		}
		var vals []float64
		for _, g := range groups {
			vals = append(vals, 100*part[g]/total)
		}
		rows = append(rows, expRow{[]string{q}, append(vals, total)})
	}
	return rows
}

func (fx *fixture) wantIntensities(s Stressor, p part) []expRow {
	var rows []expRow
	for _, r := range fx.consumers {
		row := fx.regionRow(s, p, r)
		rows = append(rows, expRow{[]string{r}, []float64{row[colProduction], row[colValueAdded], row[colProdIntens],
			row[colConsumption], row[colFinalDemand], row[colConsIntens]}})
	}
	return rows
}

func (fx *fixture) wantOverTime(s Stressor) []expRow {
	var rows []expRow
	for _, y := range fx.years {
		p := part{y, fx.scenarios[0]}
		sum := map[[2]string]summaryRow{}
		for _, r := range fx.summaryRows(s, p) {
			if r.toRegion == "" {
				sum[[2]string{r.region, r.account}] = r
			}
		}
		for _, r := range fx.consumers {
			row := fx.regionRow(s, p, r)
			vals := []float64{row[colProduction], row[colConsumption]}
			if len(fx.summaries) > 0 {
				for _, acc := range []string{colProduction, colConsumption} {
					sr, ok := sum[[2]string{r, acc}]
					if !ok || !slices.Contains(fx.summaries, p) {
						vals = append(vals, math.NaN(), math.NaN())
						continue
					}
					vals = append(vals, sr.p05, sr.p95)
				}
			}
			rows = append(rows, expRow{[]string{y, r}, vals})
		}
	}
	return rows
}

func (fx *fixture) wantScenario(s Stressor, year, scen string) []expRow {
	return fx.wantChange(s, part{year, fx.scenarios[0]}, part{year, scen})
}

// wantChange is the change table of alt against base; a Monte Carlo
// summary's means are the values of regionRow.
func (fx *fixture) wantChange(s Stressor, base, alt part) []expRow {
	var rows []expRow
	names := map[string]string{colProduction: "production", colConsumption: "consumption", colNetExports: "net exports"}
	for _, r := range fx.consumers {
		b, a := fx.regionRow(s, base, r), fx.regionRow(s, alt, r)
		for _, acc := range []string{colProduction, colConsumption, colNetExports} {
			rows = append(rows, expRow{[]string{r, names[acc]}, []float64{b[acc], a[acc], a[acc] - b[acc]}})
		}
	}
	return rows
}

func (fx *fixture) wantMonteCarlo(s Stressor, p part) []expRow {
	var rows []expRow
	for _, r := range fx.summaryRows(s, p) {
		if slices.Contains(mcAccounts, r.account) {
			rows = append(rows, expRow{[]string{r.region, r.account}, []float64{r.mean, r.sd, r.p05, r.p50, r.p95, r.nd}})
		}
	}
	return rows
}

var externalURL = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?(https?:)?//|@import`)

// checkOffline asserts the page fetches nothing: no script, no remote
// source, link or style import. The SVG namespace names are allowed.
func checkOffline(t *testing.T, page []byte) {
	t.Helper()
	if m := externalURL.Find(page); m != nil {
		t.Errorf("the page refers to the network: %q", m)
	}
	if bytes.Contains(bytes.ToLower(page), []byte("<script")) {
		t.Error("the page has a script")
	}
	rest := regexp.MustCompile(`xmlns(:xlink)?="http://www\.w3\.org/[^"]*"`).ReplaceAll(page, nil)
	if i := bytes.Index(rest, []byte("http")); i >= 0 {
		t.Errorf("the page names a URL: %q", rest[i:min(len(rest), i+60)])
	}
}

func TestReportFixture(t *testing.T) {
	fx := newFixture()
	rep, page := buildFixture(t, fx, Options{})
	pg := parsePage(t, page)
	co2 := fx.stressors[1]
	base10, base11 := part{"2010", "baseline"}, part{"2011", "baseline"}

	if rep.Header.Stressor != co2 {
		t.Errorf("default stressor %v, want %v (the first not in factor_inputs)", rep.Header.Stressor, co2)
	}
	if rep.Header.Year != "2011" || rep.Header.Baseline != "baseline" {
		t.Errorf("year %q baseline %q, want 2011 and baseline", rep.Header.Year, rep.Header.Baseline)
	}
	wantIDs := []string{"production-consumption-2010", "production-consumption-2011", "net-exports", "flow-matrix",
		"group-flows", "consumer-shares", "intensities", "over-time", "scenario-tax", "monte-carlo-baseline"}
	if !slices.Equal(pg.order, wantIDs) {
		t.Errorf("figures %v\nwant %v", pg.order, wantIDs)
	}
	for _, id := range wantIDs {
		checkSVG(t, id, pg.figures[id])
	}
	groupOf := fx.groupOf
	cases := []struct {
		id   string
		want []expRow
	}{
		{"production-consumption-2010", fx.wantProdCons(co2, base10)},
		{"production-consumption-2011", fx.wantProdCons(co2, base11)},
		{"net-exports", fx.wantNetExports(co2, base11)},
		{"flow-matrix", fx.wantFlowMatrix(co2, base11)},
		{"group-flows", fx.wantGroupFlows(co2, base11)},
		{"consumer-shares", fx.wantShares(co2, base11, groupOf, fx.groupNames())},
		{"intensities", fx.wantIntensities(co2, base11)},
		{"over-time", fx.wantOverTime(co2)},
		{"scenario-tax", fx.wantScenario(co2, "2011", "tax")},
		{"monte-carlo-baseline", fx.wantMonteCarlo(co2, base11)},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) { checkTable(t, c.id, pg.figures[c.id], c.want) })
	}
	if h := pg.figures["flow-matrix"].header; !slices.Equal(h[1:], fx.consumers) {
		t.Errorf("flow matrix columns %v, want %v", h[1:], fx.consumers)
	}
	checkOffline(t, page)
	for _, want := range []string{"0.0.0-test", "CH4", "Value Added", "M.EUR", "zero output with emissions",
		"balance: ||x - x~|| / ||x|| = 3e-9 in year 2010", "tables/2010", "G-north"} {
		if !strings.Contains(pg.text, want) {
			t.Errorf("the header does not show %q", want)
		}
	}
}

// The report's identities: what the figures show must add up the way
// MATH.md 10 and 11 say, whatever the fixture.
func TestFixtureIdentities(t *testing.T) {
	fx := newFixture()
	for _, s := range fx.stressors {
		for _, p := range fx.parts() {
			var prod, cons float64
			for _, r := range fx.consumers {
				row := fx.regionRow(s, p, r)
				if !math.IsNaN(row[colProduction]) {
					prod += row[colProduction]
					if d := (row[colConsumption] - row[colProduction]) - (row[colImports] - row[colExports]); math.Abs(d) > 1e-9 {
						t.Errorf("%v %v %s: consumption - production differs from imports - exports by %g", s, p, r, d)
					}
				}
				cons += row[colConsumption]
			}
			if d := prod - cons; math.Abs(d) > 1e-9*math.Abs(prod) {
				t.Errorf("%v %v: world production %v, consumption %v, difference %g", s, p, prod, cons, d)
			}
		}
	}
}

func TestReportOptions(t *testing.T) {
	fx := newFixture()
	root := t.TempDir()
	if err := fx.write(root); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		opts    Options
		wantErr string
		want    Stressor
		year    string
	}{
		{"default", Options{}, "", fx.stressors[1], "2011"},
		{"by name", Options{Stressor: "CH4"}, "", fx.stressors[2], "2011"},
		{"by extension and name", Options{Extension: factorInputsExt, Stressor: "Value Added"}, "", fx.stressors[0], "2011"},
		{"year", Options{Year: "2010"}, "", fx.stressors[1], "2010"},
		{"unknown stressor", Options{Stressor: "N2O"}, `no stressor "N2O"`, Stressor{}, ""},
		{"wrong extension", Options{Extension: "water", Stressor: "CO2"}, `in extension "water"`, Stressor{}, ""},
		{"unknown year", Options{Year: "1999"}, `no year "1999"`, Stressor{}, ""},
		{"unknown baseline", Options{Baseline: "none"}, `no scenario "none"`, Stressor{}, ""},
		{"overlapping groups", Options{Groups: spec.Groups{{Name: "a", Regions: []string{"North"}}, {Name: "b", Regions: []string{"North"}}}},
			`region "North" is in group "a" and in group "b"`, Stressor{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Job = fx.job
			rep, err := Build(context.Background(), dirSource{root}, c.opts)
			if failed(t, err, c.wantErr) {
				return
			}
			if rep.Header.Stressor != c.want || rep.Header.Year != c.year {
				t.Errorf("stressor %v year %q, want %v %q", rep.Header.Stressor, rep.Header.Year, c.want, c.year)
			}
		})
	}
}

// TestReportOptionGroups: groups from the options are used over the
// spec's, and group flows are then computed from flows.arrow.
func TestReportOptionGroups(t *testing.T) {
	fx := newFixture()
	gs := spec.Groups{{Name: "Core", Regions: []string{"North", "South"}}}
	_, page := buildFixture(t, fx, Options{Groups: gs})
	pg := parsePage(t, page)
	co2, p := fx.stressors[1], part{"2011", "baseline"}
	groupOf := func(r string) string {
		if r == "North" || r == "South" {
			return "Core"
		}
		return otherGroup
	}
	checkTable(t, "consumer-shares", pg.figures["consumer-shares"], fx.wantShares(co2, p, groupOf, []string{"Core", otherGroup}))
	fx.groups = gs
	checkTable(t, "group-flows", pg.figures["group-flows"], fx.wantGroupFlows(co2, p))
}

// layoutCase is a variant of the fixture and what its page must show.
type layoutCase struct {
	name  string
	edit  func(fx *fixture)
	notes map[string]string // figure ID -> text its note must hold
	drawn []string          // figures that must be drawn
	gone  []string          // figures that must not be there
	head  []string          // texts the header's notes must hold
	left  []string          // texts the lines on figures left out must hold, one each
	check func(t *testing.T, fx *fixture, pg *parsedPage)
}

func runLayout(t *testing.T, c layoutCase) {
	t.Run(c.name, func(t *testing.T) {
		fx := newFixture()
		c.edit(fx)
		_, page := buildFixture(t, fx, Options{})
		pg := parsePage(t, page)
		checkOffline(t, page)
		for id, want := range c.notes {
			if f := pg.figures[id]; f == nil || !strings.Contains(f.note, want) || f.svg != nil {
				t.Errorf("%s: %+v, want a note holding %q and no chart; figures %v", id, f, want, pg.order)
			}
		}
		for _, id := range c.drawn {
			checkSVG(t, id, pg.figures[id])
		}
		for _, id := range c.gone {
			if pg.figures[id] != nil {
				t.Errorf("%s is there", id)
			}
		}
		for _, want := range c.head {
			if !slices.ContainsFunc(pg.notes, func(n string) bool { return strings.Contains(n, want) }) {
				t.Errorf("header notes %q, want one holding %q", pg.notes, want)
			}
		}
		if len(pg.leftOut) != len(c.left) {
			t.Errorf("left out: %q, want %d lines", pg.leftOut, len(c.left))
		}
		for _, want := range c.left {
			if !slices.ContainsFunc(pg.leftOut, func(n string) bool { return strings.Contains(n, want) }) {
				t.Errorf("left out: %q, want a line holding %q", pg.leftOut, want)
			}
		}
		for id, f := range pg.figures {
			if f.svg == nil && f.note == "" {
				t.Errorf("%s: neither a chart nor a note", id)
			}
		}
		if c.check != nil {
			c.check(t, fx, pg)
		}
	})
}

// TestReportMissing: each kind of missing output gives a note where the
// figure would be, and never an empty chart.
func TestReportMissing(t *testing.T) {
	cases := []layoutCase{
		{
			name: "failed task",
			edit: func(fx *fixture) { fx.failed[part{"2011", "tax"}] = "worker lost: heartbeat timeout" },
			notes: map[string]string{
				"scenario-tax": "The task for year 2011, scenario tax failed: worker lost: heartbeat timeout.",
			},
			drawn: []string{"flow-matrix", "net-exports", "over-time"},
		},
		{
			name: "failed baseline year",
			edit: func(fx *fixture) { fx.failed[part{"2010", "baseline"}] = "singular I - A" },
			notes: map[string]string{
				"production-consumption-2010": "The task for year 2010, scenario baseline failed: singular I - A.",
			},
			drawn: []string{"production-consumption-2011", "over-time"},
		},
		{
			name: "account not requested",
			edit: func(fx *fixture) {
				fx.accounts = []string{accRegions}
				fx.requested = []string{accRegions}
			},
			notes: map[string]string{
				"flow-matrix":     "The job did not ask for the flows account.",
				"consumer-shares": "The job did not ask for the flows account.",
				"group-flows":     "The job did not ask for the flows account.",
			},
			drawn: []string{"net-exports", "intensities"},
		},
		{
			name: "account missing",
			edit: func(fx *fixture) { fx.accounts = []string{accFlows} },
			notes: map[string]string{
				"net-exports":                 "regions.arrow is missing for year 2011, scenario baseline.",
				"production-consumption-2010": "regions.arrow is missing for year 2010, scenario baseline.",
				"over-time":                   "No year has regional accounts. 2010: regions.arrow is missing",
			},
			drawn: []string{"flow-matrix", "consumer-shares", "group-flows"},
		},
		{
			name: "files listed but lost",
			edit: func(fx *fixture) {
				fx.lost = []string{"year=2011/scenario=baseline/flows.arrow", "year=2010/scenario=tax/regions.arrow"}
			},
			notes: map[string]string{
				"flow-matrix": "flows.arrow is missing for year 2011, scenario baseline, though manifest.json lists it.",
			},
			drawn: []string{"net-exports", "production-consumption-2010", "scenario-tax"},
			head: []string{"manifest.json lists output files that are not there: " +
				"year=2010/scenario=tax/regions.arrow, year=2011/scenario=baseline/flows.arrow."},
		},
		{
			name:  "no manifest",
			edit:  func(fx *fixture) { fx.manifest = false },
			drawn: []string{"net-exports", "flow-matrix", "consumer-shares"},
			gone:  []string{"group-flows"},
			head:  []string{"There is no manifest.json"},
			left:  []string{noGroups},
		},
		{
			name: "every task failed",
			edit: func(fx *fixture) {
				for _, p := range fx.parts() {
					fx.failed[p] = "out of memory"
				}
				fx.summaries = nil
			},
			notes: map[string]string{
				"production-consumption-2010": "The task for year 2010, scenario baseline failed: out of memory.",
				"flow-matrix":                 "The task for year 2011, scenario baseline failed: out of memory.",
			},
			check: func(t *testing.T, fx *fixture, pg *parsedPage) {
				// No file names a stressor: the titles say "emissions"
				// rather than leave a gap.
				for _, id := range pg.order {
					title := pg.figures[id].title
					if strings.Contains(title, "  ") || strings.Contains(title, " , ") || !strings.Contains(title, "emissions") {
						t.Errorf("%s: title %q has a gap where the stressor goes", id, title)
					}
				}
			},
		},
		{
			name: "empty job",
			edit: func(fx *fixture) { fx.years, fx.manifest = nil, false },
			notes: map[string]string{
				"production-and-consumption-based-emissions": "There are no outputs for this job.",
				"flows-from-producing-to-consuming-region":   "There are no outputs for this job.",
			},
			gone: []string{"largest-flows-between-groups"},
			head: []string{"There are no account files"},
		},
	}
	for _, c := range cases {
		runLayout(t, c)
	}
}

// TestReportBadFiles: a file the report reads that is damaged, of the
// wrong kind or changed since the job wrote it is bad input: Build fails
// with an error that names the file and what is wrong with it.
func TestReportBadFiles(t *testing.T) {
	const (
		regions2011 = "year=2011/scenario=baseline/regions.arrow"
		flows2011   = "year=2011/scenario=baseline/flows.arrow"
		regions2010 = "year=2010/scenario=tax/regions.arrow"
		changed     = ", but manifest.json lists "
	)
	overwrite := func(rel string, data func(old []byte) []byte) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			name := filepath.Join(dir, filepath.FromSlash(rel))
			old, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, data(old), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	copyOver := func(from, to string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(from)))
			if err != nil {
				t.Fatal(err)
			}
			overwrite(to, func([]byte) []byte { return data })(t, dir)
		}
	}
	random := func([]byte) []byte { return []byte("\x8a\x13 not arrow at all \xff\x00\x01") }
	half := func(old []byte) []byte { return old[:len(old)/2] }
	empty := func([]byte) []byte { return nil }
	noManifest := func(fx *fixture) { fx.manifest = false }
	cases := []struct {
		name   string
		edit   func(fx *fixture)
		damage func(t *testing.T, dir string)
		want   []string // texts the error must hold
		not    string   // a text it must not hold
	}{
		{
			name: "random bytes", damage: overwrite(regions2011, random),
			want: []string{"report: demo/" + regions2011 + ": sha256 ", changed, "the file changed after the job wrote it (it does not start with ARROW1, as every .arrow file does)"},
		},
		{
			name: "random bytes, no manifest", edit: noManifest, damage: overwrite(regions2011, random),
			want: []string{"demo/" + regions2011 + ": not an Arrow IPC file"}, not: "sha256",
		},
		{
			name: "truncated", damage: overwrite(flows2011, half),
			want: []string{"demo/" + flows2011 + ": sha256 ", changed, "(it does not end with ARROW1, as every .arrow file does: truncated?)"},
		},
		{
			name: "truncated, no manifest", edit: noManifest, damage: overwrite(flows2011, half),
			want: []string{"demo/" + flows2011 + ": not an Arrow IPC file"},
		},
		{
			name: "empty", damage: overwrite(regions2010, empty),
			want: []string{"demo/" + regions2010 + ": sha256 ", changed, "(it is empty)"},
		},
		{
			name: "empty, no manifest", edit: noManifest, damage: overwrite(regions2010, empty),
			want: []string{"demo/" + regions2010 + ": empty file"},
		},
		{
			name:   "parquet damaged, no manifest",
			edit:   func(fx *fixture) { fx.parquet, fx.manifest = true, false },
			damage: overwrite("year=2011/scenario=baseline/regions.parquet", half),
			want:   []string{"demo/year=2011/scenario=baseline/regions.parquet: not a Parquet file"},
		},
		{
			name: "flows copied over regions", damage: copyOver(flows2011, regions2011),
			want: []string{"report: demo/" + regions2011 + ": sha256 ", "the file changed after the job wrote it"},
		},
		{
			name: "flows copied over regions, no manifest", edit: noManifest, damage: copyOver(flows2011, regions2011),
			want: []string{"demo/" + regions2011 + `: no column "region"; its columns are "extension", "stressor", "unit", "from_region", "to_region", "value"`},
		},
		{
			name: "regions copied over flows", edit: noManifest, damage: copyOver(regions2011, flows2011),
			want: []string{"demo/" + flows2011 + `: no column "from_region"`},
		},
		{
			name: "another year's file", damage: copyOver("year=2010/scenario=baseline/regions.arrow", regions2011),
			want: []string{"report: demo/" + regions2011 + ": sha256 ", changed, "the file changed after the job wrote it"},
			not:  "(it",
		},
		{
			name:   "parquet damaged",
			edit:   func(fx *fixture) { fx.parquet = true },
			damage: overwrite("year=2011/scenario=baseline/regions.parquet", half),
			want:   []string{"demo/year=2011/scenario=baseline/regions.parquet: sha256 ", changed, "(it does not end with PAR1, as every .parquet file does: truncated?)"},
		},
		{
			name: "summary without an account column", edit: noManifest,
			damage: copyOver(regions2011, "year=2011/scenario=baseline/summary.arrow"),
			want:   []string{"demo/year=2011/scenario=baseline/summary.arrow: no column \"account\""},
		},
		{
			name:   "manifest not JSON",
			damage: overwrite("manifest.json", half),
			want:   []string{"report: demo/manifest.json: not a JSON object"},
		},
		{
			name: "a stressor without a name",
			edit: func(fx *fixture) { fx.stressors[2].Name = "" },
			want: []string{"demo/year=2010/scenario=baseline/regions.arrow: row 8: column \"stressor\" is empty"},
		},
		{
			name: "a region twice",
			edit: func(fx *fixture) { fx.consumers = []string{"North", "South", "East", "North"} },
			want: []string{"demo/year=2010/scenario=baseline/regions.arrow: row 7: region \"North\" repeats for stressor emissions / CO2"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx := newFixture()
			if c.edit != nil {
				c.edit(fx)
			}
			root := t.TempDir()
			if err := fx.write(root); err != nil {
				t.Fatal(err)
			}
			if c.damage != nil {
				c.damage(t, filepath.Join(root, fx.job))
			}
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			rep, err := build(context.Background(), dirSource{root}, Options{Job: fx.job}, mem)
			mem.AssertSize(t, 0)
			if err == nil {
				t.Fatalf("Build made a report (notes %q), want an error", rep.Header.Notes)
			}
			for _, want := range c.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q\nlacks %q", err, want)
				}
			}
			if c.not != "" && strings.Contains(err.Error(), c.not) {
				t.Errorf("error %q holds %q", err, c.not)
			}
		})
	}
}

func TestReportParquet(t *testing.T) {
	fx := newFixture()
	fx.parquet = true
	_, page := buildFixture(t, fx, Options{})
	pg := parsePage(t, page)
	co2 := fx.stressors[1]
	checkSVG(t, "net-exports", pg.figures["net-exports"])
	checkTable(t, "net-exports", pg.figures["net-exports"], fx.wantNetExports(co2, part{"2011", "baseline"}))
}

// TestReportEscaping: names from the data reach the page as text, never
// as markup, in tables and in charts alike.
func TestReportEscaping(t *testing.T) {
	fx := newFixture()
	evil := `<script>alert("x")</script>`
	fx.producers = []string{"North", evil, "East"}
	fx.consumers = []string{"North", evil, "East", "R&D <zone>"}
	fx.groups = spec.Groups{{Name: `"><img src=x>`, Regions: []string{"North"}}}
	fx.stressors[1].Unit = "<b>kt</b>"
	_, page := buildFixture(t, fx, Options{})
	checkOffline(t, page)
	if bytes.Contains(page, []byte("<img")) || bytes.Contains(page, []byte("<b>kt")) {
		t.Error("markup from the data reached the page unescaped")
	}
	pg := parsePage(t, page)
	rows := pg.figures["production-consumption-2011"].rows
	if len(rows) < 4 || rows[1][0].text != evil || rows[3][0].text != "R&D <zone>" {
		t.Errorf("escaped names do not read back: %+v", rows)
	}
	svgText := textOf(pg.figures["production-consumption-2011"].svg)
	if !strings.Contains(svgText, evil) {
		t.Errorf("the chart does not label the region %q", evil)
	}
}

func TestReportDeterministic(t *testing.T) {
	fx := newFixture()
	_, a := buildFixture(t, fx, Options{})
	_, b := buildFixture(t, fx, Options{})
	if !bytes.Equal(a, b) {
		i := 0
		for i < min(len(a), len(b)) && a[i] == b[i] {
			i++
		}
		t.Errorf("two builds differ at byte %d: %q vs %q", i, a[i:min(len(a), i+80)], b[i:min(len(b), i+80)])
	}
}

func TestReportPNG(t *testing.T) {
	rep, _ := buildFixture(t, newFixture(), Options{})
	dir := filepath.Join(t.TempDir(), "png")
	names, err := rep.WritePNGs(dir)
	if err != nil {
		t.Fatal(err)
	}
	drawn := 0
	for _, f := range rep.Figures {
		if f.SVG() != nil {
			drawn++
		}
	}
	if len(names) != drawn || drawn == 0 {
		t.Fatalf("%d PNGs for %d charts", len(names), drawn)
	}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Not blank: the grey levels vary, and a fair share is not white.
		var sum, sq float64
		ink, n := 0, 0
		bd := img.Bounds()
		for y := bd.Min.Y; y < bd.Max.Y; y += 2 {
			for x := bd.Min.X; x < bd.Max.X; x += 2 {
				r, g, b, _ := img.At(x, y).RGBA()
				v := float64(r+g+b) / 3 / 65535
				sum, sq = sum+v, sq+v*v
				if v < 0.9 {
					ink++
				}
				n++
			}
		}
		mean := sum / float64(n)
		if variance := sq/float64(n) - mean*mean; variance < 1e-3 || float64(ink)/float64(n) < 0.01 {
			t.Errorf("%s looks blank: variance %g, %d of %d pixels inked", filepath.Base(name), variance, ink, n)
		}
	}
	if f := (&Figure{ID: "x", Note: "missing"}); f.WritePNG(&bytes.Buffer{}) == nil {
		t.Error("WritePNG of a figure without a chart did not fail")
	}
}

// failingSource fails every call, as an unreachable bucket does.
type failingSource struct{}

var errUnreachable = errors.New("unreachable")

func (failingSource) Get(context.Context, string) ([]byte, error)    { return nil, errUnreachable }
func (failingSource) List(context.Context, string) ([]string, error) { return nil, errUnreachable }

// getFails lists a tree but cannot read it.
type getFails struct{ dirSource }

func (getFails) Get(context.Context, string) ([]byte, error) { return nil, errUnreachable }

func TestReportSourceErrors(t *testing.T) {
	root := t.TempDir()
	if err := newFixture().write(root); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		src  Source
	}{
		{"list", failingSource{}},
		{"get", getFails{dirSource{root}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Build(context.Background(), c.src, Options{Job: "demo"})
			if !errors.Is(err, errUnreachable) {
				t.Errorf("error %v, want one wrapping %v", err, errUnreachable)
			}
		})
	}
}

// TestReportShapes: odd shapes of data draw or explain themselves, and
// the tables still match the files.
func TestReportShapes(t *testing.T) {
	many := make([]string, 30)
	for i := range many {
		many[i] = "Region " + strconv.Itoa(i)
	}
	tables := func(t *testing.T, fx *fixture, pg *parsedPage) {
		co2, p := fx.stressors[1], part{fx.years[len(fx.years)-1], "baseline"}
		checkTable(t, "production-consumption", pg.figures["production-consumption-"+p.year], fx.wantProdCons(co2, p))
		checkTable(t, "flow-matrix", pg.figures["flow-matrix"], fx.wantFlowMatrix(co2, p))
	}
	cases := []layoutCase{
		{
			name: "one region, year and scenario",
			edit: func(fx *fixture) {
				fx.producers, fx.consumers = []string{"North"}, []string{"North"}
				fx.years, fx.scenarios, fx.groups, fx.summaries = []string{"2011"}, []string{"baseline"}, nil, nil
			},
			drawn: []string{"production-consumption-2011", "consumer-shares", "intensities"},
			notes: map[string]string{"net-exports": noNumbers},
			gone:  []string{"group-flows", "over-time", "scenario-tax", "monte-carlo-baseline"},
			left:  []string{noGroups},
			check: tables,
		},
		{
			name: "thirty regions, no groups",
			edit: func(fx *fixture) {
				fx.producers, fx.consumers, fx.groups = many, many, nil
			},
			drawn: []string{"production-consumption-2011", "net-exports", "flow-matrix", "consumer-shares",
				"intensities", "over-time", "scenario-tax", "monte-carlo-baseline"},
			gone: []string{"group-flows"},
			left: []string{noGroups},
			check: func(t *testing.T, fx *fixture, pg *parsedPage) {
				tables(t, fx, pg)
				f := pg.figures["consumer-shares"]
				if len(f.header) != maxSeries+2 || f.header[maxSeries] != "other (23) (%)" {
					t.Errorf("consumer shares header %q, want 7 regions, other (23) and the total", f.header)
				}
				if want := "driven by each consuming region's final demand"; !strings.Contains(f.title, want) {
					t.Errorf("consumer shares title %q, want it to say %q: there are no groups", f.title, want)
				}
			},
		},
		{
			name:  "nothing emitted",
			edit:  func(fx *fixture) { fx.zero = true },
			drawn: []string{"intensities"},
			notes: map[string]string{
				"production-consumption-2010": noNumbers,
				"over-time":                   noNumbers,
				"scenario-tax":                "Scenario tax changes none of these accounts against baseline.",
				"flow-matrix":                 "No flow is positive",
				"group-flows":                 "No flow between groups is positive",
				"consumer-shares":             "No region emits anything",
			},
			check: tables,
		},
	}
	for _, c := range cases {
		runLayout(t, c)
	}
}

// noGroups starts the line that says why a job without groups has no
// figure of flows between groups.
const noGroups = "Flows between groups: the job names no groups"

// TestReportJobRoot: a source rooted at the job folder needs no Job.
func TestReportJobRoot(t *testing.T) {
	fx := newFixture()
	root := t.TempDir()
	if err := fx.write(root); err != nil {
		t.Fatal(err)
	}
	rep, err := Build(context.Background(), dirSource{filepath.Join(root, fx.job)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Header.Job != fx.job || len(rep.Header.Partitions) != 4 || len(rep.Header.Notes) != 0 {
		t.Errorf("job %q, %d partitions, notes %q", rep.Header.Job, len(rep.Header.Partitions), rep.Header.Notes)
	}
}

// TestReportBadSpecGroups: groups in the manifest that break MATH.md 13
// are set aside with a note; the report still comes out.
func TestReportBadSpecGroups(t *testing.T) {
	runLayout(t, layoutCase{
		name: "overlapping spec groups",
		edit: func(fx *fixture) {
			fx.groups = spec.Groups{{Name: "a", Regions: []string{"North"}}, {Name: "b", Regions: []string{"North", "South"}}}
			fx.accounts = []string{accRegions, accFlows}
		},
		drawn: []string{"consumer-shares"},
		gone:  []string{"group-flows"},
		head:  []string{`The job spec's groups are not used: region "North" is in group "a" and in group "b".`},
		left:  []string{noGroups},
		check: func(t *testing.T, fx *fixture, pg *parsedPage) {
			co2, p := fx.stressors[1], part{"2011", "baseline"}
			byRegion := func(r string) string { return r }
			checkTable(t, "consumer-shares", pg.figures["consumer-shares"], fx.wantShares(co2, p, byRegion, fx.consumers))
		},
	})
}
