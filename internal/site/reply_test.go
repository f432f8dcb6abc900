package site

import (
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"github.com/caseport/caseport/internal/keystore"
	"github.com/caseport/caseport/internal/seal"
)

const replyTestPassphrase = "maple-otter-lantern-violet-harbor-cactus-meadow"

func openedReplyRecipient(t *testing.T, out string) string {
	t.Helper()
	o, err := seal.Open(out, seal.Key{Passphrase: replyTestPassphrase}, filepath.Join(t.TempDir(), "opened"))
	if err != nil {
		t.Fatal(err)
	}
	return o.ReplyRecipient
}

func appendCase(t *testing.T, caseDir, s string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(caseDir, "case.toml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("\n" + s + "\n"); err != nil {
		t.Fatal(err)
	}
}

func TestBuildMakesTheCoordinatorKeyOnce(t *testing.T) {
	caseDir, out := setup(t)
	store := &keystore.Store{Dir: filepath.Join(t.TempDir(), "keys")}
	first := build(t, caseDir, out, Options{Store: store, Passphrase: replyTestPassphrase})
	if first.CoordinatorKeyCreated != store.CoordinatorPath() {
		t.Errorf("first build: CoordinatorKeyCreated %q, want %q", first.CoordinatorKeyCreated, store.CoordinatorPath())
	}
	id, err := store.Coordinator()
	if err != nil {
		t.Fatal(err)
	}
	if first.ReplyRecipient != id.Recipient().String() || openedReplyRecipient(t, out) != first.ReplyRecipient {
		t.Errorf("the portal's reply recipient is not the coordinator's key")
	}
	second := build(t, caseDir, out, Options{Store: store, Passphrase: replyTestPassphrase})
	if second.CoordinatorKeyCreated != "" || second.ReplyRecipient != first.ReplyRecipient {
		t.Errorf("second build: created %q, recipient changed %v", second.CoordinatorKeyCreated, second.ReplyRecipient != first.ReplyRecipient)
	}
}

func TestBuildReplyTable(t *testing.T) {
	caseDir, out := setup(t)
	org, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	appendCase(t, caseDir, "[reply]\nrecipient = \""+org.Recipient().String()+"\"")
	store := &keystore.Store{Dir: filepath.Join(t.TempDir(), "keys")}
	res := build(t, caseDir, out, Options{Store: store, Passphrase: replyTestPassphrase})
	if got := openedReplyRecipient(t, out); got != org.Recipient().String() || res.CoordinatorKeyCreated != "" {
		t.Errorf("[reply] recipient: the manifest names %q (created %q); want the organisation's key, no coordinator key", got, res.CoordinatorKeyCreated)
	}

	caseDir, out = setup(t)
	appendCase(t, caseDir, "[reply]\nenabled = false")
	res = build(t, caseDir, out, Options{Store: store, Passphrase: replyTestPassphrase})
	if got := openedReplyRecipient(t, out); got != "" || res.ReplyRecipient != "" {
		t.Errorf("enabled = false: the manifest names %q", got)
	}
}
