package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/caseport/caseport/internal/browsertest"
	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/keystore"
	"github.com/caseport/caseport/internal/seal"
	"github.com/caseport/caseport/internal/site"
	"github.com/caseport/caseport/themes"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestServeRefusesPublicAddress(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "x", "--addr", "0.0.0.0:1414"},
		{"serve", "--addr", ":1414", "x"},
		{"serve", "x", "--addr", "192.0.2.7:80"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "--i-know-this-is-public") {
			t.Errorf("%q: exit %d, stderr %q; want a refusal naming the flag", args, code, errb.String())
		}
	}
	// With the flag the address is accepted (and the command goes on to
	// check the folder, which does not exist here).
	var out, errb bytes.Buffer
	run([]string{"serve", filepath.Join(t.TempDir(), "missing"), "--addr", "0.0.0.0:0", "--i-know-this-is-public"}, &out, &errb)
	if strings.Contains(errb.String(), "refusing") {
		t.Errorf("refused with the flag: %s", errb.String())
	}
}

func TestServeUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"serve"}, &out, &errb); code != exitUsage {
		t.Errorf("serve without DIR: exit %d", code)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestServeRealLoader runs the command on a copy of the loader's valid test
// case: the real loader's problems reach the overlay with file, line and
// key, and SIGINT stops the server cleanly.
func TestServeRealLoader(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "case")
	copyDir(t, "../../internal/casedir/testdata/valid", dir)

	url, out, stop := startServe(t, dir, "--addr", "127.0.0.1:0")

	waitBody := func(what string, ok func(string) bool) string {
		deadline := time.Now().Add(15 * time.Second)
		for {
			_, page := httpGet(t, url)
			b := string(page)
			if ok(b) {
				return b
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; page:\n%s\nlog:\n%s", what, b, out.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitBody("the title", func(b string) bool { return strings.Contains(b, "Gastric adenocarcinoma") })

	// An unknown key: the loader names file, line and key.
	good, err := os.ReadFile(filepath.Join(dir, "case.toml"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(good), "[patient]", "[patient]\nalais = \"typo\"", 1)
	line := strings.Count(broken[:strings.Index(broken, "alais")], "\n") + 1
	if err := os.WriteFile(filepath.Join(dir, "case.toml"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	body := waitBody("the error overlay", func(b string) bool { return strings.Contains(b, `id="caseport-error"`) })
	if want := fmt.Sprintf("case.toml:%d", line); !strings.Contains(body, want) || !strings.Contains(body, "alais") {
		t.Errorf("overlay lacks %q and the key:\n%s", want, body)
	}
	if !strings.Contains(body, "Gastric adenocarcinoma") {
		t.Error("the last good page is not behind the overlay")
	}
	if err := os.WriteFile(filepath.Join(dir, "case.toml"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	waitBody("recovery", func(b string) bool { return !strings.Contains(b, `id="caseport-error"`) })

	if code := stop(); code != exitOK {
		t.Errorf("exit %d after SIGINT:\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "Stopping the preview.") {
		t.Errorf("log:\n%s", out.String())
	}
}

func TestOpenBrowser(t *testing.T) {
	bin := t.TempDir()
	got := filepath.Join(bin, "opened")
	script := "#!/bin/sh\necho \"$1\" > " + got + "\n"
	opener := "xdg-open"
	if runtime.GOOS == "darwin" {
		opener = "open"
	}
	if err := os.WriteFile(filepath.Join(bin, opener), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	var errb bytes.Buffer
	openBrowser("http://127.0.0.1:1414/", &errb)
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(got)
		if err == nil && strings.TrimSpace(string(b)) == "http://127.0.0.1:1414/" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("xdg-open was not run with the URL (stderr %q)", errb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}

	// Without an opener the command goes on, saying where to go.
	t.Setenv("PATH", t.TempDir())
	errb.Reset()
	openBrowser("http://127.0.0.1:1414/", &errb)
	if !strings.Contains(errb.String(), "open http://127.0.0.1:1414/ yourself") {
		t.Errorf("stderr %q", errb.String())
	}
}

// startServe runs "caseport serve" with args in the background and returns
// its URL, its output, and a function that stops it with SIGINT and
// returns its exit status.
func startServe(t *testing.T, args ...string) (url string, out *lockedBuffer, stop func() int) {
	t.Helper()
	out = &lockedBuffer{}
	var errb lockedBuffer
	done := make(chan int, 1)
	go func() { done <- run(append([]string{"serve"}, args...), out, &errb) }()
	urlRe := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
	deadline := time.Now().Add(60 * time.Second)
	for url == "" {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d early:\n%s\n%s", code, out.String(), errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not print its URL:\n%s\n%s", out.String(), errb.String())
		}
		url = urlRe.FindString(out.String())
		time.Sleep(10 * time.Millisecond)
	}
	stopped := false
	stop = func() int {
		if stopped {
			return exitOK
		}
		stopped = true
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		select {
		case code := <-done:
			return code
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop on SIGINT")
		}
		return exitFail
	}
	t.Cleanup(func() { stop() })
	return url, out, stop
}

func httpGet(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

var manifestRe = regexp.MustCompile(`"manifest":"([a-z2-7]{26})"`)

// TestServeSealed serves the sealed portal: everything fetched over HTTP is
// the portal seal.Open decrypts with the key store's passphrase, and a save
// seals a new build.
func TestServeSealed(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := filepath.Join(t.TempDir(), "case")
	copyDir(t, "../../internal/casedir/testdata/valid", dir)

	url, out, stop := startServe(t, dir, "--addr", "127.0.0.1:0", "--sealed")
	code, index := httpGet(t, url)
	if code != 200 || !bytes.Contains(index, []byte(`id="caseport-sealed"`)) || !bytes.Contains(index, []byte("/_caseport/events")) {
		t.Fatalf("GET /: %d\n%.2000s", code, index)
	}
	store, err := keystore.DefaultStore()
	if err != nil {
		t.Fatal(err)
	}
	c, err := casedir.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Sealed preview for readers ", store.Path(c.ID)} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	pass, err := store.Load(c.ID)
	if err != nil || len(pass) == 0 {
		t.Fatalf("no passphrases in the key store: %v %v", pass, err)
	}

	// Mirror the portal over HTTP: the page and every payload the build
	// folder holds (found on disk only to know their names).
	builds, err := filepath.Glob(filepath.Join(tmp, "caseport-serve-sealed-*", "*", "p"))
	if err != nil || len(builds) != 1 {
		t.Fatalf("sealed build folders: %v %v", builds, err)
	}
	mirror := filepath.Join(t.TempDir(), "portal")
	if err := os.MkdirAll(filepath.Join(mirror, "p"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mirror, "index.html"), index, 0o644); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(builds[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		code, b := httpGet(t, url+"p/"+e.Name())
		if code != 200 {
			t.Fatalf("GET p/%s: %d", e.Name(), code)
		}
		if err := os.WriteFile(filepath.Join(mirror, "p", e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var p string
	for _, v := range pass {
		p = v
	}
	plain := filepath.Join(t.TempDir(), "plain")
	if _, err := seal.Open(mirror, seal.Key{Passphrase: p}, plain); err != nil {
		t.Fatalf("opening the served portal: %v", err)
	}
	page, err := os.ReadFile(filepath.Join(plain, "index.html"))
	if err != nil || !bytes.Contains(page, []byte("Gastric adenocarcinoma")) {
		t.Fatalf("decrypted page: %v\n%.500s", err, page)
	}
	if code, _ := httpGet(t, url+"files/1/ct-2026-08-01-report.pdf"); code != 404 {
		t.Errorf("a plain attachment is served in sealed mode: %d", code)
	}

	// A save seals a new build under a new manifest.
	first := manifestRe.FindSubmatch(index)
	if first == nil {
		t.Fatal("no manifest in the portal JSON")
	}
	if err := os.WriteFile(filepath.Join(dir, "questions.md"), []byte("- A new question?\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, b := httpGet(t, url)
		if m := manifestRe.FindSubmatch(b); m != nil && !bytes.Equal(m[1], first[1]) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new sealed build after a save:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The second build reused every attachment's payload (hard links to
	// the first build's files): only the pages were sealed again.
	inodes := func(p string) map[uint64]bool {
		ents, err := os.ReadDir(p)
		if err != nil {
			t.Fatal(err)
		}
		m := map[uint64]bool{}
		for _, e := range ents {
			fi, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			m[fi.Sys().(*syscall.Stat_t).Ino] = true
		}
		return m
	}
	parent := filepath.Dir(filepath.Dir(builds[0]))
	shared := 0
	one := inodes(filepath.Join(parent, "1", "p"))
	for ino := range inodes(filepath.Join(parent, "2", "p")) {
		if one[ino] {
			shared++
		}
	}
	if shared != len(c.Attachments) {
		t.Errorf("%d payloads reused across builds, want the %d attachments", shared, len(c.Attachments))
	}
	if code := stop(); code != exitOK {
		t.Errorf("exit %d", code)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "caseport-serve-sealed-*")); len(left) != 0 {
		t.Errorf("sealed builds left behind: %v", left)
	}
}

// TestServeBrowser opens the preview of the loader's valid case in
// Chromium: the page's own CSP lets the reload script run (it connects to
// the event stream), and a save to questions.md reaches the page by itself.
func TestServeBrowser(t *testing.T) {
	b := browsertest.New(t)
	t.Cleanup(func() { chromedp.Cancel(b.Ctx) })
	dir := filepath.Join(t.TempDir(), "case")
	copyDir(t, "../../internal/casedir/testdata/valid", dir)
	url, _, _ := startServe(t, dir, "--addr", "127.0.0.1:0")
	b.Run(t, 30*time.Second, chromedp.Navigate(url), chromedp.WaitReady("body", chromedp.ByQuery))

	q := filepath.Join(dir, "questions.md")
	src, err := os.ReadFile(q)
	if err != nil {
		t.Fatal(err)
	}
	marker := "Is a question added in the preview shown at once?"
	// Save until the page shows it: the first save may come before the page
	// has connected, which the generation check also catches.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := os.WriteFile(q, append(src, "\n- "+marker+"\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		var shown bool
		ctx, cancel := context.WithTimeout(b.Ctx, 2*time.Second)
		err := chromedp.Run(ctx, chromedp.Poll(fmt.Sprintf(`document.body !== null && document.body.textContent.includes(%q)`, marker), &shown, chromedp.WithPollingTimeout(1500*time.Millisecond)))
		cancel()
		if err == nil && shown {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page never showed the saved question (last error %v)", err)
		}
	}
	if ext := b.ExternalRequests(); len(ext) > 0 {
		t.Errorf("requests off the machine: %v", ext)
	}
}

// TestServeThemesDir renders with the themes of $CASEPORT_THEMES and
// watches them: a stylesheet edit is served, and the page is told to swap
// the stylesheet rather than reload.
func TestServeThemesDir(t *testing.T) {
	themesDir := filepath.Join(t.TempDir(), "themes")
	css, err := fs.ReadFile(themes.FS, "default/style.css")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(themesDir, "default"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(themesDir, "default", "style.css"), css, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(ThemesEnv, themesDir)
	dir := filepath.Join(t.TempDir(), "case")
	copyDir(t, "../../internal/casedir/testdata/valid", dir)
	url, _, _ := startServe(t, dir, "--addr", "127.0.0.1:0")

	resp, err := http.Get(url + "_caseport/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := bufio.NewScanner(resp.Body)
	next := func() string {
		for events.Scan() {
			if name, ok := strings.CutPrefix(events.Text(), "event: "); ok {
				return name
			}
		}
		t.Fatal("the event stream ended")
		return ""
	}
	if e := next(); e != "hello" {
		t.Fatalf("first event %q", e)
	}
	edited := append(css, "\n/* edited in the preview */ body { outline: 1px solid #0a0; }\n"...)
	if err := os.WriteFile(filepath.Join(themesDir, "default", "style.css"), edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if e := next(); e != "css" {
		t.Errorf("after a stylesheet edit: event %q, want css", e)
	}
	if code, b := httpGet(t, url+"style.css"); code != 200 || !bytes.Contains(b, []byte("edited in the preview")) {
		t.Errorf("style.css: %d, edit not served", code)
	}
}

// TestServeSourceTree renders with the templates, themes and content of a
// source tree named by $CASEPORT_SOURCE and watches them: an edit of a
// layout and of a UI string reaches the page without restarting serve.
func TestServeSourceTree(t *testing.T) {
	root := filepath.Join(t.TempDir(), "src")
	for _, sub := range []string{"templates", "themes", "content"} {
		if err := os.CopyFS(filepath.Join(root, sub), os.DirFS(filepath.Join("..", "..", sub))); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(SourceEnv, root)
	dir := filepath.Join(t.TempDir(), "case")
	copyDir(t, "../../internal/casedir/testdata/valid", dir)
	url, _, _ := startServe(t, dir, "--addr", "127.0.0.1:0")

	edit := func(name, old, new string) {
		t.Helper()
		p := filepath.Join(root, name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("%s lacks %q", name, old)
		}
		if err := os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	waitFor := func(what string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			if _, b := httpGet(t, url); bytes.Contains(b, []byte(what)) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the page never showed %q", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	edit("templates/index.html", "</main>", "<p>edited layout marker</p></main>")
	waitFor("edited layout marker")
	edit("content/notice/en.md", "emergency", "emergency (edited notice marker)")
	waitFor("edited notice marker")
}

// TestSealedPreviewChoosesKeysAsBuild: serve --sealed gives a reader the
// passphrase "caseport build" then finds in the key store, and drops a
// removed reader's passphrase as build does.
func TestSealedPreviewChoosesKeysAsBuild(t *testing.T) {
	store := &keystore.Store{Dir: filepath.Join(t.TempDir(), "keys")}
	c := &casedir.Case{ID: "serve-keys", Dir: t.TempDir(), Readers: []casedir.Reader{{Name: "ana"}, {Name: "ben"}}}
	var log bytes.Buffer
	p := &sealedPreview{store: store, log: &log}
	readers, err := p.readers(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "New passphrase for reader ana") || !strings.Contains(log.String(), readers[0].Passphrase) {
		t.Errorf("the generated passphrases were not shown:\n%s", log.String())
	}
	keys, err := site.ChooseKeys(c, site.Options{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if keys.Chosen[0].Key != site.KeyStored || keys.Readers[0].Passphrase != readers[0].Passphrase || keys.Readers[1].Passphrase != readers[1].Passphrase {
		t.Errorf("build after the preview: %+v; want the preview's passphrases, stored", keys.Chosen)
	}
	c.Readers = c.Readers[:1]
	if _, err := p.readers(c); err != nil {
		t.Fatal(err)
	}
	if stored, err := store.Load(c.ID); err != nil || len(stored) != 1 || stored["ana"] != readers[0].Passphrase {
		t.Errorf("after ben left the preview's store holds %v (%v); want ana's passphrase only", stored, err)
	}
}
