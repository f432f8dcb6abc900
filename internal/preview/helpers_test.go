package preview

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/portal"
)

// The tests drive the server with a small stand-in pipeline, so they test
// the preview (watching, rebuilding, serving, reloading) on its own:
// fakeLoad reads the few keys of case.toml it needs and stats the files they
// reference, as the real loader does; fakeRender writes a page that shows
// them, under a strict CSP like the real renderer's.

// fakeProblems is what the real loader returns: a *casedir.Problems.
func fakeProblems(ps ...casedir.Problem) error { return &casedir.Problems{List: ps} }

func fakeLoad(dir string) (*casedir.Case, error) {
	src, err := os.ReadFile(filepath.Join(dir, "case.toml"))
	if err != nil {
		return nil, fakeProblems(casedir.Problem{File: "case.toml", Message: err.Error()})
	}
	var raw struct {
		Title   string
		Imaging []struct {
			Report string
		}
		Pathology []struct {
			Report string
		}
		Documents []struct {
			Title string
			File  string
		}
	}
	if _, err := toml.Decode(string(src), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fakeProblems(casedir.Problem{File: "case.toml", Line: pe.Position.Line, Key: pe.LastKey, Message: pe.Message})
		}
		return nil, fakeProblems(casedir.Problem{File: "case.toml", Message: err.Error()})
	}
	c := &casedir.Case{Dir: dir, Title: raw.Title}
	var problems []casedir.Problem
	seen := map[string]*casedir.Attachment{}
	ref := func(key, p string) *casedir.Attachment {
		if p == "" {
			return nil
		}
		if a := seen[p]; a != nil {
			a.RefBy = append(a.RefBy, key)
			return a
		}
		abs := filepath.Join(dir, filepath.FromSlash(p))
		fi, err := os.Stat(abs)
		if err != nil || !fi.Mode().IsRegular() {
			problems = append(problems, casedir.Problem{File: "case.toml", Line: lineOf(src, p), Key: key, Message: fmt.Sprintf("file %q not found in the case folder", p)})
			return nil
		}
		a := &casedir.Attachment{Path: p, Abs: abs, Size: fi.Size(), RefBy: []string{key}}
		seen[p] = a
		c.Attachments = append(c.Attachments, a)
		return a
	}
	for i, im := range raw.Imaging {
		c.Imaging = append(c.Imaging, casedir.Imaging{Report: ref(fmt.Sprintf("imaging[%d].report", i+1), im.Report)})
	}
	for i, pa := range raw.Pathology {
		c.Pathology = append(c.Pathology, casedir.Pathology{Report: ref(fmt.Sprintf("pathology[%d].report", i+1), pa.Report)})
	}
	for i, d := range raw.Documents {
		c.Documents = append(c.Documents, casedir.Document{Title: d.Title, File: ref(fmt.Sprintf("documents[%d].file", i+1), d.File)})
	}
	md := func(name string, required bool) *casedir.Markdown {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			if required || !errors.Is(err, fs.ErrNotExist) {
				problems = append(problems, casedir.Problem{File: name, Message: err.Error()})
			}
			return nil
		}
		return &casedir.Markdown{Path: name, Source: b}
	}
	if q := md("questions.md", true); q != nil {
		c.Questions.Markdown = *q
	}
	c.Summary = md("summary.md", false)
	c.Notes = md("notes.md", false)
	if len(problems) > 0 {
		return nil, fakeProblems(problems...)
	}
	return c, nil
}

func lineOf(src []byte, s string) int {
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	return 0
}

