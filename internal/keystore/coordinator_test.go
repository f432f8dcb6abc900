package keystore

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestCoordinatorKeyIsMadeOnceWithMode0600(t *testing.T) {
	s := &Store{Dir: filepath.Join(t.TempDir(), "keys")}
	if _, err := s.Coordinator(); err == nil {
		t.Fatal("Coordinator before any was made: want an error")
	}
	id, created, err := s.EnsureCoordinator()
	if err != nil || !created {
		t.Fatalf("EnsureCoordinator: created %v, %v", created, err)
	}
	if !strings.HasPrefix(id.Recipient().String(), "age1pq1") {
		t.Errorf("recipient %.12s...: want a post-quantum hybrid key", id.Recipient())
	}
	fi, err := os.Stat(s.CoordinatorPath())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(s.CoordinatorPath())
	if !strings.Contains(string(data), "# public key: "+id.Recipient().String()) || !strings.Contains(string(data), "losing this file loses every reply") {
		t.Errorf("the file does not say its public key and what losing it means:\n%s", data)
	}
	again, created, err := s.EnsureCoordinator()
	if err != nil || created || again.String() != id.String() {
		t.Errorf("second EnsureCoordinator: created %v, same %v, %v", created, again != nil && again.String() == id.String(), err)
	}
}

func TestCoordinatorKeyRaceAgrees(t *testing.T) {
	s := &Store{Dir: filepath.Join(t.TempDir(), "keys")}
	var wg sync.WaitGroup
	keys := make([]string, 8)
	errs := make([]error, 8)
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, _, err := s.EnsureCoordinator()
			errs[i] = err
			if err == nil {
				keys[i] = id.String()
			}
		}()
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil || keys[i] != keys[0] {
			t.Fatalf("build %d: %v, same key %v", i, errs[i], keys[i] == keys[0])
		}
	}
	ents, _ := os.ReadDir(s.Dir)
	if len(ents) != 1 {
		t.Errorf("the key store holds %d files, want the coordinator's key alone", len(ents))
	}
}

func TestCoordinatorKeyDamaged(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	if err := os.WriteFile(s.CoordinatorPath(), []byte("AGE-SECRET-KEY-PQ-1NOTAKEY\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.EnsureCoordinator()
	if err == nil || !strings.Contains(err.Error(), "restore it from your backup") {
		t.Fatalf("a damaged key: %v; want it refused, not replaced", err)
	}
}
