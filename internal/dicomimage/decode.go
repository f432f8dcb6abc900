// Package dicomimage turns the pixel data of a DICOM file into images a
// browser shows: it decodes one frame at a time (native pixel data, 8 or 16
// bits, signed or not, either byte order; JPEG baseline through image/jpeg;
// RLE Lossless as PS3.5 Annex G defines it), maps the stored values to
// modality values (rescale slope and intercept) and windows them to 8-bit
// grey (PS3.3 C.11.2.1.2), or keeps colour images in colour.
//
// Transfer syntaxes it cannot decode (JPEG 2000, JPEG-LS, lossless or
// 12-bit JPEG) are reported with ErrUnsupported, so the caller can say
// "no preview" and keep the archive as it is.
package dicomimage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"

	"github.com/caseport/caseport/internal/dicomscan"
)

// Transfer syntaxes this package decodes.
const (
	ImplicitLittle = "1.2.840.10008.1.2"
	ExplicitLittle = "1.2.840.10008.1.2.1"
	Deflated       = "1.2.840.10008.1.2.1.99"
	ExplicitBig    = "1.2.840.10008.1.2.2"
	JPEGBaseline   = "1.2.840.10008.1.2.4.50"
	JPEGExtended   = "1.2.840.10008.1.2.4.51"
	RLELossless    = "1.2.840.10008.1.2.5"
)

// ErrUnsupported is wrapped by errors for pixel data this package does not
// decode.
var ErrUnsupported = errors.New("not decoded by caseport")

// Decodable reports whether the transfer syntax is one this package decodes
// (JPEG extended only when its samples are 8-bit).
func Decodable(ts string) bool {
	switch ts {
	case ImplicitLittle, ExplicitLittle, Deflated, ExplicitBig, JPEGBaseline, JPEGExtended, RLELossless, "":
		return true
	}
	return false
}

// Frame is one decoded frame: modality values (stored value × slope +
// intercept) for a monochrome image, or an RGB image.
type Frame struct {
	Width, Height int
	// Values are the modality values, row by row, for a monochrome frame.
	Values []float32
	// Min and Max are the smallest and largest of Values.
	Min, Max float32
	// Invert is true for MONOCHROME1, where higher values are darker.
	Invert bool
	// RGB is the image of a colour frame; Values is then nil.
	RGB image.Image
}

// DecodeFrame decodes frame i (0-based) of a file's pixel data.
func DecodeFrame(h *dicomscan.Header, px *dicomscan.Pixels, i int) (*Frame, error) {
	if h.Rows <= 0 || h.Columns <= 0 {
		return nil, fmt.Errorf("image of %d×%d pixels", h.Columns, h.Rows)
	}
	if i < 0 || i >= h.Frames {
		return nil, fmt.Errorf("frame %d of %d", i+1, h.Frames)
	}
	switch h.TransferSyntax {
	case ImplicitLittle, ExplicitLittle, Deflated, "":
		return native(h, px.Native, i, binary.LittleEndian)
	case ExplicitBig:
		return native(h, px.Native, i, binary.BigEndian)
	case RLELossless:
		data, err := fragment(h, px, i)
		if err != nil {
			return nil, err
		}
		raw, err := rle(h, data)
		if err != nil {
			return nil, fmt.Errorf("RLE frame %d: %w", i+1, err)
		}
		return native(rleHeader(h), raw, 0, binary.LittleEndian)
	case JPEGBaseline, JPEGExtended:
		data, err := fragment(h, px, i)
		if err != nil {
			return nil, err
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			if h.BitsStored > 8 {
				return nil, fmt.Errorf("%d-bit JPEG: %w", h.BitsStored, ErrUnsupported)
			}
			return nil, fmt.Errorf("JPEG frame %d: %w", i+1, err)
		}
		return fromImage(h, img), nil
	}
	return nil, fmt.Errorf("transfer syntax %s (%s): %w", h.TransferSyntax, SyntaxName(h.TransferSyntax), ErrUnsupported)
}

