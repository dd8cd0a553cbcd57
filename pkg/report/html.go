package report

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

//go:embed report.html.tmpl
var pageText string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	// svg marks a chart as safe HTML. vgsvg escapes every text it
	// writes (html.EscapeString), and the rest of the markup is its own.
	"svg":  func(f *Figure) template.HTML { return template.HTML(f.svg) },
	"join": func(xs []string) string { return strings.Join(xs, ", ") },
	"has":  slices.Contains[[]string],
}).Parse(pageText))

// The start of every page: the doctype, and within headSize bytes the
// meta element that says the report wrote it. IsReport looks for both.
const (
	doctype       = "<!DOCTYPE html>"
	generatorMeta = `<meta name="generator" content="mrioflow report">`
	headSize      = 512
)

// WriteHTML writes the report as one HTML page that needs nothing from
// the network: charts are inline SVG, styles are inline, there is no
// script. Text from the data is escaped. It returns w's error, if any.
func (r *Report) WriteHTML(w io.Writer) error {
	if err := page.Execute(w, r); err != nil {
		return fmt.Errorf("report: writing HTML: %w", err)
	}
	return nil
}

// IsReport reports whether head, the first bytes of a file (512 are
// enough), starts a page that WriteHTML wrote: the HTML doctype, then
// the meta element naming mrioflow's report as the generator.
func IsReport(head []byte) bool {
	head = head[:min(len(head), headSize)]
	return bytes.HasPrefix(head, []byte(doctype)) && bytes.Contains(head, []byte(generatorMeta))
}

// CheckHTMLFile returns an error when name cannot take a report without
// harm: its folder does not exist (it is never created), or name is a
// folder, a link or any other file that is not a report (IsReport). An
// earlier report there may be replaced, so CheckHTMLFile returns nil.
func CheckHTMLFile(name string) error {
	if err := checkFolder(filepath.Dir(name)); err != nil {
		return err
	}
	info, err := os.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("report: %s exists and is not a plain file (%s); not replacing it", name, info.Mode().Type())
	}
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer f.Close()
	head := make([]byte, headSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("report: %w", err)
	}
	if !IsReport(head[:n]) {
		return fmt.Errorf("report: %s exists and is not a report this program wrote; not replacing it "+
			"(remove it or choose another file)", name)
	}
	return nil
}

// WriteHTMLFile writes the page to name, after CheckHTMLFile. It writes
// a temporary file in name's folder and renames it into place, so that a
// failed write leaves no partial page, and an earlier report stays whole
// until the new one replaces it.
func (r *Report) WriteHTMLFile(name string) error {
	if err := CheckHTMLFile(name); err != nil {
		return err
	}
	return writeFile(name, r.WriteHTML)
}

// CheckPNGFolder returns an error when dir cannot take the figures: it
// exists and is not a folder, or it does not exist and neither does its
// parent folder (WritePNGs creates dir, never its parents).
func CheckPNGFolder(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return checkFolder(filepath.Dir(dir))
	case err != nil:
		return fmt.Errorf("report: %w", err)
	case !info.IsDir():
		return fmt.Errorf("report: %s is not a folder", dir)
	}
	return nil
}

// WritePNGs writes each chart as dir/<figure ID>.png, after
// CheckPNGFolder, creating dir but not its parents, and returns the
// names of the files written. Figures without a chart are skipped; a
// file of a figure's name is replaced.
func (r *Report) WritePNGs(dir string) ([]string, error) {
	if err := CheckPNGFolder(dir); err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
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

// checkFolder returns an error naming dir when it is not an existing
// folder.
func checkFolder(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("report: folder %s does not exist; create it first", dir)
	case err != nil:
		return fmt.Errorf("report: %w", err)
	case !info.IsDir():
		return fmt.Errorf("report: %s is not a folder", dir)
	}
	return nil
}

// writeFile writes name through a temporary file in its folder, renamed
// into place once whole; on failure the temporary file is removed.
func writeFile(name string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	buf := bufio.NewWriter(tmp)
	if err := write(buf); err != nil {
		return err
	}
	if err := buf.Flush(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
