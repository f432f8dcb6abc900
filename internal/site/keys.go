package site

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/inside"
	"github.com/caseport/caseport/internal/keystore"
	"github.com/caseport/caseport/internal/seal"
)

// Keys are the keys chosen for the readers of a case: what seal needs, how
// each was chosen, and the key store to update once the portal is written.
type Keys struct {
	// Readers are the readers with their keys, in the case's order, for
	// seal.Seal.
	Readers []seal.Reader
	// Chosen says how each reader's key was chosen (Result.Readers).
	Chosen []Reader
	// StorePath is the key store file of the case, when it is used.
	StorePath string

	store  *keystore.Store
	caseID string
	stored map[string]string // the store's passphrases of the case's readers
}

// ChooseKeys gives each reader of c (DefaultReader when c names none) a
// key: its age recipient, a passphrase the user gave in opt (checked for
// strength unless opt.AllowWeak), or one from the key store, kept from
// before or generated. "caseport build" and "caseport serve --sealed" both
// choose keys here, so a preview and the build after it agree. Nothing is
// written: Save does that.
func ChooseKeys(c *casedir.Case, opt Options) (*Keys, error) {
	list := c.Readers
	if len(list) == 0 {
		list = []casedir.Reader{{Name: DefaultReader}}
	}
	given, err := givenPassphrases(c, list, opt)
	if err != nil {
		return nil, err
	}
	var fromStore []string
	for _, r := range list {
		if _, ok := given[r.Name]; !ok && r.Recipient == "" {
			fromStore = append(fromStore, r.Name)
		}
	}
	k := &Keys{caseID: c.ID}
	created := map[string]bool{}
	if len(fromStore) > 0 {
		if k.store, err = openStore(c, opt.Store); err != nil {
			return nil, err
		}
		news, err := k.loadStored(fromStore)
		if err != nil {
			return nil, err
		}
		for _, n := range news {
			created[n] = true
		}
		k.StorePath = k.store.Path(c.ID)
	}
	for _, r := range list {
		switch {
		case r.Recipient != "":
			k.Readers = append(k.Readers, seal.Reader{Name: r.Name, Recipient: r.Recipient})
			k.Chosen = append(k.Chosen, Reader{Name: r.Name, Key: KeyRecipient})
		case given[r.Name] != "":
			k.Readers = append(k.Readers, seal.Reader{Name: r.Name, Passphrase: given[r.Name]})
			k.Chosen = append(k.Chosen, Reader{Name: r.Name, Key: KeyGiven})
		default:
			p := k.stored[r.Name]
			wf := StoredWorkFactor(p)
			if wf != 0 && opt.GeneratedWorkFactor != 0 {
				wf = opt.GeneratedWorkFactor
			}
			k.Readers = append(k.Readers, seal.Reader{Name: r.Name, Passphrase: p, WorkFactor: wf})
			if created[r.Name] {
				k.Chosen = append(k.Chosen, Reader{Name: r.Name, Key: KeyGenerated, Passphrase: p})
			} else {
				k.Chosen = append(k.Chosen, Reader{Name: r.Name, Key: KeyStored})
			}
		}
	}
	return k, nil
}

// Save writes the key store's passphrases of the case's readers, when the
// store is used: a reader no longer in the case loses its passphrase, so a
// reader put back later gets a new one. It writes only what changed.
func (k *Keys) Save() error {
	if k.store == nil {
		return nil
	}
	return k.store.Save(k.caseID, k.stored)
}

// givenPassphrases returns the passphrases the user gave, by reader: the
// passphrase file's, and CASEPORT_PASSPHRASE for the one passphrase reader.
func givenPassphrases(c *casedir.Case, list []casedir.Reader, opt Options) (map[string]string, error) {
	known := map[string]bool{}
	var withPass, names []string
	for _, r := range list {
		known[r.Name] = true
		names = append(names, r.Name)
		if r.Recipient == "" {
			withPass = append(withPass, r.Name)
		}
	}
	var unknown []string
	for n := range opt.Passphrases {
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("the passphrase file names readers the case does not have: %s (the case's readers: %s)",
			strings.Join(unknown, ", "), strings.Join(names, ", "))
	}
	given := map[string]string{}
	for n, p := range opt.Passphrases {
		given[n] = p
	}
	if opt.Passphrase != "" {
		if len(withPass) != 1 {
			return nil, fmt.Errorf("CASEPORT_PASSPHRASE is for a case with one reader; case %s has %d readers with passphrases: use --passphrase-file", c.ID, len(withPass))
		}
		given[withPass[0]] = opt.Passphrase
	}
	if !opt.AllowWeak {
		words := caseWords(c, list)
		for _, n := range withPass {
			if p, ok := given[n]; ok {
				if err := keystore.Strength(p, words); err != nil {
					return nil, fmt.Errorf("reader %q: %w (or build with --allow-weak-passphrase)", n, err)
				}
			}
		}
	}
	return given, nil
}

// caseWords are the strings of c an attacker holding its portal would try
// in a passphrase first.
func caseWords(c *casedir.Case, readers []casedir.Reader) []string {
	strs := []string{c.ID, c.Title, c.Patient.Alias, c.Patient.Name, c.PreparedBy, c.Diagnosis.Name, c.Diagnosis.Site}
	if c.Patient.BirthYear != 0 {
		strs = append(strs, strconv.Itoa(c.Patient.BirthYear))
	}
	for _, r := range readers {
		strs = append(strs, r.Name)
	}
	return keystore.CaseWords(strs...)
}

// openStore returns store, or the default key store when nil, refusing one
// inside the case folder.
func openStore(c *casedir.Case, store *keystore.Store) (*keystore.Store, error) {
	if store == nil {
		var err error
		if store, err = keystore.DefaultStore(); err != nil {
			return nil, err
		}
	}
	if in, err := inside.Is(c.Dir, store.Dir); err != nil || in {
		return nil, fmt.Errorf("the key store %s is inside the case folder %s: passphrases must never be kept with the case", store.Dir, c.Dir)
	}
	return store, nil
}

// loadStored fills k.stored with the store's passphrase of each of names,
// generating those it lacks, and returns the generated ones' readers.
func (k *Keys) loadStored(names []string) ([]string, error) {
	stored, created, err := k.store.Passphrases(k.caseID, names)
	if err != nil {
		return nil, err
	}
	k.stored = stored
	return created, nil
}
