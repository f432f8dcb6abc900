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
		l := strings.ToLower(n)
		if len(n) < MinNeedle || seen[l] || bytes.Contains(base, []byte(l)) {
			continue
		}
		seen[l] = true
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

var base64Re = regexp.MustCompile(`[A-Za-z0-9+/=]{64,}`)

// LeakScan fails t for each needle found, ignoring case, in a file name
// under out (a portal folder or file), in a file's bytes, or in the bytes
// that any long base64 run of an HTML file decodes to (inlined payloads and
// key slots).
func LeakScan(t testing.TB, out string, needles []string) {
	t.Helper()
	var lower [][]byte
	for _, n := range needles {
		if len(n) >= MinNeedle {
			lower = append(lower, bytes.ToLower([]byte(n)))
		}
	}
	if len(lower) == 0 {
		t.Fatalf("leak scan of %s: no needles to search for", out)
	}
	reported := map[string]bool{}
	check := func(where string, data []byte) {
		data = bytes.ToLower(data)
		for _, n := range lower {
			if bytes.Contains(data, n) && !reported[where+"\x00"+string(n)] {
				reported[where+"\x00"+string(n)] = true
				t.Errorf("leak: %s contains %q", where, n)
			}
		}
	}
	files := 0
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Dir(out), p)
		check("the name "+rel, []byte(rel))
		if d.IsDir() {
			return nil
		}
		files++
		if err := scanFile(p, check); err != nil {
			return err
		}
		if strings.HasSuffix(p, ".html") {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range base64Re.FindAll(data, -1) {
				if dec, err := base64.StdEncoding.DecodeString(string(m)); err == nil {
					check("base64 in "+p, dec)
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
