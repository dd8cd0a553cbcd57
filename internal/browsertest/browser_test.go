package browsertest

import (
	"bytes"
	"context"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// startBrowser starts a browser with a viewport width pixels wide for
// the test, and closes it at the end. Without a browser the test is
// skipped, unless MRIOFLOW_REQUIRE_BROWSER=1.
func startBrowser(t *testing.T, width int) *Browser {
	t.Helper()
	if _, err := Find(); err != nil {
		if os.Getenv("MRIOFLOW_REQUIRE_BROWSER") == "1" {
			t.Fatalf("%v (MRIOFLOW_REQUIRE_BROWSER=1)", err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := Start(ctx, Options{Width: width, Height: 800})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	return b
}

// fileURL returns the file: URL of a local path.
func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// openHTML writes page to a temporary file and opens it.
func openHTML(t *testing.T, b *Browser, page string) (*Page, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := b.Open(ctx, fileURL(path))
	if err != nil {
		t.Fatalf("%v\nbrowser stderr:\n%s", err, b.Stderr())
	}
	t.Cleanup(func() { p.Close() })
	return p, path
}

// settle waits a moment for events that trail the load.
func settle(t *testing.T, p *Page) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A round trip through the page's task queue lets queued events out.
	if err := p.Eval(ctx, `new Promise(r => setTimeout(() => r(true), 100))`, nil); err != nil {
		t.Fatal(err)
	}
}

func TestPageReportsErrors(t *testing.T) {
	b := startBrowser(t, 800)
	p, path := openHTML(t, b, `<!DOCTYPE html><html><body>
<p>hello</p>
<img src="missing.png" alt="">
<script>
console.log("all fine");
console.error("boom", 42);
setTimeout(() => { throw new Error("uncaught"); }, 0);
</script></body></html>`)
	settle(t, p)
	var got []string
	for _, m := range p.Errors() {
		got = append(got, m.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"console error: boom 42", "exception error:", "uncaught", "missing.png"} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q; got:\n%s", want, all)
		}
	}
	if strings.Contains(all, "all fine") {
		t.Errorf("console.log reported as an error:\n%s", all)
	}
	infos := p.Messages()
	if !slices.ContainsFunc(infos, func(m Message) bool { return m.Level == "info" && m.Text == "all fine" }) {
		t.Errorf("console.log not recorded: %v", infos)
	}
	missing := fileURL(filepath.Join(filepath.Dir(path), "missing.png"))
	if !slices.Contains(p.Requests(), missing) {
		t.Errorf("requests %v lack %s", p.Requests(), missing)
	}
}

func TestPageCleanEvalScreenshot(t *testing.T) {
	b := startBrowser(t, 800)
	p, _ := openHTML(t, b, `<!DOCTYPE html><html><body style="margin:0">
<div id="box" style="position:absolute; left:10px; top:1000px; width:50px; height:30px; background:#0072b2"></div>
</body></html>`)
	settle(t, p)
	if errs := p.Errors(); len(errs) != 0 {
		t.Errorf("a clean page gave errors: %v", errs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var r Rect
	if err := p.Eval(ctx, `(() => { const r = document.getElementById("box").getBoundingClientRect();
		return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; })()`, &r); err != nil {
		t.Fatal(err)
	}
	if r != (Rect{X: 10, Y: 1000, Width: 50, Height: 30}) {
		t.Fatalf("box at %+v", r)
	}
	// Below the viewport: the screenshot must still see it.
	shot, err := p.Screenshot(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 50 || b.Dy() != 30 {
		t.Fatalf("screenshot %v, want 50 x 30", b)
	}
	cr, cg, cb, _ := img.At(25, 15).RGBA()
	if cr>>8 != 0x00 || cg>>8 != 0x72 || cb>>8 != 0xb2 {
		t.Errorf("pixel %02x%02x%02x, want 0072b2", cr>>8, cg>>8, cb>>8)
	}
	if err := p.Eval(ctx, `(() => { throw new Error("nope"); })()`, nil); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("a thrown exception: %v, want its message", err)
	}
}
