package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
)

// parseArgs parses flags that may come before, between or after the
// positional arguments, and returns those. After "--" every argument is
// positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	return pos, nil
}

// logFlags are the logging flags of both commands.
type logFlags struct {
	level   string
	verbose bool
}

func (l *logFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&l.level, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.BoolVar(&l.verbose, "v", false, "log at debug level (same as --log-level debug)")
}

// logger returns a text logger on w at the level asked for.
func (l *logFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", l.level)
	}
	if l.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})), nil
}

// version is the module version the binary was built from, "(devel)" for
// a build from a working tree.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
