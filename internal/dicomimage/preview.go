package dicomimage

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/caseport/caseport/internal/dicomscan"
)

// PreviewOptions tune Previews.
type PreviewOptions struct {
	// Dir is where the preview images are written; the caller removes it.
	Dir string
	// LongSide caps an image's long side in pixels; 1024 when 0.
	LongSide int
	// Budget caps the previews' total size in bytes, as a share of the
	// archive's: 0.25 when 0.
	Budget float64
	// Workers decode in parallel; runtime.GOMAXPROCS when 0.
	Workers int
}

// SeriesPreview is the preview of one series: for each slice (frame) in
// viewing order, one image per window.
type SeriesPreview struct {
	Study, Series int // indices into the summary's Studies and their Series
	// Windows are the windows every slice is rendered in, the first the
	// default; lung and bone are added for CT when the budget allows.
	Windows []Window
	// Slices[k][w] is the file of slice k in window w; "" for a slice
	// that could not be decoded.
	Slices [][]string
	// MediaType is "image/png" or "image/jpeg".
	MediaType     string
	Width, Height int
	// Bytes is the previews' total size.
	Bytes int64
	// Skipped says why the series has no preview ("" when it has one).
	Skipped string
	// Failed counts slices that could not be decoded.
	Failed int
}

// Set is every series' preview of one archive.
type Set struct {
	Series []*SeriesPreview
	// Bytes is the previews' total size; Budget the cap it was made under.
	Bytes, Budget int64
}

// encoding is how a series' slices are written: windows, size, format.
type encoding struct {
	windows  []Window
	longSide int
	format   string // "png" or "jpeg"
	quality  int
}

// Previews renders every decodable series of the archive at archivePath
// (summarised in s) into opt.Dir, one file per slice and window, within a
// size budget. A file that cannot be decoded leaves its slice empty; a
// series with nothing decodable is skipped with the reason. Memory is one
// file's pixel data per worker, whatever the number of slices.
func Previews(archivePath string, archiveSize int64, s *dicomscan.Summary, opt PreviewOptions) (*Set, error) {
	if opt.LongSide == 0 {
		opt.LongSide = 1024
	}
	if opt.Budget == 0 {
		opt.Budget = 0.25
	}
	if opt.Workers == 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	src, err := openArchive(archivePath)
	if err != nil {
		return nil, err
	}
	defer src.close()
	set := &Set{Budget: int64(float64(archiveSize) * opt.Budget)}
	total := max(s.Images(), 1)
	for si, st := range s.Studies {
		for ei, se := range st.Series {
			sp := &SeriesPreview{Study: si, Series: ei}
			set.Series = append(set.Series, sp)
			if !Decodable(se.TransferSyntax) {
				sp.Skipped = SyntaxName(se.TransferSyntax)
				continue
			}
			allowance := set.Budget * int64(se.Images) / int64(total)
			dir := filepath.Join(opt.Dir, fmt.Sprintf("%d-%d", si+1, ei+1))
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("previews: %w", err)
			}
			if err := sp.render(src, se, dir, allowance, opt); err != nil {
				return nil, err
			}
			set.Bytes += sp.Bytes
		}
	}
	return set, nil
}

// job is one frame of one file to render.
type job struct {
	slice, frame int
	inst         dicomscan.Instance
}

func (sp *SeriesPreview) render(src *archive, se *dicomscan.Series, dir string, allowance int64, opt PreviewOptions) error {
	// Slices in viewing order: each instance's frames in turn.
	var jobs []job
	for _, in := range se.Instances {
		for f := range max(in.Frames, 1) {
			jobs = append(jobs, job{slice: len(jobs), frame: f, inst: in})
		}
	}
	sp.Slices = make([][]string, len(jobs))
	// Choose the encoding on the middle slice, which is the most typical,
	// or the nearest one that decodes.
	var enc encoding
	var err error
	for d := 0; d < len(jobs) && d < 8; d++ {
		k := (len(jobs)/2 + d) % len(jobs)
		if enc, err = sp.choose(src, jobs[k], len(jobs), allowance, opt); err == nil || errors.Is(err, ErrUnsupported) {
			break
		}
	}
	if err != nil {
		sp.Skipped = err.Error()
		return nil
	}
	sp.Windows = enc.windows
	sp.MediaType = "image/" + enc.format
	var mu sync.Mutex
	work := make(chan []job)
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for group := range work {
				h, px, err := src.read(group[0].inst.Entry)
				for _, j := range group {
					var files []string
					var n int64
					if err == nil {
						files, n, err = sp.write(h, px, j, enc, dir)
					}
					mu.Lock()
					if err != nil {
						sp.Failed++
					} else {
						sp.Slices[j.slice] = files
						sp.Bytes += n
					}
					mu.Unlock()
				}
			}
		}()
	}
	// One file's frames go to one worker: the file is read once.
	for i := 0; i < len(jobs); {
		k := i
		for k < len(jobs) && jobs[k].inst.Entry == jobs[i].inst.Entry {
			k++
		}
		work <- jobs[i:k]
		i = k
	}
	close(work)
	wg.Wait()
	if sp.Failed == len(jobs) {
		sp.Skipped = "no slice could be decoded"
	}
	return nil
}

