package synth

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// needTool returns the path of an external checker, skipping the test when it
// is missing on a developer machine but failing under CI, where it must exist.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required under CI: apt-get install -y %s", name, pkg)
		}
		t.Skipf("%s not installed (apt-get install -y %s)", name, pkg)
	}
	return p
}

func testLines() []string {
	lines := []string{
		"Specimen: endoscopic biopsy (antrum), 6 fragments",
		`Backslash \ and parentheses (nested (twice)) survive`,
		"Ki-67 – 30 %, 5 µm sections, 2×2 mm, “quoted” • bullet",
		"",
		"A long line that must be wrapped because it is longer than the page is wide: " +
			strings.Repeat("word ", 30) + "END-OF-LONG-LINE",
	}
	for i := range 120 {
		lines = append(lines, fmt.Sprintf("Filler line number %03d", i))
	}
	return append(lines, "LAST LINE OF THE REPORT")
}

func writePDF(t *testing.T, title string, lines []string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := PDF(&b, title, lines); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestPDFXref checks, without external tools, that every cross-reference
// entry points at its object and startxref points at the table.
func TestPDFXref(t *testing.T) {
	pdf := writePDF(t, "Xref test", testLines())
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) {
		t.Fatalf("header %q", pdf[:10])
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no startxref at the end")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(pdf[xref:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the xref table", xref)
	}
	entries := regexp.MustCompile(`(\d{10}) 00000 n \n`).FindAllSubmatch(pdf[xref:], -1)
	size := regexp.MustCompile(`/Size (\d+)`).FindSubmatch(pdf[xref:])
	if n, _ := strconv.Atoi(string(size[1])); n != len(entries)+1 {
		t.Fatalf("/Size %d but %d entries", n, len(entries))
	}
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		want := fmt.Sprintf("%d 0 obj\n", i+1)
		if !bytes.HasPrefix(pdf[off:], []byte(want)) {
			t.Errorf("object %d: offset %d points at %q", i+1, off, pdf[off:off+12])
		}
	}
	// Three pages are needed for 126 lines at 52 and 54 a page.
	if !bytes.Contains(pdf, []byte("/Count 3 >>")) {
		t.Errorf("want 3 pages")
	}
}

func TestPDFTextExtracts(t *testing.T) {
	pdftotext := needTool(t, "pdftotext", "poppler-utils")
	pdfinfo := needTool(t, "pdfinfo", "poppler-utils")
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, writePDF(t, "Pathology report (S26-1234)", testLines()), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(pdftotext, f, "-")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	// poppler reports a broken xref or stream length as a syntax error and
	// silently repairs it; any message means the file is not clean.
	if stderr.Len() != 0 {
		t.Errorf("pdftotext complained: %s", stderr.String())
	}
	text := string(out)
	for _, want := range []string{
		"Pathology report (S26-1234)",
		"Specimen: endoscopic biopsy (antrum), 6 fragments",
		`Backslash \ and parentheses (nested (twice)) survive`,
		"Ki-67 – 30 %, 5 µm sections, 2×2 mm, “quoted” • bullet",
		"END-OF-LONG-LINE",
		"Filler line number 119",
		"LAST LINE OF THE REPORT",
		"Page 3 of 3",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q", want)
		}
	}
	info, err := exec.Command(pdfinfo, f).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v: %s", err, info)
	}
	if !regexp.MustCompile(`(?m)^Pages:\s+3$`).Match(info) {
		t.Errorf("pdfinfo: want 3 pages:\n%s", info)
	}
	if strings.Contains(string(info), "Syntax") {
		t.Errorf("pdfinfo complained:\n%s", info)
	}
}

func TestPDFDeterministic(t *testing.T) {
	a := writePDF(t, "Same", testLines())
	b := writePDF(t, "Same", testLines())
	if !bytes.Equal(a, b) {
		t.Error("two runs gave different bytes")
	}
}

func TestPDFEmptyBodyHasOnePage(t *testing.T) {
	pdf := writePDF(t, "Only a title", nil)
	if !bytes.Contains(pdf, []byte("/Count 1 >>")) {
		t.Error("want exactly one page")
	}
}

func TestPDFRejectsUnencodableText(t *testing.T) {
	err := PDF(&bytes.Buffer{}, "Report", []string{"ok", "Гистология"})
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("want an error naming line 2, got %v", err)
	}
}

func TestWrapKeepsWordsAndIndent(t *testing.T) {
	got := wrap("  alpha beta gamma delta", textWidth("  alpha beta"))
	want := []string{"  alpha beta", "    gamma", "    delta"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}
