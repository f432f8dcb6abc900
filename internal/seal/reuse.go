package seal

import (
	"crypto/sha256"
	"fmt"
	"os"
	"sync"
	"time"

	"filippo.io/age"
)

// Reuse carries the portal identity, the key slots and the sealed
// attachment payloads from one Seal to the next, so that the live preview
// ("caseport serve --sealed") re-seals only what changed: an edit to
// questions.md encrypts the pages and the manifest again, not a 2 GiB
// imaging archive, and does not pay the passphrase's scrypt cost again.
//
// Every portal sealed with one Reuse shares one portal identity, which a
// real build must never do: use it for previews only. Payloads are reused
// in folder mode only, by hard link from the previous folder, which must
// still exist when the next Seal runs. The zero value is ready to use.
type Reuse struct {
	mu       sync.Mutex
	identity *age.HybridIdentity
	slots    map[[32]byte]string // reader's key → the slot's Key
	payloads map[payloadKey]reusedPayload
}

// payloadKey identifies an attachment's content without reading it.
type payloadKey struct {
	source string
	size   int64
	mtime  time.Time
}

type reusedPayload struct {
	path string // the sealed payload in the last folder that used it
	n    int64  // its plaintext size
}

func (r *Reuse) portalIdentity() (*age.HybridIdentity, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.identity == nil {
		id, err := age.GenerateHybridIdentity()
		if err != nil {
			return nil, err
		}
		r.identity = id
	}
	return r.identity, nil
}

func slotKey(rd Reader) [32]byte {
	return sha256.Sum256([]byte(fmt.Sprintf("%q %q %q", rd.Name, rd.Passphrase, rd.Recipient)))
}

func (r *Reuse) slot(rd Reader) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := r.slots[slotKey(rd)]
	return k, ok
}

func (r *Reuse) storeSlot(rd Reader, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.slots == nil {
		r.slots = map[[32]byte]string{}
	}
	r.slots[slotKey(rd)] = key
}

func (r *Reuse) payload(k payloadKey) (reusedPayload, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.payloads[k]
	return p, ok
}

func (r *Reuse) storePayload(k payloadKey, p reusedPayload) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.payloads == nil {
		r.payloads = map[payloadKey]reusedPayload{}
	}
	r.payloads[k] = p
}

// linkPayload puts a payload sealed before at dst, by hard link, and
// returns its plaintext size; ok is false when there is none to reuse.
func (r *Reuse) linkPayload(k payloadKey, dst string) (int64, bool) {
	p, ok := r.payload(k)
	if !ok {
		return 0, false
	}
	if err := os.Link(p.path, dst); err != nil {
		return 0, false // the old folder is gone, or another file system: seal again
	}
	// The next build links from here: older folders may be removed.
	r.storePayload(k, reusedPayload{path: dst, n: p.n})
	return p.n, true
}
