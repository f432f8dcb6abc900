package main

import (
	"fmt"
	"io"

	"github.com/caseport/caseport/internal/keystore"
)

func init() {
	register(&command{
		name:    "passphrase",
		usage:   "",
		summary: "print a fresh generated passphrase",
		about: "Prints a passphrase of seven words drawn from the operating system's random source (about 79 bits), " +
			"the kind build generates for each reader.",
		order: 60,
		run:   runPassphrase,
	})
}

func runPassphrase(args []string, stdout, stderr io.Writer) int {
	fs := newFlags(commands["passphrase"], stderr)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	if len(pos) != 0 {
		fs.Usage()
		return exitUsage
	}
	p, err := keystore.Generate()
	if err != nil {
		fmt.Fprintf(stderr, "caseport passphrase: %v\n", err)
		return exitFail
	}
	fmt.Fprintln(stdout, p)
	return exitOK
}
