package site

import (
	"os"
	"path/filepath"
	"sync"
)

// TempSet is the temporary portals that builds are writing beside their
// outputs (OUT.tmp-…). A command interrupted by SIGINT or SIGTERM calls
// RemoveAll, so that no half-written portal is left behind. A swap of a
// finished portal into place holds the set, so RemoveAll waits for it
// rather than cutting it in half; the previous portal stays intact either
// way. The zero value is ready; a nil *TempSet does nothing.
type TempSet struct {
	mu      sync.Mutex
	paths   map[string]bool
	stopped bool
}

// add lists p; it reports false once RemoveAll has run (the build stops).
func (s *TempSet) add(p string) bool {
	if s == nil {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return false
	}
	if s.paths == nil {
		s.paths = map[string]bool{}
	}
	s.paths[p] = true
	return true
}

// done unlists p, which the build removed or swapped into place.
func (s *TempSet) done(p string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.paths, p)
}

// swapping runs swap with the set held.
func (s *TempSet) swapping(swap func() error) error {
	if s == nil {
		return swap()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errInterrupted
	}
	return swap()
}

// RemoveAll removes every temporary portal still listed, with the scratch
// folders of single-file builds beside them, and makes later builds stop.
func (s *TempSet) RemoveAll() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	for p := range s.paths {
		os.RemoveAll(p)
		scratch, _ := filepath.Glob(filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".payloads-*"))
		for _, d := range scratch {
			os.RemoveAll(d)
		}
	}
	s.paths = nil
}
