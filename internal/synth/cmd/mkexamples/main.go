// Command mkexamples regenerates the attachments of the example cases under
// cases/ (PDF reports and DICOM archives) from the text in this command's
// source, byte for byte the same on every run.
//
// Run it from the repository root:
//
//	go run ./internal/synth/cmd/mkexamples
//
// or with -dir to write the cases elsewhere. It writes only the attachments;
// case.toml and the Markdown files of each case are written by hand.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/caseport/caseport/internal/synth"
)

// example is one example case's generated attachments.
type example struct {
	dir     string                 // the case folder's name under cases/
	pdfs    []pdfFile              // reports, letters and lab sheets
	studies map[string]synth.Study // DICOM archives by path
}

// pdfFile is one PDF attachment: path relative to the case folder.
type pdfFile struct {
	path  string
	title string
	lines []string
}

var examples = []example{gastric, sarcoma, crc}

func main() {
	dir := flag.String("dir", "cases", "the folder that holds the example case folders")
	flag.Parse()
	for _, e := range examples {
		n, err := e.write(*dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mkexamples:", err)
			os.Exit(1)
		}
		fmt.Printf("%s: %d files\n", filepath.Join(*dir, e.dir), n)
	}
}

// write creates every attachment of e under root/e.dir and returns how many
// files it wrote.
func (e example) write(root string) (int, error) {
	n := 0
	for _, p := range e.pdfs {
		err := create(filepath.Join(root, e.dir, p.path), func(f *os.File) error {
			return synth.PDF(f, p.title, p.lines)
		})
		if err != nil {
			return n, err
		}
		n++
	}
	for path, s := range e.studies {
		err := create(filepath.Join(root, e.dir, path), func(f *os.File) error {
			return synth.DICOMZip(f, s)
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func create(path string, fill func(*os.File) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// at returns a study date and time in UTC.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.UTC)
}

// header starts a report with the lines every hospital document carries.
func header(institution, patient, id, date string) []string {
	return []string{
		institution,
		"Patient: " + patient + " (synthetic example; not a real person)   ID: " + id,
		"Date: " + date,
		"",
	}
}

// doc builds a document's lines from its header and body.
func doc(h []string, body ...string) []string {
	return append(append([]string{}, h...), body...)
}
