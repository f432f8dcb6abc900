package render

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The reply form: one field per question with its text, the four fields of
// the reply, the seal button disabled with the preview's note (reply.js
// enables it in the sealed portal), and nothing that runs or styles inline.
func TestReplyForm(t *testing.T) {
	c := loadCase(t, "testdata/cases/minimal-ru")
	html := index(t, renderCase(t, c))
	n := c.Questions.Count()
	if n == 0 {
		t.Fatal("the test case has no questions")
	}
	for _, g := range c.Questions.Groups {
		for _, q := range g.Items {
			num := strconv.Itoa(q.Number)
			field := `<textarea id="reply-q` + num + `" rows="4" data-reply-question="Q` + num + `" data-reply-text="` + escapeText(q.Text) + `">`
			if !strings.Contains(html, field) {
				t.Errorf("no answer field for Q%s with its question text; want %s", num, field)
			}
			if !strings.Contains(html, `<label for="reply-q`+num+`"><span class="qnum">Q`+num+`</span> <span class="reply-qtext">`+escapeText(q.Text)+`</span></label>`) {
				t.Errorf("the field of Q%s has no label with its question", num)
			}
		}
	}
	for _, want := range []string{`data-reply-field="conclusion"`, `data-reply-field="plan"`, `data-reply-field="workup"`, `data-reply-field="reviewer"`,
		`value="agree"`, `value="agree-with-changes"`, `value="disagree"`, `value="cannot-say"`,
		`data-reply-action="seal" disabled`, `data-reply-output`, `data-reply-action="copy"`, `data-reply-action="download"`,
		`data-reply-case="` + c.ID + `"`, `<li><a href="#reply">Ваш ответ</a></li>`, `Запечатать ответ`, `data-reply-note`} {
		if !strings.Contains(html, want) {
			t.Errorf("the reply form lacks %s", want)
		}
	}
	section := html[strings.Index(html, `<section id="reply"`):]
	section = section[:strings.Index(section, "</section>")]
	if regexp.MustCompile(`(?i)<script|\sstyle=|\son[a-z]+=`).MatchString(section) {
		t.Error("the reply section holds a script, a style attribute or a handler")
	}
	if i, j := strings.Index(html, `id="questions"`), strings.Index(html, `id="reply"`); i < 0 || j < i {
		t.Error("the reply section does not follow the questions")
	}
}

func TestReplyFormLeftOut(t *testing.T) {
	c := loadCase(t, "testdata/cases/minimal-ru")
	c.Reply.Enabled = false
	html := index(t, renderCase(t, c))
	if strings.Contains(html, "data-reply") || strings.Contains(html, `href="#reply"`) {
		t.Error("enabled = false still renders the reply form or its link")
	}
}
