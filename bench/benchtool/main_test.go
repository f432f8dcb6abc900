package main

import (
	"testing"

	"github.com/caseport/caseport/internal/benchcase"
)

func TestParseFiles(t *testing.T) {
	got, err := parseFiles("64MiB, 2x1KiB:sparse,3")
	want := []benchcase.File{{Size: 64 << 20, Random: true}, {Size: 1024}, {Size: 1024}, {Size: 3, Random: true}}
	if err != nil || len(got) != len(want) {
		t.Fatalf("parseFiles: %v, %v", got, err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("file %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"1TB", "x1MiB", "-1", "twoxMiB"} {
		if _, err := parseFiles(bad); err == nil {
			t.Errorf("parseFiles(%q) accepted", bad)
		}
	}
}
