package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/ibid-dev/ibid/thesaurus"
)

func init() {
	register(&command{
		name:    "version",
		summary: "print ibid's version and the notices of the data built into it",
		usage:   "",
		run:     runVersion,
	})
}

// runVersion prints the build's version and the licence of the WordNet
// thesaurus embedded in the binary, which WordNet's licence asks to
// accompany every copy.
func runVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, commands["version"])
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"version takes no arguments"}
	}
	version, revision := "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				revision = " " + s.Value
			}
		}
	}
	lemmas, synsets := thesaurus.Len()
	fmt.Fprintf(e.stdout, "ibid %s%s, %s\n\n", version, revision, runtime.Version())
	fmt.Fprintf(e.stdout, "The checker and the spin flags use a thesaurus built from WordNet 3.0 (%d lemmas, %d synonym sets),\nembedded under WordNet's licence:\n\n%s", lemmas, synsets, thesaurus.License)
	return nil
}
