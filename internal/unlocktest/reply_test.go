package unlocktest

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/keystore"
	"github.com/caseport/caseport/internal/reply"
	"github.com/caseport/caseport/internal/site"
)

// replyAnswers are what the synthetic doctor types: Cyrillic, quotes, line
// breaks, symbols, so byte-exactness is tested where it breaks first.
var replyAnswers = []string{
	"Стадия cT3N1M0 подтверждается; \"IIB\" — верно.\nВторая строка: 5 мм < 1 см.",
	"Yes: perioperative FLOT × 4 + 4, then re-stage.",
	"Нет — лапароскопия обязательна перед операцией.",
	"HER2 3+ → trastuzumab: обсудить.\n\n(две пустые строки выше)",
	"Cannot judge without the slides.",
	"Ёжик ёлка «кавычки» 🙂",
	"Fine.",
	"Q8 answer with a tab\tinside.",
}

const (
	replyConclusion = "Заключение: согласна с планом, с изменениями (see Q3).\nSecond line."
	replyWorkup     = "PET-CT; диагностическая лапароскопия; пересмотр стёкол."
	replyReviewer   = "Д-р Анна Петрова, онколог (synthetic reviewer)"
)

// setField fills a field as typing does: the value, then an input event.
func setField(sel, value string) chromedp.Action {
	return chromedp.Evaluate(`(() => { const e = document.querySelector(`+jsString(sel)+`); e.focus(); e.value = `+jsString(value)+`; e.dispatchEvent(new Event("input", {bubbles: true})); return true })()`, nil)
}

