package site

import (
	"path/filepath"
	"testing"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/keystore"
)

// TestChooseKeysKeepsAndDrops: a second choice keeps the stored
// passphrases; a reader removed from the case loses its passphrase when
// the keys are saved, and a reader put back gets a new one.
func TestChooseKeysKeepsAndDrops(t *testing.T) {
	t.Parallel()
	store := &keystore.Store{Dir: filepath.Join(t.TempDir(), "keys")}
	c := &casedir.Case{ID: "keys-case", Dir: t.TempDir(), Readers: []casedir.Reader{{Name: "ana"}, {Name: "ben"}, {Name: "cy", Recipient: "age1x"}}}
	choose := func() *Keys {
		t.Helper()
		k, err := ChooseKeys(c, Options{Store: store})
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Save(); err != nil {
			t.Fatal(err)
		}
		return k
	}
	first := choose()
	if len(first.Chosen) != 3 || first.Chosen[0].Key != KeyGenerated || first.Chosen[1].Key != KeyGenerated || first.Chosen[2].Key != KeyRecipient {
		t.Fatalf("first choice %+v", first.Chosen)
	}
	again := choose()
	if again.Chosen[0].Key != KeyStored || again.Readers[0].Passphrase != first.Readers[0].Passphrase {
		t.Errorf("second choice %+v: want ana's stored passphrase", again.Chosen)
	}

	c.Readers = c.Readers[:1] // ben leaves
	choose()
	stored, err := store.Load(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := stored["ben"]; ok || len(stored) != 1 {
		t.Errorf("after ben left the store holds %v; want ana only", stored)
	}
	c.Readers = append(c.Readers, casedir.Reader{Name: "ben"})
	back := choose()
	if back.Chosen[1].Key != KeyGenerated || back.Readers[1].Passphrase == first.Readers[1].Passphrase {
		t.Errorf("ben put back: %+v; want a new passphrase", back.Chosen[1])
	}
}

// TestChooseKeysRefusesStoreInCase: the key store may not lie in the case.
func TestChooseKeysRefusesStoreInCase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &casedir.Case{ID: "keys-case", Dir: dir}
	if _, err := ChooseKeys(c, Options{Store: &keystore.Store{Dir: filepath.Join(dir, "keys")}}); err == nil {
		t.Error("a key store inside the case folder was accepted")
	}
}
