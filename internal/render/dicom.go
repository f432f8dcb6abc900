package render

import (
	"strconv"
	"strings"
	"time"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/dicomscan"
)

// dicomView is what an imaging study's DICOM archive says, for the imaging
// section: its studies and series, or that it holds no image.
type dicomView struct {
	// Anchor prefixes the ids of the archive's elements ("imaging-2-dicom").
	Anchor   string
	NoImages bool
	NonDICOM int
	Studies  []dicomStudyView
}

type dicomStudyView struct {
	*dicomscan.Study
	Date       casedir.Date
	Modalities string
	Series     []dicomSeriesView
}

type dicomSeriesView struct {
	*dicomscan.Series
	Thickness string // "2.5", "" when absent
}

// scanDICOM reads the archive of every imaging study that has one. One
// archive that cannot be read shows as such; it never fails the render.
func (p *page) scanDICOM() {
	for i := range p.Imaging {
		im := &p.Imaging[i]
		if im.Images == nil {
			continue
		}
		sum, err := dicomscan.Scan(im.Images.Abs, dicomscan.Options{})
		v := &dicomView{Anchor: im.Anchor + "-dicom"}
		im.DICOM = v
		if err != nil {
			v.NoImages = true
			continue
		}
		v.NonDICOM = sum.NonDICOM
		for _, st := range sum.Studies {
			sv := dicomStudyView{Study: st, Modalities: strings.Join(st.Modalities, ", ")}
			if t, err := time.Parse("2006-01-02", st.Date); err == nil {
				sv.Date = casedir.FromTime(t)
			}
			for _, se := range st.Series {
				sev := dicomSeriesView{Series: se}
				if se.SliceThickness > 0 {
					sev.Thickness = strconv.FormatFloat(se.SliceThickness, 'f', -1, 64)
				}
				sv.Series = append(sv.Series, sev)
			}
			v.Studies = append(v.Studies, sv)
		}
	}
}
