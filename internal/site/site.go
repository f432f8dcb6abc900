// Package site makes one build of a sealed portal: load and validate the
// case, render it, seal it beside the output, and swap the new portal in,
// so that a failed build leaves the previous portal as it was.
package site

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/inside"
	"github.com/caseport/caseport/internal/keystore"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/internal/render"
	"github.com/caseport/caseport/internal/seal"
	"github.com/caseport/caseport/internal/source"
	"github.com/caseport/caseport/internal/unlockpage"
)

// DefaultReader is the reader of a case without [[readers]].
const DefaultReader = "doctor"

// Options tune Build. The zero value builds a portal folder with generated
// passphrases kept in the default key store.
type Options struct {
	// SingleFile writes one HTML file instead of a folder.
	SingleFile bool
	// MaxInline is seal.Options.MaxInline: the largest attachment inlined
	// in a single file.
	MaxInline int64
	// Passphrases are passphrases the user chose, by reader name
	// (--passphrase-file). Readers not in it get the key store's.
	Passphrases map[string]string
	// Passphrase is the passphrase of a case with one passphrase reader
	// (CASEPORT_PASSPHRASE).
	Passphrase string
	// AllowWeak accepts user-chosen passphrases that keystore.Strength refuses.
	AllowWeak bool
	// Store keeps generated passphrases; nil means keystore.DefaultStore().
	Store *keystore.Store
	// WorkFactor is the scrypt work factor of the slots of given
	// passphrases (Passphrases, Passphrase); 0 means seal.DefaultWorkFactor.
	WorkFactor int
	// GeneratedWorkFactor is the work factor of the slots of generated
	// passphrases (the key store's); 0 means seal.GeneratedWorkFactor.
	GeneratedWorkFactor int
	// AllowPlaceholders builds a case that still holds what "caseport new"
	// marked to replace; without it such a case is refused, since the doctor
	// would read the placeholders.
	AllowPlaceholders bool
	// ThemesDir is render.Options.ThemesDir: a folder of the coordinator's
	// own themes, beside the built-in ones.
	ThemesDir string
	// Files are the layouts, themes and texts to render and seal with; the
	// zero value means the ones built into caseport.
	Files source.Files

	// unlock keeps the unlock page of each language across the builds of
	// BuildMany; nil loads it afresh.
	unlock *unlockpage.Cache
	// render and seal are render.Render and seal.Seal when nil; tests make
	// a build fail mid-way with others.
	render func(*casedir.Case, render.Options) (*portal.Tree, error)
	seal   func(*portal.Tree, []seal.Reader, string, seal.Options) (*seal.Result, error)
}

// How a reader's key was chosen.
const (
	KeyGiven     = "given"     // by the user, in Options
	KeyStored    = "stored"    // from the key store, as in the previous build
	KeyGenerated = "generated" // new: to be sent to the reader
	KeyRecipient = "recipient" // the reader's own age public key
)

// Reader is one reader of a built portal.
type Reader struct {
	Name string
	// Key says how the reader's key was chosen: KeyGiven, KeyStored,
	// KeyGenerated or KeyRecipient.
	Key string
	// Passphrase is set for KeyGenerated only: it is shown once.
	Passphrase string
}

// Result describes a build.
type Result struct {
	// Out is the portal written, absolute.
	Out     string
	Readers []Reader
	// Omitted lists attachments left out of a single file.
	Omitted []seal.Omitted
	// StorePath is the key store file of the case, when used.
	StorePath string
	// ReplyRecipient is the key the portal's reply form seals to; "" when
	// the case leaves the form out.
	ReplyRecipient string
	// CoordinatorKeyCreated is the file of the coordinator's key when this
	// build made it: the coordinator must back it up.
	CoordinatorKeyCreated string
	// Timings says where the build's time went.
	Timings Timings
}

// Timings split the wall time of a build into its steps, in order.
type Timings struct {
	Load   time.Duration // reading and validating the case folder
	Keys   time.Duration // choosing keys: the key store, passphrase checks
	Render time.Duration // rendering the portal tree
	// Seal is encrypting the key slots and payloads, on all workers; the
	// payloads are written to disk as they are encrypted.
	Seal time.Duration
	// Write is writing the unlock page, swapping the portal into place
	// and saving the key store.
	Write time.Duration
	// Slots and Payloads are seal.Timings: the time the key slots
	// (scrypt) and the payloads took, summed over the workers.
	Slots, Payloads time.Duration
}

