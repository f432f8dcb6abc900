package dicomimage

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/dicomscan"
	"github.com/caseport/caseport/internal/synth"
)

// DCMTK makes the test inputs from our synthetic slices and from images
// ImageMagick draws, and dcmj2pnm decodes the same frames: ours must match
// DCMTK's within rounding (a little more for JPEG, whose decoders differ
// in their inverse DCT).

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
}

func writeSynth(t *testing.T, path string, s synth.Study, i int) {
	t.Helper()
	var b bytes.Buffer
	if err := synth.DICOMSlice(&b, s, i); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// inputs builds every test file in dir and returns name → path.
func inputs(t *testing.T, dir string) map[string]string {
	p := func(n string) string { return filepath.Join(dir, n) }
	ct := synth.Study{Seed: "dcmtk", Date: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), Modality: "CT", Slices: 5, Size: 64}
	mr := ct
	mr.Modality = "MR"
	writeSynth(t, p("ct16.dcm"), ct, 2)
	writeSynth(t, p("mr16.dcm"), mr, 2)
	run(t, "dcmconv", "+ti", p("ct16.dcm"), p("ct16-implicit.dcm"))
	run(t, "dcmconv", "+tb", p("ct16.dcm"), p("ct16-big.dcm"))
	run(t, "dcmcrle", p("ct16.dcm"), p("ct16-rle.dcm"))
	// Signed: with 11 bits stored, values of 1024 and above read as negative.
	run(t, "cp", p("ct16.dcm"), p("ct16-signed.dcm"))
	run(t, "dcmodify", "-nb", "-m", "(0028,0101)=11", "-m", "(0028,0102)=10", "-m", "(0028,0103)=1", p("ct16-signed.dcm"))
	run(t, "dcmconv", "+tb", p("ct16-signed.dcm"), p("ct16-signed-big.dcm"))

	run(t, "convert", "-size", "64x48", "gradient:black-white", "-colorspace", "Gray", "-type", "Grayscale", p("a.jpg"))
	run(t, "convert", "-size", "64x48", "radial-gradient:white-black", "-colorspace", "Gray", "-type", "Grayscale", p("b.jpg"))
	run(t, "convert", "-size", "40x30", "plasma:fractal", "-seed", "7", p("colour.jpg"))
	run(t, "convert", "-size", "40x30", "gradient:red-blue", "BMP3:"+p("colour.bmp"))
	run(t, "img2dcm", p("a.jpg"), p("jpeg-gray.dcm"))
	run(t, "img2dcm", p("colour.jpg"), p("jpeg-colour.dcm"))
	run(t, "img2dcm", "-nsc", p("a.jpg"), p("b.jpg"), p("multi-jpeg.dcm"))
	run(t, "dcmdjpeg", p("multi-jpeg.dcm"), p("multi8.dcm"))
	run(t, "dcmcrle", p("multi8.dcm"), p("multi8-rle.dcm"))
	run(t, "img2dcm", "-i", "BMP", p("colour.bmp"), p("rgb.dcm"))
	run(t, "dcmcrle", p("rgb.dcm"), p("rgb-rle.dcm"))
	run(t, "dcmcjpeg", "+eb", p("multi8.dcm"), p("multi-jpeg-dcmtk.dcm"))
	return map[string]string{}
}

func readFile(t *testing.T, path string) (*dicomscan.Header, *dicomscan.Pixels) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, _ := f.Stat()
	h, px, err := dicomscan.ReadPixels(f, info.Size())
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	return h, px
}

// readPNM reads dcmj2pnm's 8-bit binary PGM or PPM.
func readPNM(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var magic string
	var w, h, maxv int
	if _, err := fmt.Fscan(r, &magic, &w, &h, &maxv); err != nil || maxv != 255 {
		t.Fatalf("%s: PNM header: %v (max %d)", path, err, maxv)
	}
	r.ReadByte() // the single whitespace before the raster
	switch magic {
	case "P5":
		img := image.NewGray(image.Rect(0, 0, w, h))
		if _, err := io.ReadFull(r, img.Pix); err != nil {
			t.Fatal(err)
		}
		return img
	case "P6":
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		buf := make([]byte, 3*w*h)
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Fatal(err)
		}
		for p := range w * h {
			copy(img.Pix[4*p:], buf[3*p:3*p+3])
			img.Pix[4*p+3] = 255
		}
		return img
	}
	t.Fatalf("%s: PNM type %s", path, magic)
	return nil
}

// maxDiff is the largest difference of a colour channel between a and b.
func maxDiff(t *testing.T, a, b image.Image) int {
	t.Helper()
	if a.Bounds() != b.Bounds() {
		t.Fatalf("sizes %v and %v", a.Bounds(), b.Bounds())
	}
	worst := 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			ca, cb := color.RGBAModel.Convert(a.At(x, y)).(color.RGBA), color.RGBAModel.Convert(b.At(x, y)).(color.RGBA)
			for _, d := range []int{int(ca.R) - int(cb.R), int(ca.G) - int(cb.G), int(ca.B) - int(cb.B)} {
				worst = max(worst, d, -d)
			}
		}
	}
	return worst
}

func distinct(img image.Image) int {
	seen := map[color.Color]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			seen[img.At(x, y)] = true
		}
	}
	return len(seen)
}