// SyntaxName names common transfer syntaxes for people.
func SyntaxName(ts string) string {
	switch ts {
	case ImplicitLittle, ExplicitLittle, ExplicitBig, Deflated, "":
		return "uncompressed"
	case JPEGBaseline:
		return "JPEG baseline"
	case JPEGExtended:
		return "JPEG extended"
	case "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70":
		return "lossless JPEG"
	case "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81":
		return "JPEG-LS"
	case "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91":
		return "JPEG 2000"
	case RLELossless:
		return "RLE"
	}
	return "compressed"
}

// fragment returns the encapsulated data of frame i: one fragment per frame,
// or every fragment of a single-frame file joined.
func fragment(h *dicomscan.Header, px *dicomscan.Pixels, i int) ([]byte, error) {
	switch {
	case len(px.Fragments) == h.Frames:
		return px.Fragments[i], nil
	case h.Frames == 1 && len(px.Fragments) > 0:
		return bytes.Join(px.Fragments, nil), nil
	}
	return nil, fmt.Errorf("%d fragments for %d frames: %w", len(px.Fragments), h.Frames, ErrUnsupported)
}

// native decodes frame i of native pixel data.
func native(h *dicomscan.Header, data []byte, i int, bo binary.ByteOrder) (*Frame, error) {
	bytesPer := h.BitsAllocated / 8
	if h.BitsAllocated != 8 && h.BitsAllocated != 16 {
		return nil, fmt.Errorf("%d bits allocated: %w", h.BitsAllocated, ErrUnsupported)
	}
	spp := max(h.SamplesPerPixel, 1)
	n := h.Rows * h.Columns
	frameLen := n * spp * bytesPer
	if len(data) < (i+1)*frameLen {
		return nil, fmt.Errorf("pixel data of %d bytes, frame %d needs %d", len(data), i+1, (i+1)*frameLen)
	}
	data = data[i*frameLen : (i+1)*frameLen]
	if spp == 3 {
		if bytesPer != 1 {
			return nil, fmt.Errorf("16-bit colour: %w", ErrUnsupported)
		}
		img := image.NewRGBA(image.Rect(0, 0, h.Columns, h.Rows))
		for p := range n {
			var r, g, b byte
			if h.PlanarConfiguration == 1 {
				r, g, b = data[p], data[n+p], data[2*n+p]
			} else {
				r, g, b = data[3*p], data[3*p+1], data[3*p+2]
			}
			if h.Photometric == "YBR_FULL" {
				r, g, b = color.YCbCrToRGB(r, g, b)
			}
			img.Pix[4*p], img.Pix[4*p+1], img.Pix[4*p+2], img.Pix[4*p+3] = r, g, b, 255
		}
		return &Frame{Width: h.Columns, Height: h.Rows, RGB: img}, nil
	}
	if spp != 1 {
		return nil, fmt.Errorf("%d samples per pixel: %w", spp, ErrUnsupported)
	}
	stored := h.BitsStored
	if stored <= 0 || stored > h.BitsAllocated {
		stored = h.BitsAllocated
	}
	shift := 0
	if h.HighBit+1 >= stored && h.HighBit < h.BitsAllocated {
		shift = h.HighBit + 1 - stored
	}
	mask := uint32(1)<<stored - 1
	sign := uint32(1) << (stored - 1)
	f := &Frame{Width: h.Columns, Height: h.Rows, Values: make([]float32, n), Invert: h.Photometric == "MONOCHROME1"}
	slope, icept := h.RescaleSlope, h.RescaleIntercept
	if slope == 0 {
		slope = 1
	}
	f.Min, f.Max = math.MaxFloat32, -math.MaxFloat32
	for p := range n {
		var u uint32
		if bytesPer == 1 {
			u = uint32(data[p])
		} else {
			u = uint32(bo.Uint16(data[2*p:]))
		}
		u = u >> shift & mask
		v := float64(u)
		if h.PixelRepresentation == 1 && u&sign != 0 {
			v = float64(int64(u) - int64(mask) - 1)
		}
		m := float32(v*slope + icept)
		f.Values[p] = m
		f.Min, f.Max = min(f.Min, m), max(f.Max, m)
	}
	return f, nil
}

