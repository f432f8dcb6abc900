package portal

import (
	"html/template"
	"strings"
)

// Extra is what a caller adds to a page that render or the unlock page
// writes: the preview's live-reload script and its error overlay. The page
// places Top first in its body and Script last, and widens its own
// Content-Security-Policy by Policy, so nobody rewrites a finished page.
// The zero value adds nothing and leaves the page byte for byte as it was.
type Extra struct {
	// Top is HTML put first in the body, trusted: whoever fills it escapes
	// what it shows.
	Top template.HTML
	// Style is an inline stylesheet put before Top, allowed by its hash.
	Style string
	// Script is an inline script put last in the body, allowed by its hash.
	Script string
	// Connect lists the connect-src sources Script needs ("'self'").
	Connect []string
}

// Head is what goes first in the body: Style and Top.
func (e Extra) Head() template.HTML {
	if e.Style == "" {
		return e.Top
	}
	return template.HTML("<style>"+e.Style+"</style>") + e.Top
}

// Tail is what goes last in the body: the script element of Script.
func (e Extra) Tail() template.HTML {
	if e.Script == "" {
		return ""
	}
	return template.HTML("<script>" + e.Script + "</script>")
}

// Policy returns the page's policy widened to allow Style, Script and
// Connect; policy itself when e adds nothing.
func (e Extra) Policy(policy string) string {
	add := map[string][]string{}
	if e.Script != "" {
		h := CSPHash([]byte(e.Script))
		add["script-src"], add["script-src-elem"] = []string{h}, []string{h}
	}
	if e.Style != "" {
		h := CSPHash([]byte(e.Style))
		add["style-src"], add["style-src-elem"] = []string{h}, []string{h}
	}
	if len(e.Connect) > 0 {
		add["connect-src"] = e.Connect
	}
	if len(add) == 0 {
		return policy
	}
	return AddSources(policy, add)
}

// AddSources adds sources to directives of a CSP policy string. A
// directive that is absent is created from default-src, since an absent
// directive falls back to it; when there is no default-src either, the
// directive already allows everything and is left absent.
func AddSources(policy string, add map[string][]string) string {
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
