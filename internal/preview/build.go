package preview

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/portal"
)

// snapshot is a good build: what the server serves.
type snapshot struct {
	index []byte // index.html as built, with the preview's script
	css   []byte // style.css as built; nil when absent
	pages map[string]*portal.Page
	files map[string]*portal.Attachment
	root  string // every file's source must lie under root
}

func newSnapshot(t *portal.Tree, root string) *snapshot {
	sn := &snapshot{
		pages: map[string]*portal.Page{},
		files: map[string]*portal.Attachment{},
		root:  root,
	}
	for _, p := range t.Pages {
		sn.pages[p.Name] = p
	}
	for _, a := range t.Attachments {
		sn.files[a.Name] = a
	}
	if p := sn.pages["index.html"]; p != nil {
		sn.index = p.Data
	}
	if p := sn.pages["style.css"]; p != nil {
		sn.css = p.Data
	}
	return sn
}

// version names a build for the pages: the server's start time and the
// generation, so a page left open across a restart of the preview reloads
// when it reconnects.
func (s *Server) version(gen int) string {
	return s.epoch + "." + strconv.Itoa(gen)
}

// event is one message of the event stream.
type event struct {
	name string // hello | reload | css
	data string // the build generation
}

// build runs the pipeline once, publishes the result, logs one line and
// tells the open pages. changed lists the files that triggered it, for the
// log; nil for the first build.
//
// Builds run one at a time (buildMu: the first from Start, then from the
// watcher or a request on a new day), so the generation, the last good
// case and its version are the builder's own; mu guards what the HTTP
// handlers read.
func (s *Server) build(changed []string) {
	s.buildMu.Lock()
	defer s.buildMu.Unlock()
	start := time.Now()
	s.mu.RLock()
	gen := s.gen + 1
	s.mu.RUnlock()
	version := s.version(gen)
	c, sn, err := s.runPipeline(previewExtra(version, nil, true))
	took := time.Since(start)

	var problems []casedir.Problem
	var overlaid *snapshot // the last good case again, under the overlay
	if err != nil {
		problems = s.explain(err)
		if s.lastGood != nil {
			overlaid, _ = s.renderCase(s.lastGood, previewExtra(version, problems, true))
		}
	}

	s.mu.Lock()
	s.gen = gen
	s.builtOn = start.Format(time.DateOnly)
	prev, prevProblems := s.snap, s.problems
	kind := "reload"
	if err == nil {
		if prev != nil && prevProblems == nil && s.opt.Seal == nil &&
			!bytes.Equal(prev.css, sn.css) && onlyCSS(prev, sn) &&
			bytes.Equal(withVersion(prev.index, s.goodVersion, version), sn.index) {
			kind = "css"
		}
		s.snap, s.lastGood, s.goodVersion = sn, c, version
		s.problems = nil
		s.index = sn.index
	} else {
		s.problems = problems
		if overlaid != nil {
			s.snap, s.goodVersion = overlaid, version
			s.index = overlaid.index
		} else {
			s.index = errorPage(version, problems)
		}
	}
	text := problemsText(problems)
	repeated := err != nil && text == s.lastErr
	s.lastErr = text
	s.builds++
	clients := make([]chan event, 0, len(s.clients))
	for c := range s.clients {
		clients = append(clients, c)
	}
	s.mu.Unlock()

	s.logBuild(start, changed, took, err, problems, repeated)

	ev := event{name: kind, data: s.version(gen)}
	for _, c := range clients {
		select {
		case c <- ev:
		default:
			// A stalled page misses this event; on reconnecting it compares
			// generations and reloads.
		}
	}
}

// withVersion is a page of version old as it reads with version new: the
// two builds' pages differ in their version tag at least, so they are
// compared with one.
func withVersion(page []byte, old, new string) []byte {
	return bytes.Replace(page, []byte(versionTag(old)), []byte(versionTag(new)), 1)
}

