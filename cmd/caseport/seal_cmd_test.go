package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/caseport/caseport/internal/keystore"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/internal/seal"
	"github.com/caseport/caseport/themes"
)

const cmdPassphrase = "lantern-meadow-violet-harbor-cactus-otter"

func needBundle(t *testing.T) {
	t.Helper()
	if _, err := fs.Stat(themes.FS, "default/unlock/dist/unlock.js"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the browser bundle is missing: run \"make bundle\" before the tests")
		}
		t.Skip("the browser bundle is missing: run \"make bundle\" to run this test")
	}
}

// sealedPortal seals a small tree for a passphrase reader and a reader
// with an age key, and returns the portal folder, the attachment's bytes
// and the age identity file of the second reader.
func sealedPortal(t *testing.T, single bool) (out string, attachment []byte, idFile string) {
	t.Helper()
	needBundle(t)
	dir := t.TempDir()
	attachment = bytes.Repeat([]byte("synthetic pathology report line\n"), 5000)
	src := filepath.Join(dir, "report.txt")
	os.WriteFile(src, attachment, 0o644)
	tree := &portal.Tree{Lang: "en",
		Pages:       []*portal.Page{{Name: "index.html", MediaType: "text/html; charset=utf-8", Data: []byte("<h1>Synthetic case</h1>")}},
		Attachments: []*portal.Attachment{{Name: "files/1/report.txt", FileName: "report.txt", MediaType: "text/plain", Source: src, Size: int64(len(attachment))}},
	}
	id, _ := age.GenerateX25519Identity()
	idFile = filepath.Join(dir, "reader.key")
	os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600)
	out = filepath.Join(dir, "portal")
	if single {
		out += ".html"
	}
	_, err := seal.Seal(tree, []seal.Reader{{Name: "doctor", Passphrase: cmdPassphrase}, {Name: "pathologist", Recipient: id.Recipient().String()}},
		out, seal.Options{SingleFile: single, WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	return out, attachment, idFile
}

func TestPassphraseCommand(t *testing.T) {
	code, out, _ := runCmd("passphrase")
	n, _ := keystore.WordCount()
	if code != exitOK || !regexp.MustCompile(fmt.Sprintf(`^[a-z]+(-[a-z]+){%d}\n$`, n-1)).MatchString(out) {
		t.Errorf("exit %d, output %q; want %d words", code, out, n)
	}
}

func TestOpenCommand(t *testing.T) {
	for _, single := range []bool{false, true} {
		portalPath, attachment, idFile := sealedPortal(t, single)
		check := func(name string, code int, stdout, stderr, dir string) {
			t.Helper()
			if code != exitOK {
				t.Fatalf("%s: exit %d: %s", name, code, stderr)
			}
			got, _ := os.ReadFile(filepath.Join(dir, "files", "1", "report.txt"))
			if !bytes.Equal(got, attachment) || !strings.Contains(stdout, "Opened 2 files") {
				t.Errorf("%s: attachment differs, or output %q", name, stdout)
			}
		}

		t.Setenv("CASEPORT_PASSPHRASE", cmdPassphrase)
		dir := filepath.Join(t.TempDir(), "o")
		code, stdout, stderr := runCmd("open", portalPath, "-o", dir)
		check("CASEPORT_PASSPHRASE", code, stdout, stderr, dir)

		t.Setenv("CASEPORT_PASSPHRASE", cmdPassphrase+"-typo")
		code, _, stderr = runCmd("open", portalPath, "-o", filepath.Join(t.TempDir(), "o"))
		if code == exitOK || !strings.Contains(stderr, "passphrase is wrong") {
			t.Errorf("wrong passphrase: exit %d, %q", code, stderr)
		}
		t.Setenv("CASEPORT_PASSPHRASE", "")

		pf := filepath.Join(t.TempDir(), "pass.toml")
		os.WriteFile(pf, []byte(`doctor = "`+cmdPassphrase+`"`+"\n"), 0o600)
		dir = filepath.Join(t.TempDir(), "o")
		code, stdout, stderr = runCmd("open", portalPath, "--passphrase-file", pf, "-o", dir)
		check("passphrase file", code, stdout, stderr, dir)

		dir = filepath.Join(t.TempDir(), "o")
		code, stdout, stderr = runCmd("open", portalPath, "--reader", "pathologist", "-i", idFile, "-o", dir)
		check("identity file", code, stdout, stderr, dir)

		code, _, stderr = runCmd("open", portalPath, "--reader", "somebody", "--passphrase-file", pf, "-o", filepath.Join(t.TempDir(), "o"))
		if code == exitOK || !strings.Contains(stderr, `no passphrase for reader "somebody"`) {
			t.Errorf("unknown reader: exit %d, %q", code, stderr)
		}
	}

	// A modified payload.
	portalPath, _, _ := sealedPortal(t, false)
	ents, _ := os.ReadDir(filepath.Join(portalPath, "p"))
	for _, e := range ents {
		p := filepath.Join(portalPath, "p", e.Name())
		data, _ := os.ReadFile(p)
		data[len(data)-20] ^= 0x80
		os.WriteFile(p, data, 0o644)
	}
	t.Setenv("CASEPORT_PASSPHRASE", cmdPassphrase)
	code, _, stderr := runCmd("open", portalPath, "-o", filepath.Join(t.TempDir(), "o"))
	if code == exitOK || !strings.Contains(stderr, "was altered or damaged") {
		t.Errorf("tampered portal: exit %d, %q", code, stderr)
	}
}

// TestOpenPrompt types the passphrase on a terminal (script(1) gives the
// command one) and checks it is not echoed.
func TestOpenPrompt(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("script(1) from util-linux is needed")
		}
		t.Skip("script(1) missing")
	}
	portalPath, attachment, _ := sealedPortal(t, false)
	bin := filepath.Join(t.TempDir(), "caseport")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	dir := filepath.Join(t.TempDir(), "o")
	// Wait for the prompt before typing, so the terminal has echo off.
	cmd := exec.Command("script", "-qec", bin+" open "+portalPath+" -o "+dir, "/dev/null")
	cmd.Env = append(os.Environ(), "CASEPORT_PASSPHRASE=")
	stdin, _ := cmd.StdinPipe()
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200 && !strings.Contains(out.String(), "Passphrase:"); i++ {
		exec.Command("sleep", "0.05").Run()
	}
	stdin.Write([]byte(cmdPassphrase + "\n"))
	err := cmd.Wait()
	if err != nil {
		t.Fatalf("caseport open on a terminal: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), cmdPassphrase) {
		t.Errorf("the passphrase was echoed:\n%s", out.String())
	}
	got, _ := os.ReadFile(filepath.Join(dir, "files", "1", "report.txt"))
	if !bytes.Equal(got, attachment) {
		t.Errorf("attachment differs after opening with a typed passphrase")
	}
}

