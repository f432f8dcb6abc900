package casedir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newCourse copies testdata/course, a case that uses every key the
// disease-course additions bring to format 1, and applies edits to it.
func newCourse(t *testing.T, edits ...func(t *testing.T, dir string)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "case")
	if err := os.CopyFS(dir, os.DirFS("testdata/course")); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		e(t, dir)
	}
	return dir
}

func TestCourseCaseLoads(t *testing.T) {
	c, problems := load(t, newCourse(t))
	if problems != nil {
		t.Fatalf("the course example does not load:\n%s", list(problems))
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings:\n%s", list(c.Warnings))
	}
	if len(c.Stages) != 2 || c.Stage != c.CurrentStage() || c.Stage.Group != "IVB" || c.Stage.Key != "stage[2]" || c.Stages[0].Basis != "CT and endoscopic ultrasound" {
		t.Errorf("stages %+v, current %+v", c.Stages, c.Stage)
	}
	if s := c.LatestDiseaseStatus(); s == nil || s.Status != "progressing" || s.Criteria != "RECIST 1.1" || s.Basis != "imaging" || s.Document == nil {
		t.Errorf("latest disease status = %+v (the entries are out of date order in the file)", s)
	}
	if len(c.Metastases) != 1 || c.Metastases[0].Site != "liver" || c.Metastases[0].Date != (Date{2026, 10, 28}) || c.Metastases[0].Document == nil {
		t.Errorf("metastases = %+v", c.Metastases)
	}
	flot := c.Treatments[0]
	if flot.Line != 1 || flot.Status != "stopped" || flot.EndReason != "progression" || flot.BestResponse != "stable" ||
		len(flot.Agents) != 2 || flot.Agents[1] != (Agent{"Oxaliplatin", "85 mg/m2"}) {
		t.Errorf("first line = %+v", flot)
	}
	if lines := c.Lines(); len(lines) != 2 || lines[0].Name != "FLOT" || lines[1].Line != 2 {
		t.Errorf("lines = %+v", lines)
	}
	if p := c.ProgressedOn(); len(p) != 1 || p[0].Name != "FLOT" {
		t.Errorf("progressed on = %+v", p)
	}
	if !c.OngoingTreatment() || c.Treatments[1].Systemic() || !c.Treatments[1].Ended() {
		t.Errorf("ongoing %v, surgery systemic %v ended %v", c.OngoingTreatment(), c.Treatments[1].Systemic(), c.Treatments[1].Ended())
	}
	b := c.Biomarkers
	if !b[0].Resulted() || b[1].Value != 5 || !b[1].HasValue || b[1].Unit != "CPS" || b[1].Threshold == "" || b[1].Specimen == "" {
		t.Errorf("scored marker = %+v", b[1])
	}
	if v := b[2]; v.Gene != "TP53" || v.HGVSc != "c.524G>A" || v.HGVSp != "p.R175H" || v.VAF != 42 || !v.HasVAF || v.Origin != "somatic" || v.Significance != "pathogenic" {
		t.Errorf("variant = %+v", v)
	}
	if b[3].Status != "pending" || b[3].Resulted() || b[4].Status != "not-done" || b[4].Result == "" {
		t.Errorf("pending %+v, not done %+v", b[3], b[4])
	}
	if im := c.Imaging[1]; im.ComparedWith != (Date{2026, 8, 1}) || im.Response == "" {
		t.Errorf("imaging = %+v", im)
	}
	if c.LatestImagingByRegion(c.Imaging[0]) || !c.LatestImagingByRegion(c.Imaging[1]) {
		t.Error("the baseline CT counts as the latest of its region")
	}
	c.Imaging[1].Region = "Abdomen" // another region, but still compared with the first CT
	if c.LatestImagingByRegion(c.Imaging[0]) {
		t.Error("the study named by compared_with counts as the latest of its region")
	}
	c.Imaging[1].ComparedWith = Date{}
	if !c.LatestImagingByRegion(c.Imaging[0]) {
		t.Error("the only study of its region is not the latest")
	}
	if a := c.LatestAssessment("ecog"); a == nil || a.Value != 1 || a.Date != (Date{2026, 11, 10}) {
		t.Errorf("latest ECOG = %+v", a)
	}
	if a := c.LatestPerformance(); a == nil || a.Kind != "karnofsky" {
		t.Errorf("latest performance = %+v", a)
	}
	if w := c.AssessmentsOf("weight"); len(w) != 2 || w[0].Value != 58 || w[1].Value != 54.5 {
		t.Errorf("weights = %+v", w)
	}
	p := c.Patient
	if p.MenopausalStatus != "post" || p.Pregnancy != "not-pregnant" || p.Fertility == "" || p.Goals == "" {
		t.Errorf("patient = %+v", p)
	}
	if c.Medications[1].Kind != "supplement" {
		t.Errorf("medication = %+v", c.Medications[1])
	}
	tr := c.TranslationsOf(c.Pathology[0].Report)
	if len(tr) != 1 || tr[0].Language != "ru" || tr[0].By == "" || tr[0].File.Path != "documents/biopsy-2026-08-14-ru.pdf" {
		t.Errorf("translations = %+v", tr)
	}
	if len(c.Unreferenced) != 0 {
		t.Errorf("unreferenced: %v (a translation counts as referenced)", c.Unreferenced)
	}
}

