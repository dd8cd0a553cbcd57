package runner

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// entryKey is the key of test entry i.
func entryKey(i int) string { return fmt.Sprintf("%064x", i) }

// putEntry makes the entry key in the cache dir with one file of size
// bytes, last used at used.
func putEntry(t *testing.T, dir, key string, size int, used time.Time) {
	t.Helper()
	p := filepath.Join(dir, key)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, "Z.txt"), bytes.Repeat([]byte("z"), size), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, used, used); err != nil {
		t.Fatal(err)
	}
}

// entries are the keys of the entries in the cache dir, and any other
// names there but the prune lock.
func entries(t *testing.T, dir string) (keys, other []string) {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		switch {
		case isEntry(de.Name()):
			keys = append(keys, de.Name())
		case de.Name() != ".lock":
			other = append(other, de.Name())
		}
	}
	return keys, other
}

func TestPrune(t *testing.T) {
	now := time.Now()
	type entry struct {
		size int
		age  time.Duration
	}
	tests := []struct {
		name    string
		entries []entry // entry i has key entryKey(i)
		max     int64
		hit     []int // looked up, and released, before the prune
		held    []int // held by this process during the prune
		other   []int // held by another process (a fetcher of its own)
		keep    []int
		warn    string // in the warning; "" for none
	}{
		{"least recently used first", []entry{{100, 4 * time.Hour}, {100, 3 * time.Hour}, {100, 2 * time.Hour}, {100, time.Hour}},
			250, nil, nil, nil, []int{2, 3}, ""},
		{"an old large entry before new small ones", []entry{{300, 3 * time.Hour}, {100, 2 * time.Hour}, {100, time.Hour}},
			250, nil, nil, nil, []int{1, 2}, ""},
		{"no more than needed", []entry{{100, 3 * time.Hour}, {100, 2 * time.Hour}, {100, time.Hour}},
			200, nil, nil, nil, []int{1, 2}, ""},
		{"under the limit", []entry{{100, 3 * time.Hour}, {100, time.Hour}}, 200, nil, nil, nil, []int{0, 1}, ""},
		{"no limit", []entry{{100, 3 * time.Hour}, {100, time.Hour}}, 0, nil, nil, nil, []int{0, 1}, ""},
		{"a hit is a use", []entry{{100, 3 * time.Hour}, {100, 2 * time.Hour}, {100, time.Hour}},
			100, []int{0}, nil, nil, []int{0}, ""},
		{"held here", []entry{{100, 3 * time.Hour}, {100, 2 * time.Hour}, {100, time.Hour}},
			150, nil, []int{0}, nil, []int{0}, ""},
		{"held elsewhere", []entry{{100, 3 * time.Hour}, {100, 2 * time.Hour}, {100, time.Hour}},
			150, nil, nil, []int{0}, []int{0}, ""},
		{"used recently", []entry{{100, 3 * time.Hour}, {100, time.Minute}, {100, 2 * time.Minute}},
			50, nil, nil, nil, []int{1, 2}, "200 B, over its limit of 50 B: 2 tables are in use or were used in the last 5m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.other) > 0 && !crossProcessLocks {
				t.Skip("no locks between processes on this system")
			}
			dir := t.TempDir()
			for i, e := range tt.entries {
				putEntry(t, dir, entryKey(i), e.size, now.Add(-e.age))
			}
			m := &Metrics{}
			var warned []error
			f := &fetcher{dir: dir, count: m, max: tt.max, recent: cacheRecent, warn: func(err error) { warned = append(warned, err) }}
			other := &fetcher{dir: dir}
			for _, i := range tt.hit {
				_, release, ok := f.cached(entryKey(i), "s3://b/t", nil)
				if !ok {
					t.Fatalf("entry %d missed", i)
				}
				release()
			}
			hold := func(f *fetcher, is []int) {
				for _, i := range is {
					release, ok := f.hold(entryKey(i))
					if !ok {
						t.Fatalf("entry %d missed", i)
					}
					t.Cleanup(release)
					// Held long ago: only the hold spares it.
					old := now.Add(-10 * time.Hour)
					os.Chtimes(filepath.Join(dir, entryKey(i)), old, old)
				}
			}
			hold(f, tt.held)
			hold(other, tt.other)

			f.prune("", "")

			keys, left := entries(t, dir)
			var want []string
			var size int64
			for _, i := range tt.keep {
				want = append(want, entryKey(i))
				size += int64(tt.entries[i].size)
			}
			if !slices.Equal(keys, want) || len(left) > 0 {
				t.Errorf("left %v and %v; want %v", keys, left, want)
			}
			if got := m.counts[cacheBytes].Load(); got != size {
				t.Errorf("cache bytes %d, want %d", got, size)
			}
			if got, want := m.counts[cacheEvictions].Load(), int64(len(tt.entries)-len(tt.keep)); got != want {
				t.Errorf("%d evictions, want %d", got, want)
			}
			switch {
			case tt.warn == "" && len(warned) > 0:
				t.Errorf("warned %v", warned)
			case tt.warn != "" && (len(warned) != 1 || !strings.Contains(warned[0].Error(), tt.warn)):
				t.Errorf("warned %v; want %q", warned, tt.warn)
			}
		})
	}
}

