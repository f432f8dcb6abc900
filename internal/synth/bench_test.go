package synth

import (
	"io"
	"testing"
)

// BenchmarkPDF measures a three-page report, the size of a long
// pathology report.
func BenchmarkPDF(b *testing.B) {
	lines := testLines()
	for b.Loop() {
		if err := PDF(io.Discard, "Benchmark", lines); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDICOMZip measures a 12-slice CT archive; large generated cases
// will be made of many of these.
func BenchmarkDICOMZip(b *testing.B) {
	s := testStudy()
	for b.Loop() {
		if err := DICOMZip(io.Discard, s); err != nil {
			b.Fatal(err)
		}
	}
}
