// Package seal encrypts a rendered portal with age into a sealed portal, a
// folder or one HTML file that a reader opens in a browser with a
// passphrase, and opens one again into plain files.
//
// The format is "The sealed portal (format 1)" of docs/architecture.md: every
// file of the portal is a separate age file, padded to a Padmé size bucket
// and encrypted to a fresh portal identity under a random name; an encrypted
// manifest maps the portal-internal names to those payloads; and one key
// slot per reader holds the portal identity, encrypted to the reader's
// passphrase (age's scrypt recipient) or to the reader's own age recipient.
// All cryptography is filippo.io/age's.
package seal

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"filippo.io/age"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/internal/unlockpage"
	"github.com/caseport/caseport/internal/workpool"
)

// Format is the version of the sealed portal format this package writes.
const Format = 1

// DefaultMaxInline is the largest attachment that single-file mode inlines
// when Options.MaxInline is zero: larger ones are left out and listed in the
// manifest, so the portal can say what is missing and why.
const DefaultMaxInline = 50 << 20

// DefaultWorkFactor is the scrypt work factor (log2 N) of the slots of
// passphrases a person chose: age's default, about a second in a phone's
// browser with a JIT, paid once per unlock. It slows the guessing of a
// guessable passphrase.
const DefaultWorkFactor = 18

// GeneratedWorkFactor is the scrypt work factor of the slots of generated
// passphrases (keystore.Generate: at least keystore.MinBits bits from
// crypto/rand), which no guessing reaches at any work factor: low enough that
// a browser without a JIT opens a slot in about a second. docs/sealing.md
// gives the measurements and the guessing-cost arithmetic.
const GeneratedWorkFactor = 10

// MaxWorkFactor is the highest scrypt work factor caseport writes or opens:
// typage, the browser's age, refuses anything above it.
const MaxWorkFactor = 20

// PayloadDir is the folder of a sealed portal folder that holds the payloads.
const PayloadDir = "p"

// Reader is someone who may open the portal. Exactly one of Passphrase and
// Recipient is set.
type Reader struct {
	Name string
	// Passphrase opens the reader's key slot in the browser.
	Passphrase string
	// Recipient is the reader's own age public key ("age1..." or
	// "age1pq1..."), for readers who use age.
	Recipient string
	// WorkFactor is the scrypt work factor of a passphrase slot: 0 means
	// Options.WorkFactor. Generated passphrases get GeneratedWorkFactor.
	WorkFactor int
}

// Options tune Seal. The zero value writes a portal folder.
type Options struct {
	// SingleFile writes one self-contained HTML file instead of a folder.
	SingleFile bool
	// MaxInline is the largest attachment, in bytes, inlined in single-file
	// mode; 0 means DefaultMaxInline, a negative value means no limit.
	MaxInline int64
	// WorkFactor is the scrypt work factor of passphrase slots whose Reader
	// sets none; 0 means DefaultWorkFactor. At most MaxWorkFactor.
	WorkFactor int
	// Workers bounds how many payloads are sealed at once; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// Reuse, for previews only, keeps the portal identity, key slots and
	// unchanged attachments' payloads from the previous Seal with it.
	Reuse *Reuse
	// Unlock is the unlock page to write, in its own language; nil means
	// the page of the tree's language from the files built into caseport.
	Unlock *unlockpage.Page
	// ReplyRecipient is the age public key the portal's reply form seals
	// the doctor's reply to, put in the encrypted manifest; "" for none.
	ReplyRecipient string
}

// Omitted is an attachment left out of a single-file portal, as listed in
// the manifest's "omitted".
type Omitted struct {
	Name   string `json:"name"`   // the portal-internal name
	File   string `json:"file"`   // the original file name
	Size   int64  `json:"size"`   // its size in bytes
	Reason string `json:"reason"` // why, for the reader
}

// Result describes a sealed portal.
type Result struct {
	// Recipient is the portal identity's public key; a fresh one each build.
	Recipient string
	// Payloads counts the sealed payloads, the manifest included.
	Payloads int
	// Omitted lists the attachments left out of a single-file portal.
	Omitted []Omitted
	// Timings says where the time went, for benchmarks and --timings.
	Timings Timings
}

