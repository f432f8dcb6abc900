package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/dicomscan"
)

// imagingJSON is what check found in one [[imaging]] entry's DICOM archive.
type imagingJSON struct {
	Key   string             `json:"key"`
	File  string             `json:"file"`
	Size  int64              `json:"size"`
	DICOM *dicomscan.Summary `json:"dicom,omitempty"`
}

// checkImaging reads the DICOM archive of every [[imaging]] entry that has
// one and compares it with the entry: findings become errors and warnings
// of the report, the summaries go to check --json.
func checkImaging(cs *casedir.Case, r *checkReport) {
	r.Imaging = []imagingJSON{}
	for i, im := range cs.Imaging {
		if im.Images == nil {
			continue
		}
		key := fmt.Sprintf("imaging[%d]", i+1)
		sum, err := dicomscan.Scan(im.Images.Abs, dicomscan.Options{})
		r.Imaging = append(r.Imaging, imagingJSON{Key: key + ".images", File: im.Images.Path, Size: im.Images.Size, DICOM: sum})
		for _, f := range dicomscan.Compare(sum, err, im.Date.String(), im.Modality) {
			p := problemJSON{File: "case.toml", Key: key + "." + f.Field, Message: f.Message}
			if f.Error {
				r.Errors = append(r.Errors, p)
			} else {
				r.Warnings = append(r.Warnings, p)
			}
		}
	}
}

// printImaging says in a line per archive what its headers hold.
func printImaging(w io.Writer, r *checkReport) {
	if len(r.Imaging) == 0 {
		return
	}
	fmt.Fprintf(w, "\nDICOM archives (%d):\n", len(r.Imaging))
	for _, im := range r.Imaging {
		fmt.Fprintf(w, "  %s %s: ", im.Key, im.File)
		s := im.DICOM
		if s == nil || s.Images() == 0 {
			fmt.Fprintln(w, "no DICOM image")
			continue
		}
		series := 0
		for _, st := range s.Studies {
			series += len(st.Series)
		}
		var studies []string
		for _, st := range s.Studies {
			studies = append(studies, strings.TrimSpace(strings.Join(st.Modalities, "/")+" "+st.Date))
		}
		fmt.Fprintf(w, "%s, %s, %s (%s)\n", plural(len(s.Studies), "study", "studies"),
			plural(series, "series", "series"), plural(s.Images(), "image", "images"), strings.Join(studies, "; "))
	}
}
