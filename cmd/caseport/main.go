// Command caseport turns a case directory into an encrypted review portal for
// a second opinion in oncology. Run "caseport help" for the commands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// A command is one verb of the caseport binary. Each lives in its own file
// and registers itself in init.
type command struct {
	name    string
	usage   string // the arguments, e.g. "DIR [--json]"
	summary string // one line for the command list
	order   int    // position in the command list
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// Exit statuses shared by all commands.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printHelp(stdout)
		return exitOK
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				fmt.Fprintf(stdout, "usage: caseport %s %s\n\n%s\n", c.name, c.usage, c.summary)
				return exitOK
			}
		}
		printHelp(stdout)
		return exitOK
	case "version", "-version", "--version":
		fmt.Fprintf(stdout, "caseport %s\n", version)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "caseport: unknown command %q\n\n", args[0])
		printHelp(stderr)
		return exitUsage
	}
	return c.run(args[1:], stdout, stderr)
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "caseport turns a case folder into an encrypted review portal for a second opinion.")
	fmt.Fprintln(w, "\nusage: caseport COMMAND [arguments]\n\ncommands:")
	list := make([]*command, 0, len(commands))
	for _, c := range commands {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].order < list[j].order })
	for _, c := range list {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-11s %s\n", "version", "print the version of caseport")
	fmt.Fprintf(w, "  %-11s %s\n", "help", "show this list, or \"help COMMAND\" for one command's usage")
}

// newFlags returns a flag set for a command that reports usage errors to
// stderr with the command's usage line.
func newFlags(c *command, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("caseport "+c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: caseport %s %s\n", c.name, c.usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseInterspersed parses flags that may stand before or after the
// positional arguments ("check DIR --json" as well as "check --json DIR"),
// and returns the positional arguments. A help request returns flag.ErrHelp.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// usageStatus maps a flag parsing error to an exit status.
func usageStatus(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}
