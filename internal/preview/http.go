package preview

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
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
	real, err := filepath.EvalSymlinks(source)
	if err != nil || !within(root, real) {
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(real)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	if mediaType != "" {
		w.Header().Set("Content-Type", mediaType)
	}
	if fileName != "" {
		// Saving the file from the browser keeps its original name.
		if cd := mime.FormatMediaType("inline", map[string]string{"filename": fileName}); cd != "" {
			w.Header().Set("Content-Disposition", cd)
		}
	}
	http.ServeContent(w, r, fileName, fi.ModTime(), f)
}

// within reports whether path lies inside root (both absolute and clean).
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
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
