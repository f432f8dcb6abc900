package sealtest

import (
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records errors instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, format)
}

func (r *recorder) Helper() {}

func scan(t *testing.T, files map[string]string, needles []string) int {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "portal")
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := &recorder{TB: t}
	LeakScan(r, dir, needles)
	return len(r.errors)
}

// TestLeakScanFindsLeaks: a needle in plain HTML, in an inlined base64
// payload, in a binary payload and in a file name is reported.
func TestLeakScanFindsLeaks(t *testing.T) {
	inline := base64.StdEncoding.EncodeToString([]byte("header\x00Slides and blocks requested\x00" + strings.Repeat("\x01", 40)))
	cases := map[string]map[string]string{
		"plain html":    {"index.html": "<p>Slides</p>"},
		"inline base64": {"index.html": `<script type="application/octet-stream">` + inline + `</script>`},
		"binary":        {"p/abc": "\x00\x9f\xffSlides\x00\x10"},
		"file name":     {"p/Slides.pdf": "x"},
	}
	for name, files := range cases {
		if n := scan(t, files, []string{"Slides"}); n == 0 {
			t.Errorf("%s: the leak of %q was not reported", name, "Slides")
		}
	}
}

// TestLeakScanExact: the chance matches that made the scan flaky are not
// reported: a short needle in another case, and a short needle inside
// base64 text (an inlined payload, an age header stanza, a payload name).
// A long needle is still found inside base64 text.
func TestLeakScanExact(t *testing.T) {
	random := make([]byte, 3000)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(random)
	mid := len(b64) / 2
	planted := b64[:mid] + "slides" + b64[mid:]
	files := map[string]string{
		"index.html":                    "<p>SLIDES</p><script>" + planted + "</script>",
		"p/abcdefghijklmnopqrstuslides": "age-encryption.org/v1\n-> X25519 slidesAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n--- slidesBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\n",
	}
	if n := scan(t, files, []string{"slides"}); n != 0 {
		t.Errorf("chance matches reported: %d", n)
	}
	long := "Patient123Alias4567890"
	files["index.html"] = "<script>" + b64[:mid] + long + b64[mid:] + "</script>"
	if n := scan(t, files, []string{long}); n == 0 {
		t.Errorf("a %d-byte needle inside base64 text was not reported", len(long))
	}
}
