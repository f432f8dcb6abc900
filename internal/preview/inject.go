package preview

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/caseport/caseport/internal/portal"
)

// Problem is one thing wrong with the case, as the error overlay shows it.
type Problem struct {
	File    string // relative to the case directory; "" when unknown
	Line    int    // 1-based; 0 when unknown
	Key     string // the TOML key path, e.g. "diagnosis.date"; "" when none
	Message string
}

// String formats the problem as "case.toml:12: diagnosis.date: message".
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteString(":" + strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// reloadScript is the live-reload client. It is inline so the rendered page
// needs no extra request, and allowed by the page's CSP through its hash.
// %q is the build version the page was served with: on (re)connecting,
// the server says which build is current, so a save made while the page was
// loading is not missed.
const reloadScript = `(function () {
  var gen = %q;
  var key = "caseport-scroll:" + location.pathname;
  try {
    var saved = sessionStorage.getItem(key);
    if (saved) {
      sessionStorage.removeItem(key);
      var p = JSON.parse(saved);
      var restore = function () { window.scrollTo(p.x, p.y); };
      if (document.readyState === "complete") { restore(); } else { window.addEventListener("load", restore); }
    }
  } catch (e) {}
  function reload() {
    try { sessionStorage.setItem(key, JSON.stringify({x: window.scrollX, y: window.scrollY})); } catch (e) {}
    location.reload();
  }
  function swap(old, v) {
    var url = new URL(old.getAttribute("href"), location.href);
    url.searchParams.set("caseport", v);
    var next = old.cloneNode();
    next.href = url.href;
    next.addEventListener("load", function () { old.remove(); });
    old.after(next);
  }
  var es = new EventSource("/_caseport/events");
  es.addEventListener("hello", function (e) { if (e.data !== gen) { reload(); } });
  es.addEventListener("reload", function () { reload(); });
  es.addEventListener("css", function (e) {
    gen = e.data;
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) { swap(links[i], e.data); }
  });
})();`

// overlayStyle styles the error overlay. It stays fixed at the top, so the
// last good page behind it keeps its scroll position.
const overlayStyle = `#caseport-error{position:fixed;top:0;left:0;right:0;z-index:2147483647;max-height:60vh;overflow:auto;margin:0;padding:1em 1.5em;background:#fff4f4;color:#5c0000;border-bottom:4px solid #c00;font:15px/1.45 system-ui,sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.25)}#caseport-error h2{margin:0 0 .5em;font-size:1.1em}#caseport-error ul{margin:0;padding-left:1.2em}#caseport-error code{font:13px ui-monospace,monospace;background:#ffe0e0;padding:0 .25em}`

var (
	cspMetaRe    = regexp.MustCompile(`(?is)<meta\s[^>]*http-equiv\s*=\s*["']?content-security-policy["']?[^>]*>`)
	cspContentRe = regexp.MustCompile(`(?is)(\scontent\s*=\s*)("[^"]*"|'[^']*')`)
	bodyOpenRe   = regexp.MustCompile(`(?is)<body[^>]*>`)
	bodyCloseRe  = regexp.MustCompile(`(?is)</body\s*>`)
)

// injectPreview adds the live-reload script to a rendered page, and the
// error overlay when problems is not empty, adjusting the page's CSP meta so
// the browser runs them. The page itself is never changed otherwise.
func injectPreview(page []byte, version string, problems []Problem, lastGood bool) []byte {
	script := fmt.Sprintf(reloadScript, version)
	add := map[string][]string{
		"script-src":      {portal.CSPHash([]byte(script))},
		"script-src-elem": {portal.CSPHash([]byte(script))},
		"connect-src":     {"'self'"},
	}
	var overlay string
	if len(problems) > 0 {
		add["style-src"] = []string{portal.CSPHash([]byte(overlayStyle))}
		add["style-src-elem"] = []string{portal.CSPHash([]byte(overlayStyle))}
		overlay = "<style>" + overlayStyle + "</style>" + overlayHTML(problems, lastGood)
	}
	out := rewriteCSP(page, add)
	if overlay != "" {
		if loc := bodyOpenRe.FindIndex(out); loc != nil {
			out = insertAt(out, loc[1], overlay)
		} else {
			out = append(out, overlay...)
		}
	}
	tag := "<script>" + script + "</script>"
	if locs := bodyCloseRe.FindAllIndex(out, -1); len(locs) > 0 {
		out = insertAt(out, locs[len(locs)-1][0], tag)
	} else {
		out = append(out, tag...)
	}
	return out
}

func insertAt(b []byte, at int, s string) []byte {
	out := make([]byte, 0, len(b)+len(s))
	out = append(out, b[:at]...)
	out = append(out, s...)
	return append(out, b[at:]...)
}

// rewriteCSP adds sources to directives of every CSP meta tag of page. A
// directive that is absent is created from default-src, since an absent
// directive falls back to it; when there is no default-src either, the
// directive already allows everything and is left absent.
func rewriteCSP(page []byte, add map[string][]string) []byte {
	return cspMetaRe.ReplaceAllFunc(page, func(tag []byte) []byte {
		m := cspContentRe.FindSubmatchIndex(tag)
		if m == nil {
			return tag
		}
		quoted := string(tag[m[4]:m[5]])
		policy := html.UnescapeString(quoted[1 : len(quoted)-1])
		policy = addSources(policy, add)
		var b bytes.Buffer
		b.Write(tag[:m[4]])
		b.WriteString(`"` + html.EscapeString(policy) + `"`)
		b.Write(tag[m[5]:])
		return b.Bytes()
	})
}

// addSources edits a CSP policy string.
func addSources(policy string, add map[string][]string) string {
	type directive struct {
		name    string
		sources []string
	}
	var ds []*directive
	byName := map[string]*directive{}
	for _, part := range strings.Split(policy, ";") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		d := &directive{name: strings.ToLower(f[0]), sources: f[1:]}
		if byName[d.name] != nil {
			continue // the browser ignores repeated directives
		}
		byName[d.name] = d
		ds = append(ds, d)
	}
	withSources := func(base []string, extra []string) []string {
		var out []string
		for _, s := range base {
			if strings.EqualFold(s, "'none'") {
				continue
			}
			out = append(out, s)
		}
		for _, e := range extra {
			dup := false
			for _, s := range out {
				if s == e {
					dup = true
				}
			}
			if !dup {
				out = append(out, e)
			}
		}
		return out
	}
	// Visit in a fixed order so the result is deterministic.
	for _, name := range []string{"connect-src", "script-src", "script-src-elem", "style-src", "style-src-elem"} {
		extra, ok := add[name]
		if !ok {
			continue
		}
		if d := byName[name]; d != nil {
			d.sources = withSources(d.sources, extra)
			continue
		}
		if strings.HasSuffix(name, "-elem") {
			continue // absent -elem directives fall back to the base one, edited above
		}
		if def := byName["default-src"]; def != nil {
			d := &directive{name: name, sources: withSources(def.sources, extra)}
			byName[name] = d
			ds = append(ds, d)
		}
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = strings.Join(append([]string{d.name}, d.sources...), " ")
	}
	return strings.Join(parts, "; ")
}

