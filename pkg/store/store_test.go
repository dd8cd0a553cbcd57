package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/internal/testenv"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// openS3 starts a server and opens a store on its bucket under prefix.
func openS3(t *testing.T, prefix string) (store.Store, *testenv.S3Server) {
	t.Helper()
	srv := testenv.StartS3(t)
	return openOn(t, srv, srv.Bucket, prefix, srv.SecretKey), srv
}

func openOn(t *testing.T, srv *testenv.S3Server, bucket, prefix, secret string) store.Store {
	t.Helper()
	loc := "s3://" + bucket
	if prefix != "" {
		loc += "/" + prefix
	}
	s, err := store.Open(context.Background(), loc, store.Options{
		Endpoint:  srv.Endpoint,
		AccessKey: srv.AccessKey,
		SecretKey: secret,
		RetryFor:  30 * time.Second,
		Getenv:    func(string) string { return "" },
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eachStore runs test against a local folder and an S3 bucket.
func eachStore(t *testing.T, test func(t *testing.T, s store.Store)) {
	t.Run("local", func(t *testing.T) {
		s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "out"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		test(t, s)
	})
	t.Run("s3", func(t *testing.T) {
		s, _ := openS3(t, "runs/one")
		test(t, s)
	})
}

func TestContract(t *testing.T) {
	eachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		if err := s.Check(ctx); err != nil {
			t.Fatalf("Check: %v", err)
		}
		objects := map[string][]byte{
			"year=2019/scenario=base/regions.arrow": []byte("regions 2019"),
			"year=2019/scenario=base/flows.arrow":   []byte("flows 2019"),
			"year=2020/scenario=base/regions.arrow": []byte("regions 2020"),
			"manifest.json":                         []byte(`{"job":"x"}`),
			"empty":                                 {},
		}
		for k, v := range objects {
			if err := s.Put(ctx, k, v); err != nil {
				t.Fatalf("Put %s: %v", k, err)
			}
		}
		for k, v := range objects {
			got, err := s.Get(ctx, k)
			if err != nil || !bytes.Equal(got, v) {
				t.Errorf("Get %s = %q, %v; want %q", k, got, err, v)
			}
		}

		// Put replaces.
		if err := s.Put(ctx, "manifest.json", []byte("v2")); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, "manifest.json"); string(got) != "v2" {
			t.Errorf("after overwrite: %q", got)
		}

		lists := []struct {
			prefix string
			want   []string
		}{
			{"", []string{"empty", "manifest.json",
				"year=2019/scenario=base/flows.arrow", "year=2019/scenario=base/regions.arrow",
				"year=2020/scenario=base/regions.arrow"}},
			{"year=2019/", []string{"year=2019/scenario=base/flows.arrow", "year=2019/scenario=base/regions.arrow"}},
			{"year=20", []string{"year=2019/scenario=base/flows.arrow", "year=2019/scenario=base/regions.arrow",
				"year=2020/scenario=base/regions.arrow"}},
			{"year=2020/scenario=base/regions.arrow", []string{"year=2020/scenario=base/regions.arrow"}},
			{"year=2021/", nil},
			{"nothing/here/", nil},
		}
		for _, l := range lists {
			got, err := s.List(ctx, l.prefix)
			if err != nil || !slices.Equal(got, l.want) {
				t.Errorf("List(%q) = %q, %v; want %q", l.prefix, got, err, l.want)
			}
		}

		_, err := s.Get(ctx, "year=2019/missing.arrow")
		if !errors.Is(err, store.ErrNotExist) {
			t.Errorf("Get of a missing key: %v, want ErrNotExist", err)
		}
		if err != nil && !strings.Contains(err.Error(), s.URL("year=2019/missing.arrow")) {
			t.Errorf("error %q does not name %s", err, s.URL("year=2019/missing.arrow"))
		}

		if err := s.Delete(ctx, "year=2019/scenario=base/flows.arrow"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "year=2019/scenario=base/flows.arrow"); !errors.Is(err, store.ErrNotExist) {
			t.Errorf("Get after Delete: %v", err)
		}
		if err := s.Delete(ctx, "year=2019/scenario=base/flows.arrow"); err != nil {
			t.Errorf("second Delete: %v", err)
		}
		if got, _ := s.List(ctx, "year=2019/"); !slices.Equal(got, []string{"year=2019/scenario=base/regions.arrow"}) {
			t.Errorf("List after Delete: %q", got)
		}
		// Check leaves nothing behind.
		if err := s.Check(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.List(ctx, ""); len(got) != 4 {
			t.Errorf("after Check, List = %q", got)
		}
	})
}

func TestConcurrentPuts(t *testing.T) {
	eachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make([]error, 16)
		for i := range errs {
			wg.Go(func() {
				errs[i] = s.Put(ctx, fmt.Sprintf("part/%02d", i), []byte{byte(i)})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		keys, err := s.List(ctx, "part/")
		if err != nil || len(keys) != len(errs) {
			t.Fatalf("List = %d keys, %v; want %d", len(keys), err, len(errs))
		}
		for i, k := range keys {
			if got, err := s.Get(ctx, k); err != nil || !bytes.Equal(got, []byte{byte(i)}) {
				t.Errorf("Get %s = %v, %v", k, got, err)
			}
		}
	})
}

func TestInvalidKeysFailEveryMethod(t *testing.T) {
	eachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		for _, key := range []string{"", "/abs", "a/../b", "a//b", `a\b`, "..", "a/", "./a", ".mrioflow-tmp-1"} {
			errs := map[string]error{"Put": s.Put(ctx, key, []byte("x")), "Delete": s.Delete(ctx, key)}
			_, errs["Get"] = s.Get(ctx, key)
			for op, err := range errs {
				if err == nil || !strings.Contains(err.Error(), "invalid key") {
					t.Errorf("%s(%q): %v, want an invalid-key error", op, key, err)
				}
			}
		}
		for _, prefix := range []string{"/a", "a//", "../", `a\`} {
			if _, err := s.List(ctx, prefix); err == nil {
				t.Errorf("List(%q) accepted an invalid prefix", prefix)
			}
		}
		// Nothing was written.
		if keys, err := s.List(ctx, ""); err != nil || len(keys) != 0 {
			t.Errorf("List = %q, %v", keys, err)
		}
	})
}

func TestCanceledContext(t *testing.T) {
	eachStore(t, func(t *testing.T, s store.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := s.Put(ctx, "k", []byte("x")); !errors.Is(err, context.Canceled) {
			t.Errorf("Put with a canceled context: %v", err)
		}
		if _, err := s.Get(ctx, "k"); !errors.Is(err, context.Canceled) {
			t.Errorf("Get with a canceled context: %v", err)
		}
	})
}
