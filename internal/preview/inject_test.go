package preview

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/caseport/caseport/internal/portal"
)

func TestAddSources(t *testing.T) {
	add := map[string][]string{
		"script-src":      {"'sha256-A'"},
		"script-src-elem": {"'sha256-A'"},
		"connect-src":     {"'self'"},
	}
	for _, tc := range []struct{ in, want string }{
		{
			"default-src 'none'; style-src 'self'; img-src 'self'",
			"default-src 'none'; style-src 'self'; img-src 'self'; connect-src 'self'; script-src 'sha256-A'",
		},
		{
			"default-src 'self'; script-src 'none'; connect-src 'none'",
			"default-src 'self'; script-src 'sha256-A'; connect-src 'self'",
		},
		{
			// The sealed unlock page: its own hash stays, ours joins it.
			"default-src 'none'; script-src 'sha256-U'; connect-src 'self'",
			"default-src 'none'; script-src 'sha256-U' 'sha256-A'; connect-src 'self'",
		},
		{
			"script-src-elem 'sha256-U'; default-src 'none'",
			"script-src-elem 'sha256-U' 'sha256-A'; default-src 'none'; connect-src 'self'; script-src 'sha256-A'",
		},
		{
			// No default-src: absent directives allow everything already.
			"img-src 'self'",
			"img-src 'self'",
		},
	} {
		if got := addSources(tc.in, add); got != tc.want {
			t.Errorf("addSources(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

var (
	scriptRe = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	styleRe  = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	metaRe   = regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]*)"`)
)

func TestInjectPreview(t *testing.T) {
	page := `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;self&#39;"><title>x</title></head><body class="portal"><h1>Case</h1></body></html>`
	out := string(injectPreview([]byte(page), "e.7", []Problem{
		{File: "case.toml", Line: 12, Key: "diagnosis.date", Message: `expected a date, found "<script>alert(1)</script>"`},
		{File: "questions.md", Message: "missing"},
	}, true))

	m := metaRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no CSP meta left:\n%s", out)
	}
	policy := html.UnescapeString(m[1])
	scripts := scriptRe.FindAllStringSubmatch(out, -1)
	if len(scripts) != 1 {
		t.Fatalf("%d scripts, want 1 (the problem text must be escaped):\n%s", len(scripts), out)
	}
	if h := portal.CSPHash([]byte(scripts[0][1])); !strings.Contains(policy, "script-src "+h) {
		t.Errorf("policy %q does not allow the script by its hash %s", policy, h)
	}
	st := styleRe.FindStringSubmatch(out)
	if st == nil || !strings.Contains(policy, "style-src 'self' "+portal.CSPHash([]byte(st[1]))) {
		t.Errorf("policy %q does not allow the overlay style", policy)
	}
	if !strings.Contains(policy, "connect-src 'self'") {
		t.Errorf("policy %q does not allow the event stream", policy)
	}
	for _, want := range []string{
		`<body class="portal"><style>`,
		`<code>case.toml:12</code>`,
		`key <code>diagnosis.date</code>`,
		`&lt;script&gt;alert(1)&lt;/script&gt;`,
		`<code>questions.md</code> missing`,
		`var gen = "e.7"`,
		`</script></body>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// Without problems: the script only, no overlay and no style hash.
	out = string(injectPreview([]byte(page), "e.8", nil, true))
	if strings.Contains(out, "caseport-error") || strings.Contains(out, "<style>") {
		t.Errorf("overlay without problems:\n%s", out)
	}
	if !strings.Contains(out, "style-src &#39;self&#39;;") {
		t.Errorf("style-src changed without an overlay:\n%s", out)
	}
}

func TestIgnored(t *testing.T) {
	for _, name := range []string{".questions.md.swp", ".case.toml.swx", "4913", "notes.md~", "#notes.md#", ".#notes.md", ".DS_Store", ".goutputstream-QX81T2", "~$biopsy.docx", ".~lock.biopsy.docx#", "case.toml___jb_tmp___", ".case.toml.tmp.1234", "notes.md.kate-swp", "ct.zip.part"} {
		if !ignored(name) {
			t.Errorf("%s not ignored", name)
		}
	}
	for _, name := range []string{"questions.md", "case.toml", "biopsy.pdf", "scan#1.pdf", "notes.md.new", "swp"} {
		if ignored(name) {
			t.Errorf("%s ignored", name)
		}
	}
}
