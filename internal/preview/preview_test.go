package preview

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/portal"
)

func TestEditsReachPage(t *testing.T) {
	f := startFixture(t)
	f.waitPage("/", "Synthetic gastric case for the preview tests")

	t.Run("case.toml", func(t *testing.T) {
		f.write("case.toml", strings.Replace(f.read("case.toml"), "Synthetic gastric case", "Edited title of the case", 1))
		f.waitPage("/", "Edited title of the case for the preview tests")
	})
	t.Run("questions.md", func(t *testing.T) {
		f.write("questions.md", f.read("questions.md")+"- Which trials are open to her?\n")
		f.waitPage("/", "Which trials are open to her?")
	})
	t.Run("summary.md", func(t *testing.T) {
		f.write("summary.md", "A rewritten summary, second version.\n")
		f.waitPage("/", "A rewritten summary, second version.")
	})
	t.Run("notes.md", func(t *testing.T) {
		// notes.md is optional: creating it must be picked up too.
		f.write("notes.md", "The slides are on their way by courier.\n")
		f.waitPage("/", "The slides are on their way by courier.")
	})
	t.Run("attachment", func(t *testing.T) {
		f.waitPage("/", `href="files/2/biopsy.pdf"`)
		v2 := "%PDF-1.4\n% synthetic biopsy report v2, amended\n"
		f.write("pathology/biopsy.pdf", v2)
		f.waitPage("/files/2/biopsy.pdf", "v2, amended")
		// The size shown on the page follows too.
		f.waitPage("/", fmt.Sprintf("(%d bytes)", len(v2)))
	})
	t.Run("theme stylesheet", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(f.theme, "style.css"), []byte("body { color: #123456; }\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		f.waitPage("/style.css", "#123456")
	})
}

func TestNewFolderWithAttachment(t *testing.T) {
	f := startFixture(t)
	f.waitPage("/", "Synthetic gastric case")
	// A new folder and a file inside it, then the reference in case.toml.
	f.write("letters/2026/gp-letter.pdf", "%PDF-1.4\n% synthetic GP letter\n")
	f.write("case.toml", f.read("case.toml")+"\n[[documents]]\ntitle = \"GP letter\"\nfile = \"letters/2026/gp-letter.pdf\"\n")
	f.waitPage("/", `href="files/3/gp-letter.pdf"`)
	f.waitPage("/files/3/gp-letter.pdf", "synthetic GP letter")

	// A file in a folder created after the start is watched: editing it is
	// served at once.
	corrected := "%PDF-1.4\n% synthetic GP letter, corrected\n"
	f.write("letters/2026/gp-letter.pdf", corrected)
	f.waitPage("/", fmt.Sprintf("(%d bytes)", len(corrected)))
}

func TestReferenceBeforeFileExists(t *testing.T) {
	f := startFixture(t)
	f.waitPage("/", "Synthetic gastric case")
	// The coordinator references a file first and copies it in afterwards.
	f.write("case.toml", f.read("case.toml")+"\n[[documents]]\ntitle = \"Discharge\"\nfile = \"discharge/summary.pdf\"\n")
	f.waitPage("/", "documents[1].file")
	f.write("discharge/summary.pdf", "%PDF-1.4\n% synthetic discharge\n")
	body := f.waitPage("/", `href="files/3/summary.pdf"`)
	if strings.Contains(body, "caseport-error") {
		t.Errorf("the overlay stayed after the file arrived:\n%s", body)
	}
}