// TestFormatOneReadsAsBefore: the single [stage] table is the current and
// only staging; a biomarker without status is resulted.
func TestFormatOneReadsAsBefore(t *testing.T) {
	c, problems := load(t, newCase(t))
	if problems != nil {
		t.Fatal(list(problems))
	}
	if len(c.Stages) != 1 || c.Stage != &c.Stages[0] || c.Stage.Key != "stage" || c.Stage.Group != "III" {
		t.Errorf("stages %+v", c.Stages)
	}
	if c.Biomarkers[0].Status != "resulted" {
		t.Errorf("biomarker status %q", c.Biomarkers[0].Status)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings on a format-1 case: %s", list(c.Warnings))
	}
}

func TestCourseRules(t *testing.T) {
	type edits = []func(*testing.T, string)
	tests := []struct {
		name  string
		edits edits
		want  want
	}{
		{"stage: bad kind", edits{replace(`kind = "clinical"
t = "cT3"
n = "cN1"
m = "cM1"`, `kind = "relapse"
t = "cT3"
n = "cN1"
m = "cM1"`)},
			want{line: 52, key: "stage[2].kind", msg: []string{`"relapse" is not allowed`, "recurrence"}}},
		{"stage: several need dates", edits{replace("date = 2026-10-28\nbasis = \"CT 2026-10-28\"", `basis = "CT 2026-10-28"`)},
			want{key: "stage[2].date", msg: []string{"missing", "latest by date"}}},
		{"stage: unknown key in an entry", edits{replace(`basis = "CT 2026-10-28"`, `bases = "CT 2026-10-28"`)},
			want{key: "stage[2].bases", msg: []string{`did you mean "basis"`}}},
		{"disease status: bad status", edits{replace(`status = "progressing"`, `status = "progression"`)},
			want{key: "disease_status[1].status", msg: []string{"not allowed", "no-evidence, responding", `did you mean "progressing"`}}},
		{"disease status: date required", edits{replace("date = 2026-09-30\nstatus = \"responding\"", `status = "responding"`)},
			want{key: "disease_status[2].date", msg: []string{"missing"}}},
		{"disease status: bad basis", edits{replace(`basis = "clinical"`, `basis = "exam"`)},
			want{key: "disease_status[2].basis", msg: []string{"not allowed", "marker"}}},
		{"metastases: site required", edits{replace(`site = "liver"`, ``)},
			want{key: "metastases[1].site", msg: []string{"missing"}}},
		{"treatment: neither end nor status is a warning", edits{replace("line = 2\nstatus = \"ongoing\"", "line = 2")},
			want{}}, // checked below as a warning
		{"treatment: bad status", edits{replace(`status = "ongoing"`, `status = "running"`)},
			want{key: "treatments[3].status", msg: []string{"not allowed", "ongoing, completed, stopped"}}},
		{"treatment: ongoing with an end", edits{replace("line = 2\nstatus = \"ongoing\"", "line = 2\nstatus = \"ongoing\"\nend = 2026-11-20")},
			want{key: "treatments[3].end", msg: []string{"ongoing treatment has no end"}}},
		{"treatment: end reason without an ended status", edits{replace("line = 2\nstatus = \"ongoing\"", "line = 2\nstatus = \"ongoing\"\nend_reason = \"toxicity\"")},
			want{key: "treatments[3].end_reason", msg: []string{`needs status = "completed" or "stopped"`}}},
		{"treatment: end reason with no status", edits{replace("status = \"stopped\"\n", "")},
			want{key: "treatments[1].end_reason", msg: []string{`needs status`}}},
		{"treatment: bad end reason", edits{replace(`end_reason = "progression"`, `end_reason = "progressed"`)},
			want{key: "treatments[1].end_reason", msg: []string{"not allowed", `did you mean "progression"`}}},
		{"treatment: bad best response", edits{replace(`best_response = "stable"`, `best_response = "SD"`)},
			want{key: "treatments[1].best_response", msg: []string{"not allowed", "complete, partial"}}},
		{"treatment: line is a whole number", edits{replace(`line = 1`, `line = "first"`)},
			want{key: "treatments[1].line", msg: []string{"whole number"}}},
		{"treatment: line out of range", edits{replace(`line = 1`, `line = 0`)},
			want{key: "treatments[1].line", msg: []string{"out of range"}}},
		{"agents: name required", edits{replace(`name = "Docetaxel"`, ``)},
			want{key: "treatments[1].agents[1].name", msg: []string{"missing"}}},
		{"agents: unknown key", edits{replace(`dose = "85 mg/m2"`, `doze = "85 mg/m2"`)},
			want{key: "treatments[1].agents[2].doze", msg: []string{`did you mean "dose"`}}},
		{"biomarker: resulted needs a result", edits{replace(`result = "CPS 5"`, ``)},
			want{key: "biomarkers[2].result", msg: []string{"resulted marker needs result", "pending"}}},
		{"biomarker: explicit resulted needs a result", edits{replace("status = \"pending\"", "status = \"resulted\"")},
			want{key: "biomarkers[4].result", msg: []string{"resulted marker needs result"}}},
		{"biomarker: bad status", edits{replace(`status = "not-done"`, `status = "not done"`)},
			want{key: "biomarkers[5].status", msg: []string{"not allowed", `did you mean "not-done"`}}},
		{"biomarker: pending with a value", edits{replace("status = \"pending\"", "status = \"pending\"\nvalue = 3")},
			want{key: "biomarkers[4].value", msg: []string{"pending marker has no result"}}},
		{"biomarker: vaf out of range", edits{replace(`vaf = 42`, `vaf = 142`)},
			want{key: "biomarkers[3].vaf", msg: []string{"out of range", "0 to 100"}}},
		{"biomarker: vaf as text", edits{replace(`vaf = 42`, `vaf = "42%"`)},
			want{key: "biomarkers[3].vaf", msg: []string{"without quotes"}}},
		{"biomarker: bad origin", edits{replace(`origin = "somatic"`, `origin = "tumour"`)},
			want{key: "biomarkers[3].origin", msg: []string{"somatic, germline, unknown"}}},
		{"biomarker: bad significance", edits{replace(`significance = "pathogenic"`, `significance = "likely pathogenic"`)},
			want{key: "biomarkers[3].significance", msg: []string{`did you mean "likely-pathogenic"`}}},
		{"biomarker: value is a number", edits{replace(`value = 5`, `value = "5"`)},
			want{key: "biomarkers[2].value", msg: []string{"without quotes"}}},
		{"assessment: bad kind", edits{replace(`kind = "karnofsky"`, `kind = "kps"`)},
			want{key: "assessments[3].kind", msg: []string{"not allowed", "ecog, karnofsky"}}},
		{"assessment: value required", edits{replace("kind = \"karnofsky\"\nvalue = 80", `kind = "karnofsky"`)},
			want{key: "assessments[3].value", msg: []string{"missing"}}},
		{"assessment: ECOG range", edits{replace("kind = \"ecog\"\nvalue = 1", "kind = \"ecog\"\nvalue = 6")},
			want{key: "assessments[1].value", msg: []string{"not an ECOG grade"}}},
		{"assessment: ECOG whole", edits{replace("kind = \"ecog\"\nvalue = 1", "kind = \"ecog\"\nvalue = 1.5")},
			want{key: "assessments[1].value", msg: []string{"not an ECOG grade"}}},
		{"assessment: Karnofsky steps", edits{replace(`value = 80`, `value = 85`)},
			want{key: "assessments[3].value", msg: []string{"steps of 10"}}},
		{"assessment: weight range", edits{replace(`value = 54.5`, `value = 0`)},
			want{key: "assessments[5].value", msg: []string{"kg is out of range"}}},
		{"assessment: height range", edits{replace(`value = 164`, `value = 1.64`)},
			want{key: "assessments[6].value", msg: []string{"cm is out of range"}}},
		{"assessment: date required", edits{replace("date = 2026-08-20\nkind = \"height\"", `kind = "height"`)},
			want{key: "assessments[6].date", msg: []string{"missing"}}},
		{"patient: menopausal status", edits{replace(`menopausal_status = "post"`, `menopausal_status = "postmenopausal"`)},
			want{key: "patient.menopausal_status", msg: []string{"pre, peri, post"}}},
		{"patient: pregnancy", edits{replace(`pregnancy = "not-pregnant"`, `pregnancy = "no"`)},
			want{key: "patient.pregnancy", msg: []string{"pregnant, not-pregnant, unknown"}}},
		{"translation: original not a record", edits{replace(`original = "pathology/biopsy-2026-08-14.pdf"`, `original = "documents/biopsy-2026-08-14-ru.pdf"`)},
			want{key: "translations[1].original", msg: []string{"not a file any other key"}}},
		{"translation: file required", edits{replace(`file = "documents/biopsy-2026-08-14-ru.pdf"`, ``)},
			want{key: "translations[1].file", msg: []string{"missing"}}},
		{"translation: language required", edits{replace(`language = "ru"`, ``)},
			want{key: "translations[1].language", msg: []string{"missing"}}},
		{"translation: file not found", edits{replace(`file = "documents/biopsy-2026-08-14-ru.pdf"`, `file = "documents/biopsy-ru.pdf"`)},
			want{key: "translations[1].file", msg: []string{"not found"}}},
		{"imaging: compared_with names no study", edits{replace(`compared_with = 2026-08-01`, `compared_with = 2026-08-02`)},
			want{line: 111, key: "imaging[2].compared_with", msg: []string{"not the date of any [[imaging]] entry", "2026-08-01"}}},
		{"imaging: compared_with a later study", edits{replace(`findings = "Antral wall thickening, two perigastric nodes up to 12 mm."`, "findings = \"Antral.\"\ncompared_with = 2026-10-28")},
			want{key: "imaging[1].compared_with", msg: []string{"not before this study"}}},
		{"medication: kind", edits{replace(`kind = "supplement"`, `kind = "herbal"`)},
			want{key: "medications[2].kind", msg: []string{"supplement"}}},
		{"medication: none with others", edits{replace(`name = "Milk thistle"`, `name = "none"`)},
			want{key: "medications[2].name", msg: []string{"other [[medications]] are listed"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, problems := load(t, newCourse(t, tt.edits...))
			if tt.want.key == "" && tt.want.msg == nil {
				if problems != nil {
					t.Fatal(list(problems))
				}
				expect(t, c.Warnings, want{key: "treatments[3].status", line: 158, msg: []string{"neither end nor status", `status = "ongoing"`}})
				if c.Treatments[2].Ongoing() || c.OngoingTreatment() {
					t.Error("a treatment with neither end nor status reads as ongoing")
				}
				return
			}
			if problems == nil {
				t.Fatal("loaded without problems")
			}
			expect(t, problems, tt.want)
		})
	}
}

func TestMedicationsNone(t *testing.T) {
	c, problems := load(t, newCase(t, replace(`name = "Pantoprazole"`, `name = "none"`)))
	if problems != nil {
		t.Fatal(list(problems))
	}
	if c.Medications[0].Name != "none" {
		t.Errorf("medications = %+v", c.Medications)
	}
}

func TestRecurrenceStageKind(t *testing.T) {
	c, problems := load(t, newCase(t, replace(`kind = "clinical"                        # clinical`, `kind = "recurrence"  # clinical`)))
	if problems != nil {
		t.Fatal(list(problems))
	}
	if c.Stage.Kind != "recurrence" {
		t.Errorf("kind %q", c.Stage.Kind)
	}
}

// The course case's line numbers are the rules' anchors: keep them in step.
func TestCourseLines(t *testing.T) {
	b, err := os.ReadFile("testdata/course/case.toml")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for n, want := range map[int]string{52: `kind = "clinical"`, 111: `compared_with = 2026-08-01`} {
		if lines[n-1] != want {
			t.Errorf("line %d is %q, want %q", n, lines[n-1], want)
		}
	}
}

func TestStageNeitherTableNorTables(t *testing.T) {
	_, problems := load(t, newCase(t, replace("[stage]", "[old_stage]"), replace("[patient]", "stage = \"IV\"\n\n[patient]")))
	expect(t, problems, want{key: "stage", line: 8, msg: []string{"[[stage]] entries"}})
}
