package dicomimage

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/dicomscan"
	"github.com/caseport/caseport/internal/synth"
)

// noisyCT writes a CT series of n 512×512 slices as a stored zip, with
// noise of a few HU added so that the images encode like real ones rather
// than like flat drawings. It returns the archive and a folder holding the
// same slices as files, for dcmj2pnm.
func noisyCT(tb testing.TB, n int) (archive, files string) {
	tb.Helper()
	dir := tb.TempDir()
	files = filepath.Join(dir, "slices")
	os.Mkdir(files, 0o755)
	archive = filepath.Join(dir, "ct.zip")
	f, err := os.Create(archive)
	if err != nil {
		tb.Fatal(err)
	}
	zw := zip.NewWriter(f)
	s := synth.Study{Seed: "bench", Date: time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC), Modality: "CT", Slices: n, Size: 512, Thickness: 1}
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	for i := range n {
		b.Reset()
		if err := synth.DICOMSlice(&b, s, i); err != nil {
			tb.Fatal(err)
		}
		data := b.Bytes()
		// The pixel data is the file's last element: 512×512 little-endian words.
		px := data[len(data)-512*512*2:]
		for p := 0; p < len(px); p += 2 {
			v := int(px[p]) | int(px[p+1])<<8
			v = max(0, min(4095, v+int(rng.NormFloat64()*12)))
			px[p], px[p+1] = byte(v), byte(v>>8)
		}
		name := fmt.Sprintf("IM%04d", i+1)
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: "DICOM/" + name, Method: zip.Store})
		w.Write(data)
		os.WriteFile(filepath.Join(files, name), data, 0o644)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return archive, files
}

// BenchmarkPreviews500CT previews a 500-slice 512×512 CT series (with the
// lung and bone windows: 1,500 images) on two workers, and reports, beside
// it, the time dcmj2pnm takes to write the same 500 slices as PNG in one
// window, and the peak heap of the previews.
//
//	go test -run '^$' -bench Previews500CT -benchtime 1x ./internal/dicomimage
func BenchmarkPreviews500CT(b *testing.B) {
	const n = 500
	archive, files := noisyCT(b, n)
	info, _ := os.Stat(archive)
	sum, err := dicomscan.Scan(archive, dicomscan.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var set *Set
	var peak uint64
	cpu0 := cpuTime(syscall.RUSAGE_SELF)
	b.ResetTimer()
	for range b.N {
		out := b.TempDir()
		peak = max(peak, heapPeak(func() {
			set, err = Previews(archive, info.Size(), sum, PreviewOptions{Dir: out, Workers: 2})
		}))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	perRun := b.Elapsed() / time.Duration(b.N)
	cpu := (cpuTime(syscall.RUSAGE_SELF) - cpu0) / time.Duration(b.N)
	b.ReportMetric(cpu.Seconds(), "cpu-s/series")
	sp := set.Series[0]
	b.ReportMetric(perRun.Seconds(), "s/series")
	b.ReportMetric(float64(peak)/(1<<20), "MiB-peak-heap")
	b.ReportMetric(float64(set.Bytes)/float64(info.Size()), "previews/archive")
	b.Logf("%d slices × %d windows (%s, %d×%d), %d failed: %.1f s on 2 workers (%.1f s of CPU); previews %.1f MB for a %.1f MB archive; peak heap %.1f MiB",
		len(sp.Slices), len(sp.Windows), sp.MediaType, sp.Width, sp.Height, sp.Failed, perRun.Seconds(), cpu.Seconds(),
		float64(set.Bytes)/1e6, float64(info.Size())/1e6, float64(peak)/(1<<20))

	// dcmj2pnm, one process per slice, two at a time, same window, PNG.
	start := time.Now()
	child0 := cpuTime(syscall.RUSAGE_CHILDREN)
	out := b.TempDir()
	work := make(chan int)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				name := fmt.Sprintf("IM%04d", i+1)
				if err := exec.Command("dcmj2pnm", "+on", "+Ww", "40", "400", filepath.Join(files, name), filepath.Join(out, name+".png")).Run(); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	if failed.Load() > 0 {
		b.Fatalf("dcmj2pnm failed on %d slices", failed.Load())
	}
	dcmtk := time.Since(start)
	dcmtkCPU := cpuTime(syscall.RUSAGE_CHILDREN) - child0
	b.ReportMetric(dcmtk.Seconds(), "s-dcmj2pnm-1-window")
	b.ReportMetric(dcmtkCPU.Seconds(), "cpu-s-dcmj2pnm")
	b.Logf("dcmj2pnm: %.1f s (%.1f s of CPU) for the same %d slices in one window (PNG, 2 processes at a time)", dcmtk.Seconds(), dcmtkCPU.Seconds(), n)
}

// cpuTime is the user and system time used by this process or by its
// finished children: unlike the elapsed time, it does not grow when other
// programs share the cores.
func cpuTime(who int) time.Duration {
	var u syscall.Rusage
	syscall.Getrusage(who, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// heapPeak runs f and returns the most heap in use while it ran, above
// what was in use before.
func heapPeak(f func()) uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > base && m.HeapInuse-base > peak.Load() {
				peak.Store(m.HeapInuse - base)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak.Load()
}
