package seal

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"filippo.io/age"
)

// Key is what opens a portal: a reader's passphrase, or the age identities
// of a reader who has a recipient slot.
type Key struct {
	// Reader is the reader's name; "" tries every slot of the key's kind.
	Reader     string
	Passphrase string
	Identities []age.Identity
}

// Opened describes a portal opened into plain files.
type Opened struct {
	// Files are the portal-internal names written, sorted.
	Files []string
	// Omitted lists the attachments a single-file portal left out.
	Omitted []Omitted
	// ReplyRecipient is the manifest's reply recipient: the key the
	// portal's reply form seals to; "" when the portal has no reply form.
	ReplyRecipient string
}

// ErrWrongPassphrase is returned by Open when the passphrase opens no key
// slot it was tried on.
var ErrWrongPassphrase = errors.New("the passphrase is wrong: it opens no key slot of this portal (check it for typos, or ask the coordinator who sent the portal)")

// ErrWrongIdentity is returned by Open when none of the age identities opens
// a key slot.
var ErrWrongIdentity = errors.New("none of the given age identities opens a key slot of this portal")

// ErrNoSlot is returned by Open when the portal has no key slot for the
// reader named, or none of the key's kind.
var ErrNoSlot = errors.New("no key slot")

// noSlotError is an ErrNoSlot with its own message.
type noSlotError string

func (e noSlotError) Error() string        { return string(e) }
func (e noSlotError) Is(target error) bool { return target == ErrNoSlot }

// AlteredError reports a portal file whose age encryption does not
// authenticate with the right key: it was modified, truncated or damaged.
type AlteredError struct {
	File string // the portal file, e.g. "OUT/p/abc..." or "case.html (payload abc...)"
	Err  error  // age's error
}

func (e *AlteredError) Error() string {
	return fmt.Sprintf("the portal file %s was altered or damaged (%v): ask the coordinator for a fresh copy", e.File, e.Err)
}

func (e *AlteredError) Unwrap() error { return e.Err }

// Open decrypts the sealed portal at portalPath, a folder or a single HTML
// file, into outDir, a new or empty folder: every page and attachment at its
// portal-internal name ("index.html", "files/3/biopsy.pdf"), byte for byte.
// A wrong key gives ErrWrongPassphrase or ErrWrongIdentity; a modified
// portal an *AlteredError.
func Open(portalPath string, key Key, outDir string) (*Opened, error) {
	src, err := openSource(portalPath)
	if err != nil {
		return nil, err
	}
	defer src.close()
	var pj portalJSON
	if err := json.Unmarshal(src.portal, &pj); err != nil {
		return nil, &AlteredError{File: src.shellName, Err: fmt.Errorf("its portal description: %v", err)}
	}
	if pj.Caseport != Format {
		return nil, fmt.Errorf("%s is a sealed portal of format %d; this caseport opens format %d: use a newer caseport", portalPath, pj.Caseport, Format)
	}

	identity, err := unlock(pj, key, src.shellName)
	if err != nil {
		return nil, err
	}

	var mbuf bytes.Buffer
	if err := src.decrypt(pj.Manifest, identity, &mbuf, -1); err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(mbuf.Bytes(), &m); err != nil {
		return nil, &AlteredError{File: src.payloadName(pj.Manifest), Err: err}
	}

	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return nil, fmt.Errorf("opening the portal: %w", err)
	}
	if ents, err := os.ReadDir(outDir); err != nil {
		return nil, fmt.Errorf("opening the portal: %w", err)
	} else if len(ents) > 0 {
		return nil, fmt.Errorf("%s is not empty: open the portal into a new folder", outDir)
	}

	all := map[string]entry{}
	for n, e := range m.Pages {
		all[n] = e
	}
	for n, e := range m.Files {
		all[n] = e
	}
	res := &Opened{Omitted: m.Omitted}
	if m.Reply != nil {
		res.ReplyRecipient = m.Reply.Recipient
	}
	for name := range all {
		res.Files = append(res.Files, name)
	}
	sort.Strings(res.Files)
	for _, name := range res.Files {
		e := all[name]
		if !safeName(name) {
			return nil, &AlteredError{File: src.payloadName(pj.Manifest), Err: fmt.Errorf("unsafe file name %q", name)}
		}
		dst := filepath.Join(outDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return nil, fmt.Errorf("opening the portal: %w", err)
		}
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("opening the portal: %w", err)
		}
		err = src.decrypt(e.ID, identity, f, e.Size)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("writing %s: %w", dst, cerr)
		}
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

var scryptStanza = regexp.MustCompile(`(?m)^-> scrypt [A-Za-z0-9+/]+ ([0-9]{1,3})$`)

