package checklist

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/caseport/caseport/content"

	"github.com/caseport/caseport/internal/casedir"
)

var prepared = casedir.Date{Year: 2026, Month: 11, Day: 20}

// complete returns a case with every record the checklist looks for.
func complete(t *testing.T) *casedir.Case {
	t.Helper()
	c, err := casedir.LoadWith("../casedir/testdata/valid", casedir.Options{Today: prepared})
	if err != nil {
		t.Fatal(err)
	}
	// The example's labs and imaging are older than the windows; make them recent.
	c.Labs[0].Date = casedir.Date{Year: 2026, Month: 11, Day: 10}
	c.Imaging[0].Date = casedir.Date{Year: 2026, Month: 10, Day: 28}
	// An organ-function lab beside the example's tumour marker.
	c.Labs = append(c.Labs, casedir.Lab{Date: c.Labs[0].Date, Name: "Creatinine", Value: casedir.LabValue{Number: 70, IsNumber: true}})
	return c
}

func status(t *testing.T, c *casedir.Case, id string) Item {
	t.Helper()
	r, err := Evaluate(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range r.Items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("no item %q", id)
	return Item{}
}

func TestCompleteCaseIsReady(t *testing.T) {
	c := complete(t)
	r, err := Evaluate(c)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Ready() {
		t.Fatalf("not ready: %+v", r.Items)
	}
	for _, it := range r.Items {
		if it.Status == Missing {
			t.Errorf("%s missing: %s", it.ID, it.Detail)
		}
		if it.Title == "" || it.Reason == "" {
			t.Errorf("%s has no title or reason", it.ID)
		}
	}
	if len(r.ByLevel(Required)) != 5 {
		t.Errorf("%d required items, want the format's 5", len(r.ByLevel(Required)))
	}
}

func TestEachRule(t *testing.T) {
	tests := []struct {
		id     string
		edit   func(c *casedir.Case)
		want   Status
		detail string
	}{
		{"pathology-report", func(c *casedir.Case) { c.Pathology[0].Report = nil }, Missing, "[[pathology]]"},
		{"pathology-report", func(c *casedir.Case) { c.Pathology = nil }, Missing, ""},
		{"imaging-report", func(c *casedir.Case) { c.Imaging[0].Report = nil }, Missing, ""},
		{"questions", func(c *casedir.Case) { c.Questions = casedir.Questions{} }, Missing, "questions.md"},
		{"plan", func(c *casedir.Case) { c.Plan = casedir.Plan{} }, Missing, ""},
		{"diagnosis", func(c *casedir.Case) { c.Diagnosis.Date = casedir.Date{} }, Missing, ""},
		{"stage", func(c *casedir.Case) { c.Stage = nil }, Missing, ""},
		{"biomarkers", func(c *casedir.Case) { c.Biomarkers = nil }, Missing, ""},
		{"images-latest", func(c *casedir.Case) { c.Imaging[0].Images, c.Imaging[0].Link = nil, "" }, Missing, "(2026-10-28)"},
		{"images-latest", func(c *casedir.Case) { c.Imaging[0].Images = nil }, Present, ""}, // the viewer link suffices
		{"images-latest", func(c *casedir.Case) {
			old := c.Imaging[0]
			old.Date = casedir.Date{Year: 2026, Month: 1, Day: 5}
			c.Imaging[0].Images, c.Imaging[0].Link = nil, ""
			c.Imaging = append(c.Imaging, old) // an older study with images does not count
		}, Missing, ""},
		{"imaging-recent", func(c *casedir.Case) { c.Imaging[0].Date = casedir.Date{Year: 2026, Month: 8, Day: 1} }, Missing, "2026-08-01, 111 days"},
		{"imaging-recent", func(c *casedir.Case) { c.Imaging[0].Date = casedir.Date{Year: 2026, Month: 8, Day: 22} }, Present, ""}, // 90 days
		{"treatments", func(c *casedir.Case) { c.Treatments = nil }, NotApplicable, ""},
		{"treatments", func(c *casedir.Case) { c.Treatments = nil; c.Events[0].Kind = "treatment" }, Missing, ""},
		{"medications", func(c *casedir.Case) { c.Medications = nil }, Missing, ""},
		{"allergies", func(c *casedir.Case) { c.Allergies = nil }, Missing, "none known"},
		{"labs-recent", func(c *casedir.Case) { c.Labs[1].Date = casedir.Date{Year: 2026, Month: 10, Day: 1} }, Missing, "2026-10-01, 50 days"},
		{"labs-recent", func(c *casedir.Case) { c.Labs = nil }, Missing, "No lab results other than tumour markers"},
		{"labs-recent", func(c *casedir.Case) { c.Labs = c.Labs[:1] }, Missing, "No lab results other than tumour markers"}, // a recent marker alone
		{"labs-recent", func(c *casedir.Case) {
			c.Labs[1].Date = casedir.Date{Year: 2026, Month: 10, Day: 1}
			c.Labs[0].Date = casedir.Date{Year: 2026, Month: 11, Day: 19}
		}, Missing, "2026-10-01"}, // the newer marker does not count
		{"disease-status-recent", func(c *casedir.Case) {}, NotApplicable, ""},
		{"disease-status-recent", func(c *casedir.Case) { c.Treatments[0].Status = "ongoing" }, Missing, "add a [[disease_status]]"},
		{"disease-status-recent", func(c *casedir.Case) {
			c.Treatments[0].Status = "ongoing"
			c.DiseaseStatus = []casedir.DiseaseStatus{{Date: casedir.Date{Year: 2026, Month: 8, Day: 1}, Status: "stable"}}
		}, Missing, "2026-08-01, 111 days"},
		{"disease-status-recent", func(c *casedir.Case) {
			c.Treatments[0].Status = "ongoing"
			c.DiseaseStatus = []casedir.DiseaseStatus{{Date: casedir.Date{Year: 2026, Month: 8, Day: 22}, Status: "stable"}}
		}, Present, ""},
		{"disease-status-recent", func(c *casedir.Case) { c.Treatments[0].End = casedir.Date{} }, NotApplicable, ""}, // no status: not read as ongoing
		{"best-response", func(c *casedir.Case) { c.Treatments[0].Status = "stopped" }, Missing, "[[treatments]] 1 (FLOT)"},
		{"best-response", func(c *casedir.Case) { c.Treatments[0].Status = "completed"; c.Treatments[0].BestResponse = "partial" }, Present, ""},
		{"best-response", func(c *casedir.Case) { c.Treatments[0].Status = "ongoing" }, NotApplicable, ""},
		{"best-response", func(c *casedir.Case) { c.Treatments[0].Status = "completed"; c.Treatments[0].Kind = "surgery" }, NotApplicable, ""},
		{"operative-report", func(c *casedir.Case) {}, NotApplicable, ""},
		{"operative-report", func(c *casedir.Case) {
			c.Treatments = append(c.Treatments, casedir.Treatment{Kind: "surgery", Name: "Gastrectomy"})
		}, Missing, "[[treatments]] 2, Gastrectomy"},
		{"operative-report", func(c *casedir.Case) {
			c.Treatments = append(c.Treatments, casedir.Treatment{Kind: "surgery", Name: "Gastrectomy", Document: c.Plan.Document})
		}, Present, ""},
		{"operative-report", func(c *casedir.Case) {
			c.Treatments = append(c.Treatments, casedir.Treatment{Kind: "surgery", Name: "Gastrectomy"})
			c.Documents[0].Kind = "operative"
		}, Present, ""},
		{"family-history", func(c *casedir.Case) { c.History.Family = "" }, Missing, "history.family"},
		{"symptoms", func(c *casedir.Case) { c.History.Symptoms = "" }, Missing, "history.symptoms"},
		{"imaging-recent", func(c *casedir.Case) { c.Imaging = nil }, Missing, "No imaging study is recorded"},
		{"material-status", func(c *casedir.Case) { c.Pathology[0].Material = nil }, NotApplicable, ""},
		{"material-status", func(c *casedir.Case) {
			c.Pathology[0].Material = nil
			c.Request.Reason = "Please arrange a pathology review of the biopsy."
		}, Missing, "[[pathology]] 1 (2026-08-14)"},
		{"material-status", func(c *casedir.Case) {
			c.Pathology[0].Material = nil
			c.Questions.Source = []byte("- Можно ли сделать пересмотр стекол?")
		}, Missing, ""},
		{"material-status", func(c *casedir.Case) {
			c.Pathology[0].Material = nil
			c.Questions.Source = []byte("- Где сейчас стёкла и блоки?")
		}, Missing, ""},
		{"material-status", func(c *casedir.Case) { c.Request.Reason = "Review the slides." }, Present, ""},
		{"material-status", func(c *casedir.Case) {
			c.Request.Reason = "Please review the slides."
			c.Pathology = append(c.Pathology, casedir.Pathology{Kind: "review", Date: casedir.Date{Year: 2026, Month: 10}})
		}, Present, ""}, // a review entry has no material of its own
		{"material-status", func(c *casedir.Case) {
			c.Pathology[0].Material = nil
			c.Questions.Source = []byte("- Which tissue blocks should I bring to the visit?")
		}, NotApplicable, ""}, // mentioning blocks is not asking for a review
		{"summary", func(c *casedir.Case) { c.Summary = nil }, Missing, "summary.md"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			c := complete(t)
			tt.edit(c)
			it := status(t, c, tt.id)
			if it.Status != tt.want {
				t.Fatalf("status %s, want %s (detail %q)", it.Status, tt.want, it.Detail)
			}
			if !strings.Contains(it.Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", it.Detail, tt.detail)
			}
		})
	}
}

