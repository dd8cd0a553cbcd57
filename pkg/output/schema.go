package output

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
)

// The account names, as the job spec and the file names write them.
const (
	Regions       = "regions"
	Flows         = "flows"
	Footprints    = "footprints"
	Multipliers   = "multipliers"
	FlowsBySector = "flows_by_sector"
	GroupFlows    = "groups"

	// Leontief is the Leontief inverse L = (I - A)⁻¹ itself, n² rows:
	// only on request.
	Leontief = "leontief"

	// Summary is the account of a Monte Carlo scenario: statistics of
	// the regional accounts and flows over its draws. It is written from
	// summary rows (EncodeSummary, Writer.WriteSummary), not from a
	// Result, so it is not among Accounts and no job spec asks for it.
	Summary = "summary"
)

// Keys of the schema metadata every output file carries.
const (
	// MetaAccount names the account a file holds.
	MetaAccount = "mrioflow.account"
	// MetaSchemaVersion is the SchemaVersion the file was written with.
	MetaSchemaVersion = "mrioflow.schema_version"
	// MetaDescription is the field metadata key of a column's description.
	MetaDescription = "description"
)

// SchemaVersion changes whenever a column of any account is added, removed,
// renamed or changes type or meaning. Readers reject other versions.
const SchemaVersion = "1"

// column is one field of an account's schema.
type column struct {
	name     string
	typ      arrow.DataType
	nullable bool
	doc      string
}

// account describes one output table.
type account struct {
	name    string
	doc     string
	columns []column
	schema  *arrow.Schema // built once from columns
}

func text(name, doc string) column {
	return column{name: name, typ: arrow.BinaryTypes.String, doc: doc}
}

func number(name, doc string) column {
	return column{name: name, typ: arrow.PrimitiveTypes.Float64, nullable: true, doc: doc}
}

func optText(name, doc string) column {
	return column{name: name, typ: arrow.BinaryTypes.String, nullable: true, doc: doc}
}

// lead are the columns every account starts with.
var lead = []column{
	text("extension", "satellite account the stressor belongs to"),
	text("stressor", "stressor label as the source table writes it"),
	{name: "unit", typ: arrow.BinaryTypes.String, nullable: true,
		doc: "unit of the stressor; null when the table gives none"},
}

func withLead(cols ...column) []column {
	return append(slices.Clip(lead), cols...)
}

// catalogue holds the accounts in the order Accounts returns them.
var catalogue = []*account{
	{
		name: Regions,
		doc: "Regional totals and intensities (docs/accounts.md, steps 10, 12, 14): " +
			"one row per extension, stressor and consuming region.",
		columns: withLead(
			text("region", "consuming region; regions that only consume come after the producing ones"),
			number("production", "stressor released by the region's production plus the direct stressors of its final users; null for a region that does not produce"),
			number("consumption", "stressor caused worldwide by the region's final demand plus the direct stressors of its final users"),
			number("imports", "stressor released in other regions for the region's final demand"),
			number("exports", "stressor released in the region for other regions' final demand; null for a region that does not produce"),
			number("net_exports", "exports minus imports; null for a region that does not produce"),
			number("value_added", "value added of the region's production; null for a region that does not produce"),
			number("final_demand", "sum of the region's final demand"),
			number("production_intensity", "production divided by value_added; null where value_added is zero or null"),
			number("consumption_intensity", "consumption divided by final_demand; null where final_demand is zero"),
		),
	},
	{
		name: Flows,
		doc: "Region-to-region flows E[s; p, r] (docs/accounts.md, step 8): " +
			"one row per extension, stressor, producing region and consuming region.",
		columns: withLead(
			text("from_region", "producing region, where the stressor is released"),
			text("to_region", "consuming region, whose final demand causes the release"),
			number("value", "stressor released in from_region for the final demand of to_region"),
		),
	},
	{
		name: Footprints,
		doc: "Footprints by product D_cba[s; (r, j)] (docs/accounts.md, step 9): " +
			"one row per extension, stressor, consuming region and product.",
		columns: withLead(
			text("region", "consuming region"),
			text("sector", "product bought by the region's final demand"),
			number("value", "stressor released worldwide for the region's final demand of the product"),
		),
	},
	{
		name: Multipliers,
		doc: "Direct and total multipliers S and M = S L (docs/accounts.md, steps 2, 5): " +
			"one row per extension, stressor, producing region and sector.",
		columns: withLead(
			text("region", "producing region"),
			text("sector", "producing sector"),
			number("direct", "stressor released by the sector per unit of its output (S)"),
			number("total", "stressor released worldwide per unit of the sector's final demand (M)"),
		),
	},
	{
		name: FlowsBySector,
		doc: "Sector-to-region flows E[s; (p, i), r] (docs/accounts.md, step 8): " +
			"one row per extension, stressor, producing sector and consuming region.",
		columns: withLead(
			text("from_region", "producing region, where the stressor is released"),
			text("from_sector", "producing sector that releases the stressor"),
			text("to_region", "consuming region, whose final demand causes the release"),
			number("value", "stressor released by the sector for the final demand of to_region"),
		),
	},
	{
		name: GroupFlows,
		doc: "Group-to-group flows (docs/accounts.md, step 13): " +
			"one row per extension, stressor, producing group and consuming group.",
		columns: withLead(
			text("from_group", "producing group; \"other\" holds the regions in no group"),
			text("to_group", "consuming group"),
			number("value", "stressor released in from_group for the final demand of to_group"),
			number("share", "value divided by all that from_group releases; null where from_group releases nothing"),
		),
	},
	{
		name: Leontief,
		doc: "Leontief inverse L = (I - A)^-1 (docs/accounts.md, step 3), pymrio's L: one row per entry L[i, j], " +
			"column by column of L; n² rows, written only on request.",
		columns: []column{
			text("from_region", "region of the producing sector, row i of L"),
			text("from_sector", "producing sector, row i of L, whose output the value is"),
			text("to_region", "region of the product delivered to final demand, column j of L"),
			text("to_sector", "product delivered to final demand, column j of L"),
			number("value", "output of from_sector in from_region, direct and indirect, that one unit of final demand for to_sector of to_region calls for (L[i, j])"),
		},
	},
}

