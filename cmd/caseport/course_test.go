package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyCourse copies the loader's case that uses every disease-course key.
func copyCourse(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "case")
	if err := os.CopyFS(dir, os.DirFS("../../internal/casedir/testdata/course")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCourseCaseChecksBuildsAndOpens: the case with every added key passes
// check, builds, opens with its passphrase, and shows each key as data.
func TestCourseCaseChecksBuildsAndOpens(t *testing.T) {
	needBundle(t)
	dir := copyCourse(t)
	code, out, errs := runCmd("check", dir)
	if code != exitOK || strings.Contains(out, "Errors") || strings.Contains(out, "Warnings") {
		t.Fatalf("check: exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"ok       The operative report", "ok       The best response of each finished line", "ok       Family history"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}

	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("CASEPORT_PASSPHRASE", "course-test-passphrase-long-enough")
	portalDir := filepath.Join(t.TempDir(), "portal")
	if code, _, stderr := runCmd("build", dir, "-o", portalDir); code != exitOK {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	opened := filepath.Join(t.TempDir(), "opened")
	if code, _, stderr := runCmd("open", portalDir, "-o", opened); code != exitOK {
		t.Fatalf("open: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(opened, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := strings.ReplaceAll(string(b), "\u00a0", " ")
	for key, shown := range map[string]string{
		"[[stage]] (several)":         `<tr class="stage-current">`,
		"stage.basis":                 "<td>CT and endoscopic ultrasound</td>",
		"[[disease_status]]":          `<li id="disease-status-2" class="status status-progressing">`,
		"disease_status.criteria":     "RECIST 1.1",
		"[[metastases]]":              `<li id="metastasis-1"><strong>liver</strong>`,
		"treatments.line":             `<span class="line-no">Line 2</span>`,
		"treatments.status":           `badge-treatment-stopped`,
		"treatments.end_reason":       `<strong class="badge badge-progression">progression</strong>`,
		"treatments.best_response":    "<dd>stable disease</dd>",
		"[[treatments.agents]]":       "<li><strong>Docetaxel</strong> 50 mg/m2</li>",
		"biomarkers.status":           `<strong class="badge badge-marker-pending">pending</strong>`,
		"biomarkers.gene/hgvs":        "<td>TP53 c.524G&gt;A p.R175H</td>",
		"biomarkers.vaf":              "<td>42 %</td>",
		"biomarkers.origin":           "<td>somatic</td>",
		"biomarkers.significance":     "<td>pathogenic</td>",
		"biomarkers.value/unit":       "<td>5 CPS",
		"biomarkers.threshold":        "(threshold &gt;= 5 for first-line nivolumab)",
		"biomarkers.specimen":         "<td>Endoscopic biopsy 2026-08-14</td>",
		"[[assessments]]":             "<td>Weight</td><td>54.5 kg</td>",
		"patient.menopausal_status":   "<dd>postmenopausal</dd>",
		"patient.pregnancy":           "<dd>not pregnant</dd>",
		"patient.fertility":           "<dd>No wish to preserve fertility.</dd>",
		"patient.goals":               "<dt>The patient&#39;s goals</dt>",
		"[[translations]]":            `<span class="translation">translation (Russian, Certified translator, Almaty)`,
		"imaging.compared_with":       `<dt>Compared with</dt><dd><a href="#imaging-1">`,
		"imaging.response":            "<dd>Progressive disease: a new liver lesion</dd>",
		"medications.kind":            `Milk thistle <span class="muted">(supplement)</span>`,
		"glance: progressed on":       "<strong>Progressed on:</strong> FLOT (line 1)",
		"timeline: progression":       `class="tl-entry tl-kind-progression"`,
		"documents: translation file": `<h3 id="docs-translations">Translations</h3>`,
	} {
		if !strings.Contains(page, shown) {
			t.Errorf("%s is not shown in the opened portal (want %q)", key, shown)
		}
	}
	if _, err := os.Stat(filepath.Join(opened, "files")); err != nil {
		t.Errorf("no attachments opened: %v", err)
	}
}

// TestCheckCourseMistakes: each broken variant is named by check with its
// file, line and indexed key.
func TestCheckCourseMistakes(t *testing.T) {
	for _, tt := range []struct {
		name, old, new string
		code           int
		want           string
	}{
		{"bad disease status", `status = "progressing"`, `status = "worse"`, exitFail,
			`case.toml:228: disease_status[1].status: "worse" is not allowed here; allowed: no-evidence, responding, stable, progressing, mixed, not-assessed`},
		{"resulted marker without a result", `result = "CPS 5"`, ``, exitFail,
			`case.toml:67: biomarkers[2].result: missing: a resulted marker needs result`},
		{"treatment with neither end nor status", "line = 2\nstatus = \"ongoing\"", "line = 2", exitOK,
			`case.toml:158: treatments[3].status: neither end nor status: add status = "ongoing", or the end date`},
		{"compared_with naming no study", `compared_with = 2026-08-01`, `compared_with = 2026-07-01`, exitFail,
			`case.toml:111: imaging[2].compared_with: 2026-07-01 is not the date of any [[imaging]] entry`},
		{"bad stage kind", `kind = "clinical"
t = "cT3"
n = "cN1"
m = "cM1"`, `kind = "restaging"
t = "cT3"
n = "cN1"
m = "cM1"`, exitFail, `case.toml:52: stage[2].kind: "restaging" is not allowed here; allowed: clinical, pathological, post-therapy, recurrence`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyCourse(t)
			edit(t, dir, tt.old, tt.new)
			code, out, _ := runCmd("check", dir)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, out)
			}
		})
	}
}
