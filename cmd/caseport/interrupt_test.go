package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptedBuildLeavesNoTemp: SIGINT (and SIGTERM) while a build is
// sealing removes OUT.tmp-… and leaves the previous portal as it was.
func TestInterruptedBuildLeavesNoTemp(t *testing.T) {
	needBundle(t)
	bin := filepath.Join(t.TempDir(), "caseport")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	dir := copyValid(t)
	parent := t.TempDir()
	out := filepath.Join(parent, "portal")
	env := append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir(), "CASEPORT_PASSPHRASE=lantern-meadow-violet-harbor-cactus-otter")
	first := exec.Command(bin, "build", dir, "-o", out, "--allow-placeholders")
	first.Env = env
	if b, err := first.CombinedOutput(); err != nil {
		t.Fatalf("first build: %v\n%s", err, b)
	}
	before, _ := os.ReadFile(filepath.Join(out, "index.html"))

	// A large attachment keeps the second build sealing for a while.
	big, err := os.OpenFile(filepath.Join(dir, "imaging", "ct-2026-08-01-dicom.zip"), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	big.Truncate(3 << 30)
	big.Close()

	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		cmd := exec.Command(bin, "build", dir, "-o", out, "--allow-placeholders")
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			if m, _ := filepath.Glob(filepath.Join(parent, "portal.tmp-*", "p", "*")); len(m) > 0 {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("%v: no OUT.tmp-*/p/ appeared; stderr:\n%s", sig, stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 130 {
			t.Errorf("%v: %v, want exit status 130; stderr:\n%s", sig, err, stderr.String())
		}
		if left, _ := filepath.Glob(filepath.Join(parent, "*tmp-*")); len(left) > 0 {
			t.Errorf("%v: left %v", sig, left)
		}
		if after, _ := os.ReadFile(filepath.Join(out, "index.html")); string(after) != string(before) {
			t.Errorf("%v: the previous portal changed", sig)
		}
	}
}
