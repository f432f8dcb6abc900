package preview

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/portal"
)

// getWithHost sends a GET with the Host header as given, as a page of
// another site whose name was rebound to 127.0.0.1 would.
func getWithHost(t *testing.T, addr, target, host string) (int, http.Header) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, host)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s (Host %s): %v", target, host, err)
	}
	// The body is not read: the event stream never ends, and closing the
	// connection ends it.
	return resp.StatusCode, resp.Header
}

func TestHostHeaderAllowList(t *testing.T) {
	f := startFixture(t)
	f.waitPage("/", `href="files/2/biopsy.pdf"`)
	addr := f.s.ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	targets := []string{"/", "/index.html", "/style.css", "/files/2/biopsy.pdf", EventsPath}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST:" + port, "[::1]:" + port} {
		for _, target := range targets {
			if code, _ := getWithHost(t, addr, target, host); code != 200 {
				t.Errorf("GET %s with Host %s: %d, want 200", target, host, code)
			}
		}
	}
	for _, host := range []string{"evil.example:" + port, "evil.example", "127.0.0.1", "localhost:1", "127.0.0.1.evil.example:" + port, "localhost.:" + port, "10.0.0.1:" + port} {
		for _, target := range targets {
			if code, _ := getWithHost(t, addr, target, host); code != http.StatusMisdirectedRequest {
				t.Errorf("GET %s with Host %s: %d, want 421", target, host, code)
			}
		}
	}
}

func TestHostHeaderOfAddr(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		public bool
		host   string
		ok     bool
	}{
		{"127.0.0.2:0", false, "127.0.0.2", true},
		{"127.0.0.2:0", false, "evil.example", false},
		{"0.0.0.0:0", true, "192.0.2.7", true},
		{"0.0.0.0:0", true, "evil.example", false},
		{"[::]:0", true, "[2001:db8::1]", true},
	} {
		s, err := New(Options{Dir: "testdata/case", Addr: tc.addr, Public: tc.public, Load: fakeLoad, Render: fakeRenderer("testdata/themes/plain")})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(s.ln.Addr().String())
		if got := s.hostAllowed(tc.host + ":" + port); got != tc.ok {
			t.Errorf("--addr %s: Host %s allowed = %v, want %v", tc.addr, tc.host, got, tc.ok)
		}
		s.Shutdown(t.Context())
	}
}

// TestActiveAttachments: an HTML or SVG attachment is saved, never run
// with the preview's origin; PDFs and images stay viewable in the page.
func TestActiveAttachments(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "testdata/case", dir)
	kinds := []struct {
		file, mediaType string
		disposition     string
		sandboxed       bool
	}{
		{"page.html", "text/html; charset=utf-8", "attachment", true},
		{"drawing.svg", "image/svg+xml", "attachment", true},
		{"data.xml", "application/xml", "attachment", true},
		{"odd.bin", "", "attachment", true},
		{"scan.png", "image/png", "inline", true},
		{"photo.jpg", "image/jpeg", "inline", true},
		{"report.pdf", "application/pdf", "inline", false},
	}
	for _, k := range kinds {
		if err := os.WriteFile(filepath.Join(dir, k.file), []byte("<script>fetch('/')</script>"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	render := func(c *casedir.Case) (*portal.Tree, error) {
		tree := &portal.Tree{Lang: "en", Pages: []*portal.Page{{Name: "index.html", MediaType: "text/html; charset=utf-8", Data: []byte("<p>case</p>")}}}
		for i, k := range kinds {
			tree.Attachments = append(tree.Attachments, &portal.Attachment{
				Name: fmt.Sprintf("files/%d/%s", i+1, k.file), FileName: k.file, MediaType: k.mediaType, Source: filepath.Join(c.Dir, k.file),
			})
		}
		return tree, nil
	}
	s, err := New(Options{Dir: dir, Addr: "127.0.0.1:0", Load: fakeLoad, Render: render})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(t.Context())
	for i, k := range kinds {
		resp, err := http.Get(fmt.Sprintf("%sfiles/%d/%s", s.URL(), i+1, k.file))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", k.file, resp.StatusCode)
			continue
		}
		cd := resp.Header.Get("Content-Disposition")
		if want := k.disposition + "; filename=" + k.file; cd != want {
			t.Errorf("%s: Content-Disposition %q, want %q", k.file, cd, want)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: Content-Security-Policy %q, want default-src 'none'", k.file, csp)
		}
		if sandboxed := strings.HasPrefix(csp, "sandbox"); sandboxed != k.sandboxed {
			t.Errorf("%s: Content-Security-Policy %q, sandboxed %v, want %v", k.file, csp, sandboxed, k.sandboxed)
		}
	}
}
