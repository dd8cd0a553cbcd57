package formats

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/mrioflow/mrioflow/pkg/spec"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// Format is one source layout and its reader.
type Format struct {
	Name    string   // as job specs write it, such as "pymrio"
	Options []string // the option names Read understands; any other is an error

	// Read reads the table at path (a folder) with the options given, all
	// of them among Options. Open validates what it returns.
	Read func(path string, options map[string]string) (*table.Table, error)
}

var registry = struct {
	sync.RWMutex
	formats map[string]Format
}{formats: map[string]Format{}}

// Register makes a format available to Open, and its name known to
// package spec (spec.RegisterFormat), so that job specs may name it. It
// panics if the name is empty, Read is nil or the name is taken: these
// are programming mistakes.
func Register(f Format) {
	registry.Lock()
	defer registry.Unlock()
	if f.Name == "" || f.Read == nil {
		panic("formats: Register needs a name and a reader")
	}
	if _, ok := registry.formats[f.Name]; ok {
		panic("formats: format " + f.Name + " registered twice")
	}
	registry.formats[f.Name] = f
	spec.RegisterFormat(f.Name)
}

// Formats returns the names of the registered formats, sorted.
func Formats() []string {
	registry.RLock()
	defer registry.RUnlock()
	return slices.Sorted(maps.Keys(registry.formats))
}

// Open reads the table at path in the named format and validates it
// (table.Validate). It returns an error for an unknown format, an option
// the format does not know, and any problem of the files, which names the
// file, line and column (a *ParseError) or the label at fault.
func Open(format, path string, options map[string]string) (*table.Table, error) {
	registry.RLock()
	f, ok := registry.formats[format]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("formats: unknown format %q (known: %s)", format, strings.Join(Formats(), ", "))
	}
	for _, name := range slices.Sorted(maps.Keys(options)) {
		if !slices.Contains(f.Options, name) {
			known := "none"
			if len(f.Options) > 0 {
				known = strings.Join(f.Options, ", ")
			}
			return nil, fmt.Errorf("formats: %s: unknown option %q (known: %s)", format, name, known)
		}
	}
	t, err := f.Read(path, options)
	if err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("formats: %s: %w", format, err)
	}
	return t, nil
}