func TestPruneLeftovers(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	old, hourAgo, young := now.Add(-2*cacheLeftover), now.Add(-time.Hour), now.Add(-10*time.Second)
	for name, at := range map[string]time.Time{
		".fetch-1": old, ".evict-2": old, // a day old: gone, held or not
		".fetch-3": hourAgo, // held by a download under way: kept
		".fetch-4": hourAgo, // nobody holds it: gone where flock works
		".fetch-5": young,   // too young to tell: kept
		"notes":    old,     // not the cache's: kept
	} {
		p := filepath.Join(dir, name)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, at, at)
	}
	held, err := os.Open(filepath.Join(dir, ".fetch-3"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := flock(held, lockShared); err != nil {
		t.Fatal(err)
	}
	(&fetcher{dir: dir}).prune("", "")
	want := []string{".fetch-3", ".fetch-5", "notes"}
	if !crossProcessLocks {
		want = []string{".fetch-3", ".fetch-4", ".fetch-5", "notes"}
	}
	if _, left := entries(t, dir); !slices.Equal(left, want) {
		t.Errorf("left %v; want %v", left, want)
	}
}

// folderStores opens s3://bucket/key as the folder root/bucket/key.
func folderStores(root string) StoreOpener {
	return func(ctx context.Context, location string) (store.Store, error) {
		return store.Open(ctx, filepath.Join(root, strings.TrimPrefix(location, "s3://")), store.Options{})
	}
}

func TestFetchPrunes(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	sizes := map[string]int{"t/2010": 300, "t/2011": 200, "t/2012": 900}
	for name, size := range sizes {
		p := filepath.Join(root, "b", name, "Z.txt")
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, bytes.Repeat([]byte(name[len(name)-1:]), size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := &Metrics{}
	var warned []error
	f := &fetcher{dir: t.TempDir(), open: folderStores(root), count: m, max: 600, recent: cacheRecent,
		warn: func(err error) { warned = append(warned, err) }}
	read := func(name string) *localTable {
		t.Helper()
		lt, err := f.local(ctx, "s3://b/"+name, nil)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(lt.path, "Z.txt"))
		if err != nil || len(data) != sizes[name] {
			t.Fatalf("%s: read %d bytes, %v; want %d", name, len(data), err, sizes[name])
		}
		return lt
	}
	age := func(lt *localTable) {
		old := time.Now().Add(-time.Hour)
		os.Chtimes(lt.path, old, old)
	}

	a := read("t/2010")
	a.remove()
	age(a)
	b := read("t/2011") // 500 bytes in all: both stay
	b.remove()
	age(b)
	if keys, _ := entries(t, f.dir); len(keys) != 2 || len(warned) > 0 {
		t.Fatalf("cache %v after 500 bytes, warned %v", keys, warned)
	}
	// 2012 alone is over the limit: it is kept, read, and said so; the
	// rest goes.
	c := read("t/2012")
	keys, _ := entries(t, f.dir)
	if want := filepath.Base(c.path); !slices.Equal(keys, []string{want}) {
		t.Errorf("cache %v; want only 2012's copy %s", keys, want)
	}
	if len(warned) != 1 || !strings.Contains(warned[0].Error(), "s3://b/t/2012 takes 900 B, more than the cache's limit of 600 B") {
		t.Errorf("warned %v", warned)
	}
	c.remove()
	hasCounts(t, m, map[counter]int64{cacheEvictions: 2, cacheBytes: 900, cacheMisses: 3})

	// A lookup of an evicted table misses; the download evicts 2012,
	// which is no longer in use.
	age(c)
	lt, err := f.local(ctx, "s3://b/t/2010", &plan.Input{Files: a.files})
	if err != nil {
		t.Fatal(err)
	}
	lt.remove()
	if keys, _ := entries(t, f.dir); !slices.Equal(keys, []string{filepath.Base(lt.path)}) {
		t.Errorf("cache %v; want only 2010's copy", keys)
	}
	hasCounts(t, m, map[counter]int64{cacheEvictions: 3, cacheBytes: 300, cacheMisses: 4, cacheHits: 0})
}

func hasCounts(t *testing.T, m *Metrics, want map[counter]int64) {
	t.Helper()
	for c, n := range want {
		if got := m.counts[c].Load(); got != n {
			t.Errorf("counter %d is %d, want %d", c, got, n)
		}
	}
}

// TestEvictionRace has a process look an entry up and read it whole
// while another evicts it and puts it back, over and over: every lookup
// finds all of it or nothing.
func TestEvictionRace(t *testing.T) {
	if !crossProcessLocks {
		t.Skip("no locks between processes on this system")
	}
	dir := t.TempDir()
	key := entryKey(1)
	const files, size = 20, 512
	put := func() {
		tmp, err := os.MkdirTemp(dir, ".fetch-")
		if err != nil {
			t.Error(err)
			return
		}
		for i := range files {
			os.WriteFile(filepath.Join(tmp, fmt.Sprint(i)), bytes.Repeat([]byte{byte(i)}, size), 0o644)
		}
		if os.Rename(tmp, filepath.Join(dir, key)) != nil {
			os.RemoveAll(tmp) // still there
		}
	}
	// recent 0: only the locks keep the reader's entry whole.
	evictor := &fetcher{dir: dir, count: &Metrics{}, max: 1}
	reader := &fetcher{dir: dir}
	evicted := func() int64 { return evictor.count.counts[cacheEvictions].Load() }

	var hits, misses atomic.Int64
	var partial []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			p, release, ok := reader.cached(key, "s3://b/t", nil)
			if !ok {
				misses.Add(1)
				continue
			}
			hits.Add(1)
			for i := range files {
				data, err := os.ReadFile(filepath.Join(p, fmt.Sprint(i)))
				if err != nil || len(data) != size {
					partial = append(partial, fmt.Sprintf("file %d: %d bytes, %v", i, len(data), err))
				}
			}
			release()
			time.Sleep(100 * time.Microsecond) // room for the evictor
		}
	})
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		if hits.Load() >= 100 && evicted() >= 100 {
			break
		}
		put()
		evictor.prune("", "")
	}
	close(stop)
	wg.Wait()
	t.Logf("%d hits, %d misses, %d evictions", hits.Load(), misses.Load(), evicted())
	if len(partial) > 0 {
		t.Errorf("%d partial reads, such as %s", len(partial), partial[0])
	}
	if hits.Load() == 0 || evicted() == 0 {
		t.Errorf("%d hits, %d evictions: the race was not run", hits.Load(), evicted())
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string // in the error; "" for none
	}{
		{"0", 0, ""},
		{"4096", 4096, ""},
		{"20GB", 20e9, ""},
		{"20 gb", 20e9, ""},
		{"20G", 20e9, ""},
		{"500MiB", 500 << 20, ""},
		{"1.5TB", 1.5e12, ""},
		{"2Ki", 2048, ""},
		{"10B", 10, ""},
		{" 3 kB ", 3000, ""},
		{"", 0, "want a number of bytes"},
		{"GB", 0, "want a number of bytes"},
		{"-1GB", 0, "want a number of bytes"},
		{"1.2.3GB", 0, `"1.2.3" is no number`},
		{"20XB", 0, `unknown unit "XB"`},
		{"1e3", 0, `unknown unit "e3"`},
		{"10Gb/s", 0, `unknown unit "Gb/s"`},
		{"9999999TB", 0, "too large"},
		{"0.5B", 0, "less than one byte"},
		{"0.0001kB", 0, "less than one byte"},
		{"1.5", 1, ""},
		{"0.0", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSize(tt.in)
			switch {
			case tt.err == "" && (err != nil || got != tt.want):
				t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("parseSize(%q) = %d, %v; want an error saying %q", tt.in, got, err, tt.err)
			}
		})
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "20GB", "500MiB", "1.5 TB", "x", "9e99", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("parseSize(%q) = %d", s, n)
		}
		// A size in bytes reads back as itself.
		if back, err := parseSize(fmt.Sprint(n)); err != nil || back != n {
			t.Fatalf("parseSize(%q) = %d, which reads back as %d, %v", s, n, back, err)
		}
	})
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{{0, "0 B"}, {999, "999 B"}, {1500, "1.5 kB"}, {20e9, "20 GB"}, {123456789, "123 MB"}, {12345678, "12.3 MB"}}
	for _, tt := range tests {
		if got := formatSize(tt.n); got != tt.want {
			t.Errorf("formatSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestCacheMaxFlag(t *testing.T) {
	tests := []struct {
		args []string
		want int64
		err  string
	}{
		{nil, 0, ""},
		{[]string{"--cache-max", "20GB"}, 20e9, ""},
		{[]string{"--cache-max=500MiB"}, 500 << 20, ""},
		{[]string{"--cache-max", "20XB"}, 0, `invalid value "20XB" for flag -cache-max: "20XB": unknown unit "XB"`},
		{[]string{"--cache-max", "lots"}, 0, "flag -cache-max: \"lots\": want a number of bytes"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			fs := flag.NewFlagSet("worker", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var p ProcessFlags
			p.AddFlags(fs)
			err := fs.Parse(tt.args)
			switch {
			case tt.err == "" && (err != nil || p.CacheMax != tt.want):
				t.Errorf("CacheMax %d, %v; want %d", p.CacheMax, err, tt.want)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("got %v; want an error saying %q", err, tt.err)
			}
			if errors.Is(err, flag.ErrHelp) {
				t.Error("help")
			}
		})
	}
}
