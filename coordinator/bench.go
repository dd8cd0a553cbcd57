package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/bench"
)

// benchCommand measures read, factorization and accounts time and peak
// memory on synthetic tables, each size in a fresh child process, against
// the system LAPACK's LU measured in the same run.
func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("coordinator bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "2450,4900,9800", "comma-separated `orders` n of the synthetic tables (multiples of --regions)")
	var opt bench.Options
	fs.IntVar(&opt.Regions, "regions", 49, "`number` of regions of every table")
	fs.IntVar(&opt.Stressors, "stressors", 3, "`number` of stressors")
	fs.Uint64Var(&opt.Seed, "seed", 0, "`seed` of the synthetic tables")
	fs.StringVar(&opt.Cache, "cache", "", "`folder` where the tables are written once and reused (default: a folder in the system's temporary folder)")
	fs.StringVar(&opt.Backend, "backend", "auto", "factorization `backend`: auto (system LAPACK when present), gonum or lapack")
	fs.BoolVar(&opt.MonteCarlo, "montecarlo", false, "also time one Monte Carlo draw of each kind")
	fs.IntVar(&opt.Draws, "draws", 3, "`number` of Monte Carlo draws timed per kind that solves")
	fs.IntVar(&opt.Repeat, "repeat", 1, "fresh processes per size; the median run is reported")
	pos, err := parseArgs(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "coordinator bench: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintf(stderr, "coordinator bench: --sizes: %q is not a positive whole number\n", s)
			return exitUsage
		}
		opt.Sizes = append(opt.Sizes, n)
	}
	if _, err := bench.Run(ctx, stdout, opt); err != nil {
		fmt.Fprintf(stderr, "coordinator bench: %v\n", err)
		return exitFail
	}
	return exitOK
}
