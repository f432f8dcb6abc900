package preview

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/portal"
)

// reloadScript is the live-reload client. It is inline so the rendered page
// needs no extra request, and allowed by the page's CSP through its hash.
// It reads the build version the page was served with from the element
// versionTag writes: on (re)connecting, the server says which build is
// current, so a save made while the page was loading is not missed. The
// script itself is the same in every build, and so is its hash in the CSP.
const reloadScript = `(function () {
  var gen = document.getElementById("caseport-gen").getAttribute("data-gen");
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

// previewExtra is what the preview adds to the page it serves of build
// version: the reload script, and the overlay of problems when there are
// any (lastGood: the page behind is the last good build).
func previewExtra(version string, problems []casedir.Problem, lastGood bool) portal.Extra {
	e := portal.Extra{Top: template.HTML(versionTag(version)), Script: reloadScript, Connect: []string{"'self'"}}
	if len(problems) > 0 {
		e.Style = overlayStyle
		e.Top += template.HTML(overlayHTML(problems, lastGood))
	}
	return e
}

// versionTag is the element that tells the reload script its page's build
// version.
func versionTag(version string) string {
	return `<span id="caseport-gen" data-gen="` + html.EscapeString(version) + `" hidden></span>`
}

// overlayHTML is the error overlay: every problem, HTML-escaped.
func overlayHTML(problems []casedir.Problem, lastGood bool) string {
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
func errorPage(version string, problems []casedir.Problem) []byte {
	e := previewExtra(version, problems, false)
	return []byte(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
		`<meta name="viewport" content="width=device-width, initial-scale=1">` +
		`<meta http-equiv="Content-Security-Policy" content="` + html.EscapeString(e.Policy("default-src 'none'")) + `">` +
		`<title>caseport preview: error</title></head><body>` + string(e.Head()) + string(e.Tail()) + `</body></html>`)
}