// fromImage takes a decoded JPEG: grey as modality values, colour as it is.
func fromImage(h *dicomscan.Header, img image.Image) *Frame {
	b := img.Bounds()
	if g, ok := img.(*image.Gray); ok {
		f := &Frame{Width: b.Dx(), Height: b.Dy(), Values: make([]float32, b.Dx()*b.Dy()), Invert: h.Photometric == "MONOCHROME1"}
		f.Min, f.Max = math.MaxFloat32, -math.MaxFloat32
		slope := h.RescaleSlope
		if slope == 0 {
			slope = 1
		}
		for y := range b.Dy() {
			for x := range b.Dx() {
				m := float32(float64(g.Pix[y*g.Stride+x])*slope + h.RescaleIntercept)
				f.Values[y*b.Dx()+x] = m
				f.Min, f.Max = min(f.Min, m), max(f.Max, m)
			}
		}
		return f
	}
	return &Frame{Width: b.Dx(), Height: b.Dy(), RGB: img}
}

// rleHeader describes RLE output as native data: one frame, and since
// segments decode to planes, a colour frame has planar configuration 1.
func rleHeader(h *dicomscan.Header) *dicomscan.Header {
	c := *h
	c.Frames = 1
	if c.SamplesPerPixel == 3 {
		c.PlanarConfiguration = 1
	}
	return &c
}

// rle decodes one RLE Lossless frame (PS3.5 Annex G): a 64-byte header of
// 16 little-endian uint32 (segment count, then offsets), then PackBits
// segments, one per byte of a sample, most significant byte first. The
// result is native little-endian data, planes one after the other.
func rle(h *dicomscan.Header, data []byte) ([]byte, error) {
	if len(data) < 64 {
		return nil, errors.New("shorter than its header")
	}
	nseg := int(binary.LittleEndian.Uint32(data))
	bytesPer := h.BitsAllocated / 8
	spp := max(h.SamplesPerPixel, 1)
	if nseg != bytesPer*spp || nseg < 1 || nseg > 15 {
		return nil, fmt.Errorf("%d segments for %d bytes × %d samples", nseg, bytesPer, spp)
	}
	n := h.Rows * h.Columns
	out := make([]byte, n*bytesPer*spp)
	seg := make([]byte, 0, n)
	for s := range nseg {
		start := int(binary.LittleEndian.Uint32(data[4+4*s:]))
		end := len(data)
		if s+1 < nseg {
			end = int(binary.LittleEndian.Uint32(data[8+4*s:]))
		}
		if start < 64 || start > end || end > len(data) {
			return nil, fmt.Errorf("segment %d at %d..%d of %d bytes", s+1, start, end, len(data))
		}
		seg = packBits(seg[:0], data[start:end], n)
		if len(seg) < n {
			return nil, fmt.Errorf("segment %d gives %d bytes of %d", s+1, len(seg), n)
		}
		sample, byteIdx := s/bytesPer, s%bytesPer
		// Segment byteIdx 0 is the most significant byte; native little
		// endian puts it last.
		pos := bytesPer - 1 - byteIdx
		plane := out[sample*n*bytesPer:]
		for p := range n {
			plane[p*bytesPer+pos] = seg[p]
		}
	}
	return out, nil
}

// packBits appends the decoding of src to dst, stopping at n bytes.
func packBits(dst, src []byte, n int) []byte {
	for i := 0; i < len(src) && len(dst) < n; {
		c := int(int8(src[i]))
		i++
		switch {
		case c >= 0:
			end := min(i+c+1, len(src))
			dst = append(dst, src[i:end]...)
			i = end
		case c != -128:
			if i < len(src) {
				for range 1 - c {
					dst = append(dst, src[i])
				}
				i++
			}
		}
	}
	return dst
}
