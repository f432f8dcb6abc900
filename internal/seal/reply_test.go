package seal

import (
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/caseport/caseport/internal/seal/sealtest"
)

// The reply recipient travels in the encrypted manifest only: Open finds it,
// the leak scan finds it nowhere in the sealed files.
func TestReplyRecipientInManifest(t *testing.T) {
	coord, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	rcpt := coord.Recipient().String()
	tree := testTree(t)
	for _, single := range []bool{false, true} {
		out, _ := sealTest(t, tree, []Reader{{Name: "doctor", Passphrase: testPassphrase}}, Options{SingleFile: single, ReplyRecipient: rcpt})
		opened, err := Open(out, Key{Passphrase: testPassphrase}, filepath.Join(t.TempDir(), "open"))
		if err != nil {
			t.Fatal(err)
		}
		if opened.ReplyRecipient != rcpt {
			t.Errorf("single %v: manifest reply recipient %.24q, want %.24q", single, opened.ReplyRecipient, rcpt)
		}
		sealtest.LeakScan(t, out, append(sealtest.Needles(tree), rcpt))
	}
	out, _ := sealTest(t, tree, []Reader{{Name: "doctor", Passphrase: testPassphrase}}, Options{})
	opened, err := Open(out, Key{Passphrase: testPassphrase}, filepath.Join(t.TempDir(), "open"))
	if err != nil {
		t.Fatal(err)
	}
	if opened.ReplyRecipient != "" {
		t.Errorf("without Options.ReplyRecipient the manifest names %q", opened.ReplyRecipient)
	}
}

func TestReplyRecipientRefusedWhenNotAnAgeKey(t *testing.T) {
	requireBundle(t)
	_, err := Seal(testTree(t), []Reader{{Name: "doctor", Passphrase: testPassphrase}}, filepath.Join(t.TempDir(), "out"), Options{WorkFactor: testWorkFactor, ReplyRecipient: "ssh-ed25519 AAAA"})
	if err == nil || !strings.Contains(err.Error(), "reply recipient") {
		t.Fatalf("Seal with a bad reply recipient: %v", err)
	}
}