// Timings split the time of a Seal. Slots and Payloads are summed over the
// workers that run them at once, so together they may exceed the wall time.
type Timings struct {
	// Slots is the time spent encrypting key slots: mostly scrypt, for
	// passphrase readers.
	Slots time.Duration
	// Payloads is the time spent encrypting and writing payloads, the
	// manifest included.
	Payloads time.Duration
	// Shell is the time spent writing the unlock page, and in single-file
	// mode inlining the payloads into it.
	Shell time.Duration
}

// manifest is the decrypted content of the manifest payload.
type manifest struct {
	Pages   map[string]entry `json:"pages"`
	Files   map[string]entry `json:"files"`
	Omitted []Omitted        `json:"omitted"`
	Reply   *manifestReply   `json:"reply,omitempty"`
}

// manifestReply is the manifest's "reply": where the reply form seals to.
type manifestReply struct {
	Recipient string `json:"recipient"`
}

// entry is one payload of the manifest.
type entry struct {
	ID   string `json:"id"`
	Size int64  `json:"size"`
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

// portalJSON is the unencrypted description of a sealed portal, in the
// unlock page's <script id="caseport-sealed">.
type portalJSON struct {
	Caseport int    `json:"caseport"`
	Single   bool   `json:"single"`
	Manifest string `json:"manifest"`
	// Preload lists the payloads the unlock page reads first after the
	// manifest (the page and its stylesheet), so it can fetch them while
	// the reader types. It tells an observer only which two padded
	// payloads are the page and its stylesheet.
	Preload []string `json:"preload,omitempty"`
	Slots   []slot   `json:"slots"`
}

// slot is one reader's key slot.
type slot struct {
	Reader string `json:"reader"`
	Type   string `json:"type"` // "passphrase" or "recipient"
	Key    string `json:"key"`  // base64 of an age file holding the portal identity
}

// Slot types.
const (
	slotPassphrase = "passphrase"
	slotRecipient  = "recipient"
)

// ReaderHash is the "reader" field of a reader's key slot: the first 16 hex
// digits of SHA-256("caseport reader\x00" + manifest ID + "\x00" + name). It
// lets a #reader=NAME fragment find its slot without the portal naming its
// readers, and differs from build to build.
func ReaderHash(manifestID, name string) string {
	h := sha256.Sum256([]byte("caseport reader\x00" + manifestID + "\x00" + name))
	return hex.EncodeToString(h[:8])
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newID returns a payload name: 26 random lower-case base32 characters
// (130 bits), so names say nothing and never collide.
func newID() string {
	b := make([]byte, 17)
	rand.Read(b) // never fails (crypto/rand)
	return strings.ToLower(idEncoding.EncodeToString(b)[:26])
}

// job is one payload to seal.
type job struct {
	id   string
	size int64 // expected plaintext size, for scheduling
	open func() (io.ReadCloser, error)
	what string // for errors: the portal-internal name
	// reuse identifies an attachment's content for Options.Reuse; zero
	// for pages.
	reuse payloadKey
	// n is the real plaintext size, set when sealed.
	n int64
}

// Seal encrypts tree for readers into out: a new folder (index.html and
// p/ID), or with opt.SingleFile one HTML file. out must not exist, or be an
// empty folder in folder mode. Attachments are streamed from disk and
// payloads sealed concurrently. On error, out may hold part of a portal: the
// caller removes it (internal/site seals into a temporary folder).
func Seal(tree *portal.Tree, readers []Reader, out string, opt Options) (*Result, error) {
	recips, err := readerRecipients(readers, opt.WorkFactor)
	if err != nil {
		return nil, err
	}
	// Load the unlock page first: a binary built without the browser bundle
	// should fail before minutes of sealing.
	page := opt.Unlock
	if page == nil {
		if page, err = unlockpage.Embedded(tree.Lang); err != nil {
			return nil, err
		}
	}
	var identity *age.HybridIdentity
	if opt.Reuse != nil {
		identity, err = opt.Reuse.portalIdentity()
	} else {
		identity, err = age.GenerateHybridIdentity()
	}
	if err != nil {
		return nil, fmt.Errorf("generating the portal key: %w", err)
	}

	m, jobs := planPayloads(tree, opt)
	if opt.ReplyRecipient != "" {
		if _, err := ParseRecipient(opt.ReplyRecipient); err != nil {
			return nil, fmt.Errorf("the reply recipient: %w", err)
		}
		m.Reply = &manifestReply{Recipient: opt.ReplyRecipient}
	}
	manifestID := newID()
	payloadDir, err := makePayloadDir(out, opt.SingleFile)
	if err != nil {
		return nil, err
	}
	if opt.SingleFile {
		defer os.RemoveAll(payloadDir)
	}

	var tm Timings
	slots, err := sealAll(identity, readers, recips, manifestID, jobs, payloadDir, opt, &tm)
	if err != nil {
		return nil, err
	}
	if err := sealManifest(m, jobs, identity.Recipient(), filepath.Join(payloadDir, manifestID), &tm); err != nil {
		return nil, err
	}

	start := time.Now()
	sort.Slice(slots, func(i, k int) bool { return slots[i].Reader < slots[k].Reader })
	pj, err := json.Marshal(portalJSON{Caseport: Format, Single: opt.SingleFile, Manifest: manifestID, Preload: preloadIDs(m), Slots: slots})
	if err != nil {
		return nil, err
	}
	ids := []string{manifestID}
	for _, j := range jobs {
		ids = append(ids, j.id)
	}
	sort.Strings(ids) // the order of the inlined payloads says nothing
	if opt.SingleFile {
		err = page.Write(out, pj, payloadDir, ids)
	} else {
		err = page.Write(filepath.Join(out, "index.html"), pj, "", nil)
	}
	if err != nil {
		return nil, err
	}
	tm.Shell = time.Since(start)
	return &Result{Recipient: identity.Recipient().String(), Payloads: len(ids), Omitted: m.Omitted, Timings: tm}, nil
}

// planPayloads lists the payloads of tree, pages and attachments, and the
// manifest that will name them; in single-file mode, an attachment over
// the limit is listed as omitted instead.
func planPayloads(tree *portal.Tree, opt Options) (manifest, []*job) {
	maxInline := opt.MaxInline
	if maxInline == 0 {
		maxInline = DefaultMaxInline
	}
	m := manifest{Pages: map[string]entry{}, Files: map[string]entry{}, Omitted: []Omitted{}}
	var jobs []*job
	for _, p := range tree.Pages {
		data := p.Data
		j := &job{id: newID(), size: int64(len(data)), what: p.Name,
			open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		jobs = append(jobs, j)
		m.Pages[p.Name] = entry{ID: j.id, Type: p.MediaType}
	}
	for _, a := range tree.Attachments {
		size := a.Size
		var key payloadKey
		if fi, err := os.Stat(a.Source); err == nil {
			size = fi.Size()
			key = payloadKey{source: a.Source, size: size, mtime: fi.ModTime()}
		}
		if opt.SingleFile && maxInline > 0 && size > maxInline {
			m.Omitted = append(m.Omitted, Omitted{Name: a.Name, File: a.FileName, Size: size,
				Reason: fmt.Sprintf("over the single-file limit of %s", FormatSize(maxInline))})
			continue
		}
		j := &job{id: newID(), size: size, open: a.Open, what: a.Name, reuse: key}
		jobs = append(jobs, j)
		m.Files[a.Name] = entry{ID: j.id, Type: a.MediaType, Name: a.FileName}
	}
	// Largest first, so one big attachment does not start last.
	sort.SliceStable(jobs, func(i, k int) bool { return jobs[i].size > jobs[k].size })
	return m, jobs
}

// makePayloadDir makes the folder the payloads are sealed into: OUT/p in
// folder mode; in single-file mode a scratch folder beside out, to be
// inlined once all are sealed, which the caller removes.
func makePayloadDir(out string, single bool) (string, error) {
	if single {
		dir, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".payloads-")
		if err != nil {
			return "", fmt.Errorf("sealing %s: %w", out, err)
		}
		return dir, nil
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", fmt.Errorf("sealing: %w", err)
	}
	dir := filepath.Join(out, PayloadDir)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", fmt.Errorf("sealing into %s: the folder must be new or empty: %w", out, err)
	}
	return dir, nil
}

// sealAll seals the readers' key slots and the payloads of jobs into
// payloadDir, on the same workers since they are independent, and adds
// their time to tm.
func sealAll(identity *age.HybridIdentity, readers []Reader, recips []age.Recipient, manifestID string, jobs []*job, payloadDir string, opt Options, tm *Timings) ([]slot, error) {
	recipient := identity.Recipient()
	slots := make([]slot, len(readers))
	var slotTime, payloadTime atomic.Int64 // nanoseconds, summed over workers
	var tasks []func() error
	// scrypt at work factor 18 takes 256 MiB: two at a time at most.
	scrypts := make(chan struct{}, 2)
	for i := range readers {
		tasks = append(tasks, func() error {
			if opt.Reuse != nil {
				if key, ok := opt.Reuse.slot(readers[i]); ok {
					slots[i] = slot{Type: slotType(recips[i]), Key: key, Reader: ReaderHash(manifestID, readers[i].Name)}
					return nil
				}
			}
			scrypts <- struct{}{}
			defer func() { <-scrypts }()
			start := time.Now()
			defer func() { slotTime.Add(int64(time.Since(start))) }()
			s, err := sealSlot(identity.String(), recips[i])
			if _, ok := recips[i].(*age.ScryptRecipient); ok {
				// scrypt leaves 256 MiB of garbage. Collect it now, so that
				// the next scrypt (of this portal, or of another built by
				// the same process) reuses it rather than the heap growing
				// to hold several: 1.3 GiB when building many cases.
				runtime.GC()
			}
			if err != nil {
				return fmt.Errorf("key slot of reader %q: %w", readers[i].Name, err)
			}
			if opt.Reuse != nil {
				opt.Reuse.storeSlot(readers[i], s.Key)
			}
			s.Reader = ReaderHash(manifestID, readers[i].Name)
			slots[i] = s
			return nil
		})
	}
	for _, j := range jobs {
		tasks = append(tasks, func() error {
			start := time.Now()
			defer func() { payloadTime.Add(int64(time.Since(start))) }()
			dst := filepath.Join(payloadDir, j.id)
			reuse := opt.Reuse != nil && !opt.SingleFile && j.reuse.source != ""
			if reuse {
				if n, ok := opt.Reuse.linkPayload(j.reuse, dst); ok {
					j.n = n
					return nil
				}
			}
			n, err := sealPayload(dst, recipient, j.open, false)
			if err != nil {
				return fmt.Errorf("sealing %s: %w", j.what, err)
			}
			j.n = n
			if reuse {
				opt.Reuse.storePayload(j.reuse, reusedPayload{path: dst, n: n})
			}
			return nil
		})
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	err := workpool.Run(len(tasks), workers, func(i int) error { return tasks[i]() })
	tm.Slots += time.Duration(slotTime.Load())
	tm.Payloads += time.Duration(payloadTime.Load())
	return slots, err
}

// sealManifest writes m, with the sizes actually sealed (in case a file
// changed since load), as the manifest payload at path.
func sealManifest(m manifest, jobs []*job, recipient age.Recipient, path string, tm *Timings) error {
	for _, j := range jobs {
		if e, ok := m.Pages[j.what]; ok && e.ID == j.id {
			e.Size = j.n
			m.Pages[j.what] = e
		} else if e, ok := m.Files[j.what]; ok && e.ID == j.id {
			e.Size = j.n
			m.Files[j.what] = e
		}
	}
	mjson, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("sealing the manifest: %w", err)
	}
	start := time.Now()
	if _, err := sealPayload(path, recipient, func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(mjson)), nil
	}, true); err != nil {
		return fmt.Errorf("sealing the manifest: %w", err)
	}
	tm.Payloads += time.Since(start)
	return nil
}

