package seal

import (
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/internal/unlockpage"
)

const benchSize = 256 << 20

// benchFile writes a 256 MiB file of random bytes.
func benchFile(b *testing.B) string {
	return benchFileSize(b, benchSize)
}

func benchFileSize(b *testing.B, size int64) string {
	b.Helper()
	p := filepath.Join(b.TempDir(), "scan.bin")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkSeal256MiB seals a portal with one 256 MiB attachment; compare
// with BenchmarkAgeEncrypt256MiB, plain age.Encrypt of the same file.
func BenchmarkSeal256MiB(b *testing.B) {
	if _, err := unlockpage.Embedded("en"); err != nil {
		b.Skip(err)
	}
	src := benchFile(b)
	tree := &portal.Tree{Lang: "en",
		Pages: []*portal.Page{{Name: "index.html", MediaType: "text/html", Data: []byte("<p>x</p>")}},
		Attachments: []*portal.Attachment{{Name: "files/1/scan.bin", FileName: "scan.bin",
			MediaType: "application/octet-stream", Source: src, Size: benchSize}}}
	b.SetBytes(benchSize)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		out := filepath.Join(b.TempDir(), "portal")
		if _, err := Seal(tree, []Reader{{Name: "doctor", Passphrase: "bench-passphrase-long-enough"}}, out, Options{WorkFactor: testWorkFactor}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(out)
		b.StartTimer()
	}
}

// BenchmarkAgeEncrypt256MiB is the baseline: age.Encrypt of the file to a
// hybrid recipient, file to file.
func BenchmarkAgeEncrypt256MiB(b *testing.B) {
	src := benchFile(b)
	id, _ := age.GenerateHybridIdentity()
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		in, _ := os.Open(src)
		outPath := filepath.Join(b.TempDir(), "out.age")
		out, _ := os.Create(outPath)
		w, err := age.Encrypt(out, id.Recipient())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(w, in); err != nil {
			b.Fatal(err)
		}
		w.Close()
		out.Close()
		in.Close()
		b.StopTimer()
		os.Remove(outPath)
		b.StartTimer()
	}
}

// BenchmarkSeal4x64MiB seals four 64 MiB attachments: the same bytes as
// BenchmarkSeal256MiB, sealed on all cores.
func BenchmarkSeal4x64MiB(b *testing.B) {
	if _, err := unlockpage.Embedded("en"); err != nil {
		b.Skip(err)
	}
	tree := &portal.Tree{Lang: "en",
		Pages: []*portal.Page{{Name: "index.html", MediaType: "text/html", Data: []byte("<p>x</p>")}}}
	for i := range 4 {
		src := benchFileSize(b, benchSize/4)
		tree.Attachments = append(tree.Attachments, &portal.Attachment{Name: "files/" + string(rune('1'+i)) + "/scan.bin",
			FileName: "scan.bin", MediaType: "application/octet-stream", Source: src, Size: benchSize / 4})
	}
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		out := filepath.Join(b.TempDir(), "portal")
		if _, err := Seal(tree, []Reader{{Name: "doctor", Passphrase: "bench-passphrase-long-enough"}}, out, Options{WorkFactor: testWorkFactor}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(out)
		b.StartTimer()
	}
}
