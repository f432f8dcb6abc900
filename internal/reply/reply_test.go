package reply

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"
)

const sample = `{
  "caseport_reply": 1,
  "case": "gastric-2026-041",
  "portal": "abcdefghijklmnopqrstuvwxyz",
  "language": "ru",
  "reviewer": "Д-р Анна Петрова, онколог",
  "date": "2026-12-01T21:30:00.000Z",
  "answers": [
    {"question": 1, "text": "Is the stage right?", "answer": "Да.\nStage IIB — согласна."},
    {"question": 2, "text": "Is surgery first right?", "answer": ""}
  ],
  "conclusion": "Периоперационная FLOT.",
  "plan": "agree-with-changes",
  "workup": "PET-CT; «лапароскопия»"
}`

// sealArmored seals plaintext to r as the portal's browser code does.
func sealArmored(t *testing.T, plaintext string, r age.Recipient) string {
	t.Helper()
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, r)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(plaintext))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	aw.Close()
	return buf.String()
}

func coordinator(t *testing.T) *age.HybridIdentity {
	t.Helper()
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestOpenRoundTrip(t *testing.T) {
	id := coordinator(t)
	sealed := sealArmored(t, sample, id.Recipient())
	doc, plain, err := Open(strings.NewReader(sealed), id)
	if err != nil {
		t.Fatal(err)
	}
	if string(plain) != sample {
		t.Errorf("plaintext differs from what was sealed")
	}
	if doc.Reviewer != "Д-р Анна Петрова, онколог" || doc.Answers[0].Answer != "Да.\nStage IIB — согласна." || doc.Plan != PlanWithChanges || doc.Workup != "PET-CT; «лапароскопия»" {
		t.Errorf("decoded %+v", doc)
	}
	var text bytes.Buffer
	if err := doc.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Q1. Is the stage right?\nДа.\nStage IIB — согласна.\n", "Q2. Is surgery first right?\n(no answer)", "Conclusion:\nПериоперационная FLOT.\n", "The current plan: agree with changes", "Further workup advised:\nPET-CT; «лапароскопия»\n", "Reviewer: Д-р Анна Петрова, онколог"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, text.String())
		}
	}
}

// A reply pasted from a mail: text around it, indented, quoted, re-wrapped.
func TestOpenAsPasted(t *testing.T) {
	id := coordinator(t)
	sealed := sealArmored(t, sample, id.Recipient())
	lines := strings.Split(strings.TrimSpace(sealed), "\n")
	var mangled strings.Builder
	mangled.WriteString("Dear colleague, my reply:\n\n")
	body := strings.Join(lines[1:len(lines)-1], "")
	mangled.WriteString("> " + lines[0] + "\n")
	for len(body) > 50 {
		mangled.WriteString(">   " + body[:50] + "\r\n")
		body = body[50:]
	}
	mangled.WriteString("> " + body + "\n> " + lines[len(lines)-1] + "\n\nBest regards\n")
	if _, _, err := Open(strings.NewReader(mangled.String()), id); err != nil {
		t.Fatalf("a reply as pasted from a mail: %v\n%s", err, mangled.String())
	}
}

func TestOpenRefusesAnotherKey(t *testing.T) {
	other := coordinator(t)
	sealed := sealArmored(t, sample, other.Recipient())
	_, _, err := Open(strings.NewReader(sealed), coordinator(t))
	if !errors.Is(err, ErrNotForThisKey) {
		t.Fatalf("a reply sealed to another key: %v, want ErrNotForThisKey", err)
	}
	if !strings.Contains(err.Error(), "not for this coordinator") {
		t.Errorf("message %q", err)
	}
}

func TestOpenRefusesAlteredReply(t *testing.T) {
	id := coordinator(t)
	sealed := sealArmored(t, sample, id.Recipient())
	lines := strings.Split(sealed, "\n")
	// Change one base64 character of the last body line: the payload.
	i := len(lines) - 3
	b := []byte(lines[i])
	b[2] = map[bool]byte{true: 'B', false: 'A'}[b[2] == 'A']
	lines[i] = string(b)
	_, _, err := Open(strings.NewReader(strings.Join(lines, "\n")), id)
	var altered *AlteredError
	if !errors.As(err, &altered) || !strings.Contains(err.Error(), "altered") {
		t.Fatalf("an altered reply: %v, want *AlteredError", err)
	}
	cut := sealed[:len(sealed)/2]
	if _, _, err := Open(strings.NewReader(cut), id); !errors.As(err, &altered) || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("half a reply: %v", err)
	}
	if _, _, err := Open(strings.NewReader("hello"), id); err == nil || !strings.Contains(err.Error(), "not a sealed reply") {
		t.Fatalf("plain text: %v", err)
	}
}

func TestOpenRefusesWhatIsNotAReply(t *testing.T) {
	id := coordinator(t)
	for _, plain := range []string{`{"case": "x"}`, `not json`, `{"caseport_reply": 1, "plan": "maybe"}`} {
		_, _, err := Open(strings.NewReader(sealArmored(t, plain, id.Recipient())), id)
		var nar *NotAReplyError
		if !errors.As(err, &nar) {
			t.Errorf("%s: %v, want *NotAReplyError", plain, err)
		}
	}
	_, _, err := Open(strings.NewReader(sealArmored(t, `{"caseport_reply": 2}`, id.Recipient())), id)
	if err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("version 2: %v", err)
	}
}

func TestImportIsIdempotent(t *testing.T) {
	id := coordinator(t)
	doc, plain, err := Open(strings.NewReader(sealArmored(t, sample, id.Recipient())), id)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p, existed, err := Import(dir, "gastric-2026-041", doc, plain)
	if err != nil || existed {
		t.Fatalf("Import: existed %v, %v", existed, err)
	}
	if filepath.Dir(p) != filepath.Join(dir, "replies") || !strings.HasPrefix(filepath.Base(p), "reply-2026-12-01-") {
		t.Errorf("stored at %s", p)
	}
	got, _ := os.ReadFile(p)
	if string(got) != sample {
		t.Errorf("stored bytes differ from the decrypted reply")
	}
	again, existed, err := Import(dir, "gastric-2026-041", doc, plain)
	if err != nil || !existed || again != p {
		t.Errorf("second Import: %s existed %v, %v", again, existed, err)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "replies"))
	if len(ents) != 1 {
		t.Errorf("%d files in replies/, want 1", len(ents))
	}
	if _, _, err := Import(dir, "another-case", doc, plain); err == nil || !strings.Contains(err.Error(), `answers case "gastric-2026-041"`) {
		t.Errorf("import into another case: %v", err)
	}
}
