package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"
	"github.com/caseport/caseport/internal/keystore"
)

func sealReply(t *testing.T, plaintext string, r age.Recipient) string {
	t.Helper()
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, r)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(plaintext))
	w.Close()
	aw.Close()
	return buf.String()
}

func TestReplyKey(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	code, out, errOut := runCmd("reply", "key")
	if code != 0 || !strings.HasPrefix(out, "age1pq1") {
		t.Fatalf("reply key: %d %q %q", code, out, errOut)
	}
	path := filepath.Join(cfg, "caseport", "keys", keystore.CoordinatorFile)
	if !strings.Contains(errOut, path) || !strings.Contains(errOut, "Back it up") {
		t.Errorf("stderr does not say where the new key is and to back it up: %q", errOut)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	code, again, _ := runCmd("reply", "key")
	if code != 0 || again != out {
		t.Errorf("second reply key printed %q, first %q", again, out)
	}
}

const cliReply = `{"caseport_reply":1,"case":"gastric-2026-041","portal":"p","reviewer":"Dr Ng","date":"2026-12-01T10:00:00Z","answers":[{"question":1,"text":"Stage?","answer":"IIB, верно."}],"conclusion":"ok","plan":"agree","workup":""}`

func TestReplyOpenAndImport(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	store, err := keystore.DefaultStore()
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := store.EnsureCoordinator()
	if err != nil {
		t.Fatal(err)
	}
	sealed := sealReply(t, cliReply, id.Recipient())
	file := filepath.Join(t.TempDir(), "reply-x.age")
	os.WriteFile(file, []byte(sealed), 0o644)

	code, out, errOut := runCmd("reply", "open", file)
	if code != 0 || !strings.Contains(out, "Q1. Stage?\nIIB, верно.\n") || !strings.Contains(out, "The current plan: agree") {
		t.Fatalf("reply open: %d\n%s\n%s", code, out, errOut)
	}
	stdin = strings.NewReader("pasted:\n" + sealed)
	t.Cleanup(func() { stdin = os.Stdin })
	code, out, errOut = runCmd("reply", "open", "-", "--json")
	if code != 0 || !strings.Contains(out, `"answer": "IIB, верно."`) {
		t.Fatalf("reply open - --json: %d\n%s\n%s", code, out, errOut)
	}

	other, _ := age.GenerateHybridIdentity()
	foreign := filepath.Join(t.TempDir(), "foreign.age")
	os.WriteFile(foreign, []byte(sealReply(t, cliReply, other.Recipient())), 0o644)
	code, _, errOut = runCmd("reply", "open", foreign)
	if code != 1 || !strings.Contains(errOut, "not for this coordinator") {
		t.Errorf("a reply to another key: %d %q", code, errOut)
	}
	idFile := filepath.Join(t.TempDir(), "org.txt")
	os.WriteFile(idFile, []byte(other.String()+"\n"), 0o600)
	if code, _, errOut = runCmd("reply", "open", foreign, "-i", idFile); code != 0 {
		t.Errorf("the same reply with -i the organisation's key: %d %q", code, errOut)
	}

	caseDir := copyValid(t)
	code, out, errOut = runCmd("reply", "import", caseDir, file)
	if code != 0 || !strings.Contains(out, "Reply of Dr Ng imported: ") {
		t.Fatalf("reply import: %d %q %q", code, out, errOut)
	}
	stdin = strings.NewReader(sealed)
	code, out, _ = runCmd("reply", "import", caseDir, "-")
	if code != 0 || !strings.Contains(out, "Already imported") {
		t.Errorf("second import, pasted: %d %q", code, out)
	}
	code, out, _ = runCmd("check", caseDir)
	if code != 0 || strings.Contains(out, "replies/") {
		t.Errorf("check after import: %d, mentions replies/:\n%s", code, out)
	}
}
