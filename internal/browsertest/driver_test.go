package browsertest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// driverPage exercises every Driver method: a field, a button that counts
// clicks, a link that opens a tab, a link that downloads, an image request.
const driverPage = `<!doctype html><meta charset="utf-8"><title>driver</title>
<style>html { scroll-behavior: smooth } .spacer { height: 3000px }</style>
<input id="f" value="">
<div class="spacer"></div>
<button id="b" onclick="this.dataset.n = (+this.dataset.n || 0) + 1">count</button>
<a id="tab" href="/other" target="_blank">tab</a>
<a id="dl" href="data:application/octet-stream;base64,aGVsbG8gZG93bmxvYWQ=" download="hello.bin">download</a>
<img src="/pixel.svg" alt="">
<script>document.getElementById("f").addEventListener("keydown", e => { if (e.key === "Enter") document.title = "entered " + e.target.value })</script>`

// TestDriverBasics runs the same short scenario in every engine.
func TestDriverBasics(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pixel.svg":
			w.Header().Set("Content-Type", "image/svg+xml")
			w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`))
		case "/other":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<!doctype html><title>other</title>other`))
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(driverPage))
		}
	}))
	t.Cleanup(srv.Close) // not defer: the engines run after this function returns
	ForEachEngine(t, func(t *testing.T, engine string) {
		d := Start(t, engine, Options{})
		if err := d.Navigate(srv.URL + "/"); err != nil {
			t.Fatal(err)
		}
		// Every engine is started asking for reduced motion, which turns the
		// theme's smooth scrolling off (it makes WebKit's clicks miss).
		var reduced bool
		if err := d.Eval(`matchMedia("(prefers-reduced-motion: reduce)").matches`, &reduced); err != nil || !reduced {
			t.Errorf("%s: prefers-reduced-motion: reduce is %v (%v)", engine, reduced, err)
		}
		if err := d.Type("#f", "two words\n"); err != nil {
			t.Fatal(err)
		}
		WaitFor(t, d, "Enter in the field", `document.title === "entered two words"`, 10*time.Second)
		for i := 0; i < 2; i++ {
			if err := d.Click("#b"); err != nil {
				t.Fatal(err)
			}
		}
		var n string
		if err := d.Eval(`document.getElementById("b").dataset.n`, &n); err != nil {
			t.Fatal(err)
		}
		if n != "2" {
			t.Errorf("%s: two clicks below a smooth-scrolling page counted %q", engine, n)
		}
		var sum int
		if err := d.Eval(`new Promise(r => setTimeout(() => r(40 + 2), 10))`, &sum); err != nil || sum != 42 {
			t.Errorf("%s: awaited promise = %d, %v", engine, sum, err)
		}
		png, err := d.Screenshot()
		if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Errorf("%s: screenshot %d bytes, %v", engine, len(png), err)
		}
		if err := d.Click("#dl"); err != nil {
			t.Fatal(err)
		}
		if got := WaitDownload(t, d, "hello.bin", 30*time.Second); string(got) != "hello download" {
			t.Errorf("%s: downloaded %q", engine, got)
		}
		if err := d.Click("#tab"); err != nil {
			t.Fatal(err)
		}
		WaitTab(t, d, srv.URL+"/other", 30*time.Second)
		found := false
		for _, r := range d.Requests() {
			found = found || strings.HasPrefix(r, srv.URL+"/pixel.svg")
		}
		if !found {
			t.Errorf("%s: the image request is not recorded: %q", engine, d.Requests())
		}
		if ext := External(d.Requests()); len(ext) > 0 {
			t.Errorf("%s: requests left the machine: %q", engine, ext)
		}
	})
}
