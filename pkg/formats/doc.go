// Package formats reads MRIO tables from the layouts their sources publish,
// one reader per layout, each producing a validated table.Table.
//
// # A tour
//
// Open picks the reader by name and validates what it reads:
//
//	t, err := formats.Open("pymrio", "data/2019", nil)
//	t, err := formats.Open("exiobase3", "data/IOT_2019_pxp.zip", nil)
//	t, err := formats.Open("useeio", "ga/csv", map[string]string{"demand": "Consumption_Complete"})
//
// Formats lists the names; Register adds a reader, with the options it
// understands (Open rejects any other option). What a reader changed or
// set aside on the way in (regions renamed, a discrepancy row dropped and
// its amount) comes back in Table.Notes.
//
// Every reader reads a folder or, where the source ships one, a zip
// archive in place; a file in an archive is named in errors as the
// archive's path joined with the member's ("IOT_2019_pxp.zip/A.txt").
// Multi-level labels are joined with "/": a stressor "CO2/air", a product
// "AT/Wheat" when printed.
//
// # The formats
//
// "pymrio" reads the folder pymrio's save_all writes in its txt or parquet
// format: file_parameters.json, Z.txt (flow form) or A.txt (coefficient form),
// Y.txt, optionally x.txt, and one subfolder per extension holding F.txt
// (S.txt in coefficient form), optionally F_Y.txt and unit.txt. Each
// extension is named after its folder ("emissions"); a stressor's label is
// its index cells joined by "/" ("emission_type1/air"). The "Value Added"
// row of factor_inputs also becomes Table.ValueAdded. Regions and sectors
// come in the order of Z's rows; consumers are the regions, then any region
// that appears only in Y's columns.
//
// A Parquet file is a DataFrame as pandas' to_parquet writes it: the row
// labels are the index columns its "pandas" metadata names, and a column
// of two or more header levels is named by Python's text of the tuple of
// its labels, "('reg1', 'food')".
//
// The folder may also be a zip archive of it, with the system's
// file_parameters.json at its root or in one folder within. In coefficient
// form, an extension that gives F rather than S turns the table into flow
// form (Z = A diag(x)), since the accounts need one form throughout; x is
// then x.txt, or L y solved from A and Y when the folder has no x, which
// Table.Notes records.
//
// "exiobase3" reads an EXIOBASE 3 download, ixi or pxp, as its zip
// archive or unpacked: pymrio's layout, with Z (3.8 and later) or A,
// x.txt when present, Y, and each extension folder (satellite, impacts,
// and the several folders of 3.9) with F or S, its own F_Y (F_hh in 3.4)
// and unit.txt (whose unit column some releases count as an index
// column). Regions written in ISO three-letter codes (AUT, WWA; ROM for
// Romania), as some 3.4 ixi files are, are renamed to EXIOBASE's
// two-letter codes (AT, WA), as pymrio renames them, and noted. A table
// whose files use different conventions is an error naming both files;
// the option region_codes: rename renames every ISO code instead.
//
// "exiobase1" and "exiobase2" read an EXIOBASE 1 or 2 download in
// coefficient form, a folder or its zip archive: mrIot (A) and
// mrFinalDemand (Y), whose last index column is the unit, and the
// extensions factor_inputs, emissions, materials and resources from
// mrFactorInputs, mrEmissions, mrMaterials and mrResources (S, the
// stressor labels then the unit, "kg/M.EUR" read as "kg") with F_Y from
// mrFDEmissions, mrFDMaterials and mrFDResources. Each file's index
// columns and header rows are counted from its first lines, as pymrio
// sniffs them. x is left to the accounts (L y).
//
// "eora26" reads one year of Eora26 (options year and price, needed only
// when the source holds several): the tab-separated matrices T (as Z), FD
// (Y), VA, Q and QY, which carry no labels, and labels_T.txt,
// labels_FD.txt, labels_VA.txt and labels_Q.txt, which name their rows
// and columns; from a folder, or a zip archive with the labels inside, in
// indices.zip beside it, or beside it unpacked. A missing label file is an
// error that says where Eora keeps them. Regions are Eora's codes (option
// country_names: full for the names); stressors are "name/source" with
// the unit taken from the name's parentheses ("Energy Usage (TJ)"). The
// statistical-discrepancy region ROW (option discrepancy) is set aside
// from every row and column, as pymrio does, and the amount each file
// loses goes into Table.Notes. Extensions Q (with QY as F_Y) and VA;
// Table.ValueAdded is the sum of VA's rows; money is "Mill USD", as
// pymrio sets it.
//
// "oecd-icio" reads one year of the OECD Inter-Country Input-Output
// tables, editions 2016, 2018, 2021 and 2023: the CSV file, the zip
// archive holding it, or a folder with the option year (ICIOyyyy_YEAR.csv
// or .zip). Products are the labels that are both a row and a column, split
// at their first "_" into region and sector; the rows and columns OUT,
// OUTPUT and TOTAL are dropped; every other row (VALU, TAXSUB, VA+TAXSUB,
// TLS, VA, AUS_TAXSUB) is a factor input, kept in the extension
// factor_inputs with its final-demand part as F_Y; every other column is
// final demand, "REGION_CATEGORY" or, as the 2016 edition writes,
// "CATEGORY_REGION". A column with no region, such as the discrepancy
// DISC, belongs to the consumer ALL, which consumes but does not produce
// (MATH.md 14); the grid of consumers and categories is completed with
// zero columns; both go into Table.Notes. China's and Mexico's split
// regions (CN1, CN2, MX1, MX2) are added into CHN and MEX, as pymrio adds
// them. An empty cell is zero, as pymrio reads it, and counted in a note.
// Table.ValueAdded is the VALU or VA row where there is one. A row that
// names a product without a column of the same name (a renamed column) is
// an error, not a factor input.
//
// "gloria" reads one year of GLORIA from a folder holding the three parts
// of a download: GLORIA_MRIOs_VV_YEAR (zip archive or unpacked) with the
// results T, Y and V; GLORIA_SatelliteAccounts_0VV_YEAR with TQ and YQ;
// GLORIA_ReadMe_0VV.xlsx, whose sheets name the regions, sectors,
// value-added and final-demand categories and satellites (options year,
// version, price bp or pp, country_names gloria or full). T is a
// supply-use system ordered region, then Industry or Product, then
// sector: the use block (product rows, industry columns) and the supply
// block (industry rows, product columns) become a commodity-by-commodity
// table as "sut" does below, with the satellites TQ and the value added V
// (one stressor per region and category) carried per commodity, and
// x = U 1 + Y 1, which is L y, as in pymrio's parse_gloria. Countries with
// no transactions at all in T are set aside, as pymrio sets them aside;
// Table.Notes names them and says how much final demand, value added and
// final users' stressors they held.
//
// "wiod" reads a world input-output table of WIOD's 2013 release (the
// xlsx file, or a folder with the option year, wiotYY*.xlsx): its first
// sheet, with regions from the column of country codes (ROM renamed ROU,
// as pymrio renames it), sectors by their ISIC codes and final-demand
// categories by their c-codes (pymrio's default names); the block of
// inter-industry flows ends at c-code c35 both ways, the last column is
// total output and is dropped, and the rows below the block other than
// the totals r60 and r69 are the extension factor_inputs, whose "Value
// added at basic prices" (r64) is Table.ValueAdded. Empty cells are zero
// and counted in a note. A socio-economic accounts file beside the table
// (WIOD_SEA*.xlsx, or in a folder SEA) gives the extension SEA, as in
// pymrio: persons engaged (EMP), employees (EMPE) and their hours (H_EMP,
// H_EMPE) for the table's year, zero where the file has no figure (RoW).
// A folder or zip archive AIR_* beside the table (AIR_may12) gives the
// extension AIR: one Excel 97 workbook per region, CCC_AIR_May12.xls
// (RoW's is ROW_...), read by the package's own BIFF8 reader; its sheet
// named for the table's year has a row per sector (code "secAtB" in
// column B, "sec" dropped to match the table's sectors) and a column per
// stressor (CO2, CH4, N2O, NOX, SOX, CO, NMVOC, NH3). Each region's rows
// are F of its own sectors; its households' row FC_HH is F_Y in its
// category c37; the rows secTOT, secQ and total are left out; empty cells
// are zero. Units are WIOD's (CO2 in Gg, the others in t), or the text of
// cell A1 for a stressor not among them. A region without its file, a
// file without the year's sheet, a sector the table lacks or a table
// sector the sheet lacks is an error naming the file and region. WIOD's
// other environmental accounts are not read (see the TODO in wiod.go).
//
// "sut" reads a national make and use table in the layout of the BEA's
// summary tables (options year, make, use, region, unit; the file names
// default to the BEA's, with {year} for the year) and turns it into a
// commodity-by-commodity table under the industry-technology assumption
// (MATH.md, supply-use section):
//
//	g = V 1, q = V^T 1          industry and commodity output (V: make, industry x commodity)
//	Z = U g^-1 V                so A = Z q^-1 = B D, with B = U g^-1 and D = V q^-1
//	F = VA g^-1 V               each value-added row of use, per commodity
//	x = q, Y = use's final-demand columns by commodity
//
// Rows and columns labelled "Total ..." are totals and left out, except
// the use table's "Total Value Added", which is kept as a stressor and is
// Table.ValueAdded. Where the use table's commodity output (U 1 + y) or
// its value added (x - Z's column sums) differ from the make table's by
// more than rounding, a note says by how much: the BEA's whole millions
// leave up to about 1e-3. The labels must be those of the earliest other year of
// the folder: a series whose industries, commodities, final-demand
// columns or value-added rows change is an error naming both files.
//
// "useeio" reads a USEEIO model's CSV export: A.csv as A, B.csv as S, q.csv
// as x, one demand vector per region from DemandVectors_NO_ExpRes.csv (the
// column YEAR_REGION_DEMAND; options demand, demand_file, demand_year) as Y
// with the single category DEMAND, and when present B_h.csv and U.csv:
//
//	FY[s, r]              = B_h[s, r] * sum_i d_r[i]   (d_r: r's Consumption_Complete, else y_r)
//	RegionValueAdded[r]   = sum of U's rows V00x/r
//
// Labels "code/location" split at the last "/" into sector and region.
//
// # Differences from pymrio
//
// Each reader gives the table pymrio's parser gives for the same files, so
// that its calc_all and this project's accounts agree (MATH.md), except
// where this list says otherwise. This section is meant for the README.
//
//   - Labels: pymrio keeps multi-level labels as tuples; here they are
//     joined with "/" (stressor "CO2/air").
//   - Numbers: parsed correctly rounded (strconv.ParseFloat, or an exact
//     fast path); pandas' C parser may differ in the last bit for some
//     inputs, so tables agree to about 1e-16 relative, not always bit for
//     bit. NaN, Inf and text in a number cell are errors; pandas reads them.
//   - pymrio, exiobase3: a folder with both Z and A is read from Z (pymrio
//     uses A as given); the A from Z / x differs by rounding. An extension
//     that gives F beside A turns the table into flow form with x = L y
//     (pymrio computes the same x in calc_all).
//   - exiobase3: files that write regions in different conventions (ISO
//     three-letter and EXIOBASE two-letter codes) are an error, unless the
//     option region_codes is rename; pymrio renames them silently.
//   - eora26: the same discrepancy region (ROW) is set aside; the amounts
//     go to Table.Notes rather than pymrio's meta log. Stressors are
//     "name/source" with the unit split off, as in pymrio.
//     Table.ValueAdded is the sum of VA's rows (pymrio has no such field).
//   - oecd-icio: regions and sectors come in the file's order (pymrio
//     sorts them). Factor inputs are the rows that are neither products nor
//     totals, which in every edition are the rows pymrio's name patterns
//     pick (VALU, TAXSUB, VA+TAXSUB, TLS, VA); a row that names a product
//     without a matching column is an error here. Consumer-category pairs
//     absent from the file are zero columns (pymrio has no such columns).
//   - gloria: x is set to U 1 + Y 1, which is the L y that pymrio solves
//     for; the value-added extension has one stressor per region and
//     category, "AUS/Compensation of employees D.1", as pymrio's index.
//   - exiobase2: pymrio's parse_exiobase2 also builds an "impact"
//     extension from the characterisation workbook in the archive; it is
//     not built here.
//   - wiod: empty cells are zero (pymrio leaves them NaN, which spreads
//     into its results). Of the environmental accounts only AIR is read
//     (pymrio also reads CO2, EM, EU, lan, mat, wat). In AIR, a missing
//     year is an error (pymrio warns and leaves AIR out); NOX and SOX are
//     in t (pymrio's units name NOx and SOx, so the files' NOX and SOX get
//     the text of cell A1, "Unnamed: 0" in the mock); a sector row the
//     table lacks, or a table sector the sheet lacks, is an error (pymrio
//     concatenates whatever rows there are).
//   - sut: pymrio has no such parser; the construction is MATH.md's
//     supply-use section, with x = q = V^T 1 (pymrio's GLORIA parser, by
//     contrast, divides by U 1 + Y 1).
//
// # Errors
//
// Every problem of a file is a *ParseError naming the file, the line and
// the column (the cell's 1-based number on its line) where there is one:
//
//	formats: data/2019/Y.txt line 6 column 4: not a number: "one" (row "r2/a", column "r1/gov")
//
// errors.Is tells the kind: ErrNotNumber, ErrNotFinite, ErrRagged,
// ErrLabel, ErrDuplicateLabel, ErrLayout, or fs.ErrNotExist for a missing
// file. Problems of the table as a whole (all zero, say) come from
// table.Validate.
//
// # Traps
//
//   - Labels are matched by label, never by position: Y's rows may come in
//     any order, as long as they are exactly Z's rows. The same holds for
//     F's columns, F_Y, unit.txt, q.csv, B_h.csv and the demand vectors.
//   - Cells must be plain decimal numbers: "NaN", "Inf", "NA", an empty
//     cell, hexadecimal floats and underscores are all errors, even though
//     strconv.ParseFloat takes some of them. The exceptions are the
//     layouts whose publisher leaves cells empty for zero (OECD ICIO,
//     WIOD): there an empty cell is zero and counted in a note.
//   - A source in coefficient form without x whose extensions give F
//     costs one LU of I - A in the reader, in pure Go: minutes for 10^4
//     sectors. EXIOBASE downloads that ship x.txt, Z.txt or S.txt avoid it.
//   - GLORIA's T is the whole supply-use system, twice the sectors on each
//     side: the full release (164 regions, 120 sectors) is 39360 x 39360,
//     12 GB of numbers, held whole before its use and supply blocks are
//     taken out.
//   - The Parquet layout is read as pandas documents its metadata; the
//     tests write their Parquet files here, with arrow-go, not with pandas.
//   - OECD ICIO's split regions (CN1, CN2, MX1, MX2) are added into CHN
//     and MEX only when those are in the table; a table whose whole region
//     is missing keeps the parts as regions.
//   - USEEIO's B_h is per dollar of a region's total consumption demand;
//     with another demand vector FY still uses Consumption_Complete when
//     the file has it.
//   - USEEIO's value-added rows are by industry, the table's sectors are
//     commodities: only regional totals are kept (Table.RegionValueAdded),
//     and Table.ValueAdded stays nil.
//   - Readers hold the whole text of no file, and reorder rows and columns
//     in place: a table is held once, whatever the order of its files.
//     Readers that build a table from parts of a file (GLORIA, OECD ICIO,
//     WIOD, make and use) hold the file and the table.
//   - The .xls reader reads values only, as text (numbers in their
//     shortest exact form); an encrypted workbook is an error; a cell
//     beyond column IV or more than 2^22 rows in all is an error.
//
// # Speed
//
// A text file is read in two stages: its header rows one at a time, then
// its data rows in chunks of whole lines (about a megabyte each) that one
// worker per CPU parses, writing each row straight into the matrix, sized
// once when the number of rows is known. Numbers of up to 19 significant
// digits whose value and power of ten are exact in float64 take a fast
// path (one multiply or divide, correctly rounded, so the same bits as
// strconv.ParseFloat); any other goes to strconv.ParseFloat, directly when
// the cell holds only decimal characters. Memory is the matrix plus a few
// chunks per worker. On the same 2-core machine, numbers written with up
// to 9 significant digits read at about 300 MB/s, numbers in full
// round-trip precision (16 and 17 digits) at about 350 MB/s
// (BenchmarkReadTSV, BenchmarkReadTSVFullDigits).
//
// Measured on a 2-core machine, a synthetic table in pymrio's layout with
// 9800 sectors (49 regions of 200; Z.txt 310 MB, Y.txt 24 MB) opens in
// 1.25 s, about 270 MB/s of text including validation, with a peak
// resident size of 0.81 GB for a 0.77 GB matrix. pymrio's load_all took
// 23.7 s for the same table (13 MB/s) on a machine of that kind; load_all
// is pandas.read_csv once per file. pandas itself could not be run beside
// it, so the comparison is with load_all, not with read_csv alone.
package formats