// fakeRenderer renders with the stylesheet of a theme folder on disk.
func fakeRenderer(themeDir string) func(*casedir.Case, portal.Extra) (*portal.Tree, error) {
	return func(c *casedir.Case, extra portal.Extra) (*portal.Tree, error) {
		css, err := os.ReadFile(filepath.Join(themeDir, "style.css"))
		if err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
		var b strings.Builder
		b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">`)
		fmt.Fprintf(&b, `<meta http-equiv="Content-Security-Policy" content="%s">`, html.EscapeString(extra.Policy("default-src 'none'; style-src 'self'; img-src 'self'")))
		fmt.Fprintf(&b, "<title>%s</title><link rel=\"stylesheet\" href=\"style.css\"></head><body>%s\n", html.EscapeString(c.Title), extra.Head())
		fmt.Fprintf(&b, "<h1>%s</h1>\n", html.EscapeString(c.Title))
		fmt.Fprintf(&b, "<pre id=\"questions\">%s</pre>\n", html.EscapeString(string(c.Questions.Source)))
		b.WriteString(`<div class="spacer"></div>` + "\n")
		for _, m := range []*casedir.Markdown{c.Summary, c.Notes} {
			if m != nil {
				fmt.Fprintf(&b, "<pre id=%q>%s</pre>\n", m.Path, html.EscapeString(string(m.Source)))
			}
		}
		t := &portal.Tree{Lang: "en"}
		for i, a := range c.Attachments {
			name := fmt.Sprintf("files/%d/%s", i+1, path.Base(a.Path))
			fmt.Fprintf(&b, "<p><a data-attachment href=%q>%s</a> (%d bytes)</p>\n", name, html.EscapeString(a.Path), a.Size)
			t.Attachments = append(t.Attachments, &portal.Attachment{
				Name: name, FileName: path.Base(a.Path), MediaType: "application/pdf", Source: a.Abs, Size: a.Size,
			})
		}
		b.WriteString("<div class=\"spacer\"></div>\n" + string(extra.Tail()) + "</body></html>\n")
		t.Pages = []*portal.Page{
			{Name: "index.html", MediaType: "text/html; charset=utf-8", Data: []byte(b.String())},
			{Name: "style.css", MediaType: "text/css; charset=utf-8", Data: css},
		}
		return t, nil
	}
}

// syncBuffer is a log both the server and the test use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixture is a running preview of a fresh copy of testdata/case.
type fixture struct {
	t     *testing.T
	dir   string // the case copy
	theme string // the theme copy
	s     *Server
	url   string
	log   *syncBuffer
}

func copyTree(t testing.TB, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func startFixture(t *testing.T) *fixture {
	t.Helper()
	root := t.TempDir()
	f := &fixture{t: t, dir: filepath.Join(root, "case"), theme: filepath.Join(root, "themes", "plain"), log: &syncBuffer{}}
	copyTree(t, "testdata", root)
	s, err := New(Options{
		Dir:       f.dir,
		Addr:      "127.0.0.1:0",
		Load:      fakeLoad,
		Render:    fakeRenderer(f.theme),
		WatchDirs: []string{filepath.Dir(f.theme)},
		Log:       f.log,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// t.Context is already canceled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	f.s, f.url = s, s.URL()
	return f
}

func (f *fixture) write(name, content string) {
	f.t.Helper()
	p := filepath.Join(f.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) read(name string) string {
	f.t.Helper()
	b, err := os.ReadFile(filepath.Join(f.dir, filepath.FromSlash(name)))
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

// get fetches a path of the preview and returns the status and body.
func get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// waitFor polls until ok returns true, failing after a generous deadline
// (a slow shared machine must not fail the test; a missed rebuild must).
func waitFor(t testing.TB, what string, ok func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		var done bool
		if done, last = ok(); done {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; last seen:\n%s", what, last)
}

// waitPage waits until GET path contains want.
func (f *fixture) waitPage(path, want string) string {
	f.t.Helper()
	var body string
	waitFor(f.t, fmt.Sprintf("GET %s to contain %q", path, want), func() (bool, string) {
		var code int
		code, body = get(f.t, f.url+strings.TrimPrefix(path, "/"))
		return code == 200 && strings.Contains(body, want), fmt.Sprintf("%d %s", code, body)
	})
	return body
}

// builds returns how many builds finished.
func (f *fixture) builds() int {
	f.s.mu.RLock()
	defer f.s.mu.RUnlock()
	return f.s.builds
}

// sse is a reader of the event stream.
type sse struct {
	body   io.Closer
	events chan event
}

func openEvents(t testing.TB, url string) *sse {
	t.Helper()
	resp, err := http.Get(url + strings.TrimPrefix(EventsPath, "/"))
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events: Content-Type %q", ct)
	}
	s := &sse{body: resp.Body, events: make(chan event, 64)}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			case line == "":
				if ev.name != "" {
					s.events <- ev
				}
				ev = event{}
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return s
}

func (s *sse) next(t testing.TB) event {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			t.Fatal("event stream ended")
		}
		return ev
	case <-time.After(15 * time.Second):
		t.Fatal("no event within 15 s")
	}
	return event{}
}
