// Command ibid is the essay library and originality checker: it serves the
// web UI and JSON API, and its subcommands do everything the UI does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"

	"github.com/ibid-dev/ibid"
)

// command is one subcommand. Each lives in its own file and registers itself
// in an init function, so that adding a command touches no other file.
type command struct {
	name    string
	summary string
	usage   string // the arguments after "ibid NAME", e.g. "[--db D] PATH..."
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may use of the outside world; tests replace it.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// ownsProcess is set when the command is the whole process (main), not
	// one call of many in a test binary: it may then tune the runtime for
	// itself, as export does its garbage collector.
	ownsProcess bool
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// usageError marks a mistake in how a command was called (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, ownsProcess: true}
	stopProfile := startProfile(os.Getenv("IBID_CPUPROFILE"))
	code := run(ctx, e, os.Args[1:])
	stopProfile()
	os.Exit(code)
}

// startProfile writes a CPU profile of the whole command to path (when not
// empty), for `go tool pprof`: IBID_CPUPROFILE=import.pprof ibid import …
// is how a slow import or check is taken apart. It returns the function
// that ends the profile.
func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ibid: IBID_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// run executes one command line and returns the exit status: 0 on success,
// 1 on failure, 2 on usage errors.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		printUsage(e.stderr)
		return 2
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				fmt.Fprintf(e.stdout, "usage: ibid %s %s\n\n%s\n", c.name, c.usage, c.summary)
				return 0
			}
		}
		printUsage(e.stdout)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(e.stderr, "ibid: unknown command %q\n", name)
		printUsage(e.stderr)
		return 2
	}
	err := c.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "ibid %s: %s\nusage: ibid %s %s\n", c.name, ue.msg, c.name, c.usage)
		return 2
	}
	fmt.Fprintf(e.stderr, "ibid: %s: %s\n", c.name, errorLine(err))
	return 1
}

// errorLine is the one line a failed command prints: the user-safe message
// for coded errors, the error itself otherwise (the CLI user is the operator,
// so internal details help rather than leak).
func errorLine(err error) string {
	var ie *ibid.Error
	if errors.As(err, &ie) && ie.Code != ibid.EINTERNAL && ie.Message != "" {
		return ie.Message
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "ibid — an essay library with an originality checker")
	fmt.Fprintln(w, "\nusage: ibid COMMAND [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'ibid help COMMAND' or 'ibid COMMAND -h' for a command's flags.")
}

// newFlags returns a FlagSet for a command that reports errors instead of
// exiting, and prints its usage to the command's stderr.
func newFlags(e *env, c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: ibid %s %s\n\n%s\n\nflags:\n", c.name, c.usage, c.summary)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning flag errors into usage errors. The flag
// package would print a bad flag's error and the whole usage itself before
// run prints them again; it is kept quiet, so that the error shows once, and
// the full usage is printed for -h only.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(out)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		usage()
		return err
	}
	return usageError{err.Error()}
}

// parseInterspersed parses flags that may come before, between or after the
// positional arguments ("ibid export SLUG --format pdf"), returning the
// positional ones. A lone "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
