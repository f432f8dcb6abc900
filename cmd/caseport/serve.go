package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/internal/preview"
)

func init() {
	register(&command{
		name:    "serve",
		usage:   "DIR [--addr 127.0.0.1:1414] [--open] [--sealed]",
		summary: "preview the portal in a browser, rebuilding and reloading on every save",
		order:   50,
		run:     runServe,
	})
}

// previewPipeline is what the preview builds on each save. The renderer is
// wired in once it exists; until then serve says so instead of serving a
// page that is not the doctor's.
var previewPipeline = struct {
	load   func(dir string) (*casedir.Case, error)
	render func(*casedir.Case) (*portal.Tree, error)
	// watch lists folders the renderer reads from disk (a source checkout's
	// templates/ and themes/), to watch as well as the case.
	watch []string
}{
	load: casedir.Load,
}

func runServe(args []string, stdout, stderr io.Writer) int {
	c := commands["serve"]
	fs := newFlags(c, stderr)
	addr := fs.String("addr", preview.DefaultAddr, "the `address` to serve the preview on")
	open := fs.Bool("open", false, "open the preview in the default browser")
	sealed := fs.Bool("sealed", false, "serve the sealed portal, to try the unlock page")
	public := fs.Bool("i-know-this-is-public", false, "allow a non-loopback --addr: the preview shows the case unencrypted")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "caseport serve: give one case directory\n")
		fs.Usage()
		return exitUsage
	}
	dir := pos[0]
	addrGiven := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "addr" {
			addrGiven = true
		}
	})
	if !preview.IsLoopback(*addr) && !(addrGiven && *public) {
		fmt.Fprintf(stderr, "caseport serve: refusing to serve on %s: the preview shows the case unencrypted to anyone who can reach that address.\nUse a loopback address such as %s, or add --i-know-this-is-public if that is really what you want.\n", *addr, preview.DefaultAddr)
		return exitUsage
	}
	if *sealed {
		fmt.Fprintln(stderr, "caseport serve: --sealed is not available yet in this build: the sealer is not wired into the preview. Use \"caseport build\" to make a sealed portal and open its index.html.")
		return exitFail
	}
	if previewPipeline.render == nil {
		fmt.Fprintln(stderr, "caseport serve: not available yet in this build: the portal renderer is not built in.")
		return exitFail
	}

	s, err := preview.New(preview.Options{
		Dir:       dir,
		Addr:      *addr,
		Public:    *public,
		Load:      previewPipeline.load,
		Render:    previewPipeline.render,
		Problems:  caseProblems,
		WatchDirs: previewPipeline.watch,
		Log:       stdout,
	})
	if err != nil {
		fmt.Fprintf(stderr, "caseport serve: %v\n", err)
		return exitFail
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := s.Start(); err != nil {
		fmt.Fprintf(stderr, "caseport serve: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "Serving the preview of %s at %s\nIt rebuilds on every save. Press Ctrl-C to stop.\n", dir, s.URL())
	if *open {
		openBrowser(s.URL(), stderr)
	}
	<-ctx.Done()
	stop()
	fmt.Fprintln(stdout, "Stopping the preview.")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "caseport serve: stop: %v\n", err)
		return exitFail
	}
	return exitOK
}

// caseProblems lists the loader's problems, each with its file, line and
// key, for the preview's error overlay.
func caseProblems(err error) []preview.Problem {
	var ps *casedir.Problems
	if !errors.As(err, &ps) {
		return nil
	}
	out := make([]preview.Problem, 0, len(ps.List))
	for _, p := range ps.List {
		if p.Severity != casedir.Error {
			continue
		}
		out = append(out, preview.Problem{File: p.File, Line: p.Line, Key: p.Key, Message: p.Message})
	}
	return out
}

// openBrowser opens url with the desktop's opener, when there is one. It
// never fails the command: the URL is printed anyway.
func openBrowser(url string, stderr io.Writer) {
	name := "xdg-open"
	if runtime.GOOS == "darwin" {
		name = "open"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		fmt.Fprintf(stderr, "caseport serve: cannot open a browser (%s not found); open %s yourself\n", name, url)
		return
	}
	cmd := exec.Command(path, url)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "caseport serve: cannot open a browser: %v; open %s yourself\n", err, url)
		return
	}
	go cmd.Wait()
}