// TestReplySealedInTheBrowser is issue 16's "done when": the doctor answers
// every field of the unlocked portal, the draft survives a reload only as
// age-encrypted text, the sealed reply opens with the coordinator's key
// byte for byte, another key and an altered copy are refused, Lock forgets
// the draft, and the page asked nothing of anyone but its own files.
func TestReplySealedInTheBrowser(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	caseDir := filepath.Join("..", "..", "cases", "gastric-2026-041")
	c, err := casedir.Load(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	const passphrase = "reply-test-portal-opens-with-this-long-phrase"
	reader := "surgical-oncologist"
	out := filepath.Join(t.TempDir(), "portal")
	store := &keystore.Store{Dir: filepath.Join(t.TempDir(), "keys")}
	res, err := site.Build(caseDir, out, site.Options{Store: store, WorkFactor: 12, Passphrases: map[string]string{reader: passphrase}})
	if err != nil {
		t.Fatal(err)
	}
	coordinator, err := store.Coordinator()
	if err != nil {
		t.Fatal(err)
	}
	if res.ReplyRecipient != coordinator.Recipient().String() {
		t.Fatal("the portal does not seal to the coordinator's key")
	}
	n := c.Questions.Count()
	if n == 0 {
		t.Fatal("the example case has no questions")
	}
	for i := len(replyAnswers); i < n; i++ {
		replyAnswers = append(replyAnswers, "Ответ на вопрос "+strconv.Itoa(i+1)+" — answer "+strconv.Itoa(i+1)+".")
	}
	manifest := portalJSON(t, filepath.Join(out, "index.html")).Manifest

	srv := serve(t, out)
	s := newSession(t)
	s.open(t, srv.URL+"/#reader="+reader)
	s.enter(t, passphrase, false)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q after the right passphrase", st)
	}
	s.waitFor(t, "the reply form, ready to seal", `document.querySelector('[data-reply-action="seal"]') && !document.querySelector('[data-reply-action="seal"]').disabled`)
	var noteHidden bool
	s.eval(t, `document.querySelector("[data-reply-note]").hidden`, &noteHidden)
	if !noteHidden {
		t.Error("the preview's note (sealing works in the sealed portal) still shows in the sealed portal")
	}
	var fieldsShown int
	s.eval(t, `document.querySelectorAll("[data-reply-question]").length`, &fieldsShown)
	if fieldsShown != n {
		t.Fatalf("%d answer fields, want one per question (%d)", fieldsShown, n)
	}
	// Each field carries its question's text, and its label shows it.
	for _, g := range c.Questions.Groups {
		for _, q := range g.Items {
			sel := `[data-reply-question="Q` + strconv.Itoa(q.Number) + `"]`
			var text, label string
			s.eval(t, `document.querySelector(`+jsString(sel)+`).getAttribute("data-reply-text")`, &text)
			s.eval(t, `document.querySelector("label[for="+JSON.stringify(document.querySelector(`+jsString(sel)+`).id)+"]").textContent`, &label)
			if text != q.Text || !strings.Contains(label, "Q"+strconv.Itoa(q.Number)) || !strings.Contains(label, q.Text) {
				t.Errorf("Q%d: field text %q, label %q; want the question %q", q.Number, text, label, q.Text)
			}
		}
	}

	// The doctor types: the first answer by the keyboard, the rest filled.
	var acts []chromedp.Action
	acts = append(acts, chromedp.SendKeys(`[data-reply-question="Q1"]`, replyAnswers[0], chromedp.ByQuery))
	for i := 1; i < n; i++ {
		acts = append(acts, setField(`[data-reply-question="Q`+strconv.Itoa(i+1)+`"]`, replyAnswers[i]))
	}
	acts = append(acts,
		setField(`[data-reply-field="conclusion"]`, replyConclusion),
		// The plan view by the keyboard, as a screen reader user picks it.
		chromedp.Focus(`#reply-plan-agree-with-changes`, chromedp.ByQuery),
		chromedp.KeyEvent(" "),
		setField(`[data-reply-field="workup"]`, replyWorkup),
		chromedp.SendKeys(`[data-reply-field="reviewer"]`, replyReviewer, chromedp.ByQuery),
	)
	s.Run(t, 60*time.Second, acts...)
	s.waitFor(t, "the draft kept", `document.querySelector("form[data-reply]").getAttribute("data-reply-draft") === "saved"`)
	draftKey := "caseport:reply:" + manifest
	checkStorage := func(wantDraft bool) {
		t.Helper()
		var st map[string]string
		s.eval(t, `Object.fromEntries(Object.keys(sessionStorage).map(k => [k, sessionStorage.getItem(k)]))`, &st)
		all := strings.Join(append(mapKeys(st), mapValues(st)...), "\n")
		for _, a := range append(append([]string{}, replyAnswers[:n]...), replyConclusion, replyWorkup, replyReviewer) {
			for _, line := range strings.Split(a, "\n") {
				if len(line) >= 4 && strings.Contains(all, line) {
					t.Fatalf("sessionStorage holds the answer text %q in plain", line)
				}
			}
		}
		d, ok := st[draftKey]
		if ok != wantDraft {
			t.Fatalf("sessionStorage draft present %v, want %v (keys %v)", ok, wantDraft, mapKeys(st))
		}
		if ok && !strings.HasPrefix(d, "-----BEGIN AGE ENCRYPTED FILE-----") {
			t.Fatalf("the draft is not an age file: %.40q", d)
		}
	}
	checkStorage(true)

	// A reload of the tab: the passphrase again (not remembered), then the
	// draft is back, every field as typed.
	s.Run(t, 30*time.Second, chromedp.Reload())
	s.enter(t, passphrase, false)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q after the reload", st)
	}
	s.waitFor(t, "the draft restored", `document.querySelector('[data-reply-field="reviewer"]') && document.querySelector('[data-reply-field="reviewer"]').value !== ""`)
	for i := 0; i < n; i++ {
		var v string
		s.eval(t, `document.querySelector('[data-reply-question="Q`+strconv.Itoa(i+1)+`"]').value`, &v)
		if v != replyAnswers[i] {
			t.Errorf("after the reload Q%d = %q, want %q", i+1, v, replyAnswers[i])
		}
	}
	var plan string
	s.eval(t, `(document.querySelector('[data-reply-field="plan"] input:checked') || {}).value || ""`, &plan)
	if plan != reply.PlanWithChanges {
		t.Errorf("after the reload the plan view is %q", plan)
	}

	// Seal, by the keyboard: focus the button and press Enter.
	s.Run(t, 30*time.Second, chromedp.Focus(`[data-reply-action="seal"]`, chromedp.ByQuery), chromedp.KeyEvent("\r"))
	s.waitFor(t, "the sealed reply", `document.querySelector("[data-reply-output]").value.includes("-----END AGE ENCRYPTED FILE-----")`)
	var armored string
	s.eval(t, `document.querySelector("[data-reply-output]").value`, &armored)
	var readOnly bool
	s.eval(t, `document.querySelector("[data-reply-output]").readOnly && !document.querySelector("[data-reply-result]").hidden`, &readOnly)
	if !readOnly {
		t.Error("the sealed reply is not shown in a read-only field")
	}

	doc, plain, err := reply.Open(strings.NewReader(armored), coordinator)
	if err != nil {
		t.Fatalf("the coordinator cannot open the reply: %v", err)
	}
	if doc.Case != c.ID || doc.Portal != manifest || doc.Language != "en" || doc.Reviewer != replyReviewer ||
		doc.Conclusion != replyConclusion || doc.Workup != replyWorkup || doc.Plan != reply.PlanWithChanges {
		t.Errorf("the reply says %+v", doc)
	}
	if _, err := time.Parse(time.RFC3339, doc.Date); err != nil {
		t.Errorf("date %q: %v", doc.Date, err)
	}
	if len(doc.Answers) != n {
		t.Fatalf("%d answers, want %d", len(doc.Answers), n)
	}
	for _, g := range c.Questions.Groups {
		for _, q := range g.Items {
			a := doc.Answers[q.Number-1]
			if a.Question != q.Number || a.Text != q.Text || a.Answer != replyAnswers[q.Number-1] {
				t.Errorf("answer %d: %+v; want Q%d %q: %q", q.Number, a, q.Number, q.Text, replyAnswers[q.Number-1])
			}
		}
	}
	// caseport reply open prints each answer byte for byte.
	var text strings.Builder
	if err := doc.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if !strings.Contains(text.String(), "\n"+replyAnswers[i]+"\n") {
			t.Errorf("the printed reply lacks answer %d byte for byte", i+1)
		}
	}
	if !json.Valid(plain) {
		t.Error("the plaintext is not JSON")
	}

	// Sealed to another key: refused as not for this coordinator.
	other, _ := age.GenerateHybridIdentity()
	if _, _, err := reply.Open(strings.NewReader(armored), other); !errors.Is(err, reply.ErrNotForThisKey) {
		t.Errorf("opened with another key: %v, want ErrNotForThisKey", err)
	}
	// Altered on the way: one base64 character of the body changed.
	lines := strings.Split(strings.TrimSpace(armored), "\n")
	b := []byte(lines[len(lines)-2])
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	lines[len(lines)-2] = string(b)
	var altered *reply.AlteredError
	if _, _, err := reply.Open(strings.NewReader(strings.Join(lines, "\n")), coordinator); !errors.As(err, &altered) {
		t.Errorf("an altered reply: %v, want *reply.AlteredError", err)
	}

	// Download gives the same text, named reply-....age.
	name, data := s.downloadByKeyboard(t, `[data-reply-action="download"]`)
	if !strings.HasPrefix(name, "reply-") || !strings.HasSuffix(name, ".age") || string(data) != armored {
		t.Errorf("download %q (%d bytes): want reply-….age holding the sealed text", name, len(data))
	}
	checkStorage(true)

	// axe-core on the reply section, sealed output shown.
	if v := s.replyAxe(t); len(v) != 0 {
		t.Errorf("axe on the reply form:\n%s", strings.Join(v, "\n"))
	}

	// Screenshots of the form, for a person to look at.
	shots := os.Getenv("CASEPORT_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	for _, w := range []int64{390, 1280} {
		var png []byte
		s.Run(t, 30*time.Second, chromedp.EmulateViewport(w, 900),
			chromedp.ScrollIntoView("#reply", chromedp.ByQuery),
			chromedp.Screenshot("#reply", &png, chromedp.ByQuery))
		if err := os.WriteFile(filepath.Join(shots, "reply-"+strconv.Itoa(int(w))+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The page fetched nothing but its own files: the unlock page and p/ID.
	for _, u := range s.Requests() {
		if strings.HasPrefix(u, "blob:") || strings.HasPrefix(u, "data:") {
			continue
		}
		rest, ok := strings.CutPrefix(u, srv.URL+"/")
		if !ok || !(rest == "" || strings.HasPrefix(rest, "#") || strings.HasPrefix(rest, "p/") && len(rest) == 28) {
			t.Errorf("the page requested %s, which is not one of the portal's files", u)
		}
	}
	s.noExternalRequests(t)

	// Lock forgets the draft with the key.
	s.Run(t, 30*time.Second, chromedp.Click(".cp-lock", chromedp.ByQuery))
	s.waitFor(t, "the locked page", `document.getElementById("cp-pass")`)
	checkStorage(false)
}

func mapKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// downloadByKeyboard focuses a button, presses Enter, and returns the file
// it downloads. The keyboard, not a click at coordinates, so the portal's
// fixed toolbar can never be what receives it.
func (s *session) downloadByKeyboard(t testing.TB, sel string) (string, []byte) {
	t.Helper()
	s.mu.Lock()
	seen := map[string]bool{}
	for g := range s.done {
		seen[g] = true
	}
	s.mu.Unlock()
	s.Run(t, 10*time.Second, chromedp.Focus(sel, chromedp.ByQuery), chromedp.KeyEvent("\r"))
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		for g := range s.done {
			if name, ok := s.names[g]; ok && !seen[g] {
				s.mu.Unlock()
				data, err := os.ReadFile(filepath.Join(s.downloads, g))
				if err != nil {
					t.Fatal(err)
				}
				return name, data
			}
		}
		s.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("pressing Enter on %s downloaded nothing", sel)
	return "", nil
}

// replyAxe runs axe-core on the reply section only.
func (s *session) replyAxe(t testing.TB) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is missing: run `npm ci` (make bundle does): %v", err)
	}
	var out []string
	s.Run(t, 60*time.Second,
		chromedp.Evaluate(string(src), nil),
		chromedp.Evaluate(`axe.run(document.getElementById("reply"), {resultTypes: ["violations"]}).then(r => r.violations.map(v => v.id + ": " + v.help + " (" + v.nodes.map(n => n.target.join(" ")).join(", ") + ")"))`,
			&out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	return out
}

// TestReplyRussianSingleFile seals a reply from the Russian example built as
// one file opened from disk, where the page may fetch nothing at all.
func TestReplyRussianSingleFile(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	caseDir := filepath.Join("..", "..", "cases", "sarcoma-2026-017")
	const passphrase = "reply-test-russian-portal-long-phrase"
	out := filepath.Join(t.TempDir(), "portal.html")
	store := &keystore.Store{Dir: filepath.Join(t.TempDir(), "keys")}
	if _, err := site.Build(caseDir, out, site.Options{SingleFile: true, Store: store, WorkFactor: 12, Passphrases: map[string]string{"doctor": passphrase}}); err != nil {
		t.Fatal(err)
	}
	coordinator, err := store.Coordinator()
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(t)
	s.open(t, "file://"+out+"#reader=doctor")
	s.enter(t, passphrase, false)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q", st)
	}
	s.waitFor(t, "the reply form, ready to seal", `document.querySelector('[data-reply-action="seal"]') && !document.querySelector('[data-reply-action="seal"]').disabled`)
	if got := strings.TrimSpace(s.text(t, `[data-reply-action="seal"]`)); got != "Запечатать ответ" {
		t.Errorf("seal button %q, want the Russian label", got)
	}
	const answer = "Согласна: «ре-резекция» не нужна."
	s.Run(t, 30*time.Second, setField(`[data-reply-question="Q1"]`, answer),
		chromedp.Focus(`[data-reply-action="seal"]`, chromedp.ByQuery), chromedp.KeyEvent("\r"))
	s.waitFor(t, "the sealed reply", `document.querySelector("[data-reply-output]").value.includes("-----END AGE ENCRYPTED FILE-----")`)
	var armored string
	s.eval(t, `document.querySelector("[data-reply-output]").value`, &armored)
	doc, _, err := reply.Open(strings.NewReader(armored), coordinator)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Language != "ru" || doc.Case != "sarcoma-2026-017" || doc.Answers[0].Answer != answer {
		t.Errorf("reply: language %q case %q first answer %q", doc.Language, doc.Case, doc.Answers[0].Answer)
	}
	for _, u := range s.Requests() {
		if !strings.HasPrefix(u, "file://"+out) && !strings.HasPrefix(u, "blob:") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the single file requested %s", u)
		}
	}
	var png []byte
	s.Run(t, 30*time.Second, chromedp.EmulateViewport(390, 900), chromedp.Screenshot("#reply", &png, chromedp.ByQuery))
	shots := os.Getenv("CASEPORT_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.WriteFile(filepath.Join(shots, "reply-ru-390.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
