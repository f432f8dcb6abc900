package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/caseport/caseport/internal/seal"
	"github.com/caseport/caseport/internal/site"
)

func init() {
	register(&command{
		name:    "build",
		usage:   "DIR... -o OUT [--single-file] [--max-inline SIZE] [--passphrase-file F] [--allow-weak-passphrase] [--work-factor N] [--allow-placeholders] [-j N] [--timings]",
		summary: "build the sealed portal of a case: a folder, or one HTML file",
		about: "Loads and checks the case folder DIR, renders its portal and seals every byte of it with age into OUT: a folder to put on " +
			"any static https host, or with --single-file one HTML file. Each reader gets a key slot: a generated passphrase, printed once " +
			"and kept in the key store, or the one given. The portal is written aside and swapped in, so a failed build leaves the previous " +
			"portal as it was. Several case folders, or a folder of cases, build into OUT/ID/ each.",
		env:   []string{"CASEPORT_PASSPHRASE", ThemesEnv},
		order: 30,
		run:   runBuild,
	})
}

// minWorkFactor is the lowest --work-factor build accepts.
const minWorkFactor = 10

func runBuild(args []string, stdout, stderr io.Writer) int {
	c := commands["build"]
	fs := newFlags(c, stderr)
	out := fs.String("o", "", "the portal `OUT` to write: a folder, or with --single-file an HTML file")
	single := fs.Bool("single-file", false, "write one self-contained HTML file that opens from disk")
	maxInline := fs.String("max-inline", "50MiB", "with --single-file: the largest attachment to include, a `SIZE` such as 20MiB (\"none\" for no limit)")
	passFile := fs.String("passphrase-file", "", "a TOML file `F` of reader = \"passphrase\" lines, instead of generated passphrases")
	allowWeak := fs.Bool("allow-weak-passphrase", false, "accept a given passphrase that caseport finds weak")
	workFactor := fs.Int("work-factor", 0, fmt.Sprintf("the scrypt work factor `N` of given passphrases' key slots, %d to %d (default %d; generated passphrases get %d; docs/sealing.md)", minWorkFactor, seal.MaxWorkFactor, seal.DefaultWorkFactor, seal.GeneratedWorkFactor))
	allowPlaceholders := fs.Bool("allow-placeholders", false, "build although values marked FILL IN by caseport new remain")
	jobs := fs.Int("j", 0, "with several cases: build `N` at once (default: one per core)")
	timings := fs.Bool("timings", false, "print how long each step of each build took")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	switch {
	case len(pos) == 0:
		fmt.Fprintf(stderr, "caseport build: give a case folder (or several, or a folder of cases)\n\n")
		fs.Usage()
		return exitUsage
	case *out == "":
		fmt.Fprintf(stderr, "caseport build: -o is missing: give the portal to write, e.g. -o portal (a folder) or --single-file -o portal.html\n\n")
		fs.Usage()
		return exitUsage
	}
	opt := site.Options{SingleFile: *single, AllowWeak: *allowWeak, AllowPlaceholders: *allowPlaceholders,
		Passphrase: os.Getenv("CASEPORT_PASSPHRASE"), ThemesDir: os.Getenv(ThemesEnv)}
	if opt.MaxInline, err = parseSize(*maxInline); err != nil {
		fmt.Fprintf(stderr, "caseport build: --max-inline: %v\n", err)
		return exitUsage
	}
	if *passFile != "" {
		if opt.Passphrases, err = readPassphraseFile(*passFile); err != nil {
			fmt.Fprintf(stderr, "caseport build: %v\n", err)
			return exitFail
		}
		opt.Passphrase = ""
	}
	if *workFactor != 0 {
		if *workFactor < minWorkFactor || *workFactor > seal.MaxWorkFactor {
			fmt.Fprintf(stderr, "caseport build: --work-factor %d: give %d to %d (browsers cannot open a key slot above %d; %d is the default)\n",
				*workFactor, minWorkFactor, seal.MaxWorkFactor, seal.MaxWorkFactor, seal.DefaultWorkFactor)
			return exitUsage
		}
		if *workFactor < 16 && (opt.Passphrase != "" || len(opt.Passphrases) > 0) {
			fmt.Fprintf(stderr, "caseport build: warning: --work-factor %d makes each guess at a given passphrase %d times cheaper than the default %d; use it only for passphrases nobody could guess (see docs/sealing.md)\n",
				*workFactor, 1<<(seal.DefaultWorkFactor-*workFactor), seal.DefaultWorkFactor)
		}
		opt.WorkFactor = *workFactor
	}

	dirs, many, err := caseDirs(pos)
	if err != nil {
		fmt.Fprintf(stderr, "caseport build: %v\n", err)
		return exitUsage
	}
	if many {
		return buildMany(dirs, *out, *jobs, opt, *maxInline, *timings, stdout, stderr)
	}
	res, err := site.Build(dirs[0], *out, opt)
	if res != nil {
		printBuild(stdout, res, *maxInline)
		if *timings {
			printTimings(stdout, res.Timings)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "caseport build: %v\n", err)
		return exitFail
	}
	return exitOK
}

// caseDirs expands the folders given to build: a case folder (it holds
// case.toml) is one case; a folder without case.toml stands for every
// sub-folder of it that is a case. many is true unless exactly one case
// folder was given, so that OUT is then the portal itself, as always.
func caseDirs(args []string) (dirs []string, many bool, err error) {
	for _, a := range args {
		if isCase(a) {
			dirs = append(dirs, a)
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, false, fmt.Errorf("%s is neither a case folder (with case.toml) nor a folder of cases: %w", a, err)
		}
		var found []string
		for _, e := range ents {
			if p := filepath.Join(a, e.Name()); e.IsDir() && isCase(p) {
				found = append(found, p)
			}
		}
		if len(found) == 0 {
			return nil, false, fmt.Errorf("%s has no case.toml, nor any sub-folder with one: give a case folder or a folder of cases", a)
		}
		sort.Strings(found)
		dirs = append(dirs, found...)
	}
	return dirs, len(args) > 1 || !isCase(args[0]), nil
}

