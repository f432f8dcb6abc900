package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/dicomimage"
	"github.com/caseport/caseport/internal/dicomscan"
)

// imagingJSON is what check found in one [[imaging]] entry's DICOM archive.
type imagingJSON struct {
	Key   string             `json:"key"`
	File  string             `json:"file"`
	Size  int64              `json:"size"`
	DICOM *dicomscan.Summary `json:"dicom,omitempty"`
	// Previews is what the build will add to the portal for the archive.
	Previews *previewsJSON `json:"previews,omitempty"`
}

// previewsJSON is the size of an archive's previews against their budget.
type previewsJSON struct {
	Bytes     int64    `json:"bytes"`
	Budget    int64    `json:"budget"`
	Images    int      `json:"images"`
	NoPreview []string `json:"no_preview"` // series without previews, with why
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
		ij := imagingJSON{Key: key + ".images", File: im.Images.Path, Size: im.Images.Size, DICOM: sum}
		if err == nil {
			ij.Previews = previewFigures(im.Images, sum)
		}
		r.Imaging = append(r.Imaging, ij)
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

// previewFigures renders the archive's previews as the build will, into a
// temporary folder, to say how large they are.
func previewFigures(a *casedir.Attachment, sum *dicomscan.Summary) *previewsJSON {
	dir, err := os.MkdirTemp("", "caseport-check-previews-")
	if err != nil {
		return nil
	}
	defer os.RemoveAll(dir)
	set, err := dicomimage.Previews(a.Abs, a.Size, sum, dicomimage.PreviewOptions{Dir: dir})
	if err != nil {
		return &previewsJSON{NoPreview: []string{err.Error()}}
	}
	p := &previewsJSON{Bytes: set.Bytes, Budget: set.Budget, NoPreview: []string{}}
	for _, sp := range set.Series {
		se := sum.Studies[sp.Study].Series[sp.Series]
		if sp.Skipped != "" {
			p.NoPreview = append(p.NoPreview, fmt.Sprintf("%s (%s)", seriesLabel(se), sp.Skipped))
			continue
		}
		for _, files := range sp.Slices {
			p.Images += len(files)
		}
	}
	return p
}

func seriesLabel(se *dicomscan.Series) string {
	if se.Description != "" {
		return se.Description
	}
	return fmt.Sprintf("series %d", se.Number)
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
		if p := im.Previews; p != nil {
			fmt.Fprintf(w, "    previews: %s, %s of a budget of %s (a quarter of the archive's %s)\n",
				plural(p.Images, "image", "images"), humanSize(p.Bytes), humanSize(p.Budget), humanSize(im.Size))
			for _, n := range p.NoPreview {
				fmt.Fprintf(w, "    no preview: %s; the images are in the archive\n", n)
			}
		}
	}
}

// humanSize formats a byte count as "18 kB", "1.2 MB".
func humanSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}