// overlayHTML is the error overlay: every problem, HTML-escaped.
func overlayHTML(problems []Problem, lastGood bool) string {
	var b strings.Builder
	b.WriteString(`<div id="caseport-error" role="alert"><h2>`)
	n := len(problems)
	if n == 1 {
		b.WriteString("caseport: the case has a problem")
	} else {
		fmt.Fprintf(&b, "caseport: the case has %d problems", n)
	}
	if lastGood {
		b.WriteString("; below is the last good preview")
	}
	b.WriteString(". Fix it and save: this page updates by itself.</h2><ul>")
	for _, p := range problems {
		b.WriteString("<li>")
		if p.File != "" {
			b.WriteString("<code>" + html.EscapeString(p.File))
			if p.Line > 0 {
				b.WriteString(":" + strconv.Itoa(p.Line))
			}
			b.WriteString("</code> ")
		}
		if p.Key != "" {
			b.WriteString("key <code>" + html.EscapeString(p.Key) + "</code>: ")
		}
		b.WriteString(html.EscapeString(p.Message))
		b.WriteString("</li>")
	}
	b.WriteString("</ul></div>")
	return b.String()
}

// errorPage is the page served when no build ever succeeded: the overlay on
// an empty document, with the reload script so it recovers by itself.
func errorPage(version string, problems []Problem) []byte {
	base := `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
		`<meta name="viewport" content="width=device-width, initial-scale=1">` +
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none'">` +
		`<title>caseport preview: error</title></head><body></body></html>`
	return injectPreview([]byte(base), version, problems, false)
}
