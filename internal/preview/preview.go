// Package preview is the live preview behind "caseport serve": it builds the
// portal of a case directory, serves it on a loopback address, watches the
// case (and the templates and themes in use) for saves, rebuilds, and tells
// the open pages to reload through Server-Sent Events.
//
// The pipeline is given as plain functions so the server does not depend on
// how a case is loaded, rendered or sealed. A failed build never stops the
// server: the last good page stays available behind an error overlay.
package preview

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/portal"
)

// DefaultAddr is the address "caseport serve" listens on.
const DefaultAddr = "127.0.0.1:1414"

// DefaultQuiet is how long the watcher waits after the last file event
// before rebuilding: editors save in bursts (a temporary file, a rename, a
// backup), and one save must make one build.
const DefaultQuiet = 30 * time.Millisecond

// Options configure a preview Server.
type Options struct {
	// Dir is the case directory.
	Dir string
	// Addr is the TCP address to listen on; DefaultAddr when "". Port 0
	// picks a free port (see Server.URL).
	Addr string
	// Public allows a non-loopback Addr. The preview shows the case
	// unencrypted, so the command sets it only on an explicit request.
	Public bool

	// Load loads and validates the case directory. It must not read the
	// attachments' bytes: it runs on every save.
	Load func(dir string) (*casedir.Case, error)
	// Render renders a loaded case.
	Render func(*casedir.Case) (*portal.Tree, error)
	// Seal, when set, turns each rendered tree into the tree to serve
	// instead: the sealed portal, whose pages are served from memory and
	// whose attachments (the encrypted payloads) are files under root.
	// Seal may keep the folders of the last two builds, so pages still
	// fetching from the previous one finish; older ones it removes itself.
	Seal func(c *casedir.Case, t *portal.Tree) (sealed *portal.Tree, root string, err error)
	// Problems explains a failed build as the problems the overlay lists,
	// each with its file, line and key. When nil, or when it returns none,
	// the error's text is shown as one problem.
	Problems func(error) []Problem

	// WatchDirs are more folders to watch besides Dir, recursively: the
	// templates, themes and content read from disk in development.
	WatchDirs []string
	// Quiet is the quiet period that ends a burst of file events;
	// DefaultQuiet when 0.
	Quiet time.Duration
	// Log receives one line per build; io.Discard when nil.
	Log io.Writer
}

// A Server is a running live preview.
type Server struct {
	opt  Options
	dir  string // absolute, symlinks resolved
	ln   net.Listener
	http *http.Server
	w    *watcher

	done     chan struct{} // closed by Shutdown: ends event streams
	stopOnce sync.Once
	loopDone chan struct{}

	mu       sync.RWMutex
	epoch    string    // when the server started, in build versions
	gen      int       // build generation, counting every build
	snap     *snapshot // the last good build; nil when none succeeded yet
	problems []Problem // the current build's problems; nil when it succeeded
	index    []byte    // the index.html served now, with script (and overlay)
	clients  map[chan event]struct{}
	lastErr  string // the text of the last problems printed, to print them once
	builds   int    // builds finished, for tests
	// builtOn is the day of the last build (2006-01-02): the page counts
	// days from it, so the first request of a new day builds again.
	builtOn string
}

// New checks the options and prepares a server; Start runs it.
func New(opt Options) (*Server, error) {
	if opt.Load == nil || opt.Render == nil {
		return nil, errors.New("preview: Load and Render are required")
	}
	if opt.Addr == "" {
		opt.Addr = DefaultAddr
	}
	if !opt.Public && !IsLoopback(opt.Addr) {
		return nil, fmt.Errorf("refusing to serve the preview on %s: it shows the case unencrypted to anyone who can reach that address; use a loopback address such as %s, or add --i-know-this-is-public", opt.Addr, DefaultAddr)
	}
	if opt.Quiet <= 0 {
		opt.Quiet = DefaultQuiet
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	dir, err := filepath.Abs(opt.Dir)
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", opt.Dir, err)
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("case %s: %w", opt.Dir, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("case %s is not a folder: give the case directory that holds case.toml", opt.Dir)
	}
	opt.Dir = dir
	return &Server{
		opt:      opt,
		dir:      dir,
		done:     make(chan struct{}),
		loopDone: make(chan struct{}),
		clients:  map[chan event]struct{}{},
		epoch:    strconv.FormatInt(time.Now().UnixNano(), 36),
	}, nil
}

// IsLoopback reports whether a listen address only accepts connections from
// this machine. An empty host (":1414") listens on every interface.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Start listens, makes the first build, starts watching and serving, and
// returns. A failed first build is not an error: the page shows it.
func (s *Server) Start() error {
	w, err := newWatcher(s)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.opt.Addr)
	if err != nil {
		w.close()
		return fmt.Errorf("listen on %s: %w (is another preview running? choose another port with --addr)", s.opt.Addr, err)
	}
	s.ln = ln
	s.w = w
	s.build(nil)
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
	}
	go s.http.Serve(ln)
	go func() {
		defer close(s.loopDone)
		w.loop()
	}()
	return nil
}

// URL returns the address of the preview, e.g. "http://127.0.0.1:1414/".
func (s *Server) URL() string {
	return "http://" + s.ln.Addr().String() + "/"
}

// Shutdown stops watching, ends the event streams and stops the HTTP server,
// waiting for requests in flight until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.stopOnce.Do(func() {
		close(s.done)
		if s.w != nil {
			s.w.close()
			<-s.loopDone
		}
		if s.http != nil {
			err = s.http.Shutdown(ctx)
		}
	})
	return err
}

// Run starts the server, prints its address, and serves until ctx ends
// (Ctrl-C in the command), then shuts down cleanly.
func (s *Server) Run(ctx context.Context) error {
	if err := s.Start(); err != nil {
		return err
	}
	fmt.Fprintf(s.opt.Log, "Serving %s at %s (Ctrl-C to stop)\n", s.opt.Dir, s.URL())
	<-ctx.Done()
	fmt.Fprintln(s.opt.Log, "Stopping.")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Shutdown(sctx)
}
