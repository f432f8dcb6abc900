package dicomscan

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Finding is one difference between an archive and the [[imaging]] entry
// that attaches it.
type Finding struct {
	// Field is the key of the entry it concerns: "date", "modality" or "images".
	Field string
	// Error is true for an archive that cannot be what the entry says (no
	// DICOM in it); other findings are warnings.
	Error   bool
	Message string
}

// caseModalities maps case.toml's modality values to the DICOM Modality
// codes (PS3.3 C.7.3.1.1.1) an archive of that kind holds. "other" and
// unknown values expect nothing in particular.
var caseModalities = map[string][]string{
	"CT":        {"CT"},
	"MRI":       {"MR"},
	"PET-CT":    {"PT", "CT"},
	"PET":       {"PT"},
	"US":        {"US"},
	"X-ray":     {"CR", "DX", "RF", "XA"},
	"mammogram": {"MG"},
	"endoscopy": {"ES"},
	"bone-scan": {"NM"},
}

// Compare checks a scan against its [[imaging]] entry's date (YYYY-MM-DD)
// and modality (a case.toml value such as "CT" or "PET-CT"). scanErr is
// Scan's error, if any; s may then be nil.
func Compare(s *Summary, scanErr error, date, modality string) []Finding {
	var out []Finding
	if scanErr != nil {
		msg := fmt.Sprintf("the archive cannot be read: %v; attach the DICOM archive as the hospital gave it (a zip of DICOM files, or a DICOM file)", scanErr)
		if errors.Is(scanErr, ErrNoDICOM) {
			msg = fmt.Sprintf("the archive has no DICOM image in it (%s); attach the DICOM archive as the hospital gave it, or move this file to report or [[documents]]", s.contents())
		}
		return []Finding{{Field: "images", Error: true, Message: msg}}
	}
	for i, st := range s.Studies {
		if st.Date != "" && date != "" && st.Date != date {
			out = append(out, Finding{Field: "date", Message: fmt.Sprintf(
				"the archive's %s is dated %s in its DICOM headers, the entry %s; check which is right", s.studyName(i), st.Date, date)})
		}
	}
	if want, ok := caseModalities[modality]; ok {
		var other []string
		seen := map[string]bool{}
		for _, st := range s.Studies {
			for _, m := range st.Modalities {
				if !contains(want, m) && !seen[m] {
					seen[m] = true
					other = append(other, m)
				}
			}
		}
		sort.Strings(other)
		if len(other) > 0 {
			out = append(out, Finding{Field: "modality", Message: fmt.Sprintf(
				"the archive's DICOM headers give modality %s, the entry says %s (DICOM %s); check that it is the right archive, or give each study its own [[imaging]] entry",
				strings.Join(other, ", "), modality, strings.Join(want, " or "))})
		}
	}
	if s.NonDICOM > 0 {
		out = append(out, Finding{Field: "images", Message: fmt.Sprintf(
			"%s in the archive %s not DICOM (%s); they stay in the download, but have no preview",
			plural(s.NonDICOM, "file", "files"), isAre(s.NonDICOM), strings.Join(s.nonDICOMList(), ", "))})
	}
	if s.Unreadable > 0 {
		out = append(out, Finding{Field: "images", Message: fmt.Sprintf(
			"%s in the archive could not be read as DICOM (first: %s); they stay in the download, but have no preview",
			plural(s.Unreadable, "file", "files"), s.FirstError)})
	}
	if len(s.Identifying) > 0 {
		out = append(out, Finding{Field: "images", Message: fmt.Sprintf(
			"the DICOM headers hold identifying data (%s); the portal is sealed, but whoever opens it can read them; anonymise the archive first if the reviewer should not",
			strings.Join(s.Identifying, ", "))})
	}
	return out
}

// studyName names study i for messages: "study" when it is the only one,
// else "study 2 (CT chest)".
func (s *Summary) studyName(i int) string {
	if len(s.Studies) == 1 {
		if d := s.Studies[0].Description; d != "" {
			return fmt.Sprintf("study (%s)", d)
		}
		return "study"
	}
	if d := s.Studies[i].Description; d != "" {
		return fmt.Sprintf("study %d (%s)", i+1, d)
	}
	return fmt.Sprintf("study %d", i+1)
}

func (s *Summary) nonDICOMList() []string {
	names := append([]string(nil), s.NonDICOMNames...)
	if s.NonDICOM > len(names) {
		names = append(names, "…")
	}
	return names
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
