package unlocktest

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/browsertest"
	"github.com/caseport/caseport/internal/keystore"
	"github.com/caseport/caseport/internal/reply"
	"github.com/caseport/caseport/internal/site"
)

// TestEnginesReplySealed: in each engine, the Russian example's portal over
// http takes an answer typed into the reply form, seals it in the browser,
// and the coordinator's key opens it with the answer byte-exact; the page
// asks for nothing but the portal's own files.
func TestEnginesReplySealed(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	caseDir := filepath.Join("..", "..", "cases", "sarcoma-2026-017")
	const passphrase = "reply-test-russian-portal-long-phrase"
	out := filepath.Join(t.TempDir(), "portal")
	store := &keystore.Store{Dir: filepath.Join(t.TempDir(), "keys")}
	if _, err := site.Build(caseDir, out, site.Options{Store: store, WorkFactor: 10, Passphrases: map[string]string{"doctor": passphrase}}); err != nil {
		t.Fatal(err)
	}
	coordinator, err := store.Coordinator()
	if err != nil {
		t.Fatal(err)
	}
	srv := serve(t, out)
	browsertest.ForEachEngine(t, func(t *testing.T, engine string) {
		pg := unlockPage{browsertest.Start(t, engine, browsertest.Options{})}
		pg.open(t, srv.URL+"/#reader=doctor")
		pg.enter(t, passphrase, false)
		if st := pg.state(t); st != "unlocked" {
			t.Fatalf("%s: state %q after the right passphrase", engine, st)
		}
		pg.waitFor(t, "the reply form, ready to seal", `!!document.querySelector('[data-reply-action="seal"]') && !document.querySelector('[data-reply-action="seal"]').disabled`)
		answer := "Согласна (" + engine + "): «ре-резекция» не нужна."
		if err := pg.Type(`[data-reply-question="Q1"]`, answer); err != nil {
			t.Fatal(err)
		}
		// The button's own click(), not a click at its coordinates: those
		// can land elsewhere while the images above are still being
		// decrypted and the page grows (seen in Firefox under load).
		pg.eval(t, `(() => { const b = document.querySelector('[data-reply-action="seal"]'); b.focus(); b.click(); return true })()`, nil)
		browsertest.WaitFor(t, pg, "the sealed reply", `document.querySelector("[data-reply-output]").value.includes("-----END AGE ENCRYPTED FILE-----")`, 90*time.Second)
		var armored string
		pg.eval(t, `document.querySelector("[data-reply-output]").value`, &armored)
		doc, _, err := reply.Open(strings.NewReader(armored), coordinator)
		if err != nil {
			t.Fatalf("%s: the coordinator cannot open the reply: %v", engine, err)
		}
		if doc.Language != "ru" || doc.Case != "sarcoma-2026-017" || len(doc.Answers) == 0 || doc.Answers[0].Answer != answer {
			t.Errorf("%s: reply language %q, case %q, answers %+v; want the first answer %q", engine, doc.Language, doc.Case, doc.Answers, answer)
		}
		var stored string
		pg.eval(t, `JSON.stringify(Object.entries(sessionStorage))`, &stored)
		if strings.Contains(stored, "ре-резекция") {
			t.Errorf("%s: sessionStorage holds the answer in plain text", engine)
		}
		pg.stayedLocal(t)
	})
}
