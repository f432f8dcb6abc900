// Command benchtool is bench/run.sh's helper: it generates synthetic cases
// with internal/benchcase. Its build is "caseport build" (internal/site)
// with a CPU profile, for finding where a build's time goes.
//
//	benchtool gen-case -dir DIR -id ID -files SPEC [-timeline N] [-recipient AGE1] [-seed S] [-reuse]
//	benchtool gen-cases -dir PARENT -n N -files SPEC [-timeline N] [-recipient AGE1]
//	benchtool build DIR... -o OUT [-j N] [--timings] [-cpuprofile FILE]
//
// SPEC is a comma-separated list of attachments, each SIZE or COUNTxSIZE,
// with ":sparse" for a sparse file: "64MiB,1GiB" or "100x64KiB,100x1MiB:sparse".
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/caseport/caseport/internal/benchcase"
	"github.com/caseport/caseport/internal/site"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtool gen-case|gen-cases|build ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen-case":
		err = genCase(os.Args[2:])
	case "gen-cases":
		err = genCases(os.Args[2:])
	case "build":
		err = build(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

type genFlags struct {
	files     *string
	timeline  *int
	recipient *string
	seed      *uint64
}

func addGenFlags(fs *flag.FlagSet) genFlags {
	return genFlags{
		files:     fs.String("files", "", "the attachments: SIZE or COUNTxSIZE, comma-separated, \":sparse\" for sparse files"),
		timeline:  fs.Int("timeline", 10, "timeline entries"),
		recipient: fs.String("recipient", "", "one reader with this age public key (no scrypt)"),
		seed:      fs.Uint64("seed", 1, "seed of the random bytes"),
	}
}

func (g genFlags) spec(id string) (benchcase.Spec, error) {
	files, err := parseFiles(*g.files)
	return benchcase.Spec{ID: id, Files: files, Timeline: *g.timeline, Recipient: *g.recipient, Seed: *g.seed}, err
}

func genCase(args []string) error {
	fs := flag.NewFlagSet("gen-case", flag.ExitOnError)
	dir := fs.String("dir", "", "the case folder to write")
	id := fs.String("id", "bench-case", "the case id")
	reuse := fs.Bool("reuse", false, "keep attachments that exist with the right size")
	g := addGenFlags(fs)
	fs.Parse(args)
	s, err := g.spec(*id)
	if err != nil {
		return err
	}
	s.Reuse = *reuse
	return benchcase.Generate(*dir, s)
}

func genCases(args []string) error {
	fs := flag.NewFlagSet("gen-cases", flag.ExitOnError)
	dir := fs.String("dir", "", "the folder to write the cases into")
	n := fs.Int("n", 10, "how many cases")
	g := addGenFlags(fs)
	fs.Parse(args)
	for i := range *n {
		s, err := g.spec(fmt.Sprintf("bench-case-%04d", i+1))
		if err != nil {
			return err
		}
		s.Seed += uint64(i) << 16
		if err := benchcase.Generate(filepath.Join(*dir, s.ID), s); err != nil {
			return err
		}
	}
	return nil
}

// parseFiles reads a SPEC of attachments.
func parseFiles(spec string) ([]benchcase.File, error) {
	var out []benchcase.File
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		random := true
		if s, ok := strings.CutSuffix(item, ":sparse"); ok {
			item, random = s, false
		}
		count := 1
		if c, s, ok := strings.Cut(item, "x"); ok {
			var err error
			if count, err = strconv.Atoi(c); err != nil {
				return nil, fmt.Errorf("%q: bad count", item)
			}
			item = s
		}
		size, err := parseSize(item)
		if err != nil {
			return nil, err
		}
		for range count {
			out = append(out, benchcase.File{Size: size, Random: random})
		}
	}
	return out, nil
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if t, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = t, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size such as 64KiB or 1GiB", s)
	}
	return n * mult, nil
}

// build is "caseport build" with a CPU profile: the same internal/site
// code, the same output folders and timings line.
func build(args []string) error {
	fs := flag.NewFlagSet("build", flag.ExitOnError)
	out := fs.String("o", "", "the portal, or with several cases the folder of portals")
	jobs := fs.Int("j", 0, "builds at once")
	timings := fs.Bool("timings", false, "print the timings of each build")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the build to this file")
	var dirs []string
	for {
		fs.Parse(args)
		if args = fs.Args(); len(args) == 0 {
			break
		}
		dirs, args = append(dirs, args[0]), args[1:]
	}
	if len(dirs) == 0 || *out == "" {
		return fmt.Errorf("usage: benchtool build DIR... -o OUT [-j N] [--timings]")
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	opt := site.Options{Passphrase: os.Getenv("CASEPORT_PASSPHRASE")}
	var many []string
	single := len(dirs) == 1 && isCase(dirs[0])
	if !single {
		for _, d := range dirs {
			if isCase(d) {
				many = append(many, d)
				continue
			}
			ents, err := os.ReadDir(d)
			if err != nil {
				return err
			}
			for _, e := range ents {
				if p := filepath.Join(d, e.Name()); e.IsDir() && isCase(p) {
					many = append(many, p)
				}
			}
		}
	}
	if single {
		res, err := site.Build(dirs[0], *out, opt)
		if err != nil {
			return err
		}
		if *timings {
			printTimings(res.Timings)
		}
		return nil
	}
	start := time.Now()
	failed := 0
	for _, m := range site.BuildMany(many, *out, *jobs, opt) {
		if m.Err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "benchtool build: %s: %v\n", m.Dir, m.Err)
		} else if *timings {
			printTimings(m.Result.Timings)
		}
	}
	fmt.Printf("Built %d of %d portals in %.1fs.\n", len(many)-failed, len(many), time.Since(start).Seconds())
	if failed > 0 {
		return fmt.Errorf("%d builds failed", failed)
	}
	return nil
}

func isCase(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, "case.toml"))
	return err == nil && fi.Mode().IsRegular()
}

// printTimings prints the line of caseport build --timings.
func printTimings(t site.Timings) {
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) }
	fmt.Printf("timings: load_ms=%s keys_ms=%s render_ms=%s seal_ms=%s write_ms=%s total_ms=%s (over the workers: slots_ms=%s payloads_ms=%s)\n",
		ms(t.Load), ms(t.Keys), ms(t.Render), ms(t.Seal), ms(t.Write), ms(t.Total()), ms(t.Slots), ms(t.Payloads))
}
