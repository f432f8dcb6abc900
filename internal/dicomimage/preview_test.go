package dicomimage

import (
	"os"
	"testing"

	"github.com/caseport/caseport/internal/dicomscan"
)

// TestPreviewsFlatMemory previews a series of 20 and one of 160 noisy
// 512×512 CT slices: the heap stays the same (one file per worker, images
// written out as they are made), every slice gets its three windows, and
// the previews keep within a quarter of the archive.
func TestPreviewsFlatMemory(t *testing.T) {
	var peaks []uint64
	for _, n := range []int{20, 160} {
		archive, _ := noisyCT(t, n)
		info, _ := os.Stat(archive)
		sum, err := dicomscan.Scan(archive, dicomscan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var set *Set
		peaks = append(peaks, heapPeak(func() {
			set, err = Previews(archive, info.Size(), sum, PreviewOptions{Dir: t.TempDir(), Workers: 2})
		}))
		if err != nil {
			t.Fatal(err)
		}
		sp := set.Series[0]
		if len(sp.Slices) != n || sp.Failed != 0 || len(sp.Windows) != 3 || sp.Skipped != "" {
			t.Fatalf("%d slices: %d previewed, %d failed, %d windows, skipped %q", n, len(sp.Slices), sp.Failed, len(sp.Windows), sp.Skipped)
		}
		if set.Bytes > set.Budget || set.Budget != info.Size()/4 {
			t.Errorf("%d slices: previews %d bytes, budget %d, archive %d", n, set.Bytes, set.Budget, info.Size())
		}
		t.Logf("%d slices: previews %.1f MB of a %.1f MB archive, peak heap %.1f MiB", n, float64(set.Bytes)/1e6, float64(info.Size())/1e6, float64(peaks[len(peaks)-1])/(1<<20))
	}
	if peaks[1] > peaks[0]+8<<20 {
		t.Errorf("peak heap %.1f MiB for 160 slices against %.1f MiB for 20: it grows with the slices", float64(peaks[1])/(1<<20), float64(peaks[0])/(1<<20))
	}
}
