package render

import (
	"regexp"
	"strings"
	"testing"

	"github.com/caseport/caseport/internal/casedir"
)

const courseDir = "../casedir/testdata/course"

// section returns the HTML of one section of the page.
func section(t *testing.T, html, id string) string {
	t.Helper()
	i := strings.Index(html, `<section id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no section #%s", id)
	}
	return html[i : i+strings.Index(html[i:], "</section>")]
}

func containsEach(t *testing.T, where, html string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		w = strings.ReplaceAll(w, "&nbsp;", "\u00a0") // the page writes the character itself
		if !strings.Contains(html, w) {
			t.Errorf("%s lacks %q", where, w)
		}
	}
}

// TestCourseSections renders the case that uses every disease-course key
// and finds each key shown as data.
func TestCourseSections(t *testing.T) {
	html := index(t, renderCase(t, loadCase(t, courseDir)))

	diag := section(t, html, "diagnosis")
	containsEach(t, "the diagnosis section", diag,
		// every staging in date order, the latest marked current, with kind, system and basis
		`<tr><th scope="row"><time datetime="2026-08-30">30&nbsp;Aug&nbsp;2026</time></th><td>clinical</td><td>cT3</td><td>cN1</td><td>cM0</td><td>III</td><td>AJCC 8th</td><td>CT and endoscopic ultrasound</td></tr>`,
		`<tr class="stage-current"><th scope="row"><time datetime="2026-10-28">28&nbsp;Oct&nbsp;2026</time> <strong class="badge badge-info">current</strong></th><td>clinical</td><td>cT3</td><td>cN1</td><td>cM1</td><td>IVB</td>`,
		`<li id="metastasis-1"><strong>liver</strong>, found <time datetime="2026-10-28">`,
		`<li id="disease-status-1" class="status status-responding">`,
		`<li id="disease-status-2" class="status status-progressing"><span class="status-date"><time datetime="2026-10-28">`,
		`by imaging</span> <span class="muted">· RECIST 1.1</span>`,
		// structured biomarker columns
		`<th scope="col">Variant</th>`, `<td>TP53 c.524G&gt;A p.R175H</td><td>42&nbsp;%</td><td>somatic</td><td>pathogenic</td>`,
		`<td>5&nbsp;CPS <span class="muted">(threshold &gt;= 5 for first-line nivolumab)</span></td><td>Endoscopic biopsy 2026-08-14</td>`,
		// pending and not done are marked as such, never as a result
		`<tr class="biomarker-pending"><th scope="row">CLDN18.2</th><td><strong class="badge badge-marker-pending">pending</strong></td>`,
		`<tr class="biomarker-not-done"><th scope="row">MSI</th><td><strong class="badge badge-marker-not-done">not done</strong> <span class="muted">Not enough tissue left in the block.</span></td>`,
	)
	if i, j := strings.Index(diag, "2026-08-30"), strings.Index(diag, `class="stage-current"`); i < 0 || j < i {
		t.Error("the stagings are not in date order")
	}

	glance := section(t, html, "glance")
	containsEach(t, "the first screen", glance,
		`cT3 cN1 cM1, stage IVB</a> (clinical), <time datetime="2026-10-28">`, // the current (latest) staging
		`<strong class="badge badge-disease-progressing">progressing</strong></a>, <time datetime="2026-10-28">`,
		`<strong>Progressed on:</strong> FLOT (line 1)`,
		`Karnofsky 80&nbsp;%, <time datetime="2026-11-10">`,
		`<strong>CLDN18.2</strong>: <em class="marker-pending">pending</em>`,
		`5&nbsp;Nov&nbsp;2026</time> – ongoing`,
	)
	if strings.Contains(glance, "cM0, stage III</a>") {
		t.Error("the first screen shows the first staging, not the current one")
	}

	tr := section(t, html, "treatments")
	containsEach(t, "the treatments section", tr,
		`<span class="line-no">Line 1</span> FLOT`, `<span class="line-no">Line 2</span> Paclitaxel &#43; ramucirumab`,
		`<li><strong>Docetaxel</strong> 50 mg/m2</li>`, `<li><strong>Ramucirumab</strong> 8 mg/kg days 1 and 15</li>`,
		`<dt>Best response</dt><dd>stable disease</dd>`,
		`<dt>Why it ended</dt><dd><strong class="badge badge-progression">progression</strong></dd>`,
		`<strong class="badge badge-treatment-stopped">stopped</strong>`,
	)

	as := section(t, html, "assessments")
	containsEach(t, "the assessments section", as,
		`<strong>ECOG 1</strong>, <time datetime="2026-11-10">10&nbsp;Nov&nbsp;2026</time>; <strong>Karnofsky 80&nbsp;%</strong>`,
		"−3.5&nbsp;kg (−6.0&nbsp;%) since 20&nbsp;Aug&nbsp;2026",
		"<dd>1.58 m²</dd>",
		`<td>Weight</td><td>54.5 kg</td>`,
	)
	if !strings.Contains(html, `<li><a href="#assessments">Performance and weight</a></li>`) {
		t.Error("no navigation link to the assessments")
	}

	im := section(t, html, "imaging")
	containsEach(t, "the imaging section", im,
		`<dt>Compared with</dt><dd><a href="#imaging-1">CT, 1&nbsp;Aug&nbsp;2026</a></dd></div>`,
		`<dt>Response</dt><dd>Progressive disease: a new liver lesion</dd>`)
	if strings.Contains(im, "may be out of date") {
		t.Error("the baseline the latest CT was compared with carries the out-of-date badge")
	}

	hist := section(t, html, "history")
	containsEach(t, "the history section", hist, "<dt>The patient&#39;s goals</dt>", "<dd>postmenopausal</dd>", "<dd>not pregnant</dd>", "<dt>Fertility</dt>")
	containsEach(t, "the medications", section(t, html, "medications"), `Milk thistle <span class="muted">(supplement)</span>`)

	path := section(t, html, "pathology")
	if !regexp.MustCompile(`biopsy-2026-08-14\.pdf</a> <span class="file-meta">\([^)]*\)</span> <span class="translation">translation \(Russian, Certified translator, Almaty\): <a class="file" href="files/\d+/biopsy-2026-08-14-ru\.pdf"`).MatchString(path) {
		t.Errorf("the translation is not beside its original:\n%s", path)
	}
	containsEach(t, "the documents", section(t, html, "documents"), `<h3 id="docs-translations">Translations</h3>`)

	tl := section(t, html, "timeline")
	containsEach(t, "the timeline", tl,
		`tl-kind-stage`, "cT3 cN1 cM0, stage III, clinical", "cT3 cN1 cM1, stage IVB, clinical",
		`class="tl-entry tl-kind-progression"`, "progressing: New liver lesion, 14 mm.",
		`class="tl-entry tl-kind-disease-status"`,
		`class="tl-entry tl-kind-metastasis"`, "liver: Segment 6, 14 mm.",
		"Started line 2: Paclitaxel &#43; ramucirumab", "Stopped FLOT: progression",
		"CLDN18.2: pending",
		`<polygon class="tl-dot tl-progression"`, // the progression drawn distinctly
	)
	if n := strings.Count(tl, "tl-progression"); n != 1 {
		t.Errorf("%d progression marks in the drawing, want 1", n)
	}
}

