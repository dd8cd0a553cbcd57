package output_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/output"
)

var update = flag.Bool("update", false, "rewrite schemas/*.arrow.json from the Go schemas")

// schemasDir is the repository's schemas folder, seen from this package.
var schemasDir = filepath.Join("..", "..", "schemas")

// schemaFile is the layout of schemas/<account>.arrow.json.
type schemaFile struct {
	Account     string            `json:"account"`
	Description string            `json:"description"`
	Metadata    map[string]string `json:"metadata"`
	Fields      []schemaField     `json:"fields"`
}

type schemaField struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Nullable    bool   `json:"nullable"`
	Description string `json:"description"`
}

// describe renders the Go schema of account as its JSON file should read.
func describe(t *testing.T, account string) []byte {
	t.Helper()
	sc := output.Schema(account)
	md := sc.Metadata()
	doc := schemaFile{
		Account:     account,
		Description: output.Describe(account),
		Metadata:    md.ToMap(),
	}
	for _, f := range sc.Fields() {
		d, _ := f.Metadata.GetValue(output.MetaDescription)
		doc.Fields = append(doc.Fields, schemaField{
			Name: f.Name, Type: f.Type.String(), Nullable: f.Nullable, Description: d,
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSchemaFiles keeps schemas/*.arrow.json equal to the Go schemas.
// Run with -update after changing a schema, and bump SchemaVersion.
func TestSchemaFiles(t *testing.T) {
	all := append(output.Accounts(), output.Summary)
	for _, account := range all {
		t.Run(account, func(t *testing.T) {
			path := filepath.Join(schemasDir, account+".arrow.json")
			want := describe(t, account)
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the Go schema; run go test ./pkg/output -run TestSchemaFiles -update\ngot:\n%s\nwant:\n%s",
					path, got, want)
			}
		})
	}
	// No file describes an account that no longer exists.
	files, err := filepath.Glob(filepath.Join(schemasDir, "*.arrow.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(all) {
		t.Errorf("%d schema files, want %d: %v", len(files), len(all), files)
	}
}