// Total is the sum of the steps.
func (t Timings) Total() time.Duration { return t.Load + t.Keys + t.Render + t.Seal + t.Write }

// Build loads the case in caseDir, renders and seals it, and replaces out
// with the new portal (a folder, or with opt.SingleFile an HTML file). out
// must be new, or a portal caseport built before. On error out is left as
// it was. A Result may come with an error when the portal was written but
// the key store was not updated: its generated passphrases must still be
// shown.
func Build(caseDir, out string, opt Options) (*Result, error) {
	if _, err := filepath.Abs(out); err != nil {
		return nil, err
	}
	start := time.Now()
	c, err := casedir.Load(caseDir)
	if err != nil {
		return nil, err
	}
	load := time.Since(start)
	res, err := buildLoaded(c, out, opt)
	if res != nil {
		res.Timings.Load = load
	}
	return res, err
}

// buildLoaded is Build of a loaded case.
func buildLoaded(c *casedir.Case, out string, opt Options) (*Result, error) {
	outAbs, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	if err := checkOut(c.Dir, outAbs, opt.SingleFile); err != nil {
		return nil, err
	}
	if !opt.AllowPlaceholders && len(c.Placeholders) > 0 {
		return nil, fmt.Errorf("%w\nReplace them, or build anyway with --allow-placeholders", &casedir.Problems{Dir: c.Dir, List: c.Placeholders})
	}

	var tm Timings
	step := time.Now()
	lap := func(d *time.Duration) {
		now := time.Now()
		*d += now.Sub(step)
		step = now
	}
	keys, err := ChooseKeys(c, opt)
	if err != nil {
		return nil, err
	}
	res := &Result{Out: outAbs, Readers: keys.Chosen, StorePath: keys.StorePath}
	if err := chooseReplyRecipient(c, opt, res); err != nil {
		return nil, err
	}
	lap(&tm.Keys)

	// DICOM previews are written to a private temporary folder, sealed from
	// there, and removed with it.
	previews, err := os.MkdirTemp("", "caseport-previews-")
	if err != nil {
		return nil, fmt.Errorf("rendering case %s: %w", c.ID, err)
	}
	defer os.RemoveAll(previews)
	renderCase, sealTree := opt.render, opt.seal
	if renderCase == nil {
		renderCase = render.Render
	}
	if sealTree == nil {
		sealTree = seal.Seal
	}
	tree, err := renderCase(c, render.Options{ThemesDir: opt.ThemesDir, Files: opt.Files, PreviewDir: previews})
	if err != nil {
		return nil, fmt.Errorf("rendering case %s: %w", c.ID, err)
	}
	unlock := opt.unlock
	if unlock == nil {
		unlock = &unlockpage.Cache{Files: opt.Files}
	}
	page, err := unlock.Page(tree.Lang)
	if err != nil {
		return nil, err
	}
	lap(&tm.Render)

	parent, base := filepath.Dir(outAbs), filepath.Base(outAbs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("writing the portal: %w", err)
	}
	sopt := seal.Options{SingleFile: opt.SingleFile, MaxInline: opt.MaxInline, WorkFactor: opt.WorkFactor, Unlock: page, ReplyRecipient: res.ReplyRecipient}
	var tmp string
	if opt.SingleFile {
		tmp = filepath.Join(parent, "."+base+".tmp-"+random())
	} else {
		if tmp, err = os.MkdirTemp(parent, base+".tmp-"); err != nil {
			return nil, fmt.Errorf("writing the portal: %w", err)
		}
		if err := os.Chmod(tmp, 0o755); err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("writing the portal: %w", err)
		}
	}
	sres, err := sealTree(tree, keys.Readers, tmp, sopt)
	if err == nil {
		lap(&tm.Seal)
		tm.Seal -= sres.Timings.Shell
		tm.Write += sres.Timings.Shell
		tm.Slots, tm.Payloads = sres.Timings.Slots, sres.Timings.Payloads
		err = swap(tmp, outAbs, opt.SingleFile, os.Rename)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("building %s: %w", out, err)
	}
	res.Omitted = sres.Omitted

	if err := keys.Save(); err != nil {
		return res, fmt.Errorf("the portal is written, but the key store was not updated (%w): keep the passphrases shown now; the next build would make new ones", err)
	}
	lap(&tm.Write)
	res.Timings = tm
	return res, nil
}