func isCase(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, "case.toml"))
	return err == nil && fi.Mode().IsRegular()
}

// buildMany builds several cases into the folder out, one portal per case
// id, and reports each.
func buildMany(dirs []string, out string, jobs int, opt site.Options, maxInline string, timings bool, stdout, stderr io.Writer) int {
	start := time.Now()
	all := site.BuildMany(dirs, out, jobs, opt)
	failed := 0
	for _, m := range all {
		if m.Result != nil {
			printBuild(stdout, m.Result, maxInline)
			if timings {
				printTimings(stdout, m.Result.Timings)
			}
			fmt.Fprintln(stdout)
		}
		if m.Err != nil {
			failed++
			fmt.Fprintf(stderr, "caseport build: %s: %v\n", m.Dir, m.Err)
		}
	}
	fmt.Fprintf(stdout, "Built %d of %d portals into %s in %.1fs.\n", len(all)-failed, len(all), out, time.Since(start).Seconds())
	if failed > 0 {
		return exitFail
	}
	return exitOK
}

// printTimings prints a build's timings on one line, in milliseconds, for
// people and for bench/run.sh.
func printTimings(w io.Writer, t site.Timings) {
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) }
	fmt.Fprintf(w, "timings: load_ms=%s keys_ms=%s render_ms=%s seal_ms=%s write_ms=%s total_ms=%s (over the workers: slots_ms=%s payloads_ms=%s)\n",
		ms(t.Load), ms(t.Keys), ms(t.Render), ms(t.Seal), ms(t.Write), ms(t.Total()), ms(t.Slots), ms(t.Payloads))
}

func printBuild(w io.Writer, res *site.Result, maxInline string) {
	fmt.Fprintf(w, "Sealed portal written: %s\n", res.Out)
	var generated, kept, given, recipients []string
	for _, r := range res.Readers {
		switch r.Key {
		case site.KeyGenerated:
			generated = append(generated, fmt.Sprintf("  %s: %s", r.Name, r.Passphrase))
		case site.KeyStored:
			kept = append(kept, r.Name)
		case site.KeyGiven:
			given = append(given, r.Name)
		case site.KeyRecipient:
			recipients = append(recipients, r.Name)
		}
	}
	if len(generated) > 0 {
		fmt.Fprintf(w, "\nNew passphrases, shown only this once. Send each to its reader by another\nchannel than the portal (a phone call, a text message, in person):\n%s\n", strings.Join(generated, "\n"))
	}
	if len(kept) > 0 {
		fmt.Fprintf(w, "\nPassphrases unchanged from the previous build (key store %s): %s\n", res.StorePath, strings.Join(kept, ", "))
	}
	if len(given) > 0 {
		fmt.Fprintf(w, "\nPassphrases as given: %s\n", strings.Join(given, ", "))
	}
	if len(recipients) > 0 {
		fmt.Fprintf(w, "\nReaders who open it with their own age key: %s\n", strings.Join(recipients, ", "))
	}
	if res.CoordinatorKeyCreated != "" {
		fmt.Fprintf(w, "\nNew coordinator key for the doctors' replies: %s\nBack it up: losing it loses every reply sealed to it (caseport reply key prints its public key).\n", res.CoordinatorKeyCreated)
	}
	if len(res.Omitted) > 0 {
		fmt.Fprintf(w, "\nLeft out of the single file (the portal says so; raise the limit with --max-inline, now %s):\n", maxInline)
		for _, o := range res.Omitted {
			fmt.Fprintf(w, "  %s (%s)\n", o.File, seal.FormatSize(o.Size))
		}
	}
}

// readPassphraseFile reads a TOML file of reader = "passphrase" lines.
func readPassphraseFile(p string) (map[string]string, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("passphrase file: %w", err)
	}
	return parsePassphraseTable(p, data)
}

// parsePassphraseTable parses the passphrase file p, data, as reader =
// "passphrase" lines: build takes nothing else, open tries it first.
func parsePassphraseTable(p string, data []byte) (map[string]string, error) {
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("passphrase file %s: %w (write one line per reader: name = \"passphrase\")", p, err)
	}
	m := map[string]string{}
	for k, v := range raw {
		s, ok := v.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("passphrase file %s: %s must be a passphrase in quotes", p, k)
		}
		m[k] = s
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("passphrase file %s has no passphrase (write one line per reader: name = \"passphrase\")", p)
	}
	return m, nil
}

// parseSize reads a size such as "50MiB", "200M", "1.5GB" or "none".
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "none") || strings.EqualFold(t, "unlimited") {
		return -1, nil
	}
	units := []struct {
		suffix string
		mult   float64
	}{
		{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
		{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9},
		{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1},
	}
	mult := 1.0
	lower := strings.ToLower(t)
	for _, u := range units {
		if strings.HasSuffix(lower, u.suffix) {
			lower, mult = strings.TrimSpace(strings.TrimSuffix(lower, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(lower, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 50MiB, 2GiB or none", s)
	}
	return int64(f * mult), nil
}

// isKeyError reports whether err is a wrong passphrase or identity.
func isKeyError(err error) bool {
	return errors.Is(err, seal.ErrWrongPassphrase) || errors.Is(err, seal.ErrWrongIdentity)
}