func TestWriteAndRenameSave(t *testing.T) {
	f := startFixture(t)
	f.waitPage("/", "Is surgery first an option?")
	// The way many editors save: write a temporary file, rename it over.
	tmp := filepath.Join(f.dir, ".questions.md.tmp1234")
	if err := os.WriteFile(tmp, []byte("- Saved through a rename.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(f.dir, "questions.md")); err != nil {
		t.Fatal(err)
	}
	body := f.waitPage("/", "Saved through a rename.")
	if strings.Contains(body, "Is surgery first an option?") {
		t.Error("old questions still served")
	}
	// And a second rename save: the watch survives the first.
	if err := os.WriteFile(tmp, []byte("- Saved through a second rename.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(f.dir, "questions.md")); err != nil {
		t.Fatal(err)
	}
	f.waitPage("/", "Saved through a second rename.")
}

func TestDeleteAndCreateSave(t *testing.T) {
	f := startFixture(t)
	f.waitPage("/", "A synthetic summary")
	p := filepath.Join(f.dir, "summary.md")
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	// summary.md is optional, so the build in between may succeed without
	// it; either way the new file must be served.
	if err := os.WriteFile(p, []byte("Recreated summary after a delete.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f.waitPage("/", "Recreated summary after a delete.")

	// questions.md is required: deleting it fails a build, recreating fixes it.
	q := filepath.Join(f.dir, "questions.md")
	if err := os.Remove(q); err != nil {
		t.Fatal(err)
	}
	f.waitPage("/", "caseport-error")
	if err := os.WriteFile(q, []byte("- Back after a delete.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	body := f.waitPage("/", "Back after a delete.")
	if strings.Contains(body, `id="caseport-error"`) {
		t.Error("the overlay stayed after the fix")
	}
}

func TestBrokenCaseKeepsServing(t *testing.T) {
	f := startFixture(t)
	f.waitPage("/", "Synthetic gastric case")
	good := f.read("case.toml")
	ev := openEvents(t, f.url)
	if e := ev.next(t); e.name != "hello" {
		t.Fatalf("first event %q, want hello", e.name)
	}

	// Line 4 loses its closing quote.
	broken := strings.Replace(good, `title = "Synthetic gastric case for the preview tests"`, `title = "Synthetic <b>gastric</b> case`, 1)
	f.write("case.toml", broken)
	body := f.waitPage("/", `id="caseport-error"`)
	for _, want := range []string{
		"case.toml:4",            // file and line
		"<code>title</code>",     // the key
		"Synthetic gastric case", // the last good page stays behind the overlay
		"below is the last good preview",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("error page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<b>gastric</b>") {
		t.Error("the error text reached the page unescaped")
	}
	if e := ev.next(t); e.name != "reload" {
		t.Errorf("after a failed build: event %q, want reload", e.name)
	}
	// The terminal shows the problem once; a second failing save says so in a line.
	waitFor(t, "the error in the log", func() (bool, string) {
		return strings.Contains(f.log.String(), "case.toml:4: title:"), f.log.String()
	})
	f.write("case.toml", broken+"\n")
	waitFor(t, "a second failing build", func() (bool, string) {
		return strings.Contains(f.log.String(), "still failing"), f.log.String()
	})
	if n := strings.Count(f.log.String(), "case.toml:4: title:"); n != 1 {
		t.Errorf("the same error was printed %d times:\n%s", n, f.log.String())
	}
	// Another server request still works.
	if code, _ := get(t, f.url+"files/2/biopsy.pdf"); code != 200 {
		t.Errorf("attachment while broken: %d", code)
	}

	f.write("case.toml", strings.Replace(good, "Synthetic gastric case", "Fixed gastric case", 1))
	body = f.waitPage("/", "Fixed gastric case")
	if strings.Contains(body, `id="caseport-error"`) {
		t.Error("the overlay stayed after the fix")
	}
	f.s.mu.RLock()
	gen := f.s.version(f.s.gen)
	f.s.mu.RUnlock()
	for {
		if e := ev.next(t); e.name == "reload" && e.data == gen {
			break
		}
	}
}

func TestFirstBuildFails(t *testing.T) {
	// A server started on a broken case shows the error page, then recovers.
	root := t.TempDir()
	copyTree(t, "testdata", root)
	dir := filepath.Join(root, "case")
	if err := os.WriteFile(filepath.Join(dir, "case.toml"), []byte("format = 1\ntitle = \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Dir: dir, Addr: "127.0.0.1:0", Load: fakeLoad,
		Render: fakeRenderer(filepath.Join(root, "themes", "plain")), Problems: fakeExplain})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(t.Context())
	code, body := get(t, s.URL())
	if code != 200 || !strings.Contains(body, "case.toml:2") || !strings.Contains(body, "<script>") {
		t.Fatalf("error page: %d\n%s", code, body)
	}
	if code, _ := get(t, s.URL()+"style.css"); code != 404 {
		t.Errorf("style.css without a good build: %d", code)
	}
	if err := os.WriteFile(filepath.Join(dir, "case.toml"), []byte("format = 1\ntitle = \"Now it loads\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "recovery", func() (bool, string) {
		_, body := get(t, s.URL())
		return strings.Contains(body, "<h1>Now it loads</h1>"), body
	})
}

func TestEvents(t *testing.T) {
	f := startFixture(t)
	ev := openEvents(t, f.url)
	hello := ev.next(t)
	if hello.name != "hello" || hello.data != f.s.version(1) {
		t.Fatalf("first event %+v, want hello 1", hello)
	}
	f.write("questions.md", "- A question that changes the page.\n")
	if e := ev.next(t); e.name != "reload" || e.data != f.s.version(2) {
		t.Fatalf("after a page edit: %+v, want reload 2", e)
	}
	// Only the stylesheet changed: the page swaps it without reloading.
	if err := os.WriteFile(filepath.Join(f.theme, "style.css"), []byte("body { color: #654321; }\n.spacer { height: 4000px; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if e := ev.next(t); e.name != "css" || e.data != f.s.version(3) {
		t.Fatalf("after a stylesheet edit: %+v, want css 3", e)
	}
	// A page opened later learns the current generation on connecting.
	if e := openEvents(t, f.url).next(t); e.name != "hello" || e.data != f.s.version(3) {
		t.Fatalf("late hello %+v, want hello 3", e)
	}
	// The page embeds its generation, so a save between GET / and the
	// connection is not missed.
	_, body := get(t, f.url)
	if !strings.Contains(body, fmt.Sprintf(`var gen = %q`, f.s.version(3))) {
		t.Errorf("page does not carry generation 3:\n%s", body)
	}
}

func TestSwapFilesDoNotRebuild(t *testing.T) {
	f := startFixture(t)
	f.waitPage("/", "Synthetic gastric case")
	before := f.builds()
	for _, name := range []string{".questions.md.swp", ".questions.md.swx", "4913", "questions.md~", "#questions.md#", ".#questions.md", ".DS_Store", "pathology/.biopsy.pdf.swp"} {
		f.write(name, "editor junk")
	}
	// Then one real save: exactly one build must follow, naming only it.
	f.write("notes.md", "A real save after the junk.\n")
	f.waitPage("/", "A real save after the junk.")
	if got := f.builds() - before; got != 1 {
		t.Errorf("%d builds for one save among swap files; log:\n%s", got, f.log.String())
	}
	lines := strings.Split(strings.TrimSpace(f.log.String()), "\n")
	last := lines[len(lines)-1]
	if _, rest, _ := strings.Cut(last, " "); !strings.HasPrefix(rest, "notes.md changed: built in ") {
		t.Errorf("last log line %q, want only notes.md", last)
	}
}

func TestCoalescesBursts(t *testing.T) {
	f := startFixture(t)
	f.waitPage("/", "Synthetic gastric case")
	before := f.builds()
	// An editor's save: backup, temp file, rename, chmod — all in a burst.
	p := filepath.Join(f.dir, "questions.md")
	tmp := filepath.Join(f.dir, "questions.md.new")
	if err := os.WriteFile(tmp, []byte("- One burst, one build.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	f.write("summary.md", "Summary saved in the same burst.\n")
	f.waitPage("/", "Summary saved in the same burst.")
	if got := f.builds() - before; got != 1 {
		// Not a timing assertion: the four events come within microseconds,
		// far below the 30 ms quiet period.
		t.Errorf("%d builds for one burst; log:\n%s", got, f.log.String())
	}
}

func TestRefusesPublicAddress(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:1414", "example.org:1414"} {
		_, err := New(Options{Dir: "testdata/case", Addr: addr, Load: fakeLoad, Render: fakeRenderer("testdata/themes/plain")})
		if err == nil || !strings.Contains(err.Error(), "--i-know-this-is-public") {
			t.Errorf("New(%q) = %v, want a refusal naming the flag", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0", "127.0.0.2:1414"} {
		if _, err := New(Options{Dir: "testdata/case", Addr: addr, Load: fakeLoad, Render: fakeRenderer("testdata/themes/plain")}); err != nil {
			t.Errorf("New(%q): %v", addr, err)
		}
	}
	s, err := New(Options{Dir: "testdata/case", Addr: "0.0.0.0:0", Public: true, Load: fakeLoad, Render: fakeRenderer("testdata/themes/plain")})
	if err != nil {
		t.Fatalf("public with the flag: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	s.Shutdown(t.Context())
}

// rawGet sends a request line as written, so the client cannot clean it.
func rawGet(t *testing.T, addr, target string) int {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestPathTraversal(t *testing.T) {
	f := startFixture(t)
	f.waitPage("/", `href="files/2/biopsy.pdf"`)
	// A file outside the case, to be sure nothing reaches it either.
	if err := os.WriteFile(filepath.Join(filepath.Dir(f.dir), "secret.txt"), []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := f.s.ln.Addr().String()
	if code := rawGet(t, addr, "/files/2/biopsy.pdf"); code != 200 {
		t.Fatalf("the attachment itself: %d", code)
	}
	resp, err := http.Get(f.url + "files/2/biopsy.pdf")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cd, ct := resp.Header.Get("Content-Disposition"), resp.Header.Get("Content-Type"); cd != `inline; filename=biopsy.pdf` || ct != "application/pdf" {
		t.Errorf("attachment headers: Content-Disposition %q, Content-Type %q", cd, ct)
	}
	for _, target := range []string{
		"/case.toml",
		"/questions.md",
		"/pathology/biopsy.pdf",
		"/files/../case.toml",
		"/files/2/../../case.toml",
		"/files/%2e%2e/case.toml",
		"/files/%2E%2E/%2E%2E/secret.txt",
		"/files/2/..%2f..%2fcase.toml",
		"/files/2/%2e%2e%2f%2e%2e%2fcase.toml",
		"/files/2/biopsy.pdf/../../../case.toml",
		"/..%2fsecret.txt",
		"/%2e%2e/secret.txt",
		"//etc/passwd",
		"/files/2/biopsy.pdf%00",
		"/files/2/BIOPSY.PDF",
		"/files/1/biopsy.pdf",
	} {
		if code := rawGet(t, addr, target); code != 404 && code != 400 {
			t.Errorf("GET %s: %d, want 404", target, code)
		}
	}
	// A link placed later where the attachment was must not lead out.
	src := filepath.Join(f.dir, "pathology", "biopsy.pdf")
	if err := os.Remove(src); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(filepath.Dir(f.dir), "secret.txt"), src); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, f.url+"files/2/biopsy.pdf"); code == 200 && strings.Contains(body, "outside") {
		t.Error("a link to outside the case was followed")
	}
}

func TestShutdownEndsStreams(t *testing.T) {
	f := startFixture(t)
	ev := openEvents(t, f.url)
	ev.next(t)
	done := make(chan error, 1)
	go func() { done <- f.s.Shutdown(t.Context()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown hangs on an open event stream")
	}
	for range ev.events {
	}
}

// TestSealedTree serves what Options.Seal returns instead of the rendered
// tree: its page with the reload script, its payloads from its own folder,
// and nothing of the plain tree.
func TestSealedTree(t *testing.T) {
	root := t.TempDir()
	copyTree(t, "testdata", root)
	dir := filepath.Join(root, "case")
	out := filepath.Join(root, "sealed")
	builds := 0
	// A stand-in sealer: one "payload" per attachment, copied, under p/.
	sealer := func(_ *casedir.Case, tree *portal.Tree) (*portal.Tree, string, error) {
		builds++
		bdir := filepath.Join(out, fmt.Sprint(builds))
		if err := os.MkdirAll(filepath.Join(bdir, "p"), 0o755); err != nil {
			return nil, "", err
		}
		st := &portal.Tree{Lang: tree.Lang}
		for i, a := range tree.Attachments {
			b, err := os.ReadFile(a.Source)
			if err != nil {
				return nil, "", err
			}
			p := filepath.Join(bdir, "p", fmt.Sprintf("id%d", i))
			if err := os.WriteFile(p, append([]byte("sealed:"), b...), 0o644); err != nil {
				return nil, "", err
			}
			st.Attachments = append(st.Attachments, &portal.Attachment{Name: "p/" + filepath.Base(p), Source: p, MediaType: "application/octet-stream"})
		}
		page := fmt.Sprintf(`<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-UNLOCK'; connect-src 'self'"></head><body><p>unlock build %d</p></body></html>`, builds)
		st.Pages = []*portal.Page{{Name: "index.html", MediaType: "text/html; charset=utf-8", Data: []byte(page)}}
		return st, bdir, nil
	}
	s, err := New(Options{Dir: dir, Addr: "127.0.0.1:0", Load: fakeLoad, Render: fakeRenderer(filepath.Join(root, "themes", "plain")), Seal: sealer})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	_, body := get(t, s.URL())
	if !strings.Contains(body, "unlock build 1") || !strings.Contains(body, "script-src &#39;sha256-UNLOCK&#39; &#39;sha256-") || !strings.Contains(body, "<script>") {
		t.Fatalf("sealed page:\n%s", body)
	}
	if code, body := get(t, s.URL()+"p/id1"); code != 200 || !strings.HasPrefix(body, "sealed:%PDF") {
		t.Errorf("payload: %d %q", code, body)
	}
	for _, name := range []string{"files/1/ct-report.pdf", "style.css", "p/../../case/case.toml"} {
		if code, _ := get(t, s.URL()+name); code != 404 {
			t.Errorf("GET %s in sealed mode: %d, want 404", name, code)
		}
	}
	ev := openEvents(t, s.URL())
	ev.next(t)
	if err := os.WriteFile(filepath.Join(dir, "questions.md"), []byte("- New?\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if e := ev.next(t); e.name != "reload" {
		t.Errorf("sealed rebuild sent %q, want reload", e.name)
	}
	_, body = get(t, s.URL())
	if !strings.Contains(body, "unlock build 2") {
		t.Errorf("after a save:\n%s", body)
	}
}

// TestVimSave replays the file operations of vim's default save: a write
// test file, the original renamed to a backup, a new file written, the
// backup removed.
func TestVimSave(t *testing.T) {
	f := startFixture(t)
	f.waitPage("/", "Is surgery first an option?")
	p := filepath.Join(f.dir, "questions.md")
	steps := []func() error{
		func() error { return os.WriteFile(filepath.Join(f.dir, "4913"), nil, 0o644) },
		func() error { return os.Remove(filepath.Join(f.dir, "4913")) },
		func() error { return os.Rename(p, p+"~") },
		func() error { return os.WriteFile(p, []byte("- Saved the way vim saves.\n"), 0o644) },
		func() error { return os.Chmod(p, 0o644) },
		func() error { return os.Remove(p + "~") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	f.waitPage("/", "Saved the way vim saves.")
	if log := f.log.String(); strings.Contains(log, "4913") || strings.Contains(log, "questions.md~") {
		t.Errorf("swap or backup files reached the log:\n%s", log)
	}
}

// TestNewDayRebuilds: the page counts days ("12 days left") from the day it
// was built, so the first request of a new day builds it again.
func TestNewDayRebuilds(t *testing.T) {
	f := startFixture(t)
	f.waitPage("/", "<html")
	before := f.builds()
	get(t, f.url)
	if got := f.builds() - before; got != 0 {
		t.Fatalf("%d builds for a request on the day of the build, want 0", got)
	}
	f.s.mu.Lock()
	f.s.builtOn = "2000-01-01"
	f.s.mu.Unlock()
	get(t, f.url)
	if got := f.builds() - before; got != 1 {
		t.Errorf("%d builds for the first request of a new day, want 1", got)
	}
}
