package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIsReport(t *testing.T) {
	var page bytes.Buffer
	if err := (&Report{}).WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		head []byte
		want bool
	}{
		{"a page WriteHTML wrote", page.Bytes(), true},
		{"its first 512 bytes", page.Bytes()[:headSize], true},
		{"other HTML", []byte("<!DOCTYPE html>\n<html><head><title>notes</title></head>"), false},
		{"the marker without the doctype", []byte("<html>" + generatorMeta), false},
		{"the marker past 512 bytes", []byte(doctype + strings.Repeat(" ", headSize) + generatorMeta), false},
		{"JSON", []byte(`{"job": "ga-2019"}`), false},
		{"nothing", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := IsReport(c.head); got != c.want {
				t.Errorf("IsReport = %v, want %v", got, c.want)
			}
		})
	}
}

// TestWriteHTMLFile: a report replaces only an earlier report, never
// creates folders, and a failed write leaves the old file as it was.
func TestWriteHTMLFile(t *testing.T) {
	var page bytes.Buffer
	if err := (&Report{}).WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	other := []byte(`{"job": "ga-2019"}`)
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the file to write
		err   string                                // "" when the write must succeed
	}{
		{
			name:  "new file",
			setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "r.html") },
		},
		{
			name:  "an earlier report",
			setup: func(t *testing.T, dir string) string { return put(t, dir, "r.html", page.Bytes()) },
		},
		{
			name:  "another file",
			setup: func(t *testing.T, dir string) string { return put(t, dir, "manifest.json", other) },
			err:   "manifest.json exists and is not a report this program wrote; not replacing it",
		},
		{
			name:  "an empty file",
			setup: func(t *testing.T, dir string) string { return put(t, dir, "r.html", nil) },
			err:   "r.html exists and is not a report",
		},
		{
			name: "a folder",
			setup: func(t *testing.T, dir string) string {
				name := filepath.Join(dir, "r.html")
				if err := os.Mkdir(name, 0o755); err != nil {
					t.Fatal(err)
				}
				return name
			},
			err: "r.html exists and is not a plain file",
		},
		{
			name: "a link to a report",
			setup: func(t *testing.T, dir string) string {
				target := put(t, dir, "target.html", page.Bytes())
				name := filepath.Join(dir, "r.html")
				if err := os.Symlink(target, name); err != nil {
					t.Skip(err)
				}
				return name
			},
			err: "r.html exists and is not a plain file",
		},
		{
			name:  "missing folder",
			setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "no", "such", "r.html") },
			err:   string(filepath.Separator) + filepath.Join("no", "such") + " does not exist; create it first",
		},
		{
			name:  "folder is a file",
			setup: func(t *testing.T, dir string) string { return filepath.Join(put(t, dir, "f", other), "r.html") },
			err:   string(filepath.Separator) + "f is not a folder",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			name := c.setup(t, dir)
			before := listing(t, dir)
			err := (&Report{}).WriteHTMLFile(name)
			if c.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got, err := os.ReadFile(name); err != nil || !bytes.Equal(got, page.Bytes()) {
					t.Errorf("the file holds %d bytes (%v), want the page's %d", len(got), err, page.Len())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("error %v, want one holding %q", err, c.err)
			}
			if after := listing(t, dir); after != before {
				t.Errorf("a refused write changed the folder:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

// TestWriteFileFails: a write that fails leaves the old file whole and
// no temporary file behind.
func TestWriteFileFails(t *testing.T) {
	dir := t.TempDir()
	name := put(t, dir, "r.html", []byte("old"))
	boom := errors.New("boom")
	err := writeFile(name, func(w io.Writer) error {
		if _, err := w.Write(bytes.Repeat([]byte("new"), 10000)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want %v", err, boom)
	}
	if got := listing(t, dir); got != "r.html 3\n" {
		t.Errorf("the folder holds\n%s\nwant only the old r.html", got)
	}
}

func TestWritePNGsFolder(t *testing.T) {
	// One year, one scenario: few figures to draw.
	fx := newFixture()
	fx.years, fx.scenarios, fx.summaries = []string{"2011"}, []string{"baseline"}, nil
	rep, _ := buildFixture(t, fx, Options{})
	cases := []struct {
		name string
		dir  func(t *testing.T, root string) string
		err  string
	}{
		{"existing folder", func(t *testing.T, root string) string { return root }, ""},
		{"new folder", func(t *testing.T, root string) string { return filepath.Join(root, "png") }, ""},
		{
			"new folder in a missing one",
			func(t *testing.T, root string) string { return filepath.Join(root, "a", "png") },
			string(filepath.Separator) + "a does not exist; create it first",
		},
		{
			"a file",
			func(t *testing.T, root string) string { return put(t, root, "png", []byte("x")) },
			string(filepath.Separator) + "png is not a folder",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			dir := c.dir(t, root)
			before := listing(t, root)
			names, err := rep.WritePNGs(dir)
			if c.err == "" {
				if err != nil || len(names) == 0 {
					t.Fatalf("%d PNGs, error %v", len(names), err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("error %v, want one holding %q", err, c.err)
			}
			if after := listing(t, root); after != before {
				t.Errorf("a refused write changed the folder:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

// put writes a file under dir and returns its name.
func put(t *testing.T, dir, base string, data []byte) string {
	t.Helper()
	name := filepath.Join(dir, base)
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// listing lists every path under dir with its size, one a line.
func listing(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "%s %d\n", filepath.ToSlash(rel), info.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
