package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/store"
)

func TestValidKey(t *testing.T) {
	tests := []struct {
		key  string
		want string // in the error; "" for a valid key
	}{
		{"regions.arrow", ""},
		{"year=2019/scenario=base/regions.arrow", ""},
		{"a b/c%2Fd/ünïcode", ""},
		{".hidden/x", ""},
		{"", "empty"},
		{"/abs/key", "starts with a slash"},
		{"dir/", "ends with a slash"},
		{"a//b", "empty segment"},
		{"a/./b", `"." segment`},
		{"a/../b", `".." segment`},
		{"..", `".." segment`},
		{`a\b`, "backslash"},
		{"a\x00b", "control character"},
		{"a\nb", "control character"},
		{"\xff", "not UTF-8"},
		{strings.Repeat("k", 1025), "longer than 1024 bytes"},
		{"x/.mrioflow-tmp-1", "reserved prefix"},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			err := store.ValidKey(tc.key)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("ValidKey(%q) = %v", tc.key, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("ValidKey(%q) = %v, want an error containing %q", tc.key, err, tc.want)
			}
		})
	}
}

// FuzzValidKey checks that a valid key names a file inside the store's
// folder, and the same key again when read back from the path.
func FuzzValidKey(f *testing.F) {
	for _, k := range []string{"a/b", "../x", "a/./b", `a\..\b`, "a//b", "/x", "ok.arrow"} {
		f.Add(k)
	}
	root := filepath.FromSlash("/srv/out")
	s, err := store.Open(context.Background(), root, store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if store.ValidKey(key) != nil {
			return
		}
		path := s.URL(key)
		rel, err := filepath.Rel(root, path)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			t.Fatalf("key %q leaves the folder: %s", key, path)
		}
		if filepath.ToSlash(rel) != key {
			t.Fatalf("key %q is stored as %q", key, rel)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name, location, endpoint, want string
	}{
		{"unknown scheme", "gs://bucket/x", "", `unknown scheme "gs"`},
		{"empty folder", "", "", "empty folder path"},
		{"no bucket", "s3://", "", "bucket name"},
		{"bad bucket", "s3://Bad_Bucket/x", "", `bucket name "Bad_Bucket"`},
		{"bad prefix", "s3://bucket/a/../b", "", "prefix"},
		{"endpoint scheme", "s3://bucket", "ftp://127.0.0.1:21", "scheme must be http or https"},
		{"endpoint path", "s3://bucket", "http://127.0.0.1:9000/minio", "want scheme://host[:port] only"},
		{"endpoint host", "s3://bucket", "http://", "has no host"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := store.Open(context.Background(), tc.location, store.Options{
				Endpoint: tc.endpoint,
				Getenv:   func(string) string { return "" },
			})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open(%q): %v, want an error containing %q", tc.location, err, tc.want)
			}
		})
	}
}
