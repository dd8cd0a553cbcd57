package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/internal/testenv"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/store"
)

func TestSplitLocation(t *testing.T) {
	tests := []struct{ in, parent, base string }{
		{"s3://b/a/b/c", "s3://b/a/b", "c"},
		{"s3://b/c", "s3://b", "c"},
		{"s3://b/c/", "s3://b", "c"},
		{"s3://b", "s3://b", ""},
		{"s3://b/", "s3://b", ""},
	}
	for _, tt := range tests {
		if p, b := splitLocation(tt.in); p != tt.parent || b != tt.base {
			t.Errorf("splitLocation(%q) = %q, %q; want %q, %q", tt.in, p, b, tt.parent, tt.base)
		}
	}
}

func TestDiffer(t *testing.T) {
	a := plan.File{Path: "A.txt", Bytes: 1, SHA256: "aaaa"}
	b := plan.File{Path: "B.txt", Bytes: 1, SHA256: "bbbb"}
	b2 := plan.File{Path: "B.txt", Bytes: 2, SHA256: "cccc"}
	c := plan.File{Path: "C.txt", Bytes: 1, SHA256: "dddd"}
	tests := []struct {
		name      string
		want, got []plan.File
		says      []string
	}{
		{"same", []plan.File{a, b}, []plan.File{a, b}, nil},
		{"changed", []plan.File{a, b}, []plan.File{a, b2}, []string{"B.txt has sha256 cccc"}},
		{"gone and new", []plan.File{a, b}, []plan.File{a, c}, []string{"B.txt is gone", "C.txt is new"}},
		{"one object changed", []plan.File{{Path: ".", Bytes: 1, SHA256: "eeee"}}, []plan.File{{Path: ".", Bytes: 2, SHA256: "ffff"}}, []string{"the file has sha256 ffff"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := differ(tt.want, tt.got)
			if (d == "") != (tt.says == nil) {
				t.Fatalf("differ = %q", d)
			}
			for _, s := range tt.says {
				if !strings.Contains(d, s) {
					t.Errorf("differ = %q, want it to say %q", d, s)
				}
			}
		})
	}
}

func TestFetchOneObject(t *testing.T) {
	s3 := testenv.StartS3(t)
	ctx := context.Background()
	opts := store.Options{Endpoint: s3.Endpoint, AccessKey: s3.AccessKey, SecretKey: s3.SecretKey}
	st, err := store.Open(ctx, "s3://"+s3.Bucket, opts)
	if err != nil {
		t.Fatal(err)
	}
	// The object and a neighbour whose name starts alike.
	for key, data := range map[string]string{"t/IOT_2019.zip": "zip bytes", "t/IOT_2019.zip.old": "other"} {
		if err := st.Put(ctx, key, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	m := &Metrics{}
	f := &fetcher{dir: t.TempDir(), count: m, open: func(ctx context.Context, location string) (store.Store, error) {
		return store.Open(ctx, location, opts)
	}}
	url := "s3://" + s3.Bucket + "/t/IOT_2019.zip"
	lt, err := f.local(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(lt.path)
	if err != nil || string(data) != "zip bytes" || filepath.Base(lt.path) != "IOT_2019.zip" {
		t.Fatalf("fetched %s: %q, %v", lt.path, data, err)
	}
	if len(lt.files) != 1 || lt.files[0].Path != "." || lt.files[0].Bytes != 9 {
		t.Errorf("files %+v", lt.files)
	}
	// Expected bytes: found in the cache, nothing fetched.
	again, err := f.local(ctx, url, &plan.Input{Files: lt.files})
	if err != nil || again.path != lt.path || m.counts[cacheHits].Load() != 1 || m.counts[bytesFetched].Load() != 9 {
		t.Errorf("second fetch: %+v, %v; hits %d, fetched %d", again, err, m.counts[cacheHits].Load(), m.counts[bytesFetched].Load())
	}
}
