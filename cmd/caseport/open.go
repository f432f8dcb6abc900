package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"filippo.io/age"
	"github.com/caseport/caseport/internal/seal"
	"golang.org/x/term"
)

func init() {
	register(&command{
		name:    "open",
		usage:   "OUT|FILE.html [--reader NAME] [--passphrase-file F | -i IDENTITY_FILE] -o DIR",
		summary: "decrypt a sealed portal into plain files (the passphrase from a file, CASEPORT_PASSPHRASE or the terminal)",
		about: "Decrypts the sealed portal OUT (a folder) or FILE.html (a single file) into the new or empty folder DIR, " +
			"as the browser would: the passphrase comes from --passphrase-file, CASEPORT_PASSPHRASE or the terminal, " +
			"or an age identity file opens a reader's age-key slot. A wrong passphrase and an altered portal are told apart.",
		env:   []string{"CASEPORT_PASSPHRASE"},
		order: 40,
		run:   runOpen,
	})
}

func runOpen(args []string, stdout, stderr io.Writer) int {
	c := commands["open"]
	fs := newFlags(c, stderr)
	out := fs.String("o", "", "the folder `DIR` to write the portal's files into (new or empty)")
	reader := fs.String("reader", "", "the reader's `NAME`; without it every key slot is tried")
	passFile := fs.String("passphrase-file", "", "a file `F` holding the passphrase, or the TOML file of reader = \"passphrase\" lines given to build")
	idFile := fs.String("i", "", "an age identity file `IDENTITY_FILE`, for a reader with an age key (recipient)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	switch {
	case len(pos) != 1:
		fmt.Fprintf(stderr, "caseport open: give one sealed portal: a folder written by build, or its single HTML file\n\n")
		fs.Usage()
		return exitUsage
	case *out == "":
		fmt.Fprintf(stderr, "caseport open: -o is missing: give the new or empty folder to write the portal's files into, e.g. -o opened\n\n")
		fs.Usage()
		return exitUsage
	}

	keys, err := openKeys(*reader, *passFile, *idFile, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "caseport open: %v\n", err)
		return exitFail
	}
	// A passphrase file of several readers: the first key that opens a
	// slot wins; a wrong one reports the first key's error.
	var res *seal.Opened
	var firstErr error
	for _, k := range keys {
		res, err = seal.Open(pos[0], k, *out)
		if err == nil || !(isKeyError(err) || errors.Is(err, seal.ErrNoSlot)) {
			firstErr = nil
			break
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		err = firstErr
	}
	if err != nil {
		fmt.Fprintf(stderr, "caseport open: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "Opened %d files into %s\n", len(res.Files), *out)
	if len(res.Omitted) > 0 {
		fmt.Fprintln(stdout, "Not in this portal (left out of the single file; ask the coordinator for them):")
		for _, o := range res.Omitted {
			fmt.Fprintf(stdout, "  %s (%s): %s\n", o.File, seal.FormatSize(o.Size), o.Reason)
		}
	}
	return exitOK
}

// openKeys returns the keys to try, from the first source given: an
// identity file, a passphrase file, CASEPORT_PASSPHRASE, or the terminal.
func openKeys(reader, passFile, idFile string, stderr io.Writer) ([]seal.Key, error) {
	switch {
	case idFile != "":
		f, err := os.Open(idFile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		ids, err := age.ParseIdentities(f)
		if err != nil {
			return nil, fmt.Errorf("identity file %s: %w", idFile, err)
		}
		return []seal.Key{{Reader: reader, Identities: ids}}, nil
	case passFile != "":
		data, err := os.ReadFile(passFile)
		if err != nil {
			return nil, err
		}
		// The TOML file given to build, else the passphrase itself.
		if table, err := parsePassphraseTable(passFile, data); err == nil {
			if reader != "" {
				p, ok := table[reader]
				if !ok {
					return nil, fmt.Errorf("passphrase file %s has no passphrase for reader %q", passFile, reader)
				}
				return []seal.Key{{Reader: reader, Passphrase: p}}, nil
			}
			names := make([]string, 0, len(table))
			for n := range table {
				names = append(names, n)
			}
			sort.Strings(names)
			var keys []seal.Key
			for _, n := range names {
				keys = append(keys, seal.Key{Reader: n, Passphrase: table[n]})
			}
			return keys, nil
		}
		p := strings.TrimRight(string(data), "\r\n")
		if p == "" {
			return nil, fmt.Errorf("passphrase file %s is empty", passFile)
		}
		return []seal.Key{{Reader: reader, Passphrase: p}}, nil
	case os.Getenv("CASEPORT_PASSPHRASE") != "":
		return []seal.Key{{Reader: reader, Passphrase: os.Getenv("CASEPORT_PASSPHRASE")}}, nil
	}
	p, err := promptPassphrase(stderr)
	if err != nil {
		return nil, err
	}
	return []seal.Key{{Reader: reader, Passphrase: p}}, nil
}

// promptPassphrase reads a passphrase from the terminal, without echo.
func promptPassphrase(stderr io.Writer) (string, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("no passphrase: give --passphrase-file, set CASEPORT_PASSPHRASE, or run caseport open in a terminal to type it")
	}
	fmt.Fprint(stderr, "Passphrase: ")
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", fmt.Errorf("reading the passphrase: %w", err)
	}
	if len(b) == 0 {
		return "", errors.New("no passphrase typed")
	}
	return string(b), nil
}