// SlotWorkFactor returns the scrypt work factor in the header of a
// passphrase slot (an age file), or 0 if it has no scrypt stanza.
func SlotWorkFactor(slot []byte) int {
	head := slot[:min(len(slot), 256)]
	m := scryptStanza.FindSubmatch(head)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// unlock finds the key's slot and returns the portal identity in it.
func unlock(pj portalJSON, key Key, shellName string) (age.Identity, error) {
	var ids []age.Identity
	kind := slotRecipient
	if key.Passphrase != "" {
		id, err := age.NewScryptIdentity(key.Passphrase)
		if err != nil {
			return nil, err
		}
		id.SetMaxWorkFactor(MaxWorkFactor)
		ids = append(ids, id)
		kind = slotPassphrase
	}
	ids = append(ids, key.Identities...)
	if len(ids) == 0 {
		return nil, errors.New("no passphrase or age identity given to open the portal")
	}

	var cands []int
	for i, s := range pj.Slots {
		switch {
		case key.Reader != "":
			if s.Reader == ReaderHash(pj.Manifest, key.Reader) {
				cands = append(cands, i)
			}
		case s.Type == kind || len(key.Identities) > 0:
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		if key.Reader != "" {
			return nil, noSlotError(fmt.Sprintf("this portal has no key slot for reader %q: check the name (as in the case's [[readers]]), or leave the reader out to try every slot", key.Reader))
		}
		return nil, noSlotError(fmt.Sprintf("this portal has no %s key slot", kind))
	}

	var altered error
	for _, i := range cands {
		s := pj.Slots[i]
		where := fmt.Sprintf("%s (key slot %d)", shellName, i+1)
		raw, err := base64.StdEncoding.DecodeString(s.Key)
		if err != nil {
			altered = &AlteredError{File: where, Err: err}
			continue
		}
		if wf := SlotWorkFactor(raw); wf > MaxWorkFactor && key.Passphrase != "" {
			return nil, fmt.Errorf("%s: scrypt work factor %d is above %d, the most caseport and browsers open (caseport never writes it): refusing to spend minutes and gigabytes of memory on it", where, wf, MaxWorkFactor)
		}
		r, err := age.Decrypt(bytes.NewReader(raw), ids...)
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			continue
		}
		if err != nil {
			altered = &AlteredError{File: where, Err: err}
			continue
		}
		secret, err := io.ReadAll(io.LimitReader(r, 4096))
		if err != nil {
			altered = &AlteredError{File: where, Err: err}
			continue
		}
		id, err := parseIdentity(string(secret))
		if err != nil {
			altered = &AlteredError{File: where, Err: err}
			continue
		}
		return id, nil
	}
	if altered != nil {
		return nil, altered
	}
	if key.Passphrase != "" && len(key.Identities) == 0 {
		return nil, ErrWrongPassphrase
	}
	return nil, ErrWrongIdentity
}

// parseIdentity parses the portal identity held in a key slot.
func parseIdentity(s string) (age.Identity, error) {
	if strings.HasPrefix(s, "AGE-SECRET-KEY-PQ-1") {
		return age.ParseHybridIdentity(s)
	}
	return age.ParseX25519Identity(s)
}

// safeName reports whether a portal-internal name stays inside the output
// folder.
func safeName(name string) bool {
	return name != "" && path.Clean(name) == name && !path.IsAbs(name) &&
		name != ".." && !strings.HasPrefix(name, "../") && !strings.Contains(name, "\\")
}

// source is a sealed portal on disk, folder or single file.
type source struct {
	shellName string
	portal    []byte          // the portal JSON
	dir       string          // folder mode: the portal folder
	file      *os.File        // single-file mode: the HTML file
	inline    map[string]span // single-file mode: where each payload's base64 is
}

// span is a byte range of a file.
type span struct{ off, n int64 }

func openSource(p string) (*source, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("opening the portal: %w", err)
	}
	shell := p
	if fi.IsDir() {
		shell = filepath.Join(p, "index.html")
	}
	f, err := os.Open(shell)
	if err != nil {
		return nil, fmt.Errorf("opening the portal: %w", err)
	}
	s := &source{shellName: shell}
	s.portal, s.inline, err = scanShell(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", shell, err)
	}
	if s.portal == nil {
		f.Close()
		return nil, fmt.Errorf("%s is not a sealed caseport portal (it has no caseport-sealed description)", shell)
	}
	if fi.IsDir() {
		f.Close()
		s.dir = p
	} else {
		s.file = f
	}
	return s, nil
}

