package main

import (
	"strings"
	"testing"
)

// TestVersion: ibid version carries WordNet's licence, as the licence of the
// embedded thesaurus asks.
func TestVersion(t *testing.T) {
	code, stdout, stderr := runIbid(t, nil, "version")
	if code != 0 {
		t.Fatalf("version: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"ibid ", "WordNet 3.0", "Princeton University", `PROVIDED "AS IS"`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("version output lacks %q:\n%s", want, stdout)
		}
	}
	if code, _, _ := runIbid(t, nil, "version", "extra"); code != 2 {
		t.Errorf("version extra: exit %d, want 2", code)
	}
}
