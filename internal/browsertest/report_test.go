package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"github.com/mrioflow/mrioflow/internal/shareddata"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mrioflow/mrioflow/pkg/output"
)

// shotsEnv names a folder to keep the screenshots in; by default they
// go to the test's temporary folder and are removed with it.
const shotsEnv = "MRIOFLOW_SCREENSHOTS"

// coordinatorEnv names a coordinator binary to use instead of building
// ./coordinator.
const coordinatorEnv = "MRIOFLOW_COORDINATOR"

// repoRoot is the repository, two folders up.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod two folders up: %v", err)
	}
	return root
}

// dataDir finds shared/data in a folder above the repository, skipping
// the test when there is none.
func dataDir(t *testing.T) string {
	t.Helper()
	return shareddata.Dir(t)
}

// coordinatorBinary builds the coordinator into dir, unless
// $MRIOFLOW_COORDINATOR names one.
func coordinatorBinary(t *testing.T, dir string) string {
	t.Helper()
	if bin := os.Getenv(coordinatorEnv); bin != "" {
		return bin
	}
	bin := filepath.Join(dir, "coordinator")
	build := exec.Command("go", "build", "-o", bin, "./coordinator")
	build.Dir = repoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./coordinator: %v\n%s", err, out)
	}
	return bin
}

