package casedir

import "sort"

// The disease course: accessors that answer a reviewer's first questions
// from the dated records (stagings, disease status, lines of treatment,
// assessments). They never guess: a record that does not say something is
// not read as saying it.

// CurrentStage returns the latest staging by date, or nil when the case has
// none. It is the same staging as Case.Stage.
func (c *Case) CurrentStage() *Stage {
	if len(c.Stages) == 0 {
		return c.Stage // a Case built by hand may set only Stage
	}
	return &c.Stages[len(c.Stages)-1]
}

// LatestDiseaseStatus returns the latest [[disease_status]] by date, or nil
// when there is none.
func (c *Case) LatestDiseaseStatus() *DiseaseStatus {
	if len(c.DiseaseStatus) == 0 {
		return nil
	}
	return &c.DiseaseStatus[len(c.DiseaseStatus)-1]
}

// LatestAssessment returns the latest [[assessments]] entry of kind ("ecog",
// "karnofsky", "weight", "height", "other"), or nil when there is none.
func (c *Case) LatestAssessment(kind string) *Assessment {
	for i := len(c.Assessments) - 1; i >= 0; i-- {
		if c.Assessments[i].Kind == kind {
			return &c.Assessments[i]
		}
	}
	return nil
}

// LatestPerformance returns the latest ECOG or Karnofsky assessment, or nil
// when there is neither.
func (c *Case) LatestPerformance() *Assessment {
	for i := len(c.Assessments) - 1; i >= 0; i-- {
		if k := c.Assessments[i].Kind; k == "ecog" || k == "karnofsky" {
			return &c.Assessments[i]
		}
	}
	return nil
}

// AssessmentsOf returns the [[assessments]] of one kind, in date order.
func (c *Case) AssessmentsOf(kind string) []Assessment {
	var out []Assessment
	for _, a := range c.Assessments {
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}

// systemicKinds are the treatment kinds that are systemic therapy, counted
// in lines.
var systemicKinds = []string{"chemotherapy", "immunotherapy", "targeted", "hormonal"}

// Systemic reports whether the treatment is a systemic therapy: a drug
// treatment (chemotherapy, immunotherapy, targeted, hormonal) or one given a
// line number.
func (t Treatment) Systemic() bool { return t.Line > 0 || contains(systemicKinds, t.Kind) }

// Ended reports whether the treatment is over: status completed or
// stopped, or an end date given.
func (t Treatment) Ended() bool {
	return t.Status == "completed" || t.Status == "stopped" || !t.End.IsZero()
}

// Ongoing reports whether the case says the treatment is ongoing (status
// "ongoing"). A treatment with neither an end nor a status is not ongoing:
// it is unknown, and check reports it.
func (t Treatment) Ongoing() bool { return t.Status == "ongoing" }

// Lines returns the systemic treatments in order: by line number where
// given, then by start date.
func (c *Case) Lines() []Treatment {
	var out []Treatment
	for _, t := range c.Treatments {
		if t.Systemic() {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Line != b.Line && a.Line > 0 && b.Line > 0 {
			return a.Line < b.Line
		}
		return a.Start.Compare(b.Start) < 0
	})
	return out
}

// ProgressedOn returns the systemic treatments that ended in progression
// (end_reason = "progression"), in line order: what the disease progressed on.
func (c *Case) ProgressedOn() []Treatment {
	var out []Treatment
	for _, t := range c.Lines() {
		if t.EndReason == "progression" {
			out = append(out, t)
		}
	}
	return out
}

// OngoingTreatment reports whether any treatment has status "ongoing".
func (c *Case) OngoingTreatment() bool {
	for _, t := range c.Treatments {
		if t.Ongoing() {
			return true
		}
	}
	return false
}

// TranslationsOf returns the translations of the attachment a, in file order.
func (c *Case) TranslationsOf(a *Attachment) []Translation {
	var out []Translation
	for _, t := range c.Translations {
		if a != nil && t.Original == a {
			out = append(out, t)
		}
	}
	return out
}

// LatestImagingByRegion reports whether im is the latest [[imaging]] study of
// its region (the same region text, or the same modality when the region is
// not given) and no later study's baseline (named by its compared_with):
// only such a study can be out of date, never a baseline that a later study
// was compared against.
func (c *Case) LatestImagingByRegion(im Imaging) bool {
	key := func(x Imaging) string {
		if x.Region != "" {
			return "r:" + x.Region
		}
		return "m:" + x.Modality
	}
	for _, other := range c.Imaging {
		if other.Date.Compare(im.Date) <= 0 {
			continue
		}
		if key(other) == key(im) || other.ComparedWith == im.Date {
			return false
		}
	}
	return true
}

// AllStages returns every staging in date order: Stages, or the one Stage
// of a Case built by hand without Stages.
func (c *Case) AllStages() []Stage {
	if len(c.Stages) == 0 && c.Stage != nil {
		return []Stage{*c.Stage}
	}
	return c.Stages
}
