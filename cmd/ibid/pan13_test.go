package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// runPAN runs "ibid pan13 ARGS..." in-process.
func runPAN(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, append([]string{"pan13"}, args...))
	return code, out.String(), errb.String()
}

// plagdetOf returns the plagdet column of a row of the score table.
func plagdetOf(t *testing.T, table, row string) float64 {
	t.Helper()
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) == 7 && f[0] == row {
			v, err := strconv.ParseFloat(f[3], 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("no row %q in\n%s", row, table)
	return 0
}

const panSource = `The lighthouse keepers of the northern coast kept a log of every ship that passed their station. Each entry recorded the hour, the weather, the direction of the wind and the name of the vessel when it could be read.
These logs survive in the county archive and tell a story of slow decline, as steam replaced sail and the small harbours lost their trade to the railways.
Historians have used them to date storms, to trace the careers of individual captains and to measure how quickly the fishing fleets shrank after the war.`

// A synthetic corpus in the PAN layout: one sub-corpus, one pair whose
// suspicious document copies the source's second paragraph after a BOM and
// CRLF line ends, so that offsets are checked in code points of raw files.
func writeCorpus(t *testing.T) string {
	dir := t.TempDir()
	copied := strings.Split(panSource, "\n")[1]
	prefix := "\ufeffÉtude — a note on gardens.\r\nRoses need sun, water and patient pruning in early spring before the buds open.\r\n"
	susp := prefix + copied + "\r\nThe end of the note about the garden and its long season of flowers."
	off := len([]rune(prefix))
	srcOff := len([]rune(strings.Split(panSource, "\n")[0])) + 1
	n := len([]rune(copied))
	files := map[string]string{
		"susp/suspicious-document00001.txt": susp,
		"src/source-document00001.txt":      panSource,
		"02-no-obfuscation/pairs":           "suspicious-document00001.txt source-document00001.txt\n",
		"02-no-obfuscation/suspicious-document00001-source-document00001.xml": `<document reference="suspicious-document00001.txt">
<feature name="plagiarism" obfuscation="none" this_offset="` + strconv.Itoa(off) + `" this_length="` + strconv.Itoa(n) +
			`" source_reference="source-document00001.txt" source_offset="` + strconv.Itoa(srcOff) + `" source_length="` + strconv.Itoa(n) + `"/>
</document>`,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPAN13Synthetic(t *testing.T) {
	corpus := writeCorpus(t)
	out := filepath.Join(t.TempDir(), "det")
	code, stdout, stderr := runPAN(t, corpus, "--out", out, "--score", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "suspicious-document00001-source-document00001.xml")); err != nil {
		t.Fatal(err)
	}
	if p := plagdetOf(t, stdout, "02-no-obfuscation"); p < 0.95 {
		t.Errorf("plagdet %.4f on a verbatim copy, want ≥ 0.95:\n%s", p, stdout)
	}
}

func TestPAN13Usage(t *testing.T) {
	for _, args := range [][]string{{}, {"corpus"}, {"a", "b", "--out", "x"}, {"c", "--out", "x", "--every", "0"}} {
		if code, _, _ := runPAN(t, args...); code != 2 {
			t.Errorf("pan13 %q: exit %d, want 2", args, code)
		}
	}
}

// TestPAN13Shared runs the evaluation on every 40th pair of the PAN13
// training corpus when it is present.
func TestPAN13Shared(t *testing.T) {
	corpus := filepath.Join("..", "..", "..", "shared", "corpora", "pan13-train")
	if _, err := os.Stat(filepath.Join(corpus, "pairs")); err != nil {
		t.Skip("PAN13 corpus not present at ../shared/corpora/pan13-train")
	}
	if testing.Short() {
		t.Skip("short mode")
	}
	out := t.TempDir()
	code, stdout, stderr := runPAN(t, corpus, "--every", "40", "--out", out, "--score", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if p := plagdetOf(t, stdout, "02-no-obfuscation"); p < 0.85 {
		t.Errorf("no-obfuscation plagdet %.4f, want ≥ 0.85:\n%s", p, stdout)
	}
	if p := plagdetOf(t, stdout, "overall"); p < 0.75 {
		t.Errorf("overall plagdet %.4f, want ≥ 0.75:\n%s", p, stdout)
	}
}