func TestDecodeMatchesDCMTK(t *testing.T) {
	dir := t.TempDir()
	inputs(t, dir)
	for _, tt := range []struct {
		file      string
		frame     int // 1-based, as dcmj2pnm counts
		syntax    string
		tolerance int
	}{
		{"ct16.dcm", 1, ExplicitLittle, 1},
		{"mr16.dcm", 1, ExplicitLittle, 1},
		{"ct16-implicit.dcm", 1, ImplicitLittle, 1},
		{"ct16-big.dcm", 1, ExplicitBig, 1},
		{"ct16-rle.dcm", 1, RLELossless, 1},
		{"ct16-signed.dcm", 1, ExplicitLittle, 1},
		{"ct16-signed-big.dcm", 1, ExplicitBig, 1},
		{"jpeg-gray.dcm", 1, JPEGBaseline, 2},
		{"jpeg-colour.dcm", 1, JPEGBaseline, 4},
		{"multi-jpeg.dcm", 2, JPEGBaseline, 2},
		{"multi-jpeg-dcmtk.dcm", 2, JPEGBaseline, 2},
		{"multi8.dcm", 2, ExplicitLittle, 1},
		{"multi8-rle.dcm", 2, RLELossless, 1},
		{"rgb.dcm", 1, ExplicitLittle, 0},
		{"rgb-rle.dcm", 1, RLELossless, 0},
	} {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			h, px := readFile(t, path)
			if h.TransferSyntax != tt.syntax {
				t.Fatalf("transfer syntax %s, want %s", h.TransferSyntax, tt.syntax)
			}
			f, err := DecodeFrame(h, px, tt.frame-1)
			if err != nil {
				t.Fatal(err)
			}
			windows := []Window{DefaultWindow(h.Modality, h.HasWindow, h.WindowCenter, h.WindowWidth, f)}
			if f.RGB == nil {
				// Also the frame's whole range, which every stored value reaches.
				windows = append(windows, Window{Center: float64(f.Min+f.Max) / 2, Width: float64(f.Max-f.Min) + 1})
			}
			for i, w := range windows {
				args := []string{"+F", strconv.Itoa(tt.frame)}
				if f.RGB == nil {
					args = append(args, "+Ww", fmt.Sprint(w.Center), fmt.Sprint(w.Width))
				}
				pnm := fmt.Sprintf("%s.%d.pnm", path, i)
				run(t, "dcmj2pnm", append(args, path, pnm)...)
				want := readPNM(t, pnm)
				got := f.Gray(w)
				if d := maxDiff(t, got, want); d > tt.tolerance {
					t.Errorf("window %+v: differs from dcmj2pnm by up to %d levels (tolerance %d)", w, d, tt.tolerance)
				}
				if n := distinct(got); i == len(windows)-1 && n < 3 {
					t.Errorf("window %+v: %d distinct values: a blank image", w, n)
				}
			}
		})
	}
}

func TestDecodeUnsupported(t *testing.T) {
	dir := t.TempDir()
	ct := synth.Study{Seed: "dcmtk", Date: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), Modality: "CT", Slices: 5, Size: 32}
	src := filepath.Join(dir, "ct.dcm")
	writeSynth(t, src, ct, 1)
	run(t, "dcmcjpls", src, filepath.Join(dir, "jpegls.dcm"))
	run(t, "dcmcjpeg", "+ee", src, filepath.Join(dir, "jpeg12.dcm"))
	run(t, "dcmcjpeg", "+el", src, filepath.Join(dir, "lossless.dcm"))
	for _, name := range []string{"jpegls.dcm", "jpeg12.dcm", "lossless.dcm"} {
		h, px := readFile(t, filepath.Join(dir, name))
		if _, err := DecodeFrame(h, px, 0); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s (%s): err %v, want ErrUnsupported", name, SyntaxName(h.TransferSyntax), err)
		}
	}
}

// TestJPEGFromGo checks a JPEG that Go itself encoded, wrapped by img2dcm.
func TestJPEGFromGo(t *testing.T) {
	dir := t.TempDir()
	img := image.NewGray(image.Rect(0, 0, 32, 32))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 100})
	os.WriteFile(filepath.Join(dir, "g.jpg"), b.Bytes(), 0o644)
	run(t, "img2dcm", filepath.Join(dir, "g.jpg"), filepath.Join(dir, "g.dcm"))
	h, px := readFile(t, filepath.Join(dir, "g.dcm"))
	f, err := DecodeFrame(h, px, 0)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := jpeg.Decode(bytes.NewReader(b.Bytes()))
	if d := maxDiff(t, f.Gray(Window{Center: 127.5, Width: 256}), back); d > 1 {
		t.Errorf("differs from the JPEG by %d", d)
	}
}

// TestScanDCMTKFiles reads the headers of every DCMTK-made file from one
// zip: multi-frame files count their frames, the JPEG sources are not DICOM.
func TestScanDCMTKFiles(t *testing.T) {
	dir := t.TempDir()
	inputs(t, dir)
	archive := filepath.Join(t.TempDir(), "all.zip")
	run(t, "sh", "-c", "cd "+dir+" && zip -q -r "+archive+" . -i '*.dcm' '*.jpg'")
	s, err := dicomscan.Scan(archive, dicomscan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Images() != 19 || s.NonDICOM != 3 || s.Unreadable != 0 {
		t.Errorf("images %d, not DICOM %d, unreadable %d (%s); want 19, 3, 0", s.Images(), s.NonDICOM, s.Unreadable, s.FirstError)
	}
}
