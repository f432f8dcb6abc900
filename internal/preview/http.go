package preview

import (
	"bytes"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/caseport/caseport/internal/inside"
)

// EventsPath is the Server-Sent Events stream the reload script listens to.
const EventsPath = "/_caseport/events"

// ServeHTTP serves the preview: the page with the reload script, the other
// pages of the tree from memory, attachments from disk, and the events.
//
// Names are looked up exactly in the built tree, never mapped onto the disk:
// "/files/../case.toml" is not a name of the tree, so it is not found.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if !s.hostAllowed(r.Host) {
		// A page of another site whose name was made to point at this
		// machine (DNS rebinding) sends its own name here: it must not
		// read the case, its attachments or its events.
		http.Error(w, "this preview answers only to the address it was started on", http.StatusMisdirectedRequest)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path == EventsPath {
		s.serveEvents(w, r)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/")
	if name == "" {
		name = "index.html"
	}

	s.mu.RLock()
	stale := s.builtOn != time.Now().Format(time.DateOnly)
	s.mu.RUnlock()
	if name == "index.html" && stale {
		s.build(nil) // "12 days left" was counted yesterday
	}
	s.mu.RLock()
	sn, index := s.snap, s.index
	s.mu.RUnlock()

	if name == "index.html" {
		h.Set("Content-Type", "text/html; charset=utf-8")
		http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(index))
		return
	}
	if sn == nil {
		http.NotFound(w, r)
		return
	}
	if p := sn.pages[name]; p != nil {
		h.Set("Content-Type", p.MediaType)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(p.Data))
		return
	}
	if a := sn.files[name]; a != nil {
		s.serveFile(w, r, sn.root, a.Source, a.FileName, a.MediaType)
		return
	}
	http.NotFound(w, r)
}

// serveFile streams a file of the tree from disk, with ranges, after
// checking it still lies inside root: a folder of the case may have become a
// link to elsewhere since the case was loaded.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, root, source, fileName, mediaType string) {
	// Opened once, through the checked handle: never a FIFO, never a link
	// out of root.
	f, err := inside.OpenRegular(root, source)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	if mediaType != "" {
		h.Set("Content-Type", mediaType)
	}
	disposition := "inline"
	if !viewableInline(mediaType) {
		// An HTML, SVG or XML attachment would run its scripts with the
		// preview's origin and could read the whole case: it is saved,
		// never shown.
		disposition = "attachment"
	}
	if policy := attachmentPolicy(mediaType); policy != "" {
		h.Set("Content-Security-Policy", policy)
	}
	params := map[string]string{}
	if fileName != "" {
		// Saving the file from the browser keeps its original name.
		params["filename"] = fileName
	}
	if cd := mime.FormatMediaType(disposition, params); cd != "" {
		h.Set("Content-Disposition", cd)
	} else {
		h.Set("Content-Disposition", disposition)
	}
	http.ServeContent(w, r, fileName, fi.ModTime(), f)
}

// viewableInline reports whether an attachment of this media type is shown
// in the browser rather than saved: PDFs, raster images, plain text, audio
// and video, which run no script of the page's origin. Everything else
// (HTML, SVG, XML, anything unknown) is offered as a download.
func viewableInline(mediaType string) bool {
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		return false
	}
	switch mt {
	case "application/pdf", "text/plain", "text/csv",
		"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp":
		return true
	}
	return strings.HasPrefix(mt, "audio/") || strings.HasPrefix(mt, "video/")
}

// attachmentPolicy is the Content-Security-Policy an attachment is served
// with: a sandbox (a unique origin, no script) that loads nothing. PDFs are
// the exception: Chromium's PDF viewer refuses to draw inside a sandbox,
// and it runs no script with the page's origin anyway.
func attachmentPolicy(mediaType string) string {
	mt, _, _ := mime.ParseMediaType(mediaType)
	if mt == "application/pdf" {
		return "default-src 'none'; object-src 'self'"
	}
	return "sandbox; default-src 'none'"
}

// serveEvents streams build events to one page until it leaves or the
// server stops. The first event, "hello", carries the current generation.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c := make(chan event, 16)
	s.mu.Lock()
	s.clients[c] = struct{}{}
	gen := s.gen
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
	}()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// retry: reconnect quickly after the preview restarts.
	fmt.Fprintf(w, "retry: 500\nevent: hello\ndata: %s\n\n", s.version(gen))
	fl.Flush()

	keepalive := time.NewTicker(30 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case ev := <-c:
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.name, ev.data)
			fl.Flush()
		case <-keepalive.C:
			fmt.Fprint(w, ": keepalive\n\n")
			fl.Flush()
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		}
	}
}

// hostAllowed reports whether a request's Host header names this preview:
// 127.0.0.1, localhost or [::1], or the host of the listen address, each
// with the port listened on. A preview listening on every interface (with
// Public) also answers to any IP address literal, which no DNS answer can
// stand for.
func (s *Server) hostAllowed(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		// No port: only right when the preview listens on port 80.
		host, port = hostport, "80"
	}
	if s.ln == nil {
		return false
	}
	_, listenPort, err := net.SplitHostPort(s.ln.Addr().String())
	if err != nil || port != listenPort {
		return false
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	switch host {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	addrHost, _, err := net.SplitHostPort(s.opt.Addr)
	if err != nil {
		return false
	}
	addrHost = strings.ToLower(strings.Trim(addrHost, "[]"))
	if addrHost != "" && host == addrHost {
		return true
	}
	if ip := net.ParseIP(addrHost); s.opt.Public && (addrHost == "" || ip != nil && ip.IsUnspecified()) {
		return net.ParseIP(host) != nil
	}
	return false
}
