package render

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/dicomimage"
	"github.com/caseport/caseport/internal/dicomscan"
	"github.com/caseport/caseport/internal/portal"
)

// dicomView is what an imaging study's DICOM archive says, for the imaging
// section: its studies and series, or that it holds no image.
type dicomView struct {
	// Anchor prefixes the ids of the archive's elements ("imaging-2-dicom").
	Anchor   string
	NoImages bool
	NonDICOM int
	Studies  []dicomStudyView
	// PreviewBytes is the previews' total size, under PreviewBudget.
	PreviewBytes, PreviewBudget int64
}

type dicomStudyView struct {
	*dicomscan.Study
	Date       casedir.Date
	Modalities string
	Series     []dicomSeriesView
}

// HasPreviews reports whether any series of the study has a preview.
func (st dicomStudyView) HasPreviews() bool {
	for _, se := range st.Series {
		if se.Preview != nil {
			return true
		}
	}
	return false
}

// Label names the series for people: its description, else its number.
func (se dicomSeriesView) Label() string {
	if se.Description != "" {
		return se.Description
	}
	return fmt.Sprintf("#%d", se.Number)
}

type dicomSeriesView struct {
	*dicomscan.Series
	Thickness string // "2.5", "" when absent
	// ID is the viewer's element id; Preview is nil when previews were
	// not made, NoPreview says why a series has none.
	ID        string
	Preview   *previewView
	NoPreview string
}

// previewView is a series' preview images, by portal-internal name.
type previewView struct {
	Windows       []string   // "default", "lung", "bone"
	Slices        [][]string // Slices[k][w]: the name of slice k in window w
	Thumb         string     // the middle slice in the default window
	Width, Height int
	Count         int
	Middle        int // the slice shown first, 1-based
}

// scanDICOM reads the archive of every imaging study that has one and,
// with a previewDir, renders its decodable series to preview images added
// to the tree. One archive or file that cannot be read shows as such; it
// never fails the render.
func (p *page) scanDICOM(tree *portal.Tree, previewDir string) {
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
				sev := dicomSeriesView{Series: se, ID: fmt.Sprintf("%s-%d-%d", v.Anchor, len(v.Studies)+1, len(sv.Series)+1)}
				if se.SliceThickness > 0 {
					sev.Thickness = strconv.FormatFloat(se.SliceThickness, 'f', -1, 64)
				}
				sv.Series = append(sv.Series, sev)
			}
			v.Studies = append(v.Studies, sv)
		}
		if previewDir != "" {
			p.addPreviews(tree, im, sum, filepath.Join(previewDir, im.Anchor))
		}
	}
}

// addPreviews renders the archive's previews into dir and adds them to the
// tree as attachments under dicom/, each sealed as its own payload.
func (p *page) addPreviews(tree *portal.Tree, im *imagingView, sum *dicomscan.Summary, dir string) {
	v := im.DICOM
	set, err := dicomimage.Previews(im.Images.Abs, im.Images.Size, sum, dicomimage.PreviewOptions{Dir: dir})
	if err != nil {
		for si := range v.Studies {
			for ei := range v.Studies[si].Series {
				v.Studies[si].Series[ei].NoPreview = err.Error()
			}
		}
		return
	}
	v.PreviewBytes, v.PreviewBudget = set.Bytes, set.Budget
	for _, sp := range set.Series {
		se := &v.Studies[sp.Study].Series[sp.Series]
		if sp.Skipped != "" {
			se.NoPreview = sp.Skipped
			continue
		}
		pv := &previewView{Width: sp.Width, Height: sp.Height}
		for _, w := range sp.Windows {
			pv.Windows = append(pv.Windows, w.Name)
		}
		for k, files := range sp.Slices {
			var names []string
			for _, f := range files {
				name := fmt.Sprintf("dicom/%s/%d-%d/%s", im.Anchor, sp.Study+1, sp.Series+1, filepath.Base(f))
				tree.Attachments = append(tree.Attachments, &portal.Attachment{
					Name: name, FileName: fmt.Sprintf("slice-%d%s", k+1, filepath.Ext(f)), MediaType: sp.MediaType, Source: f, Size: fileSize(f),
				})
				names = append(names, name)
			}
			if names != nil {
				pv.Slices = append(pv.Slices, names)
			}
		}
		if len(pv.Slices) == 0 {
			se.NoPreview = "no slice could be decoded"
			continue
		}
		pv.Count = len(pv.Slices)
		pv.Middle = len(pv.Slices)/2 + 1
		pv.Thumb = pv.Slices[pv.Middle-1][0]
		se.Preview = pv
	}
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
