package formats

import (
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/mrioflow/mrioflow/pkg/synth"
)

// BenchmarkOpenPymrio opens a synthetic 1000-sector table in pymrio's txt
// layout (10 regions of 100 sectors, about 33 MB); MB/s counts every file
// read. The 9800-sector table of the same generator (49 regions of 200
// sectors, Z.txt 310 MB) reads the same way, at the rate this reports.
func BenchmarkOpenPymrio(b *testing.B) {
	dir := b.TempDir()
	if err := synth.Write(dir, synth.Options{Regions: 10, Sectors: 100, Stressors: 3, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	var size int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		size += info.Size()
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	for b.Loop() {
		if _, err := Open("pymrio", dir, nil); err != nil {
			b.Fatal(err)
		}
	}
}