// onlyCSS reports whether two builds differ at most in style.css: the same
// pages and attachments, with the same bytes except the stylesheet and
// index.html, which the caller compares (it carries the build version).
func onlyCSS(a, b *snapshot) bool {
	if len(a.pages) != len(b.pages) || len(a.files) != len(b.files) {
		return false
	}
	for name, p := range a.pages {
		q := b.pages[name]
		if q == nil {
			return false
		}
		if name != "style.css" && name != "index.html" && !bytes.Equal(p.Data, q.Data) {
			return false
		}
	}
	for name, f := range a.files {
		g := b.files[name]
		if g == nil || g.Source != f.Source || g.Size != f.Size {
			return false
		}
	}
	return true
}

// runPipeline loads the case and renders it with extra (see renderCase).
func (s *Server) runPipeline(extra portal.Extra) (*casedir.Case, *snapshot, error) {
	c, err := s.opt.Load(s.dir)
	if err != nil {
		return nil, nil, err
	}
	sn, err := s.renderCase(c, extra)
	if err != nil {
		return nil, nil, err
	}
	return c, sn, nil
}

// renderCase renders (and seals, with Options.Seal) a loaded case, with
// extra on the page served first: the rendered index.html, or the unlock
// page of the sealed portal.
func (s *Server) renderCase(c *casedir.Case, extra portal.Extra) (sn *snapshot, err error) {
	defer func() {
		// A panic in a template function must not take the preview down.
		if r := recover(); r != nil {
			sn, err = nil, fmt.Errorf("internal error while building: %v", r)
		}
	}()
	root := s.dir
	var t *portal.Tree
	if s.opt.Seal == nil {
		if t, err = s.opt.Render(c, extra); err != nil {
			return nil, err
		}
	} else {
		if t, err = s.opt.Render(c, portal.Extra{}); err != nil {
			return nil, err
		}
		if t, root, err = s.opt.Seal(c, t, extra); err != nil {
			return nil, err
		}
	}
	if t.Page("index.html") == nil {
		return nil, fmt.Errorf("the build produced no index.html")
	}
	return newSnapshot(t, root), nil
}

// explain gives the problems a failed build shows: the loader's errors,
// each with its file, line and key, or else the error's text as one.
func (s *Server) explain(err error) []casedir.Problem {
	var ps *casedir.Problems
	if errors.As(err, &ps) {
		var out []casedir.Problem
		for _, p := range ps.List {
			if p.Severity == casedir.Error {
				out = append(out, p)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return []casedir.Problem{{Message: err.Error()}}
}

func problemsText(ps []casedir.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

// logBuild prints one line per build, like hugo server:
//
//	14:03:07 questions.md changed: built in 12 ms
//
// A failure prints its problems once; the same failure again prints one line.
func (s *Server) logBuild(at time.Time, changed []string, took time.Duration, err error, problems []casedir.Problem, repeated bool) {
	what := "first build"
	if changed != nil {
		what = describeChanges(changed) + " changed"
	}
	ms := fmt.Sprintf("%d ms", took.Milliseconds())
	if took < time.Millisecond {
		ms = fmt.Sprintf("%.1f ms", float64(took.Microseconds())/1000)
	}
	stamp := at.Format("15:04:05")
	switch {
	case err == nil:
		fmt.Fprintf(s.opt.Log, "%s %s: built in %s\n", stamp, what, ms)
	case repeated:
		fmt.Fprintf(s.opt.Log, "%s %s: still failing with the problems above (%s)\n", stamp, what, ms)
	default:
		fmt.Fprintf(s.opt.Log, "%s %s: build failed in %s; the preview shows the last good build with the error:\n", stamp, what, ms)
		for _, p := range problems {
			fmt.Fprintf(s.opt.Log, "  %s\n", p)
		}
	}
}

// describeChanges names the changed files, shortening a long list.
func describeChanges(names []string) string {
	const show = 3
	if len(names) == 0 {
		return "nothing"
	}
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:show], ", "), len(names)-show)
}
