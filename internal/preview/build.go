package preview

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/caseport/caseport/internal/portal"
)

// snapshot is a good build: what the server serves.
type snapshot struct {
	index []byte // index.html as built, before the preview's injections
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
func (s *Server) build(changed []string) {
	start := time.Now()
	sn, err := s.runPipeline()
	took := time.Since(start)

	var problems []Problem
	if err != nil {
		problems = s.explain(err)
	}

	s.mu.Lock()
	s.gen++
	gen := s.gen
	s.builtOn = start.Format(time.DateOnly)
	prev, prevProblems := s.snap, s.problems
	kind := "reload"
	if err == nil {
		if prev != nil && prevProblems == nil && s.opt.Seal == nil &&
			bytes.Equal(prev.index, sn.index) && !bytes.Equal(prev.css, sn.css) &&
			onlyCSS(prev, sn) {
			kind = "css"
		}
		s.snap = sn
		s.problems = nil
		s.index = injectPreview(sn.index, s.version(gen), nil, true)
	} else {
		s.problems = problems
		if prev != nil {
			s.index = injectPreview(prev.index, s.version(gen), problems, true)
		} else {
			s.index = errorPage(s.version(gen), problems)
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

// onlyCSS reports whether two builds differ at most in style.css: the same
// pages and attachments, with the same bytes except the stylesheet.
func onlyCSS(a, b *snapshot) bool {
	if len(a.pages) != len(b.pages) || len(a.files) != len(b.files) {
		return false
	}
	for name, p := range a.pages {
		q := b.pages[name]
		if q == nil {
			return false
		}
		if name != "style.css" && !bytes.Equal(p.Data, q.Data) {
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

func (s *Server) runPipeline() (sn *snapshot, err error) {
	defer func() {
		// A panic in a template function must not take the preview down.
		if r := recover(); r != nil {
			sn, err = nil, fmt.Errorf("internal error while building: %v", r)
		}
	}()
	c, err := s.opt.Load(s.dir)
	if err != nil {
		return nil, err
	}
	t, err := s.opt.Render(c)
	if err != nil {
		return nil, err
	}
	root := s.dir
	if s.opt.Seal != nil {
		t, root, err = s.opt.Seal(c, t)
		if err != nil {
			return nil, err
		}
	}
	if t.Page("index.html") == nil {
		return nil, fmt.Errorf("the build produced no index.html")
	}
	return newSnapshot(t, root), nil
}

func (s *Server) explain(err error) []Problem {
	if s.opt.Problems != nil {
		if ps := s.opt.Problems(err); len(ps) > 0 {
			return ps
		}
	}
	return []Problem{{Message: err.Error()}}
}

func problemsText(ps []Problem) string {
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
func (s *Server) logBuild(at time.Time, changed []string, took time.Duration, err error, problems []Problem, repeated bool) {
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