// preloadIDs returns the payloads the unlock page needs first: the page
// and its stylesheet.
func preloadIDs(m manifest) []string {
	var ids []string
	for _, name := range []string{"index.html", "style.css"} {
		if e, ok := m.Pages[name]; ok {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// readerRecipients checks readers and returns the age recipient of each
// reader's key slot.
func readerRecipients(readers []Reader, workFactor int) ([]age.Recipient, error) {
	if len(readers) == 0 {
		return nil, errors.New("a portal needs at least one reader")
	}
	if workFactor == 0 {
		workFactor = DefaultWorkFactor
	}
	seen := map[string]bool{}
	var out []age.Recipient
	for _, r := range readers {
		if r.Name == "" {
			return nil, errors.New("a reader has no name")
		}
		if seen[r.Name] {
			return nil, fmt.Errorf("reader %q is listed twice", r.Name)
		}
		seen[r.Name] = true
		switch {
		case r.Passphrase != "" && r.Recipient != "":
			return nil, fmt.Errorf("reader %q has both a passphrase and a recipient; give one", r.Name)
		case r.Passphrase != "":
			s, err := age.NewScryptRecipient(r.Passphrase)
			if err != nil {
				return nil, fmt.Errorf("reader %q: %w", r.Name, err)
			}
			wf := workFactor
			if r.WorkFactor != 0 {
				wf = r.WorkFactor
			}
			if wf < 1 || wf > MaxWorkFactor {
				return nil, fmt.Errorf("reader %q: scrypt work factor %d is outside 1 to %d (browsers cannot open a slot above %d)", r.Name, wf, MaxWorkFactor, MaxWorkFactor)
			}
			s.SetWorkFactor(wf)
			out = append(out, s)
		case r.Recipient != "":
			rc, err := ParseRecipient(r.Recipient)
			if err != nil {
				return nil, fmt.Errorf("reader %q: %w", r.Name, err)
			}
			out = append(out, rc)
		default:
			return nil, fmt.Errorf("reader %q has neither a passphrase nor a recipient", r.Name)
		}
	}
	return out, nil
}

// ParseRecipient parses a reader's age public key: X25519 ("age1...") or
// post-quantum hybrid ("age1pq1...").
func ParseRecipient(s string) (age.Recipient, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "age1pq1") {
		return age.ParseHybridRecipient(s)
	}
	if strings.HasPrefix(s, "age1") {
		return age.ParseX25519Recipient(s)
	}
	return nil, fmt.Errorf("recipient %q is not an age public key (age1...)", s)
}

// sealSlot encrypts the portal identity to one reader.
func sealSlot(identity string, r age.Recipient) (slot, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return slot{}, err
	}
	if _, err := io.WriteString(w, identity); err != nil {
		return slot{}, err
	}
	if err := w.Close(); err != nil {
		return slot{}, err
	}
	return slot{Type: slotType(r), Key: base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

func slotType(r age.Recipient) string {
	if _, ok := r.(*age.ScryptRecipient); ok {
		return slotPassphrase
	}
	return slotRecipient
}

var zeros = make([]byte, 64<<10)

// sealPayload writes the age file path holding the plaintext from open,
// padded to its Padmé bucket (with spaces if spaces, else zero bytes), and
// returns the plaintext's length.
func sealPayload(path string, r age.Recipient, open func() (io.ReadCloser, error), spaces bool) (int64, error) {
	src, err := open()
	if err != nil {
		return 0, err
	}
	defer src.Close()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w, err := age.Encrypt(f, r)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, src)
	if err != nil {
		return 0, err
	}
	pad := zeros
	if spaces {
		pad = bytes.Repeat([]byte{' '}, len(zeros))
	}
	for left := padme(n) - n; left > 0; {
		k := min(left, int64(len(pad)))
		if _, err := w.Write(pad[:k]); err != nil {
			return 0, err
		}
		left -= k
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	return n, f.Close()
}

// FormatSize gives a size in bytes for people, in the largest binary unit
// it reaches, with one decimal unless whole: "50 MiB", "1.5 GiB",
// "312 bytes". The build's messages and the manifest's reasons use it.
func FormatSize(n int64) string {
	unit := func(v float64, name string) string {
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0") + " " + name
	}
	switch {
	case n >= 1<<30:
		return unit(float64(n)/(1<<30), "GiB")
	case n >= 1<<20:
		return unit(float64(n)/(1<<20), "MiB")
	case n >= 1<<10:
		return unit(float64(n)/(1<<10), "KiB")
	}
	return fmt.Sprintf("%d bytes", n)
}