// choose picks windows, size and format so that the series fits its
// allowance: PNG or JPEG, whichever is smaller; the CT presets only if
// they fit; then smaller images.
func (sp *SeriesPreview) choose(src *archive, j job, slices int, allowance int64, opt PreviewOptions) (encoding, error) {
	h, px, err := src.read(j.inst.Entry)
	if err != nil {
		return encoding{}, err
	}
	f, err := DecodeFrame(h, px, j.frame)
	if err != nil {
		return encoding{}, err
	}
	def := DefaultWindow(h.Modality, h.HasWindow, h.WindowCenter, h.WindowWidth, f)
	all := []Window{def}
	if h.Modality == "CT" && f.RGB == nil {
		all = append(all, LungWindow, BoneWindow)
	}
	// In order of preference: full size with every window, full size
	// with the default window, then smaller; the first that fits wins,
	// else the smallest.
	var best encoding
	var bestSize int64 = -1
	for _, side := range []int{opt.LongSide, 512, 256} {
		if side > opt.LongSide {
			continue
		}
		img := Fit(f.Gray(def), side)
		format, size := "", 0
		for _, fm := range []string{"png", "jpeg"} {
			b, err := encode(img, fm, 85)
			if err != nil {
				return encoding{}, err
			}
			if format == "" || len(b) < size {
				format, size = fm, len(b)
			}
		}
		for _, ws := range [][]Window{all, all[:1]} {
			total := int64(size) * int64(slices) * int64(len(ws))
			e := encoding{windows: ws, longSide: side, format: format, quality: 85}
			if total <= allowance {
				best, bestSize = e, total
				goto chosen
			}
			if bestSize < 0 || total < bestSize {
				best, bestSize = e, total
			}
		}
	}
chosen:
	img := Fit(f.Gray(def), best.longSide)
	sp.Width, sp.Height = img.Bounds().Dx(), img.Bounds().Dy()
	return best, nil
}

func encode(img image.Image, format string, quality int) ([]byte, error) {
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: quality})
	}
	if err != nil {
		return nil, fmt.Errorf("encoding a preview: %w", err)
	}
	return b.Bytes(), nil
}

// write renders frame j in every window and writes the files.
func (sp *SeriesPreview) write(h *dicomscan.Header, px *dicomscan.Pixels, j job, enc encoding, dir string) ([]string, int64, error) {
	f, err := DecodeFrame(h, px, j.frame)
	if err != nil {
		return nil, 0, err
	}
	var files []string
	var n int64
	for wi, w := range enc.windows {
		img := Fit(f.Gray(w), enc.longSide)
		b, err := encode(img, enc.format, enc.quality)
		if err != nil {
			return nil, 0, err
		}
		name := filepath.Join(dir, fmt.Sprintf("%05d-%d.%s", j.slice+1, wi, enc.format))
		if err := os.WriteFile(name, b, 0o600); err != nil {
			return nil, 0, fmt.Errorf("previews: %w", err)
		}
		files = append(files, name)
		n += int64(len(b))
	}
	return files, n, nil
}

// archive reads the files of a zip, or the one file of a single-file archive.
type archive struct {
	path    string
	zip     *zip.ReadCloser
	entries map[string]*zip.File
}

func openArchive(path string) (*archive, error) {
	a := &archive{path: path}
	zr, err := zip.OpenReader(path)
	if err != nil {
		// Not a zip: a single DICOM file, read whole by read("").
		return a, nil
	}
	a.zip = zr
	a.entries = map[string]*zip.File{}
	for _, f := range zr.File {
		a.entries[f.Name] = f
	}
	return a, nil
}

func (a *archive) close() {
	if a.zip != nil {
		a.zip.Close()
	}
}

// read parses one file with its pixel data.
func (a *archive) read(entry string) (*dicomscan.Header, *dicomscan.Pixels, error) {
	var r io.ReadCloser
	var size int64
	if entry == "" {
		f, err := os.Open(a.path)
		if err != nil {
			return nil, nil, err
		}
		info, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		r, size = f, info.Size()
	} else {
		zf := a.entries[entry]
		if zf == nil {
			return nil, nil, fmt.Errorf("%s: not in the archive", entry)
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, nil, err
		}
		r, size = rc, int64(zf.UncompressedSize64)
	}
	defer r.Close()
	return dicomscan.ReadPixels(bufio.NewReaderSize(r, 256<<10), size)
}
