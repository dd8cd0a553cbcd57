package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
)

//go:embed report.html.tmpl
var pageText string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	// svg marks a chart as safe HTML. vgsvg escapes every text it
	// writes (html.EscapeString), and the rest of the markup is its own.
	"svg":  func(f *Figure) template.HTML { return template.HTML(f.svg) },
	"join": func(xs []string) string { return strings.Join(xs, ", ") },
}).Parse(pageText))

// WriteHTML writes the report as one HTML page that needs nothing from
// the network: charts are inline SVG, styles are inline, there is no
// script. Text from the data is escaped. It returns w's error, if any.
func (r *Report) WriteHTML(w io.Writer) error {
	if err := page.Execute(w, r); err != nil {
		return fmt.Errorf("report: writing HTML: %w", err)
	}
	return nil
}

// WritePNGs writes each chart as dir/<figure ID>.png, creating dir when
// needed, and returns the names of the files written. Figures without a
// chart are skipped.
func (r *Report) WritePNGs(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var names []string
	for _, f := range r.Figures {
		if f.chart == nil {
			continue
		}
		name := filepath.Join(dir, f.ID+".png")
		if err := writeFile(name, f.WritePNG); err != nil {
			return names, err
		}
		names = append(names, name)
	}
	return names, nil
}

func writeFile(name string, write func(io.Writer) error) error {
	out, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := write(out); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