// run runs the coordinator in the repository's folder and returns its
// standard output; a non-zero exit fails the test.
func run(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = repoRoot(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("coordinator %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// job is one job whose report the test opens.
type job struct {
	name   string
	out    string            // the job's output folder
	year   string            // the year of the single-year figures
	groups map[string]string // region to group; regions in none are "other"
	// missing maps figure IDs to text their note must hold; every other
	// figure must be drawn.
	missing map[string]string
	// notes are texts the header's list of what is missing must hold.
	notes []string
}

// TestReportInBrowser writes the reports of the GA 2019 example, of a
// two-year, two-scenario job on pymrio's test MRIO, and of that job's
// outputs with files removed, and opens each in a headless browser.
func TestReportInBrowser(t *testing.T) {
	b := startBrowser(t, 1400)
	data := dataDir(t)
	tmp := t.TempDir()
	shots := os.Getenv(shotsEnv)
	if shots == "" {
		shots = filepath.Join(tmp, "shots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := coordinatorBinary(t, tmp)
	out := filepath.Join(tmp, "out")

	run(t, bin, "run", filepath.Join("examples", "ga-2019.yaml"), "--output", out, "--workers", "2")
	ga := job{name: "ga-2019", out: filepath.Join(out, "ga-2019"), year: "2019",
		groups: map[string]string{"US-GA": "South"}}

	spec := pymrioYears(t, data, tmp, out)
	run(t, bin, "run", spec, "--workers", "2")
	years := job{name: "pymrio-years", out: filepath.Join(out, "pymrio-years"), year: "2019",
		groups: map[string]string{"reg1": "north", "reg2": "north", "reg3": "south", "reg4": "south"}}

	// The same outputs, less a scenario's whole partition and one file.
	partial := years
	partial.name, partial.out = "pymrio-partial", filepath.Join(tmp, "partial", "pymrio-years")
	if err := os.CopyFS(partial.out, os.DirFS(years.out)); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"year=2019/scenario=efficient-reg1", "year=2019/scenario=baseline/flows.arrow"} {
		if err := os.RemoveAll(filepath.Join(partial.out, filepath.FromSlash(rel))); err != nil {
			t.Fatal(err)
		}
	}
	partial.missing = map[string]string{
		"flow-matrix":             "flows.arrow is missing for year 2019, scenario baseline, though manifest.json lists it.",
		"consumer-shares":         "flows.arrow is missing for year 2019, scenario baseline",
		"scenario-efficient-reg1": "There are no outputs for year 2019, scenario efficient-reg1, though manifest.json lists them.",
	}
	partial.notes = []string{"manifest.json lists output files that are not there: year=2019/scenario=baseline/flows.arrow, " +
		"year=2019/scenario=efficient-reg1/"}

	for _, j := range []job{ga, years, partial} {
		t.Run(j.name, func(t *testing.T) {
			html := filepath.Join(tmp, j.name+".html")
			stdout := run(t, bin, "report", j.out, "--out", html, "--png", filepath.Join(shots, j.name+"-png"))
			if !strings.Contains(stdout, "report: "+html) {
				t.Errorf("stdout does not say where the report went: %q", stdout)
			}
			checkPage(t, b, j, html, shots)
		})
	}
}

// pymrioYears writes a job on pymrio's test MRIO with two years, the
// second the first with every flow, final demand and stressor 10 %
// larger, and two scenarios; it returns the spec's path.
func pymrioYears(t *testing.T, data, tmp, out string) string {
	t.Helper()
	saved := filepath.Join(data, "pymrio-test-mrio", "saved")
	grown := filepath.Join(tmp, "pymrio-grown")
	if err := os.CopyFS(grown, os.DirFS(saved)); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"Z.txt", "Y.txt", "emissions/F.txt", "emissions/F_Y.txt", "factor_inputs/F.txt"} {
		scaleNumbers(t, filepath.Join(grown, filepath.FromSlash(rel)), 1.1)
	}
	spec := fmt.Sprintf(`job: pymrio-years
output: %s
tables:
  - {year: "2018", format: pymrio, path: %s}
  - {year: "2019", format: pymrio, path: %s}
stressors: [emission_type1/air, emission_type2/water, Value Added]
accounts: [regions, flows, footprints, multipliers, groups]
groups:
  north: [reg1, reg2]
  south: [reg3, reg4]
scenarios:
  - name: baseline
  - name: efficient-reg1
    shocks:
      - {target: Y, region: reg1, from_sector: electricity, scale: 0.5}
      - {target: S, region: reg1, sector: electricity, scale: 0.7}
`, out, saved, grown)
	path := filepath.Join(tmp, "pymrio-years.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// scaleNumbers multiplies every number in a tab-separated file by k;
// the labels, which are not numbers in pymrio's test MRIO, stay.
func scaleNumbers(t *testing.T, path string, k float64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for i, line := range lines {
		cells := strings.Split(line, "\t")
		for j, c := range cells {
			if v, err := strconv.ParseFloat(strings.TrimSpace(c), 64); err == nil {
				cells[j] = strconv.FormatFloat(v*k, 'g', -1, 64)
			}
		}
		lines[i] = strings.Join(cells, "\t")
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// page is what the test reads from the rendered report.
type page struct {
	Stressor []string `json:"stressor"` // extension, name, unit of the row in bold
	Figures  []figure `json:"figures"`
	Notes    []string `json:"notes"`
	Width    float64  `json:"width"`
	Viewport float64  `json:"viewport"`
}

type figure struct {
	ID     string   `json:"id"`
	Note   string   `json:"note"`
	SVG    *Rect    `json:"svg"`
	Header []string `json:"header"`
	Rows   [][]cell `json:"rows"`
}

type cell struct {
	Text  string  `json:"text"`
	Value *string `json:"value"` // data-value; nil when absent
	Num   bool    `json:"num"`
	Null  bool    `json:"null"`
}

// readPage is the script that reads a page: the chosen stressor, each
// figure's chart box and table, the header's notes.
const readPage = `(() => {
	const text = e => e ? e.textContent.trim() : "";
	const box = e => { const r = e.getBoundingClientRect();
		return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; };
	const chosen = document.querySelector("#job tr.chosen");
	return {
		stressor: chosen ? [...chosen.cells].map(text) : null,
		notes: [...document.querySelectorAll("#missing li")].map(text),
		width: document.documentElement.scrollWidth,
		viewport: innerWidth,
		figures: [...document.querySelectorAll("section.figure")].map(s => {
			const svg = s.querySelector("figure svg");
			return {
				id: s.id,
				note: text(s.querySelector(".note")),
				svg: svg ? box(svg) : null,
				header: [...s.querySelectorAll("table.data thead th")].map(text),
				rows: [...s.querySelectorAll("table.data tbody tr")].map(tr => [...tr.cells].map(c => ({
					text: text(c), value: c.getAttribute("data-value"),
					num: c.classList.contains("num"), null: c.classList.contains("null")}))),
			};
		}),
	};
})()`

// checkPage opens the report and checks it renders cleanly, draws every
// figure it does not explain away, and shows the outputs' numbers.
func checkPage(t *testing.T, b *Browser, j job, html, shots string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := b.Open(ctx, fileURL(html))
	if err != nil {
		t.Fatalf("%v\nbrowser stderr:\n%s", err, b.Stderr())
	}
	defer p.Close()
	settle(t, p)
	for _, m := range p.Errors() {
		t.Errorf("console: %s", m)
	}
	for _, u := range p.Requests() {
		if !strings.HasPrefix(u, "file:") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page asked for %s", u)
		}
	}
	var pg page
	if err := p.Eval(ctx, readPage, &pg); err != nil {
		t.Fatal(err)
	}
	if pg.Width > pg.Viewport {
		t.Errorf("the page is %v pixels wide in a %v pixel window", pg.Width, pg.Viewport)
	}
	whole, err := p.Screenshot(ctx, Rect{})
	if err != nil {
		t.Fatal(err)
	}
	save(t, filepath.Join(shots, j.name+".png"), whole)

	if len(pg.Figures) < 6 {
		t.Fatalf("%d figures, want at least 6", len(pg.Figures))
	}
	for _, f := range pg.Figures {
		want, explained := j.missing[f.ID]
		switch {
		case explained:
			if f.SVG != nil || !strings.Contains(f.Note, want) {
				t.Errorf("%s: note %q, chart %v; want a note holding %q and no chart", f.ID, f.Note, f.SVG != nil, want)
			}
		case f.SVG == nil:
			t.Errorf("%s: no chart; note %q", f.ID, f.Note)
		default:
			shot, err := p.Screenshot(ctx, *f.SVG)
			if err != nil {
				t.Fatal(err)
			}
			save(t, filepath.Join(shots, j.name+"-"+f.ID+".png"), shot)
			checkDrawn(t, f.ID, shot)
		}
	}
	for _, want := range j.notes {
		if !slices.ContainsFunc(pg.Notes, func(n string) bool { return strings.Contains(n, want) }) {
			t.Errorf("the header's notes %q lack %q", pg.Notes, want)
		}
	}
	if len(j.notes) == 0 && len(pg.Notes) > 0 {
		t.Errorf("the header says something is missing: %q", pg.Notes)
	}
	for id := range j.missing {
		if !slices.ContainsFunc(pg.Figures, func(f figure) bool { return f.ID == id }) {
			t.Errorf("no figure %s", id)
		}
	}
	s := defaultStressor(t, j.out)
	parts := loadOutputs(t, j.out, s)
	for _, msg := range checkNumbers(j, pg, s, parts) {
		t.Error(msg)
	}
	// The check must see a number one unit in the last place off.
	if off, where := nudged(pg); where == "" {
		t.Error("no number to nudge on the page")
	} else if len(checkNumbers(j, off, s, parts)) == 0 {
		t.Errorf("checkNumbers misses a nudged number at %s", where)
	}
}

// nudged returns a copy of pg with the first number of its first
// table one unit in the last place larger, and where that number is.
func nudged(pg page) (page, string) {
	out := pg
	out.Figures = slices.Clone(pg.Figures)
	for i, f := range out.Figures {
		for r, row := range f.Rows {
			for c, cl := range row {
				if cl.Value == nil {
					continue
				}
				v, err := strconv.ParseFloat(*cl.Value, 64)
				if err != nil {
					continue
				}
				s := strconv.FormatFloat(math.Nextafter(v, math.Inf(1)), 'g', -1, 64)
				rows := slices.Clone(f.Rows)
				rows[r] = slices.Clone(row)
				rows[r][c].Value = &s
				out.Figures[i].Rows = rows
				return out, fmt.Sprintf("%s row %d column %d", f.ID, r, c)
			}
		}
	}
	return out, ""
}

func save(t *testing.T, path string, png []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkDrawn asserts that a chart's screenshot is a drawing: some ink
// (text, axes), some colour (bars, lines, cells) and no flat area.
func checkDrawn(t *testing.T, id string, shot []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Errorf("%s: screenshot: %v", id, err)
		return
	}
	bounds := img.Bounds()
	if bounds.Dx() < 300 || bounds.Dy() < 200 {
		t.Errorf("%s: chart is %d x %d pixels, want at least 300 x 200", id, bounds.Dx(), bounds.Dy())
	}
	ink, colour, n, sum, sum2 := 0, 0, 0, 0.0, 0.0
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b := rgb8(img, x, y)
			lum := 0.299*r + 0.587*g + 0.114*b
			if lum < 160 {
				ink++
			}
			if max(r, g, b)-min(r, g, b) > 60 {
				colour++
			}
			n++
			sum += lum
			sum2 += lum * lum
		}
	}
	mean := sum / float64(n)
	sd := math.Sqrt(max(0, sum2/float64(n)-mean*mean))
	inkPart, colourPart := float64(ink)/float64(n), float64(colour)/float64(n)
	t.Logf("%s: %d x %d, ink %.2f%%, colour %.2f%%, luminance sd %.1f", id, bounds.Dx(), bounds.Dy(), 100*inkPart, 100*colourPart, sd)
	if inkPart < 0.005 || colourPart < 0.0005 || sd < 10 {
		t.Errorf("%s: looks blank: ink %.2f%%, colour %.2f%%, luminance sd %.1f", id, 100*inkPart, 100*colourPart, sd)
	}
}

func rgb8(img image.Image, x, y int) (r, g, b float64) {
	r16, g16, b16, _ := img.At(x, y).RGBA()
	return float64(r16 >> 8), float64(g16 >> 8), float64(b16 >> 8)
}

// arrowRows holds one Arrow output file's columns, nulls as NaN.
type arrowRows struct {
	n    int
	strs map[string][]string
	nums map[string][]float64
}

// readArrow reads an output file with pkg/output; nil when absent.
func readArrow(t *testing.T, path string) *arrowRows {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := output.ReadTable(data, output.Arrow)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer tbl.Release()
	rows := &arrowRows{n: int(tbl.NumRows()), strs: map[string][]string{}, nums: map[string][]float64{}}
	for i, f := range tbl.Schema().Fields() {
		for _, chunk := range tbl.Column(i).Data().Chunks() {
			switch a := chunk.(type) {
			case *array.String:
				for k := range a.Len() {
					rows.strs[f.Name] = append(rows.strs[f.Name], a.Value(k))
				}
			case *array.Float64:
				for k := range a.Len() {
					v := math.NaN()
					if a.IsValid(k) {
						v = a.Value(k)
					}
					rows.nums[f.Name] = append(rows.nums[f.Name], v)
				}
			default:
				t.Fatalf("%s: column %s is %s, want string or float64", path, f.Name, f.Type)
			}
		}
	}
	return rows
}
