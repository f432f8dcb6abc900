// Package benchcase writes large synthetic cases for the benchmarks: a case
// folder valid under the case format (docs/case-format.md),
// with any number of attachments of given sizes and any number of timeline
// entries. All content is made up; nothing resembles a real patient.
//
// Attachments are either random bytes, streamed to disk, for what measures
// reading and encrypting them, or sparse files (a size, no data blocks) for
// what only needs them to exist: a sparse file reads as zeros from the page
// cache without touching the disk, which would flatter a sealing figure.
package benchcase

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// File is one attachment of a generated case.
type File struct {
	// Name is the path inside the case folder, slash-separated
	// ("imaging/ct-0001.zip"); empty means one is made up.
	Name string
	// Size is the file's size in bytes.
	Size int64
	// Random fills the file with random bytes; otherwise it is sparse.
	Random bool
}

// Spec describes a case to generate.
type Spec struct {
	// ID is the case id ([a-z0-9-]{3,64}).
	ID string
	// Files are the attachments. The first is the pathology report, the
	// second the report of the first imaging study, the others documents.
	Files []File
	// Timeline is the number of timeline entries, spread over events (half),
	// labs (a quarter) and imaging studies (a quarter), at least one of each.
	Timeline int
	// Recipient, when set, gives the case one reader with this age public
	// key instead of the default passphrase reader, so that building it costs
	// no scrypt.
	Recipient string
	// Seed makes the random bytes and the made-up values repeatable.
	Seed uint64
	// Reuse keeps an attachment that already exists with the right size,
	// so that a gigabyte is generated once and linked into other cases.
	Reuse bool
}

// Generate writes the case described by s into dir, which must not exist
// or be empty.
func Generate(dir string, s Spec) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := make([]File, len(s.Files))
	copy(files, s.Files)
	for i := range files {
		if files[i].Name == "" {
			files[i].Name = defaultName(i)
		}
		p := filepath.Join(dir, filepath.FromSlash(files[i].Name))
		if fi, err := os.Stat(p); s.Reuse && err == nil && fi.Mode().IsRegular() && fi.Size() == files[i].Size {
			continue
		}
		if err := writeFile(p, files[i], s.Seed+uint64(i)); err != nil {
			return fmt.Errorf("case %s: %w", s.ID, err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "case.toml"), []byte(caseTOML(s, files)), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "questions.md"), []byte(questions), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "summary.md"), []byte(summary), 0o644)
}

// defaultName names the i-th attachment after its role in case.toml.
func defaultName(i int) string {
	switch i {
	case 0:
		return "pathology/biopsy-report.pdf"
	case 1:
		return "imaging/ct-report.pdf"
	}
	return fmt.Sprintf("documents/doc-%04d.pdf", i-1)
}

// writeFile writes one attachment: random bytes from a seeded ChaCha8
// stream (incompressible, as fast as the disk), or a sparse file.
func writeFile(p string, f File, seed uint64) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	out, err := os.Create(p)
	if err != nil {
		return err
	}
	if !f.Random {
		if err := out.Truncate(f.Size); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}
	var key [32]byte
	for i := range 8 {
		key[i] = byte(seed >> (8 * i))
	}
	src := rand.NewChaCha8(key)
	w := bufio.NewWriterSize(out, 1<<20)
	if _, err := io.CopyN(w, src, f.Size); err != nil {
		out.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// caseTOML writes case.toml: a complete record, so that check passes too,
// with the timeline entries and every file referenced once.
func caseTOML(s Spec, files []File) string {
	r := rand.New(rand.NewPCG(s.Seed, 41))
	var b strings.Builder
	fmt.Fprintf(&b, `format = 1
id = %q
title = "Synthetic benchmark case %s"
language = "en"
prepared_by = "Benchmark generator, no real patient"
prepared_on = 2025-06-01

[patient]
alias = "Synthetic patient"
sex = "unknown"
birth_year = 1960

[request]
mode = "remote"
urgency = "routine"
reason = "Benchmark the portal build; every value here is made up."

[diagnosis]
name = "Synthetic adenocarcinoma (benchmark)"
icd10 = "C16.3"
date = 2015-03-02

[stage]
system = "AJCC 8th"
kind = "clinical"
t = "cT2"
n = "cN0"
m = "cM0"
group = "I"
date = 2015-03-20

[plan]
summary = "Continue follow-up (synthetic)."
date = 2025-05-20

[[allergies]]
substance = "none known"

[[medications]]
name = "Synthetic medication"
dose = "1 tablet daily"
`, s.ID, s.ID)
	if s.Recipient != "" {
		fmt.Fprintf(&b, "\n[[readers]]\nname = \"doctor\"\nrecipient = %q\n", s.Recipient)
	}

	// Timeline: half events, a quarter labs, a quarter imaging; dates spread
	// over ten years before prepared_on.
	n := max(s.Timeline, 3)
	imaging := max(n/4, 1)
	labs := max(n/4, 1)
	events := max(n-imaging-labs, 1)
	date := func(i, of int) string {
		day := i * 3650 / of // days after 2015-04-01
		y, d := 2015, day
		for d >= 365 {
			d -= 365
			y++
		}
		return fmt.Sprintf("%04d-%02d-%02d", y, 1+d/31%12, 1+d%28)
	}
	report := func(i int) string {
		if i < len(files) {
			return files[i].Name
		}
		return ""
	}

	fmt.Fprintf(&b, "\n[[pathology]]\ndate = 2015-03-02\nkind = \"biopsy\"\nspecimen = \"Synthetic specimen\"\n")
	if p := report(0); p != "" {
		fmt.Fprintf(&b, "report = %q\n", p)
	}
	b.WriteString("result = \"Synthetic result\"\n")

	modalities := []string{"CT", "MRI", "PET-CT", "US", "X-ray"}
	for i := range imaging {
		fmt.Fprintf(&b, "\n[[imaging]]\ndate = %s\nmodality = %q\nregion = \"Synthetic region %d\"\nfindings = \"Synthetic finding number %d.\"\n",
			date(i, imaging), modalities[i%len(modalities)], i, i)
		if i == imaging-1 {
			if p := report(1); p != "" {
				fmt.Fprintf(&b, "report = %q\n", p)
			}
		}
	}
	names := []string{"CEA", "CA 19-9", "Haemoglobin", "Creatinine"}
	for i := range labs {
		name := names[i%len(names)]
		fmt.Fprintf(&b, "\n[[labs]]\ndate = %s\nname = %q\nvalue = %.1f\nunit = \"u\"\nmarker = %t\n",
			date(i, labs), name, 1+r.Float64()*9, i%len(names) < 2)
	}
	kinds := []string{"symptom", "visit", "procedure", "decision", "other"}
	for i := range events {
		fmt.Fprintf(&b, "\n[[events]]\ndate = %s\nkind = %q\ntitle = \"Synthetic event %d\"\ndetails = \"Made up for the benchmark.\"\n",
			date(i, events), kinds[i%len(kinds)], i)
	}
	for i := 2; i < len(files); i++ {
		fmt.Fprintf(&b, "\n[[documents]]\ntitle = \"Synthetic document %d\"\nfile = %q\ndate = %s\nkind = \"other\"\n",
			i-1, files[i].Name, date(i, len(files)))
	}
	return b.String()
}

const questions = `# Diagnosis

- Is the synthetic staging complete?
- Which further test would change the plan?

# Treatment

- Is follow-up alone reasonable here?
`

const summary = `A synthetic case made by the benchmark generator. Nothing in it describes a real person.
`
