package output

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// ReadTable reads a whole output file held in data. Only the allocator
// option applies. The caller must Release the table.
//
// ReadTable returns an error when data is not a file of format f, when its
// schema metadata names no account or another SchemaVersion, or when its
// columns differ from Schema of the account it names (the error lists the
// first difference). Damaged files return an error, never a panic.
func ReadTable(data []byte, f Format, opts ...Option) (tbl arrow.Table, err error) {
	cfg := newConfig(opts)
	cfg.mem = newLimitedAllocator(cfg.mem, readBudget(len(data)))
	defer func() {
		// The readers trust some lengths inside the file; a damaged file
		// must not take the process down.
		if r := recover(); r != nil {
			if tbl != nil {
				tbl.Release()
			}
			tbl, err = nil, fmt.Errorf("output: read %v: damaged file: %v", f, r)
		}
	}()
	switch f {
	case Arrow:
		tbl, err = readArrow(data, cfg)
	case Parquet:
		tbl, err = readParquet(data, cfg)
	default:
		return nil, fmt.Errorf("output: read: unknown format %v", f)
	}
	if err != nil {
		return nil, fmt.Errorf("output: read %v: %w", f, err)
	}
	if err := CheckSchema(tbl.Schema()); err != nil {
		tbl.Release()
		return nil, err
	}
	return tbl, nil
}

func readArrow(data []byte, cfg config) (arrow.Table, error) {
	if err := guardArrowFile(data); err != nil {
		return nil, err
	}
	r, err := ipc.NewFileReader(bytes.NewReader(data), ipc.WithAllocator(cfg.mem))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var recs []arrow.RecordBatch
	defer func() {
		for _, rec := range recs {
			rec.Release()
		}
	}()
	for i := range r.NumRecords() {
		rec, err := r.RecordBatchAt(i) // ours to release
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	return array.NewTableFromRecords(r.Schema(), recs), nil
}

func readParquet(data []byte, cfg config) (arrow.Table, error) {
	pf, err := file.NewParquetReader(bytes.NewReader(data),
		file.WithReadProps(parquet.NewReaderProperties(cfg.mem)))
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	if v := pf.MetaData().KeyValueMetadata().FindValue(arrowSchemaMeta); v != nil {
		if err := guardStoredSchema(*v); err != nil {
			return nil, err
		}
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, cfg.mem)
	if err != nil {
		return nil, err
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return nil, err
	}
	defer tbl.Release()
	// ReadTable drops the schema metadata; Schema restores it from the
	// Arrow schema the writer stored.
	schema, err := fr.Schema()
	if err != nil {
		return nil, err
	}
	cols := make([]arrow.Column, tbl.NumCols())
	for i := range cols {
		cols[i] = *tbl.Column(i)
	}
	return array.NewTable(schema, cols, tbl.NumRows()), nil
}

// CheckSchema reports whether schema is that of an output account of this
// SchemaVersion: its metadata names a known account and the version, and
// its columns have the names, types and nullability of Schema(account), in
// order. Extra schema metadata and field metadata are allowed. The error
// names the first difference.
func CheckSchema(schema *arrow.Schema) error {
	md := schema.Metadata()
	name, ok := md.GetValue(MetaAccount)
	if !ok {
		return errors.New("output: schema has no " + MetaAccount + " metadata: not an output file")
	}
	if !IsAccount(name) {
		return fmt.Errorf("output: schema names unknown account %q", name)
	}
	if v, _ := md.GetValue(MetaSchemaVersion); v != SchemaVersion {
		return fmt.Errorf("output: %s: schema version %q, want %q", name, v, SchemaVersion)
	}
	want := Schema(name)
	if schema.NumFields() != want.NumFields() {
		return fmt.Errorf("output: %s: %d columns, want %d", name, schema.NumFields(), want.NumFields())
	}
	for i, w := range want.Fields() {
		g := schema.Field(i)
		switch {
		case g.Name != w.Name:
			return fmt.Errorf("output: %s: column %d is %q, want %q", name, i, g.Name, w.Name)
		case !arrow.TypeEqual(g.Type, w.Type):
			return fmt.Errorf("output: %s: column %q has type %s, want %s", name, g.Name, g.Type, w.Type)
		case g.Nullable != w.Nullable:
			return fmt.Errorf("output: %s: column %q nullable=%t, want %t", name, g.Name, g.Nullable, w.Nullable)
		}
	}
	return nil
}