// summary is the account of Monte Carlo summaries, apart from catalogue:
// its rows come from montecarlo.Row, not from a Result.
var summary = &account{
	name: Summary,
	doc: "Monte Carlo summaries: per account, extension, stressor and region (and consuming " +
		"region for flows), the mean, standard deviation and 5th, 50th and 95th percentiles over a scenario's draws.",
	columns: []column{
		text("account", "the value summarised: a column of the regions account (production, consumption, imports, "+
			"exports, net_exports, value_added, final_demand, production_intensity, consumption_intensity) or flows, the value of the flows account"),
		optText("extension", "satellite account the stressor belongs to; null for value_added and final_demand"),
		optText("stressor", "stressor label as the source table writes it; null for value_added and final_demand"),
		optText("unit", "unit of the stressor; null when the table gives none, and for value_added and final_demand"),
		text("region", "consuming region; for flows the producing region"),
		optText("to_region", "for flows the consuming region; null otherwise"),
		{name: "draws", typ: arrow.PrimitiveTypes.Int64,
			doc: "draws that gave a value; the others gave null (a region that does not produce, a zero denominator)"},
		number("mean", "arithmetic mean over the draws that gave a value; null when none did"),
		number("sd", "sample standard deviation (divisor draws - 1); null for fewer than two draws"),
		number("p05", "5th percentile, interpolated linearly between order statistics (numpy's default)"),
		number("p50", "median, interpolated as p05"),
		number("p95", "95th percentile, interpolated as p05"),
	},
}

func init() {
	for _, a := range append(slices.Clip(catalogue), summary) {
		fields := make([]arrow.Field, len(a.columns))
		for i, c := range a.columns {
			fields[i] = arrow.Field{
				Name:     c.name,
				Type:     c.typ,
				Nullable: c.nullable,
				Metadata: arrow.NewMetadata([]string{MetaDescription}, []string{c.doc}),
			}
		}
		meta := arrow.NewMetadata(
			[]string{MetaAccount, MetaSchemaVersion},
			[]string{a.name, SchemaVersion})
		a.schema = arrow.NewSchema(fields, &meta)
	}
}

// lookup returns the account called name, or nil.
func lookup(name string) *account {
	for _, a := range catalogue {
		if a.name == name {
			return a
		}
	}
	if name == Summary {
		return summary
	}
	return nil
}

// Accounts returns the names of the accounts of a Result, those Encode
// and Writer.Write take, in the order the documentation lists them.
// Summary is not among them. The caller may modify the slice.
func Accounts() []string {
	names := make([]string, len(catalogue))
	for i, a := range catalogue {
		names[i] = a.name
	}
	return names
}

// IsAccount reports whether name is one of Accounts or Summary: an
// account an output file may hold, with a Schema and a Key.
func IsAccount(name string) bool { return lookup(name) != nil }

// Schema returns the Arrow schema of the account called name (one of
// Accounts, or Summary). Its metadata
// holds MetaAccount and MetaSchemaVersion; each field's metadata holds a
// MetaDescription. Schema panics if name is not one of Accounts; check names
// that come from users with IsAccount.
func Schema(name string) *arrow.Schema {
	a := lookup(name)
	if a == nil {
		panic(fmt.Sprintf("output: unknown account %q", name))
	}
	return a.schema
}

// Describe returns a one-sentence description of the account called name:
// what it holds and what one row is. It panics like Schema.
func Describe(name string) string {
	a := lookup(name)
	if a == nil {
		panic(fmt.Sprintf("output: unknown account %q", name))
	}
	return a.doc
}