// StoredWorkFactor is the scrypt work factor for the slot of a passphrase
// from the key store: seal.GeneratedWorkFactor for a generated one, which
// needs no slow scrypt (docs/sealing.md), and 0 (the given passphrases'
// factor) for one edited by hand in the store into something else.
func StoredWorkFactor(passphrase string) int {
	if keystore.IsGenerated(passphrase) {
		return seal.GeneratedWorkFactor
	}
	return 0
}

// chooseReplyRecipient sets res.ReplyRecipient and, when the key was made
// now, res.CoordinatorKeyCreated.
func chooseReplyRecipient(c *casedir.Case, opt Options, res *Result) error {
	var err error
	res.ReplyRecipient, res.CoordinatorKeyCreated, err = ReplyRecipient(c, opt.Store)
	return err
}

// ReplyRecipient returns the key the portal of c seals the doctor's reply
// to: the case's [reply] recipient, or the coordinator's key in store (nil
// means the default key store), made on first need (created is then its
// file); "" when the case leaves the reply form out.
func ReplyRecipient(c *casedir.Case, store *keystore.Store) (recipient, created string, err error) {
	switch {
	case !c.Reply.Enabled:
		return "", "", nil
	case c.Reply.Recipient != "":
		return c.Reply.Recipient, "", nil
	}
	if store, err = openStore(c, store); err != nil {
		return "", "", err
	}
	id, made, err := store.EnsureCoordinator()
	if err != nil {
		return "", "", err
	}
	if made {
		created = store.CoordinatorPath()
	}
	return id.Recipient().String(), created, nil
}

// checkOut refuses an output that would replace something other than a
// portal, or that lies in the case folder.
func checkOut(caseDir, out string, single bool) error {
	// Resolved: -o through a link into the case folder must not write there.
	outIn, err := inside.Is(caseDir, out)
	if err != nil {
		return fmt.Errorf("checking the portal %s: %w", out, err)
	}
	caseIn, err := inside.Is(out, caseDir)
	if err != nil {
		return fmt.Errorf("checking the portal %s: %w", out, err)
	}
	if outIn || caseIn {
		return fmt.Errorf("the portal %s must be outside the case folder %s", out, caseDir)
	}
	fi, err := os.Stat(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if single {
		if fi.IsDir() {
			return fmt.Errorf("%s is a folder; --single-file writes a file: give a file name such as case.html", out)
		}
		if !isPortalShell(out) {
			return fmt.Errorf("%s exists and is not a sealed portal: caseport will not replace it; choose another -o or remove it", out)
		}
		return nil
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s exists and is not a folder: caseport writes a portal folder there (or use --single-file)", out)
	}
	ents, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	if len(ents) == 0 {
		return nil
	}
	if !isPortalShell(filepath.Join(out, "index.html")) {
		return fmt.Errorf("%s exists and is not a sealed portal: caseport will not replace it; choose another -o or remove it", out)
	}
	for _, e := range ents {
		if n := e.Name(); n != "index.html" && n != seal.PayloadDir {
			return fmt.Errorf("%s holds %s, which caseport did not write: caseport will not replace the folder; choose another -o or move it", out, n)
		}
	}
	return nil
}

// isPortalShell reports whether the file at p starts like an unlock page.
func isPortalShell(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 1<<20)
	n, _ := io.ReadFull(f, head)
	return bytes.Contains(head[:n], []byte(`id="caseport-sealed"`))
}

// swap puts the sealed portal at tmp in place of out, with rename
// (os.Rename; tests make it fail). A folder is moved aside first and moved
// back if the new one cannot take its place, so out is never missing a
// portal that was there.
func swap(tmp, out string, single bool, rename func(from, to string) error) error {
	if single {
		return rename(tmp, out)
	}
	if _, err := os.Stat(out); errors.Is(err, os.ErrNotExist) {
		return rename(tmp, out)
	}
	old := filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".old-"+random())
	if err := rename(out, old); err != nil {
		return err
	}
	if err := rename(tmp, out); err != nil {
		if rerr := rename(old, out); rerr != nil {
			return fmt.Errorf("%w; the previous portal is at %s", err, old)
		}
		return err
	}
	os.RemoveAll(old) // the new portal is in place: a leftover is no failure
	return nil
}

func random() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
