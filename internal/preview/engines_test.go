package preview

import (
	"os"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/browsertest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.ReportEnginesRan("internal/preview")
	os.Exit(code)
}

// TestEnginesReloadAfterSave opens the live preview in every engine, saves
// the case and waits for the page to reload with the change (WebKit's http
// goes through browsertest's recording proxy, so this also proves the event
// stream is not held back by it).
func TestEnginesReloadAfterSave(t *testing.T) {
	browsertest.ForEachEngine(t, func(t *testing.T, engine string) {
		f := startFixture(t)
		d := browsertest.Start(t, engine, browsertest.Options{})
		if err := d.Navigate(f.url); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitFor(t, d, "the case page", `document.getElementById("questions") !== null`, 60*time.Second)
		waitFor(t, "the page's event stream", func() (bool, string) {
			f.s.mu.RLock()
			defer f.s.mu.RUnlock()
			return len(f.s.clients) > 0, engine + ": no client connected"
		})
		if err := d.Eval(`window.caseportMarker = 1`, nil); err != nil {
			t.Fatal(err)
		}
		f.write("questions.md", f.read("questions.md")+"- A question saved while the page was open?\n")
		browsertest.WaitFor(t, d, "the saved question in the page",
			`document.readyState === "complete" && document.getElementById("questions") !== null && document.getElementById("questions").textContent.includes("saved while the page was open")`, 60*time.Second)
		var marker bool
		if err := d.Eval(`window.caseportMarker === 1`, &marker); err != nil {
			t.Fatal(err)
		}
		if marker {
			t.Errorf("%s: the page changed without a reload: the test does not test what it means to", engine)
		}
		if ext := browsertest.External(d.Requests()); len(ext) > 0 {
			t.Errorf("%s: the preview made requests off the machine: %q", engine, ext)
		}
	})
}
