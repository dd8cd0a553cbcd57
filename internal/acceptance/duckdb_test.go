package acceptance

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// requireDuckDB names the environment variable that turns the DuckDB
// test's skips (no npm, no network) into failures.
const requireDuckDB = "MRIOFLOW_REQUIRE_DUCKDB"

// duckdbScript queries the Parquet outputs as a user would, from the
// folder that holds out/, and prints one JSON object. It also tries an
// Arrow IPC file, with extension loading and installing turned off: DuckDB
// reads those only through its "arrow" community extension.
const duckdbScript = `
import { DuckDBInstance } from '@duckdb/node-api';
const [dataDir, arrowFile] = process.argv.slice(2);
process.chdir(dataDir);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run("SET autoinstall_known_extensions = false");
await con.run("SET autoload_known_extensions = false");
const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
const out = {};
out.regions = await rows(` + "`" + `
  SELECT scenario, CAST(year AS VARCHAR) AS year, stressor, count(*) AS n,
         sum(production) AS production, sum(consumption) AS consumption,
         sum(imports) AS imports, sum(exports) AS exports
  FROM read_parquet('out/ga-2019/**/regions.parquet', hive_partitioning = true)
  GROUP BY ALL ORDER BY ALL` + "`" + `);
out.flows = await rows(` + "`" + `
  SELECT scenario, CAST(year AS VARCHAR) AS year, stressor, count(*) AS n, sum(value) AS value
  FROM read_parquet('out/pymrio-test/**/flows.parquet', hive_partitioning = true)
  GROUP BY ALL ORDER BY ALL` + "`" + `);
try {
  out.arrow = await rows("SELECT count(*) AS n, sum(production) AS production FROM read_arrow('" + arrowFile + "')");
} catch (e) {
  out.arrow_error = e.message;
}
console.log(JSON.stringify(out));
`

// duckRow is one row that the script prints: the group's labels and sums.
type duckRow struct {
	Scenario    string   `json:"scenario"`
	Year        string   `json:"year"`
	Stressor    string   `json:"stressor"`
	N           string   `json:"n"` // a BIGINT, which JSON carries as a string
	Production  *float64 `json:"production"`
	Consumption *float64 `json:"consumption"`
	Imports     *float64 `json:"imports"`
	Exports     *float64 `json:"exports"`
	Value       *float64 `json:"value"`
}

// skipOrFail skips the test, or fails it when requireDuckDB is set.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv(requireDuckDB) == "1" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// installDuckDB installs @duckdb/node-api with npm into a temporary folder
// and returns it.
func installDuckDB(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"npm", "node"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(t, "no %s: %v", tool, err)
		}
	}
	dir := t.TempDir()
	writeFile(t, dir, "package.json", `{"private": true, "type": "module"}`+"\n")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "@duckdb/node-api")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		skipOrFail(t, "npm install @duckdb/node-api: %v\n%s", err, out)
	}
	return dir
}

// TestDuckDBReadsParquet opens the Parquet outputs of both examples with
// DuckDB, read_parquet with hive partitioning over out/<job>/**, and
// compares its sums per scenario and stressor with those of the files as
// Go reads them.
func TestDuckDBReadsParquet(t *testing.T) {
	gaDirPq := gaParquet.dir(t)
	pmDirPq := pymrioParquet.dir(t)
	arrowRegions := partition(t, gaArrow.dir(t), "2019", "baseline", ".arrow")["regions"]
	npmDir := installDuckDB(t)
	script := writeFile(t, npmDir, "query.mjs", duckdbScript)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script, filepath.Dir(filepath.Dir(gaDirPq)), arrowRegions)
	cmd.Dir = npmDir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node query.mjs: %v\n%s", err, stderr.String())
	}
	var got struct {
		Regions    []duckRow `json:"regions"`
		Flows      []duckRow `json:"flows"`
		Arrow      []duckRow `json:"arrow"`
		ArrowError string    `json:"arrow_error"`
	}
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("the script's output: %v\n%s", err, stdout)
	}

	t.Run("regions of ga-2019", func(t *testing.T) {
		want := goSums(t, gaDirPq, "regions", []string{"production", "consumption", "imports", "exports"})
		compareDuck(t, got.Regions, want, func(r duckRow) []*float64 {
			return []*float64{r.Production, r.Consumption, r.Imports, r.Exports}
		})
	})
	t.Run("flows of pymrio-test", func(t *testing.T) {
		want := goSums(t, pmDirPq, "flows", []string{"value"})
		compareDuck(t, got.Flows, want, func(r duckRow) []*float64 { return []*float64{r.Value} })
	})
	t.Run("Arrow IPC", func(t *testing.T) {
		if got.ArrowError != "" {
			// Not a failure of the outputs: DuckDB reads Arrow IPC files
			// only with the "arrow" community extension installed.
			t.Skipf("DuckDB does not read Arrow IPC files without its arrow extension: %s", got.ArrowError)
		}
		f := readArrowFile(t, arrowRegions)
		want := 0.0
		for _, v := range f.col(t, "production") {
			want += v
		}
		if len(got.Arrow) != 1 || got.Arrow[0].Production == nil || !agree(*got.Arrow[0].Production, want, 1e-12, 0) {
			t.Errorf("DuckDB on %s: %+v, want production %v", arrowRegions, got.Arrow, want)
		}
	})
}

// sums are the per-group sums of some columns, and the row count.
type sums struct {
	n    int
	vals []float64
}

// goSums reads each partition's file of an account, as Go reads Parquet,
// and sums the columns given per scenario, year and stressor.
func goSums(t *testing.T, jobDir, account string, cols []string) map[string]*sums {
	t.Helper()
	out := map[string]*sums{}
	for part, files := range scenarioFiles(t, jobDir, ".parquet") {
		yearPart, scenarioPart, _ := strings.Cut(part, "/")
		year, scenario := strings.TrimPrefix(yearPart, "year="), strings.TrimPrefix(scenarioPart, "scenario=")
		f := readParquetFile(t, files[account])
		stressors := f.labels(t, "stressor")
		for r := range f.rows {
			k := key(scenario, year, stressors[r])
			s := out[k]
			if s == nil {
				s = &sums{vals: make([]float64, len(cols))}
				out[k] = s
			}
			s.n++
			for i, c := range cols {
				s.vals[i] += f.col(t, c)[r]
			}
		}
	}
	return out
}

// compareDuck compares DuckDB's groups with Go's: the same groups, the
// same row counts and sums within 1e-12 relative (the order of the sums
// differs).
func compareDuck(t *testing.T, got []duckRow, want map[string]*sums, vals func(duckRow) []*float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("DuckDB gives %d groups, Go %d", len(got), len(want))
	}
	cmp := newComparer(t, "DuckDB sums", 1e-12)
	for _, r := range got {
		k := key(r.Scenario, r.Year, r.Stressor)
		w, ok := want[k]
		if !ok {
			t.Errorf("DuckDB group %s: not in the files as Go reads them", k)
			continue
		}
		if r.N != strconv.Itoa(w.n) {
			t.Errorf("DuckDB group %s: %s rows, Go reads %d", k, r.N, w.n)
		}
		for i, v := range vals(r) {
			if v == nil {
				t.Errorf("DuckDB group %s: sum %d is null", k, i)
				continue
			}
			cmp.check(k, *v, w.vals[i], 0)
		}
	}
	cmp.done()
}
