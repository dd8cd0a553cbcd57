package synth

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// writeExtension writes the emissions extension: F proportional to the
// target output with lognormal intensities, F_Y for households only.
func (g *gen) writeExtension(dir string) error {
	names := make([]string, g.Stressors)
	for s := range names {
		names[s] = fmt.Sprintf("stressor%d", s+1)
	}
	index := []string{"stressor", "compartment"}
	write := func(file string, cols []string, value func(s, col int) float64) error {
		f, err := os.Create(filepath.Join(dir, file))
		if err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		level2 := "sector"
		if len(cols) == len(Categories) {
			level2 = "category"
		}
		g.header(w, level2, cols, index)
		var line []byte
		for s, name := range names {
			line = append(line[:0], name...)
			line = append(line, "\tair"...)
			for col := 0; col < g.Regions*len(cols); col++ {
				line = append(line, '\t')
				line = appendNum(line, value(s, col))
			}
			line = append(line, '\n')
			w.Write(line)
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return fmt.Errorf("synth: %s: %w", file, err)
		}
		return f.Close()
	}
	err := write("F.txt", g.sectorNames(), func(s, j int) float64 {
		return g.x[j] * math.Exp(1.5*normal(g.Seed, streamIntensity, s, j))
	})
	if err != nil {
		return err
	}
	err = write("F_Y.txt", Categories, func(s, col int) float64 {
		if col%len(Categories) != 0 {
			return 0
		}
		return 500 * float64(g.Sectors) * uniform(g.Seed, streamIntensity, 1000+s, col)
	})
	if err != nil {
		return err
	}
	var units []byte
	units = append(units, "stressor\tcompartment\tunit\n"...)
	for _, name := range names {
		units = append(units, name+"\tair\tkg\n"...)
	}
	if err := os.WriteFile(filepath.Join(dir, "unit.txt"), units, 0o644); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return writeParams(dir, map[string]any{
		"files": map[string]any{
			"F":    fileParam("F.txt", 2, 2),
			"F_Y":  fileParam("F_Y.txt", 2, 2),
			"unit": fileParam("unit.txt", 2, 1),
		},
		"systemtype": "Extension",
		"name":       "Emissions",
	})
}

func fileParam(name string, indexCols, headers int) map[string]string {
	return map[string]string{
		"name":         name,
		"nr_index_col": fmt.Sprint(indexCols),
		"nr_header":    fmt.Sprint(headers),
	}
}

func writeParams(dir string, v any) error {
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "file_parameters.json"), b, 0o644); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// writeMeta writes the system's unit.txt, file_parameters.json and
// metadata.json.
func (g *gen) writeMeta(dir string) error {
	var units []byte
	units = append(units, "region\tsector\tunit\n"...)
	for i := 0; i < g.n; i++ {
		units = append(units, g.region(i/g.Sectors)+"\t"+g.sector(i%g.Sectors)+"\tM.EUR\n"...)
	}
	if err := os.WriteFile(filepath.Join(dir, "unit.txt"), units, 0o644); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	meta := map[string]any{
		"description": fmt.Sprintf("synthetic MRIO, %d regions x %d sectors, seed %d", g.Regions, g.Sectors, g.Seed),
		"name":        "synthetic",
		"system":      "pxp",
		"version":     "1",
		"history":     []string{},
	}
	b, _ := json.MarshalIndent(meta, "", "    ")
	if err := os.WriteFile(filepath.Join(dir, "metadata.json"), b, 0o644); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return writeParams(dir, map[string]any{
		"files": map[string]any{
			"Z":    fileParam("Z.txt", 2, 2),
			"Y":    fileParam("Y.txt", 2, 2),
			"unit": fileParam("unit.txt", 2, 1),
		},
		"systemtype": "IOSystem",
	})
}