func (s *source) close() {
	if s.file != nil {
		s.file.Close()
	}
}

func (s *source) payloadName(id string) string {
	if s.file != nil {
		return fmt.Sprintf("%s (payload %s)", s.shellName, id)
	}
	return filepath.Join(s.dir, PayloadDir, id)
}

// readErr marks errors of reading the portal, as opposed to writing out.
type readErr struct{ err error }

type errTagReader struct{ r io.Reader }

func (t errTagReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		err = readErr{err}
	}
	return n, err
}

func (e readErr) Error() string { return e.err.Error() }

// decrypt writes the first size bytes of payload id's plaintext to w, and
// authenticates the rest of it (the padding). A negative size writes all of
// it, up to maxManifest bytes.
func (s *source) decrypt(id string, identity age.Identity, w io.Writer, size int64) error {
	name := s.payloadName(id)
	var raw io.Reader
	if s.file != nil {
		sp, ok := s.inline[id]
		if !ok {
			return &AlteredError{File: s.shellName, Err: fmt.Errorf("payload %s is missing", id)}
		}
		raw = base64.NewDecoder(base64.StdEncoding, io.NewSectionReader(s.file, sp.off, sp.n))
	} else {
		if !idRe.MatchString(id) {
			return &AlteredError{File: s.shellName, Err: fmt.Errorf("bad payload name %q", id)}
		}
		f, err := os.Open(name)
		if errors.Is(err, os.ErrNotExist) {
			return &AlteredError{File: name, Err: errors.New("the file is missing")}
		} else if err != nil {
			return fmt.Errorf("opening the portal: %w", err)
		}
		defer f.Close()
		raw = f
	}
	r, err := age.Decrypt(bufio.NewReaderSize(raw, 64<<10), identity)
	if err != nil {
		return &AlteredError{File: name, Err: err}
	}
	r = errTagReader{r}
	if size < 0 {
		n, err := io.Copy(w, io.LimitReader(r, maxManifest+1))
		if err == nil && n > maxManifest {
			err = readErr{errors.New("the manifest is too large")}
		}
		size, r = 0, eofReader{err}
	}
	n, err := io.CopyN(w, r, size)
	if err == nil {
		_, err = io.Copy(io.Discard, r)
	} else if err == io.EOF {
		err = readErr{fmt.Errorf("%d bytes instead of %d", n, size)}
	}
	var re readErr
	if errors.As(err, &re) {
		return &AlteredError{File: name, Err: re.err}
	}
	if err != nil {
		return fmt.Errorf("writing the opened portal: %w", err)
	}
	return nil
}

// maxManifest bounds the manifest Open reads into memory.
const maxManifest = 64 << 20

// eofReader returns err, or io.EOF when it is nil.
type eofReader struct{ err error }

func (e eofReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}

var idRe = regexp.MustCompile(`^[a-z2-7]{26}$`)

var (
	payloadPrefix = []byte(`script type="application/octet-stream" id="p-`)
	portalPrefix  = []byte(`script type="application/json" id="caseport-sealed">`)
)

// scanShell reads an unlock page once, streaming, and returns its portal
// JSON and where each inlined payload's base64 text is.
func scanShell(f *os.File) (portal []byte, inline map[string]span, err error) {
	inline = map[string]span{}
	br := bufio.NewReaderSize(f, 64<<10)
	var off int64 // offset of the next byte br returns
	open := ""    // the payload whose base64 is being read
	var start int64
	for {
		chunk, err := br.ReadSlice('<')
		off += int64(len(chunk))
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		if open != "" { // base64 has no "<": this one ends the payload
			inline[open] = span{start, off - 1 - start}
			open = ""
		}
		if p, _ := br.Peek(len(payloadPrefix)); bytes.Equal(p, payloadPrefix) {
			br.Discard(len(p))
			off += int64(len(p))
			id, err := br.ReadString('"')
			off += int64(len(id))
			if err != nil {
				return nil, nil, err
			}
			id = strings.TrimSuffix(id, `"`)
			if c, err := br.ReadByte(); err != nil || c != '>' || !idRe.MatchString(id) {
				return nil, nil, fmt.Errorf("malformed payload element p-%.40s", id)
			}
			off++
			open, start = id, off
		} else if p, _ := br.Peek(len(portalPrefix)); bytes.Equal(p, portalPrefix) {
			br.Discard(len(p))
			off += int64(len(p))
			js, err := br.ReadBytes('<') // the JSON has "<" escaped
			off += int64(len(js))
			if err != nil {
				return nil, nil, err
			}
			portal = js[:len(js)-1]
		}
	}
	return portal, inline, nil
}
