// Package sealtest helps tests check that a sealed portal reveals nothing of
// its case: LeakScan searches every byte of a portal, and the base64 inside
// it, for strings of the case.
package sealtest

import (
	"bytes"
	"encoding/base64"
	"html"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/caseport/caseport/content"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/themes"
)

// MinNeedle is the shortest string LeakScan searches for: shorter ones
// occur by chance in megabytes of ciphertext and base64.
const MinNeedle = 6

var (
	tagRe    = regexp.MustCompile(`(?s)<!--.*?-->|<[^>]*>`)
	spacesRe = regexp.MustCompile(`\s+`)
)

// Needles returns strings of tree that must not appear in its sealed
// portal: each run of text of its HTML pages, byte windows of its other
// pages, and each attachment's portal-internal name, file name and byte
// windows from its start, middle and end. Strings that the unlock page
// itself carries (its template, script, style and UI strings) are not case
// content and are left out.
func Needles(tree *portal.Tree) []string {
	var out []string
	for _, p := range tree.Pages {
		if strings.HasPrefix(p.MediaType, "text/html") {
			text := tagRe.ReplaceAllString(string(p.Data), "\n")
			for _, line := range strings.Split(text, "\n") {
				line = strings.TrimSpace(spacesRe.ReplaceAllString(html.UnescapeString(line), " "))
				out = append(out, line)
			}
			continue
		}
		out = append(out, windows(p.Data)...)
	}
	for _, a := range tree.Attachments {
		out = append(out, a.Name, a.FileName, strings.TrimSuffix(a.FileName, filepath.Ext(a.FileName)))
		f, err := os.Open(a.Source)
		if err != nil {
			continue
		}
		buf := make([]byte, 32)
		for _, off := range []int64{0, a.Size / 2, a.Size - 32} {
			if n, _ := f.ReadAt(buf, max(off, 0)); n > 0 {
				out = append(out, windows(buf[:n])...)
			}
		}
		f.Close()
	}
	return filter(out)
}

// filter drops needles that are too short, repeated, or carried by every
// unlock page.
func filter(out []string) []string {
	base := baseline()
	seen := map[string]bool{}
	var keep []string
	for _, n := range out {
		if len(n) < MinNeedle || seen[n] || bytes.Contains(base, []byte(strings.ToLower(n))) {
			continue
		}
		seen[n] = true
		keep = append(keep, n)
	}
	return keep
}

// windows returns up to three 32-byte windows of data that are varied
// enough to be worth searching for (not runs of one byte).
func windows(data []byte) []string {
	var out []string
	for _, off := range []int{0, len(data)/2 - 16, len(data) - 32} {
		if off < 0 || off+32 > len(data) {
			continue
		}
		w := data[off : off+32]
		distinct := map[byte]bool{}
		for _, c := range w {
			distinct[c] = true
		}
		if len(distinct) >= 8 {
			out = append(out, string(w))
		}
	}
	return out
}

// baseline returns the lower-cased text that every unlock page carries.
func baseline() []byte {
	var b bytes.Buffer
	add := func(fsys fs.FS, pattern string) {
		names, _ := fs.Glob(fsys, pattern)
		for _, n := range names {
			data, _ := fs.ReadFile(fsys, n)
			b.Write(bytes.ToLower(data))
			b.WriteByte(0)
		}
	}
	add(themes.FS, "default/unlock/*.html")
	add(themes.FS, "default/unlock/*.css")
	add(themes.FS, "default/unlock/dist/*.js")
	add(content.FS, "i18n/*/unlock.toml")
	return b.Bytes()
}

// base64Re matches runs of base64 (and base32) text: inlined payloads,
// key slots, age headers' stanzas and payload names. Random text of that
// alphabet holds any given six characters often enough to make a scan
// flaky, so inside such runs only needles of at least MinBase64Needle
// bytes are searched, and the run's decoded bytes are searched instead.
var base64Re = regexp.MustCompile(`[A-Za-z0-9+/=_-]{20,}`)

// MinBase64Needle is the shortest needle searched for inside base64 text:
// at 64 symbols a position, a chance match of 16 characters is about one in
// 10^28 per position, so the scan never reports one.
const MinBase64Needle = 16

// LeakScan fails t for each needle found, exactly (case-sensitively), in a
// file name under out (a portal folder or file), in a file's bytes, or in
// the bytes that any long base64 run of an HTML file decodes to (inlined
// payloads and key slots). Inside base64 text itself only needles of
// MinBase64Needle bytes or more are searched: shorter ones match random
// base64 by chance.
func LeakScan(t testing.TB, out string, needles []string) {
	t.Helper()
	s := newScanner(needles)
	if len(s.short)+len(s.long) == 0 {
		t.Fatalf("leak scan of %s: no needles to search for", out)
	}
	reported := map[string]bool{}
	report := func(where, needle string) {
		if !reported[where+"\x00"+needle] {
			reported[where+"\x00"+needle] = true
			t.Errorf("leak: %s contains %q", where, needle)
		}
	}
	files := 0
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Dir(out), p)
		s.text("the name "+rel, []byte(rel), report)
		if d.IsDir() {
			return nil
		}
		files++
		if err := scanFile(p, func(where string, data []byte) { s.text(where, data, report) }); err != nil {
			return err
		}
		if strings.HasSuffix(p, ".html") {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range base64Re.FindAll(data, -1) {
				if dec, err := base64.StdEncoding.DecodeString(string(m)); err == nil {
					s.text("base64 in "+p, dec, report)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("leak scan of %s: %v", out, err)
	}
	if files == 0 {
		t.Fatalf("leak scan of %s: no files", out)
	}
}

// scanner holds the needles of one scan, split by where they may be
// searched.
type scanner struct {
	short [][]byte // MinNeedle <= len < MinBase64Needle: outside base64 runs only
	long  [][]byte // len >= MinBase64Needle: everywhere
}

func newScanner(needles []string) *scanner {
	s := &scanner{}
	for _, n := range needles {
		switch {
		case len(n) >= MinBase64Needle:
			s.long = append(s.long, []byte(n))
		case len(n) >= MinNeedle:
			s.short = append(s.short, []byte(n))
		}
	}
	return s
}

// text reports each needle in data: long needles anywhere, short ones only
// in the parts of data that are not base64 runs (each such part searched
// on its own, so a match never spans a run).
func (s *scanner) text(where string, data []byte, report func(where, needle string)) {
	for _, n := range s.long {
		if bytes.Contains(data, n) {
			report(where, string(n))
		}
	}
	if len(s.short) == 0 {
		return
	}
	prev := 0
	search := func(part []byte) {
		for _, n := range s.short {
			if bytes.Contains(part, n) {
				report(where, string(n))
			}
		}
	}
	for _, loc := range base64Re.FindAllIndex(data, -1) {
		search(data[prev:loc[0]])
		prev = loc[1]
	}
	search(data[prev:])
}

// scanFile streams the file at p through check in overlapping chunks, so
// a needle across a chunk boundary is found.
func scanFile(p string, check func(string, []byte)) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	const chunk, overlap = 4 << 20, 4096
	buf := make([]byte, chunk+overlap)
	keep := 0
	for {
		n, err := io.ReadFull(f, buf[keep:])
		if n > 0 {
			total := keep + n
			check(p, buf[:total])
			keep = min(overlap, total)
			copy(buf, buf[total-keep:total])
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
