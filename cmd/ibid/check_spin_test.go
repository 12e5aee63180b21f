package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// spunText is a paragraph of our own as a thesaurus spinner leaves it, with
// two swapped terms the spin flags trace back.
const spunText = `The publishing squeeze transformed how notions travelled athwart Europe. Prior to it, a tome was
replicated by paw, and a lone replica might bring a copyist numerous moons of heedful toil. Subsequently, a
diminutive atelier might yield hundreds of replicas in the identical epoch, and the cost of a tome plunged
precipitously. Perusers in faraway burghs might presently possess the identical script, quarrel regarding the
identical leaves and compose rejoinders that voyaged equally speedily. Chroniclers yet deliberate how
abundantly the novel contraption engendered the pious and partisan transformations that ensued. Our laboratory
studies unreal intelligence.
`

// TestCheckSpin: with an empty library, ibid check still says the text
// looks spun, for people and in --json.
func TestCheckSpin(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "spun.txt")
	if err := os.WriteFile(doc, []byte(spunText), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "empty.db")
	os.WriteFile(filepath.Join(dir, "bad.docx"), []byte("not a zip"), 0o644)
	runIbid(t, nil, "import", "--db", db, filepath.Join(dir, "bad.docx"))

	code, stdout, stderr := runIbid(t, nil, "check", "--db", db, "--json", doc)
	if code != 0 {
		t.Fatalf("check --json: exit %d: %s", code, stderr)
	}
	var rep struct {
		Spin *struct {
			Score   float64 `json:"score"`
			Flagged bool    `json:"flagged"`
			Phrases []struct {
				Offset, Length int
				Text, Likely   string
			} `json:"phrases"`
		} `json:"spin"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Spin == nil {
		t.Fatalf("check --json: %v, no spin in %s", err, stdout)
	}
	if !rep.Spin.Flagged || len(rep.Spin.Phrases) != 1 || rep.Spin.Phrases[0].Likely != "artificial intelligence" {
		t.Errorf("spin = %+v, want flagged with the phrase \"unreal intelligence\"", rep.Spin)
	}
	if p := rep.Spin.Phrases; len(p) == 1 && string([]rune(spunText)[p[0].Offset:p[0].Offset+p[0].Length]) != p[0].Text {
		t.Errorf("phrase %+v is not at its rune offset", p[0])
	}

	code, stdout, stderr = runIbid(t, nil, "check", "--db", db, doc)
	if code != 0 {
		t.Fatalf("check: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Possibly machine-paraphrased: yes", "«unreal intelligence»", "likely: artificial intelligence"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, stdout)
		}
	}
}

// TestCheckSpunCopy: a spun copy of a library essay is reported as
// paraphrased, with the synonyms swapped in.
func TestCheckSpunCopy(t *testing.T) {
	dir := t.TempDir()
	// The hand-spun paragraph of the originality package's tests.
	spin := filepath.Join("..", "..", "originality", "testdata", "spin")
	src, err := os.ReadFile(filepath.Join(spin, "source.txt"))
	if err != nil {
		t.Fatal(err)
	}
	essay := filepath.Join(dir, "composer.md")
	os.WriteFile(essay, append([]byte("# The Composer of the Harbour Town\n\n"), src...), 0o644)
	db := filepath.Join(dir, "lib.db")
	if code, _, stderr := runIbid(t, nil, "import", "--db", db, essay); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runIbid(t, nil, "check", "--db", db, filepath.Join(spin, "spun.txt"))
	if code != 0 {
		t.Fatalf("check: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"The Composer of the Harbour Town — paraphrased", "synonyms swapped in: ", "mended ↔ repaired", "pupils ↔ students"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, stdout)
		}
	}
}
