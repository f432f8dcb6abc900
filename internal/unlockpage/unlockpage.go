// Package unlockpage writes the unlock page of a sealed portal: the one
// file a reader opens first, with the portal JSON (the key slots), the
// browser code that decrypts the rest, its style and UI strings, under a
// Content-Security-Policy that lets nothing but that page's own script and
// style run. A Page is made from a source.Files (the embedded files, or a
// caseport source tree) for one language and handed to seal.Seal; nothing
// is cached here beyond what a caller keeps, so a changed source tree is
// read again by whoever loads a new Page.
package unlockpage

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/internal/source"
)

// Paths of the unlock page's parts in a themes tree (ShellPath, ScriptPath,
// StylePath) and a content tree (stringsPath).
const (
	ShellPath   = "default/unlock/shell.html"
	ScriptPath  = "default/unlock/dist/unlock.js"
	StylePath   = "default/unlock/unlock.css"
	stringsPath = "i18n/%s/unlock.toml"
)

// ShellData is what the unlock page template, themes/default/unlock/shell.html,
// is executed with.
type ShellData struct {
	Lang     string          // the portal language
	CSP      string          // the Content-Security-Policy (hashes of Style and Script)
	Style    template.CSS    // themes/default/unlock/unlock.css
	Portal   template.JS     // the portal JSON, with "<" escaped as \u003c
	Strings  template.JS     // JSON object of the unlock page's UI strings for Lang
	Payloads []InlinePayload // single-file mode only: {ID, Base64 string}
	Script   template.JS     // themes/default/unlock/dist/unlock.js, the esbuild bundle
}

// InlinePayload is one payload inlined in a single-file portal.
//
// Write never fills Base64 with a payload: html/template would escape "+"
// in it, and a payload can be large. It executes the template with marker
// values instead and streams each payload's base64 into the file between
// them.
type InlinePayload struct {
	ID     string
	Base64 string
}

// Page is the unlock page of one language, its parts read and parsed.
type Page struct {
	lang    string
	shell   *template.Template
	script  string
	style   string
	strings []byte // a JSON object
}

// Lang is the page's language, as written in its lang attribute.
func (p *Page) Lang() string { return p.lang }

// Load reads the unlock page's template, script, style and the UI strings
// for lang ("" means English) from files.
func Load(files source.Files, lang string) (*Page, error) {
	files = files.OrEmbedded()
	if lang == "" {
		lang = "en"
	}
	script, err := fs.ReadFile(files.Themes, ScriptPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("this caseport was built without the browser code of the sealed portal (themes/default/unlock/dist/unlock.js): run \"make bundle\" (after \"npm ci\"), then build caseport again")
	}
	if err != nil {
		return nil, fmt.Errorf("the unlock page's script: %w", err)
	}
	// The bundle is inlined in a <script> element: it must not close it.
	if bytes.Contains(bytes.ToLower(script), []byte("</script")) {
		return nil, fmt.Errorf("the browser bundle %s contains \"</script\" and cannot be inlined: rebuild it with \"make bundle\"", ScriptPath)
	}
	style, err := fs.ReadFile(files.Themes, StylePath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("the unlock page's style: %w", err)
	}
	if bytes.Contains(bytes.ToLower(style), []byte("</style")) {
		return nil, fmt.Errorf("%s contains \"</style\" and cannot be inlined", StylePath)
	}
	src, err := fs.ReadFile(files.Themes, ShellPath)
	if err != nil {
		return nil, fmt.Errorf("the unlock page's template: %w", err)
	}
	shell, err := template.New("shell.html").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("the unlock page's template %s: %w", ShellPath, err)
	}
	strs, err := unlockStrings(files.Content, lang)
	if err != nil {
		return nil, err
	}
	return &Page{lang: lang, shell: shell, script: string(script), style: string(style), strings: strs}, nil
}

// Embedded is Load of the files built into caseport.
func Embedded(lang string) (*Page, error) { return Load(source.Files{}, lang) }

// Cache keeps the Page of each language loaded from one Files, for a
// caller that seals many portals from files that do not change (a build of
// many cases): parsing the parts again for every portal was a tenth of the
// build of a small case. A Cache is the caller's: a new source tree wants
// a new Cache. The zero value loads the embedded files.
type Cache struct {
	Files source.Files

	mu    sync.Mutex
	pages map[string]*Page
}

// Page returns the page of lang, loading it the first time.
func (c *Cache) Page(lang string) (*Page, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.pages[lang]; ok {
		return p, nil
	}
	p, err := Load(c.Files, lang)
	if err != nil {
		return nil, err
	}
	if c.pages == nil {
		c.pages = map[string]*Page{}
	}
	c.pages[lang] = p
	return p, nil
}