// TestTreatmentNeverGuessedOngoing: a treatment with neither an end nor a
// status reads "end not given", never "ongoing".
func TestTreatmentNeverGuessedOngoing(t *testing.T) {
	c := loadCase(t, courseDir)
	c.Treatments[2].Status = ""
	html := index(t, renderCase(t, c))
	for _, id := range []string{"glance", "treatments"} {
		sec := section(t, html, id)
		if !strings.Contains(sec, "5\u00a0Nov\u00a02026</time> – <span class=\"muted\">end not given</span>") {
			t.Errorf("#%s does not say the end is not given", id)
		}
		if strings.Contains(sec, "– ongoing") {
			t.Errorf("#%s guesses ongoing", id)
		}
	}
	if !strings.Contains(html, "<title>Paclitaxel + ramucirumab, 5\u00a0Nov\u00a02026 – end not given</title>") || !strings.Contains(html, `class="tl-bar tl-end-unknown"`) {
		t.Error("the timeline's bar calls a treatment with neither end nor status ongoing")
	}
	c.Treatments[0].End = casedir.Date{}
	html = index(t, renderCase(t, c))
	containsEach(t, "a stopped line without an end date", section(t, html, "treatments"), "– stopped, end date not given")
}

// TestStaleBadgeOnlyOnLatestOfRegion: with both CTs old, only the later one
// says it may be out of date.
func TestStaleBadgeOnlyOnLatestOfRegion(t *testing.T) {
	c := loadCase(t, courseDir)
	c.PreparedOn = casedir.Date{Year: 2027, Month: 6, Day: 1}
	html := index(t, renderCase(t, c))
	im := section(t, html, "imaging")
	latest := im[strings.Index(im, `<article id="imaging-2"`):strings.Index(im, `<article id="imaging-1"`)]
	if !strings.Contains(latest, "may be out of date") {
		t.Error("the latest study of the region has no out-of-date badge")
	}
	if strings.Count(im, "may be out of date") != 1 {
		t.Errorf("%d out-of-date badges, want 1", strings.Count(im, "may be out of date"))
	}
}

func TestCourseSectionsInRussian(t *testing.T) {
	c := loadCase(t, courseDir)
	c.Language = "ru"
	html := index(t, renderCase(t, c))
	containsEach(t, "the Russian page", html,
		"Все стадирования, от раннего к позднему", "<strong class=\"badge badge-info\">текущая</strong>",
		"Состояние болезни во времени", "прогрессирование", "Метастазы",
		"<span class=\"line-no\">2-я линия</span>", "Лучший ответ", "Причина окончания",
		"<strong class=\"badge badge-marker-pending\">ожидается</strong>", "не выполнено",
		"Общее состояние и вес", "−3,5&nbsp;kg (−6,0&nbsp;%) с 20&nbsp;авг.",
		"В сравнении с", "перевод (русский", "Прогрессирование на фоне", "Цели пациента", "БАД",
	)
	if m, _ := MissingStrings("ru"); len(m) > 0 {
		t.Errorf("Russian lacks %v", m)
	}
}
