package render

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/portal"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.golden.html from the current output")

// today is the date the test cases are loaded on, so that golden output
// does not change with the calendar.
var today = casedir.Date{Year: 2026, Month: 11, Day: 20}

// goldenCase is a case directory rendered by the golden tests.
type goldenCase struct {
	name string
	dir  string
}

// goldenCases are the renderer's own test cases, the loader's example, and
// every example case of the repository's cases/ folder.
func goldenCases(t *testing.T) []goldenCase {
	t.Helper()
	list := []goldenCase{
		{"full", "testdata/cases/full"},
		{"minimal-ru", "testdata/cases/minimal-ru"},
		{"casedir-valid", "../casedir/testdata/valid"},
		{"casedir-course", "../casedir/testdata/course"},
	}
	dirs, _ := filepath.Glob("../../cases/*/case.toml")
	for _, d := range dirs {
		dir := filepath.Dir(d)
		list = append(list, goldenCase{"example-" + filepath.Base(dir), dir})
	}
	return list
}

func loadCase(t testing.TB, dir string) *casedir.Case {
	t.Helper()
	c, err := casedir.LoadWith(dir, casedir.Options{Today: today})
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return c
}

func renderCase(t testing.TB, c *casedir.Case) *portal.Tree {
	t.Helper()
	tree, err := Render(c, Options{Today: today})
	if err != nil {
		t.Fatalf("render %s: %v", c.ID, err)
	}
	return tree
}

func index(t testing.TB, tree *portal.Tree) string {
	t.Helper()
	p := tree.Page("index.html")
	if p == nil {
		t.Fatal("no index.html in the tree")
	}
	return string(p.Data)
}

// TestGolden renders each case and compares index.html with the reviewed
// output in testdata/golden. Run with -update to accept a change, then
// review the diff.
func TestGolden(t *testing.T) {
	if *update && os.Getenv("CI") != "" {
		t.Fatal("-update rewrites the reviewed golden files and refuses to run under CI=true: run it on a developer's machine and review the diff")
	}
	for _, gc := range goldenCases(t) {
		t.Run(gc.name, func(t *testing.T) {
			tree := renderCase(t, loadCase(t, gc.dir))
			got := tree.Page("index.html").Data
			path := filepath.Join("testdata", "golden", gc.name+".golden.html")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/render -run TestGolden -update, then review the file)", err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(gl) || i < len(wl); i++ {
					var g, w string
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if g != w {
						t.Fatalf("%s differs from the golden file at line %d:\n got: %s\nwant: %s\n(run with -update if the change is intended)", gc.name, i+1, g, w)
					}
				}
			}
		})
	}
}

// TestOutputRules checks what the sealed portal relies on, on every case:
// no script, no style attribute, the CSP meta, the stylesheet link, and
// attachment links that name only portal-internal files.
func TestOutputRules(t *testing.T) {
	for _, gc := range goldenCases(t) {
		t.Run(gc.name, func(t *testing.T) {
			c := loadCase(t, gc.dir)
			tree := renderCase(t, c)
			html := index(t, tree)
			lower := strings.ToLower(html)
			for _, bad := range []string{"<script", " style=", "<style", "javascript:", " on", c.Dir} {
				if bad == " on" {
					for _, ev := range []string{" onclick=", " onload=", " onerror="} {
						if strings.Contains(lower, ev) {
							t.Errorf("output contains an event handler %q", ev)
						}
					}
					continue
				}
				if strings.Contains(lower, strings.ToLower(bad)) {
					t.Errorf("output contains %q", bad)
				}
			}
			if !strings.Contains(html, `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;self&#39;; img-src &#39;self&#39; data:">`) {
				t.Error("no Content-Security-Policy meta with the page's policy")
			}
			if !strings.Contains(html, `<link rel="stylesheet" href="style.css">`) {
				t.Error("style.css is not linked")
			}
			if tree.Page("style.css") == nil {
				t.Error("no style.css page")
			}
			if len(tree.Attachments) != len(c.Attachments) {
				t.Errorf("%d attachments in the tree, the case has %d", len(tree.Attachments), len(c.Attachments))
			}
			for i, a := range tree.Attachments {
				if a.Source != c.Attachments[i].Abs || a.Size != c.Attachments[i].Size {
					t.Errorf("attachment %s: source %s size %d, want %s %d", a.Name, a.Source, a.Size, c.Attachments[i].Abs, c.Attachments[i].Size)
				}
				if !strings.Contains(html, `data-attachment="`+templateEscape(a.Name)+`"`) {
					t.Errorf("attachment %s is not linked from index.html", a.Name)
				}
			}
			for _, id := range []string{"glance", "diagnosis", "timeline", "imaging", "pathology", "treatments", "labs", "medications", "history", "documents", "questions", "completeness"} {
				if !strings.Contains(html, `<section id="`+id+`"`) {
					t.Errorf("no section #%s", id)
				}
			}
		})
	}
}

// TestValidHTML runs the W3C Nu HTML checker (vnu-jar from npm) over every
// rendered case.
func TestValidHTML(t *testing.T) {
	jar := filepath.Join("..", "..", "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
	java, err := exec.LookPath("java")
	if _, statErr := os.Stat(jar); err != nil || statErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the HTML checker needs java and %s (npm ci): %v %v", jar, err, statErr)
		}
		t.Skipf("skipping: needs java and %s (run npm ci)", jar)
	}
	dir := t.TempDir()
	var files []string
	for _, gc := range goldenCases(t) {
		tree := renderCase(t, loadCase(t, gc.dir))
		f := filepath.Join(dir, gc.name+".html")
		if err := os.WriteFile(f, tree.Page("index.html").Data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	cmd := exec.Command(java, append([]string{"-jar", jar, "--errors-only"}, files...)...)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("vnu found errors (%v):\n%s", err, out)
	}
}

func templateEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
	return r.Replace(s)
}

func BenchmarkRender(b *testing.B) {
	c := loadCase(b, "testdata/cases/full")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Render(c, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
