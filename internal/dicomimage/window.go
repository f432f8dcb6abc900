package dicomimage

import (
	"image"
	"image/color"
	"image/draw"
)

// Window is a window centre and width in modality units (Hounsfield units
// for CT).
type Window struct {
	Name          string // "default", "lung", "bone"
	Center, Width float64
}

// CT presets: lung and bone, as radiologists commonly read them.
var (
	LungWindow = Window{Name: "lung", Center: -600, Width: 1500}
	BoneWindow = Window{Name: "bone", Center: 400, Width: 1800}
)

// DefaultWindow is the header's window when it has one, else a soft-tissue
// window for CT, else the frame's full range.
func DefaultWindow(modality string, hasWindow bool, center, width float64, f *Frame) Window {
	switch {
	case hasWindow && width > 0:
		return Window{Name: "default", Center: center, Width: width}
	case modality == "CT":
		return Window{Name: "default", Center: 40, Width: 400}
	}
	w := float64(f.Max - f.Min)
	if w < 1 {
		w = 1
	}
	return Window{Name: "default", Center: float64(f.Min) + w/2, Width: w + 1}
}

// Gray windows a monochrome frame to 8-bit grey by the linear function of
// PS3.3 C.11.2.1.2.1, rounding to the nearest level; a colour frame is
// returned as it is.
func (f *Frame) Gray(w Window) image.Image {
	if f.RGB != nil {
		return f.RGB
	}
	img := image.NewGray(image.Rect(0, 0, f.Width, f.Height))
	c, width := w.Center, w.Width
	if width < 1 {
		width = 1
	}
	lo, hi := c-0.5-(width-1)/2, c-0.5+(width-1)/2
	for p, v := range f.Values {
		x := float64(v)
		var g float64
		switch {
		case x <= lo:
			g = 0
		case x > hi:
			g = 255
		default:
			g = ((x-(c-0.5))/(width-1) + 0.5) * 255
		}
		b := uint8(g + 0.5)
		if f.Invert {
			b = 255 - b
		}
		img.Pix[p] = b
	}
	return img
}

// Fit scales img down, by averaging, so that its long side is at most
// longSide pixels; a smaller image is returned as it is.
func Fit(img image.Image, longSide int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= longSide && h <= longSide {
		return img
	}
	nw, nh := longSide, h*longSide/w
	if h > w {
		nw, nh = w*longSide/h, longSide
	}
	nw, nh = max(nw, 1), max(nh, 1)
	src := image.NewRGBA(b)
	draw.Draw(src, b, img, b.Min, draw.Src)
	_, gray := img.(*image.Gray)
	var out draw.Image = image.NewRGBA(image.Rect(0, 0, nw, nh))
	if gray {
		out = image.NewGray(image.Rect(0, 0, nw, nh))
	}
	for y := range nh {
		y0, y1 := y*h/nh, max((y+1)*h/nh, y*h/nh+1)
		for x := range nw {
			x0, x1 := x*w/nw, max((x+1)*w/nw, x*w/nw+1)
			var r, g, bl, n uint32
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					o := (sy-b.Min.Y)*src.Stride + (sx-b.Min.X)*4
					r += uint32(src.Pix[o])
					g += uint32(src.Pix[o+1])
					bl += uint32(src.Pix[o+2])
					n++
				}
			}
			out.Set(x, y, color.RGBA{uint8(r / n), uint8(g / n), uint8(bl / n), 255})
		}
	}
	return out
}
