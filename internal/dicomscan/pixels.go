package dicomscan

import (
	"errors"
	"fmt"
	"io"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// Pixels is the pixel data of one file as stored: the native bytes, or the
// fragments of an encapsulated (compressed) transfer syntax.
type Pixels struct {
	// Native holds every frame's bytes, in the transfer syntax's byte order.
	Native []byte
	// Fragments are the encapsulated fragments, the offset table excluded.
	Fragments [][]byte
}

// ReadPixels parses a Part 10 file with its pixel data, left undecoded.
// Memory is the file's pixel data: a single-frame file holds one slice.
func ReadPixels(r io.Reader, size int64) (*Header, *Pixels, error) {
	p, err := dicom.NewParser(r, size, nil, dicom.SkipProcessingPixelDataValue(),
		dicom.AllowUnknownSpecificCharacterSet(), dicom.AllowMissingMetaElementGroupLength())
	if err != nil {
		return nil, nil, fmt.Errorf("DICOM header: %w", err)
	}
	h := &Header{Frames: 1, RescaleSlope: 1, SamplesPerPixel: 1}
	for _, e := range p.GetMetadata().Elements {
		h.set(e)
	}
	for {
		e, err := p.Next()
		if errors.Is(err, dicom.ErrorEndOfDICOM) || errors.Is(err, io.EOF) {
			return h, nil, errors.New("DICOM file without pixel data")
		}
		if err != nil {
			return nil, nil, fmt.Errorf("DICOM data set: %w", err)
		}
		h.set(e)
		if e.Tag != tag.PixelData {
			continue
		}
		info, ok := e.Value.GetValue().(dicom.PixelDataInfo)
		if !ok {
			return h, nil, errors.New("pixel data of an unexpected kind")
		}
		px := &Pixels{Native: info.UnprocessedValueData}
		for _, f := range info.Frames {
			if f.Encapsulated {
				px.Fragments = append(px.Fragments, f.EncapsulatedData.Data)
			}
		}
		return h, px, nil
	}
}
