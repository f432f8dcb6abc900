package casedir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// The valid example has 136 lines; appendTOML adds an empty line, so an
// appended table starts on line 138.
const appendedLine = 138

func TestReplyTableIsOptional(t *testing.T) {
	c, problems := load(t, newCase(t))
	if problems != nil {
		t.Fatalf("problems:\n%s", list(problems))
	}
	if !c.Reply.Enabled || c.Reply.Recipient != "" {
		t.Errorf("without [reply]: %+v, want enabled with the coordinator's key", c.Reply)
	}
}

func TestReplyTableDecodes(t *testing.T) {
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	rcpt := id.Recipient().String()
	c, problems := load(t, newCase(t, appendTOML("[reply]\nrecipient = \""+rcpt+"\"")))
	if problems != nil {
		t.Fatalf("problems:\n%s", list(problems))
	}
	if !c.Reply.Enabled || c.Reply.Recipient != rcpt {
		t.Errorf("reply = %+v", c.Reply)
	}
	c, problems = load(t, newCase(t, appendTOML("[reply]\nenabled = false")))
	if problems != nil {
		t.Fatalf("problems:\n%s", list(problems))
	}
	if c.Reply.Enabled {
		t.Errorf("enabled = false decoded as %+v", c.Reply)
	}
}

func TestReplyRules(t *testing.T) {
	tests := []struct {
		name string
		toml string
		want want
	}{
		{"recipient is not an age key", "[reply]\nrecipient = \"ssh-ed25519 AAAA\"",
			want{file: "case.toml", line: appendedLine + 1, key: "reply.recipient", msg: []string{"not an age public key", "caseport reply key"}}},
		{"enabled is not a boolean", "[reply]\nenabled = \"no\"",
			want{file: "case.toml", line: appendedLine + 1, key: "reply.enabled", msg: []string{"true or false"}}},
		{"unknown key with suggestion", "[reply]\nrecipent = \"age1x\"",
			want{file: "case.toml", line: appendedLine + 1, key: "reply.recipent", msg: []string{"unknown key", `did you mean "recipient"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := load(t, newCase(t, appendTOML(tt.toml)))
			expect(t, problems, tt.want)
		})
	}
}

func TestReplyRecipientUnusedWhenDisabled(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	c, problems := load(t, newCase(t, appendTOML("[reply]\nenabled = false\nrecipient = \""+id.Recipient().String()+"\"")))
	if problems != nil {
		t.Fatalf("problems:\n%s", list(problems))
	}
	expect(t, c.Warnings, want{file: "case.toml", line: appendedLine + 2, key: "reply.recipient", msg: []string{"unused", "enabled = false"}})
}

func TestRepliesAreNotUnreferenced(t *testing.T) {
	dir := newCase(t, writeFile("replies/reply-20261201-abc.json", "{}"), writeFile("stray/note.txt", "x"))
	c, problems := load(t, dir)
	if problems != nil {
		t.Fatalf("problems:\n%s", list(problems))
	}
	got := strings.Join(c.Unreferenced, " ")
	if strings.Contains(got, "replies/") || !strings.Contains(got, "stray/note.txt") {
		t.Errorf("unreferenced = %q: want stray/note.txt and nothing under replies/", got)
	}
	if _, err := os.Stat(filepath.Join(dir, RepliesDir)); err != nil {
		t.Fatal(err)
	}
}