// unlockStrings returns the JSON object of the unlock page's UI strings in
// lang: content/i18n/LANG/unlock.toml, then the base language's, with
// English for any key missing.
func unlockStrings(texts fs.FS, lang string) ([]byte, error) {
	merged := map[string]string{}
	langs := []string{"en"}
	if casedir.ValidLanguage(lang) {
		if base, _, ok := strings.Cut(lang, "-"); ok {
			langs = append(langs, strings.ToLower(base))
		}
		langs = append(langs, lang)
	}
	for _, l := range langs {
		path := fmt.Sprintf(stringsPath, l)
		data, err := fs.ReadFile(texts, path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var table map[string]any
		if err := toml.Unmarshal(data, &table); err != nil {
			return nil, fmt.Errorf("content/%s: %w", path, err)
		}
		for k, v := range table {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("content/%s: %s must be a string", path, k)
			}
			merged[k] = s
		}
	}
	return json.Marshal(merged) // escapes <, > and & as \u003c...
}

// csp returns the unlock page's Content-Security-Policy: only the inline
// script and style of the page itself run, and the page loads nothing but
// its own payloads (folder mode) and Blob URLs it makes. The decrypted
// page's stylesheets are constructed sheets (document.adoptedStyleSheets),
// which style-src does not govern; the page's inline scripts, handlers and
// style attributes stay blocked. typage needs no WebAssembly, so no
// 'wasm-unsafe-eval'.
func csp(script, style string, single bool) string {
	p := []string{
		"default-src 'none'",
		"script-src " + portal.CSPHash([]byte(script)),
		"style-src " + portal.CSPHash([]byte(style)),
		// Decrypted images, fonts and media of the page are Blob URLs;
		// the renderer may inline small images as data: URLs.
		"img-src blob: data:",
		"font-src blob:",
		"media-src blob:",
		// The key derivation runs in a worker made from the page's own script.
		"worker-src blob:",
	}
	if !single {
		// The folder's payloads are fetched from p/ID; a single file fetches
		// nothing.
		p = append(p, "connect-src 'self'")
	}
	p = append(p, "base-uri 'none'", "form-action 'none'")
	return strings.Join(p, "; ")
}

// Write writes the unlock page to path, a new file, with portalJSON (the
// portal JSON, "<" escaped). In single-file mode, ids names the payloads
// in payloadDir to inline; in folder mode ids is nil.
func (a *Page) Write(path string, portalJSON []byte, payloadDir string, ids []string) (err error) {
	single := ids != nil
	data := ShellData{
		Lang:    a.lang,
		CSP:     csp(a.script, a.style, single),
		Style:   template.CSS(a.style),
		Portal:  template.JS(portalJSON), // json.Marshal escapes "<" as \u003c
		Strings: template.JS(a.strings),
		Script:  template.JS(a.script),
	}
	var mark string
	if single {
		b := make([]byte, 8)
		rand.Read(b)
		mark = "caseportmark" + hex.EncodeToString(b)
		data.Payloads = []InlinePayload{{mark + "a1", mark + "b1"}, {mark + "a2", mark + "b2"}}
	}
	var page bytes.Buffer
	if err := a.shell.Execute(&page, data); err != nil {
		return fmt.Errorf("the unlock page: %w", err)
	}

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("writing the portal: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("writing the portal: %w", cerr)
		}
	}()
	if !single {
		_, err = f.Write(page.Bytes())
		return err
	}

	// The template's payload loop, executed with two marker payloads, gives
	// the text before, between and after payloads.
	out := page.Bytes()
	var at [4]int
	for i, m := range []string{"a1", "b1", "a2", "b2"} {
		at[i] = bytes.Index(out, []byte(mark+m))
		if at[i] < 0 || bytes.Count(out, []byte(mark+m)) != 1 || (i > 0 && at[i] < at[i-1]) {
			return fmt.Errorf("the unlock page template %s must write each payload's ID and Base64 once, in that order", ShellPath)
		}
	}
	ml := len(mark) + 2
	pre, mid, between, post := out[:at[0]], out[at[0]+ml:at[1]], out[at[1]+ml:at[2]], out[at[3]+ml:]

	w := bufio.NewWriterSize(f, 256<<10)
	w.Write(pre)
	for i, id := range ids {
		if i > 0 {
			w.Write(between)
		}
		w.WriteString(id)
		w.Write(mid)
		if err := copyBase64(w, filepath.Join(payloadDir, id)); err != nil {
			return err
		}
	}
	w.Write(post)
	return w.Flush()
}

// copyBase64 streams the file at path into w as standard base64.
func copyBase64(w io.Writer, path string) error {
	src, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("inlining a payload: %w", err)
	}
	defer src.Close()
	enc := base64.NewEncoder(base64.StdEncoding, w)
	if _, err := io.Copy(enc, src); err != nil {
		return fmt.Errorf("inlining a payload: %w", err)
	}
	return enc.Close()
}
