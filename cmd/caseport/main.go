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
	"strings"

	"github.com/caseport/caseport/internal/termsafe"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// A command is one verb of the caseport binary. Each lives in its own file
// and registers itself in init.
type command struct {
	name    string
	usage   string   // the arguments, e.g. "DIR [--json]"
	summary string   // one line for the command list
	about   string   // the paragraph of the command's help
	env     []string // the environment variables it reads (keys of envHelp)
	exits   []string // its exit statuses, "0 meaning"; nil means defaultExits
	order   int      // position in the command list
	run     func(args []string, stdout, stderr io.Writer) int
}

// envHelp says what each environment variable caseport reads is for.
var envHelp = map[string]string{
	"CASEPORT_PASSPHRASE": "a passphrase to use instead of asking or generating one (build: every passphrase reader's; open: the reader's)",
	ThemesEnv:             "a folder of the coordinator's own themes, beside the built-in ones (docs/themes.md)",
	SourceEnv:             "a caseport source tree whose templates, themes and content to render with, and watch (for developing caseport)",
}

// defaultExits are the exit statuses every command shares.
var defaultExits = []string{
	"0 done",
	"1 failed: the message says what is wrong and what to do",
	"2 the command line is wrong (usage)",
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
	// Titles, file names and manifest entries are printed: an ESC sequence
	// in them must show as \x1b, not drive the terminal.
	stdout, stderr = termsafe.Writer(stdout), termsafe.Writer(stderr)
	if len(args) == 0 {
		printHelp(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) == 1 {
			printHelp(stdout)
			return exitOK
		}
		c, ok := commands[args[1]]
		if !ok {
			fmt.Fprintf(stderr, "caseport help: unknown command %q\n\n", args[1])
			printHelp(stderr)
			return exitUsage
		}
		return c.run([]string{"--help"}, stdout, stdout)
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
	if wantsHelp(args[1:]) {
		// The same text as "caseport help CMD", on standard output.
		return c.run([]string{"--help"}, stdout, stdout)
	}
	return c.run(args[1:], stdout, stderr)
}

// wantsHelp reports whether a command line asks for the command's help.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
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
	fmt.Fprintf(w, "  %-11s %s\n", "help", "show this list, or \"help COMMAND\" for one command's flags, environment and exit statuses")
}

// newFlags returns a flag set for a command whose usage (on a usage error,
// and for --help) is the command's whole help text.
func newFlags(c *command, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("caseport "+c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { writeHelp(fs.Output(), c, fs) }
	return fs
}

// writeHelp writes a command's help: the usage line, what it does, every
// flag as the usage line writes it, the environment it reads and its exit
// statuses.
func writeHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: caseport %s %s\n\n", c.name, c.usage)
	about := c.about
	if about == "" {
		about = c.summary
	}
	fmt.Fprintf(w, "%s\n", wrap(about, 76, ""))
	var flags []string
	fs.VisitAll(func(f *flag.Flag) {
		name := "-" + f.Name
		if len(f.Name) > 1 {
			name = "-" + name
		}
		arg, usage := flag.UnquoteUsage(f)
		if arg != "" {
			name += " " + arg
		}
		if def := f.DefValue; def != "" && def != "false" && def != "0" {
			usage += fmt.Sprintf(" (default %s)", def)
		}
		flags = append(flags, fmt.Sprintf("  %s\n%s", name, wrap(usage, 76, "      ")))
	})
	if len(flags) > 0 {
		fmt.Fprintf(w, "\nflags:\n%s\n", strings.Join(flags, "\n"))
	}
	if len(c.env) > 0 {
		fmt.Fprintf(w, "\nenvironment:\n")
		for _, e := range c.env {
			fmt.Fprintf(w, "  %s\n%s\n", e, wrap(envHelp[e], 76, "      "))
		}
	}
	exits := c.exits
	if exits == nil {
		exits = defaultExits
	}
	fmt.Fprintf(w, "\nexit status:\n")
	for _, e := range exits {
		fmt.Fprintf(w, "  %s\n", e)
	}
}

// wrap breaks text into lines of at most width columns, each starting with
// indent.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	line := indent
	for _, word := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += word
	}
	b.WriteString(line)
	return b.String()
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