func TestMissingRequiredMeansNotReady(t *testing.T) {
	c := complete(t)
	c.Pathology = nil
	r, _ := Evaluate(c)
	if r.Ready() {
		t.Fatal("ready without a pathology report")
	}
	c = complete(t)
	c.Stage = nil
	if r, _ := Evaluate(c); !r.Ready() {
		t.Fatal("a missing recommended record made the case not ready")
	}
}

func TestTranslated(t *testing.T) {
	c := complete(t)
	c.Language = "ru-RU"
	c.Imaging[0].Date = casedir.Date{Year: 2026, Month: 8, Day: 1}
	it := status(t, c, "imaging-recent")
	if it.Title != "Исследования за последние 90 дней" || !strings.Contains(it.Detail, "111 дн.") {
		t.Errorf("not translated or not filled: %+v", it)
	}
	if missing, err := Untranslated("ru"); err != nil || len(missing) != 0 {
		t.Errorf("untranslated ru items: %v %v", missing, err)
	}
	if missing, _ := Untranslated("tr"); len(missing) != 20 {
		t.Errorf("Untranslated(tr) = %d items, want all 20", len(missing))
	}
}

// TestQuestionBankAsksForAPathologyReview: the bank's own question about
// the slides and blocks, in each language, must ask for their status.
func TestQuestionBankAsksForAPathologyReview(t *testing.T) {
	for lang, marker := range map[string]string{"en": "slides or blocks", "ru": "стёкла или блоки"} {
		b, err := fs.ReadFile(content.FS, "questions/"+lang+".md")
		if err != nil {
			t.Fatal(err)
		}
		var question string
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, marker) {
				question = line
			}
		}
		if question == "" {
			t.Fatalf("%s: the question bank no longer has its question with %q", lang, marker)
		}
		c := complete(t)
		c.Pathology[0].Material = nil
		c.Request.Reason = ""
		c.Questions.Source = []byte(question + "\n")
		if it := status(t, c, "material-status"); it.Status != Missing {
			t.Errorf("%s: %q does not ask for the slides-and-blocks record (status %s)", lang, question, it.Status)
		}
	}
}
