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
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/keystore"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/internal/preview"
	"github.com/caseport/caseport/internal/render"
	"github.com/caseport/caseport/internal/seal"
	"github.com/caseport/caseport/internal/site"
	"github.com/caseport/caseport/internal/source"
	"github.com/caseport/caseport/internal/unlockpage"
)

func init() {
	register(&command{
		name:    "serve",
		usage:   "DIR [--addr 127.0.0.1:1414] [--open] [--sealed]",
		summary: "preview the portal in a browser, rebuilding and reloading on every save",
		about: "Serves the case folder DIR's portal on a loopback address, unencrypted, for whoever edits the case: every save " +
			"rebuilds it and reloads the browser, keeping the scroll position; an error is shown over the last good page and " +
			"the preview keeps running. --sealed serves the sealed portal instead, to try the unlock page.",
		env:   []string{ThemesEnv, SourceEnv},
		order: 50,
		run:   runServe,
	})
}

// ThemesEnv names the environment variable of a folder of themes on disk
// (render.Options.ThemesDir), for whoever edits a theme: the preview
// renders with it and watches it.
const ThemesEnv = "CASEPORT_THEMES"

// SourceEnv names the environment variable of a caseport source tree: its
// templates/, themes/ and content/ replace the ones built into the binary
// and are watched, for whoever edits the portal's layouts, styles or texts.
const SourceEnv = "CASEPORT_SOURCE"

// previewRenderer renders as "caseport build" does, with the themes of
// $CASEPORT_THEMES when set and caseport's own files from files.
func previewRenderer(files source.Files) func(*casedir.Case) (*portal.Tree, error) {
	themesDir := os.Getenv(ThemesEnv)
	return func(c *casedir.Case) (*portal.Tree, error) {
		return render.Render(c, render.Options{ThemesDir: themesDir, Files: files})
	}
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
	if _, err := casedir.Folder(dir); err != nil {
		fmt.Fprintf(stderr, "caseport serve: %v\n", err)
		return exitFail
	}

	opt := preview.Options{
		Dir:      dir,
		Addr:     *addr,
		Public:   *public,
		Load:     casedir.Load,
		Problems: caseProblems,
		Log:      stdout,
	}
	if d := os.Getenv(ThemesEnv); d != "" {
		opt.WatchDirs = append(opt.WatchDirs, d)
	}
	var files source.Files // caseport's own: the binary's, or a source tree's
	if src := os.Getenv(SourceEnv); src != "" {
		var dirs []string
		var err error
		if files, dirs, err = source.Dir(src); err != nil {
			fmt.Fprintf(stderr, "caseport serve: %s: %v\n", SourceEnv, err)
			return exitUsage
		}
		opt.WatchDirs = append(opt.WatchDirs, dirs...)
		fmt.Fprintf(stdout, "Templates, themes and content from %s, watched.\n", src)
	}
	opt.Render = previewRenderer(files)
	if *sealed {
		store, err := keystore.DefaultStore()
		if err != nil {
			fmt.Fprintf(stderr, "caseport serve: %v\n", err)
			return exitFail
		}
		tmp, err := os.MkdirTemp("", "caseport-serve-sealed-")
		if err != nil {
			fmt.Fprintf(stderr, "caseport serve: %v\n", err)
			return exitFail
		}
		defer os.RemoveAll(tmp)
		sp := &sealedPreview{dir: tmp, store: store, log: stdout, files: files}
		opt.Seal = sp.seal
	}
	s, err := preview.New(opt)
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

// sealedPreview seals each build of --sealed into a new folder of its own,
// with the key store's passphrases, so the unlock page can be tried as a
// doctor will see it.
type sealedPreview struct {
	dir   string // the temporary folder of the builds
	store *keystore.Store
	log   io.Writer
	files source.Files // the unlock page's parts: read again at each seal

	n       int
	folders []string // the last builds, newest last
	told    string   // the readers line last printed
	// reuse keeps the portal identity, the key slots and the payloads of
	// unchanged attachments from build to build: a save re-seals the
	// pages, not the attachments, and pays no scrypt again.
	reuse seal.Reuse
}

// seal is preview.Options.Seal.
func (p *sealedPreview) seal(c *casedir.Case, t *portal.Tree) (*portal.Tree, string, error) {
	readers, err := p.readers(c)
	if err != nil {
		return nil, "", err
	}
	page, err := unlockpage.Load(p.files, t.Lang)
	if err != nil {
		return nil, "", err
	}
	p.n++
	out := filepath.Join(p.dir, strconv.Itoa(p.n))
	replyTo, _, err := site.ReplyRecipient(c, p.store)
	if err != nil {
		return nil, "", err
	}
	if _, err := seal.Seal(t, readers, out, seal.Options{Reuse: &p.reuse, Unlock: page, ReplyRecipient: replyTo}); err != nil {
		os.RemoveAll(out)
		return nil, "", err
	}
	st, err := sealedTree(out, t.Lang)
	if err != nil {
		os.RemoveAll(out)
		return nil, "", err
	}
	// Keep the previous build too: a page may still be fetching from it.
	p.folders = append(p.folders, out)
	for len(p.folders) > 2 {
		os.RemoveAll(p.folders[0])
		p.folders = p.folders[1:]
	}
	return st, out, nil
}

// readers gives each reader of c its key as "caseport build" does
// (site.ChooseKeys), and saves the key store at once, so the build that
// follows keeps the passphrases; generated ones are shown once. The
// readers are named whenever they change.
func (p *sealedPreview) readers(c *casedir.Case) ([]seal.Reader, error) {
	keys, err := site.ChooseKeys(c, site.Options{Store: p.store})
	if err != nil {
		return nil, err
	}
	if err := keys.Save(); err != nil {
		return nil, err
	}
	var all []string
	for _, r := range keys.Chosen {
		all = append(all, r.Name)
		if r.Key == site.KeyGenerated {
			fmt.Fprintf(p.log, "New passphrase for reader %s, shown only this once (saved in the key store): %s\n", r.Name, r.Passphrase)
		}
	}
	line := fmt.Sprintf("Sealed preview for readers %s; their passphrases are in the key store %s", strings.Join(all, ", "), p.store.Path(c.ID))
	if line != p.told {
		fmt.Fprintln(p.log, line)
		p.told = line
	}
	return keys.Readers, nil
}

// sealedTree reads a sealed portal folder back as the tree to serve: its
// unlock page in memory, its payloads streamed from disk.
func sealedTree(out, lang string) (*portal.Tree, error) {
	page, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		return nil, fmt.Errorf("the sealed preview: %w", err)
	}
	t := &portal.Tree{Lang: lang, Pages: []*portal.Page{{Name: "index.html", MediaType: "text/html; charset=utf-8", Data: page}}}
	entries, err := os.ReadDir(filepath.Join(out, seal.PayloadDir))
	if err != nil {
		return nil, fmt.Errorf("the sealed preview: %w", err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("the sealed preview: %w", err)
		}
		t.Attachments = append(t.Attachments, &portal.Attachment{
			Name:      seal.PayloadDir + "/" + e.Name(),
			MediaType: "application/octet-stream",
			Source:    filepath.Join(out, seal.PayloadDir, e.Name()),
			Size:      info.Size(),
		})
	}
	return t, nil
}