func TestBuildCommand(t *testing.T) {
	needBundle(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("CASEPORT_PASSPHRASE", "")
	dir := copyValid(t)
	out := filepath.Join(t.TempDir(), "portal")
	code, stdout, stderr := runCmd("build", dir, "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := regexp.MustCompile(`(?m)^  reviewing-oncologist: ([a-z-]+)$`).FindStringSubmatch(stdout)
	if m == nil || !strings.Contains(stdout, "another\nchannel") {
		t.Fatalf("no generated passphrase in the output:\n%s", stdout)
	}
	t.Setenv("CASEPORT_PASSPHRASE", m[1])
	if code, _, stderr := runCmd("open", out, "-o", filepath.Join(t.TempDir(), "o")); code != exitOK {
		t.Fatalf("open with the printed passphrase: %s", stderr)
	}
	t.Setenv("CASEPORT_PASSPHRASE", "")
	code, stdout, _ = runCmd("build", dir, "-o", out)
	if code != exitOK || strings.Contains(stdout, m[1]) || !strings.Contains(stdout, "unchanged") {
		t.Errorf("rebuild: exit %d; the passphrase must not be shown again:\n%s", code, stdout)
	}

	t.Setenv("CASEPORT_PASSPHRASE", "short")
	code, _, stderr = runCmd("build", dir, "-o", out)
	if code == exitOK || !strings.Contains(stderr, "too short") {
		t.Errorf("weak CASEPORT_PASSPHRASE: exit %d, %q", code, stderr)
	}
}

func TestParseSize(t *testing.T) {
	for s, want := range map[string]int64{"50MiB": 50 << 20, "50M": 50 << 20, "2GiB": 2 << 30, "100MB": 100e6, "1.5G": 3 << 29, "none": -1, "4096": 4096} {
		if got, err := parseSize(s); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "0", "-5M", "lots"} {
		if _, err := parseSize(s); err == nil {
			t.Errorf("parseSize(%q) accepted", s)
		}
	}
}

// TestBuildRefusesPlaceholders: a case straight from "new" loads, but its
// "FILL IN" values must not reach a doctor unless the coordinator insists.
func TestBuildRefusesPlaceholders(t *testing.T) {
	needBundle(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("CASEPORT_PASSPHRASE", "")
	dir := filepath.Join(t.TempDir(), "stomach-2026-002")
	if code, _, errs := runCmd("new", dir); code != exitOK {
		t.Fatal(errs)
	}
	out := filepath.Join(t.TempDir(), "portal")
	code, _, stderr := runCmd("build", dir, "-o", out)
	if code != exitFail || !strings.Contains(stderr, `case.toml:21: title: still marked "FILL IN"`) || !strings.Contains(stderr, "--allow-placeholders") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused build wrote %s", out)
	}
	// A case straight from "new" has no reports yet: not ready either.
	code, _, stderr = runCmd("build", dir, "-o", out, "--allow-placeholders")
	if code != exitFail || !strings.Contains(stderr, "not ready to build") || !strings.Contains(stderr, "A pathology report") {
		t.Fatalf("--allow-placeholders alone: exit %d, stderr:\n%s", code, stderr)
	}
	code, stdout, stderr := runCmd("build", dir, "-o", out, "--allow-placeholders", "--allow-incomplete")
	if code != exitOK || !strings.Contains(stdout, "built with --allow-incomplete") {
		t.Fatalf("--allow-placeholders --allow-incomplete: exit %d: %s%s", code, stdout, stderr)
	}
}

// TestBuildWithThemesDir: the coordinator's own theme, from $CASEPORT_THEMES
// as in serve, is the one sealed into the portal.
func TestBuildWithThemesDir(t *testing.T) {
	needBundle(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("CASEPORT_PASSPHRASE", cmdPassphrase)
	themesDir := t.TempDir()
	os.MkdirAll(filepath.Join(themesDir, "clinic"), 0o755)
	os.WriteFile(filepath.Join(themesDir, "clinic", "style.css"), []byte(":root { --accent: #123456; } /* clinic theme marker */\n"), 0o644)
	t.Setenv(ThemesEnv, themesDir)
	dir := copyValid(t)
	edit(t, dir, `language = "en"`, "language = \"en\"\ntheme = \"clinic\"")
	out := filepath.Join(t.TempDir(), "portal")
	if code, _, stderr := runCmd("build", dir, "-o", out); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	opened := filepath.Join(t.TempDir(), "o")
	if code, _, stderr := runCmd("open", out, "-o", opened); code != exitOK {
		t.Fatalf("open: %s", stderr)
	}
	var css []byte
	filepath.WalkDir(opened, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".css") {
			b, _ := os.ReadFile(p)
			css = append(css, b...)
		}
		return nil
	})
	if !bytes.Contains(css, []byte("clinic theme marker")) {
		t.Errorf("the portal's stylesheets lack the clinic theme")
	}
}

// --work-factor: above 20 is refused (browsers cannot open it), below 16
// with a given passphrase builds with a warning.
func TestBuildWorkFactorFlag(t *testing.T) {
	needBundle(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("CASEPORT_PASSPHRASE", "harbor-violet-cactus-lantern-meadow")
	dir := copyValid(t)
	out := filepath.Join(t.TempDir(), "portal")
	code, _, stderr := runCmd("build", dir, "-o", out, "--work-factor", "21")
	if code != exitUsage || !strings.Contains(stderr, "--work-factor 21: give 10 to 20") {
		t.Errorf("--work-factor 21: exit %d, %q", code, stderr)
	}
	code, _, stderr = runCmd("build", dir, "-o", out, "--work-factor", "12")
	if code != exitOK || !strings.Contains(stderr, "warning: --work-factor 12 makes each guess at a given passphrase 64 times cheaper") {
		t.Fatalf("--work-factor 12: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCmd("open", out, "-o", filepath.Join(t.TempDir(), "o")); code != exitOK {
		t.Fatalf("open: %s", stderr)
	}
}
