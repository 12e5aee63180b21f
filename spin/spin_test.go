package spin

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid/demo"
)

func TestPhrases(t *testing.T) {
	type ph struct{ text, likely string }
	cases := []struct {
		name string
		in   string
		want []ph
	}{
		{"tortured term", "The laboratory studies unreal intelligence every day.",
			[]ph{{"unreal intelligence", "artificial intelligence"}}},
		{"tortured term, plural head", "Old machines kept their files on difficult disks.",
			[]ph{{"difficult disks", "hard disk"}}},
		{"two in one text", "Her mother clapper is Welsh. She keeps the notes on a difficult disk at home.",
			[]ph{{"mother clapper", "mother tongue"}, {"difficult disk", "hard disk"}}},
		{"sentence start keeps its case", "Unreal intelligence is a young field.",
			[]ph{{"Unreal intelligence", "artificial intelligence"}}},
		{"human phrases", "The stock exchange fell while climate change and artificial intelligence filled the news.", nil},
		{"human phrases with a function word", "From her point of view, the rule of thumb was a state of mind.", nil},
		{"number words", "The bridge stood for five centuries.", nil},
		{"forms of one word", "They paid attention to the colour programme.", nil},
		{"ordinary variation", "Natural selection favours a hard disk over a floppy one.", nil},
		{"proper name", "They met at Unreal Intelligence Labs near Difficult Disk Road in Boston.", nil},
		{"quotation", "He called it “unreal intelligence” as a joke, and \"difficult disk\" too.", nil},
		{"acronym and numbers", "In 1990 the UNREAL INTELLIGENCE team stored 20 MB.", nil},
		{"across punctuation", "It was unreal; intelligence came later. The work was difficult, disk by disk.", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Detect(c.in).Phrases
			if len(got) != len(c.want) {
				t.Fatalf("got %d phrases %+v, want %+v", len(got), got, c.want)
			}
			runes := []rune(c.in)
			for i, g := range got {
				if g.Text != c.want[i].text || g.Likely != c.want[i].likely {
					t.Errorf("phrase %d = %q -> %q, want %q -> %q", i, g.Text, g.Likely, c.want[i].text, c.want[i].likely)
				}
				if s := string(runes[g.Offset : g.Offset+g.Length]); s != g.Text {
					t.Errorf("phrase %d: runes at %d+%d are %q, not its text %q", i, g.Offset, g.Length, s, g.Text)
				}
			}
		})
	}
}

func TestOffsetsAreRunes(t *testing.T) {
	in := "Café “naïve” ÉTUDES — the team studies unreal intelligence."
	got := Detect(in).Phrases
	if len(got) != 1 {
		t.Fatalf("got %+v, want one phrase", got)
	}
	want := strings.Index(in, "unreal")
	want = len([]rune(in[:want]))
	if got[0].Offset != want || got[0].Length != len("unreal intelligence") {
		t.Errorf("phrase at %d+%d, want %d+%d", got[0].Offset, got[0].Length, want, len("unreal intelligence"))
	}
}

// human is our own paragraph of ordinary prose; spun is the same paragraph
// as a thesaurus spinner leaves it, written by hand for this test.
const (
	human = `The printing press changed how ideas moved across Europe. Before it, a book was copied by hand, and
a single copy could take a scribe many months of careful work. After it, a small workshop could produce hundreds
of copies in the same time, and the price of a book fell sharply. Readers in distant towns could now own the same
text, argue about the same pages and write replies that travelled just as quickly. Historians still debate how
much the new machine caused the religious and political changes that followed, but few doubt that it made them
faster and harder to stop.`
	spun = `The publishing squeeze transformed how notions travelled athwart Europe. Prior to it, a tome was
replicated by paw, and a lone replica might bring a copyist numerous moons of heedful toil. Subsequently, a
diminutive atelier might yield hundreds of replicas in the identical epoch, and the cost of a tome plunged
precipitously. Perusers in faraway burghs might presently possess the identical script, quarrel regarding the
identical leaves and compose rejoinders that voyaged equally speedily. Chroniclers yet deliberate how
abundantly the novel contraption engendered the pious and partisan transformations that ensued, but scant
mistrust that it rendered them swifter and tougher to halt.`
)

func TestScore(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		flagged bool
	}{
		{"ordinary prose", human, false},
		{"hand-spun prose", spun, true},
		{"too short to judge", "The publishing squeeze transformed how notions travelled athwart Europe.", false},
		{"not prose", strings.Repeat("tome replica copyist atelier epoch burgh rejoinder chronicler contraption\n", 10), false},
		{"empty", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Detect(c.in)
			if r.Flagged != c.flagged {
				t.Errorf("flagged = %v (score %.3f), want %v", r.Flagged, r.Score, c.flagged)
			}
			if r.Score < 0 || r.Score > 1 || r.Flagged != (r.Score >= 0.5) {
				t.Errorf("score %.3f out of range or disagreeing with flagged %v", r.Score, r.Flagged)
			}
		})
	}
	if h, s := Detect(human).Score, Detect(spun).Score; h >= s {
		t.Errorf("human text scores %.3f, not below its spun copy's %.3f", h, s)
	}
}

func TestDemoEssaysNotFlagged(t *testing.T) {
	n := 0
	err := fs.WalkDir(demo.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(demo.FS(), path)
		if err != nil {
			return err
		}
		n++
		if r := Detect(string(b)); r.Flagged {
			t.Errorf("%s flagged (score %.3f, phrases %+v)", path, r.Score, r.Phrases)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no demo essays")
	}
}

// TestHumanCorpora checks the false-positive rate on human writing kept
// outside the project: the spin-dev originals and a sample of the PAN13
// sources.
func TestHumanCorpora(t *testing.T) {
	for _, c := range []struct {
		name, glob string
		every      int
	}{
		{"spin-dev originals", "../../shared/corpora/spin-dev/pairs/*-orig.txt", 1},
		{"PAN13 sources (every 5th)", "../../shared/corpora/pan13-train/src/*.txt", 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, _ := filepath.Glob(c.glob)
			if len(files) == 0 {
				t.Skipf("%s not found (../shared is outside the repository)", c.glob)
			}
			seen := map[string]bool{}
			n, flagged := 0, 0
			for i, f := range files {
				if i%c.every != 0 {
					continue
				}
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if seen[string(b)] {
					continue // spin-dev has each original under both paraphrasers
				}
				seen[string(b)] = true
				n++
				if Detect(string(b)).Flagged {
					flagged++
				}
			}
			rate := float64(flagged) / float64(n)
			t.Logf("%d of %d flagged (%.2f%%)", flagged, n, 100*rate)
			if rate > 0.02 {
				t.Errorf("%d of %d human texts flagged (%.2f%%), more than 2%%", flagged, n, 100*rate)
			}
		})
	}
}

func BenchmarkDetect(b *testing.B) {
	data, err := fs.ReadFile(demo.FS(), "narrative-voice-in-jane-austen.md")
	if err != nil {
		b.Fatal(err)
	}
	s := string(data)
	Detect(s) // load the thesaurus outside the timing
	b.SetBytes(int64(len(s)))
	b.ResetTimer()
	for range b.N {
		Detect(s)
	}
}

// FuzzDetect: any input, valid UTF-8 or not, gives a report whose phrases
// lie in the text, in order, each spelling the runes at its offset.
func FuzzDetect(f *testing.F) {
	f.Add("Our laboratory studies unreal intelligence.")
	f.Add("Café “naïve” — unreal\u00a0intelligence; difficult\ndisks.\n\n\"unreal intelligence\"")
	f.Add("\xff\xfeunreal intelligence \xc3")
	f.Fuzz(func(t *testing.T, s string) {
		r := Detect(s)
		if r.Score < 0 || r.Score > 1 || r.Flagged != (r.Score >= 0.5) || r.Phrases == nil {
			t.Fatalf("report %+v", r)
		}
		runes := []rune(s)
		end := 0
		for _, p := range r.Phrases {
			if p.Offset < end || p.Length <= 0 || p.Offset+p.Length > len(runes) {
				t.Fatalf("phrase %+v out of place (text of %d runes, previous end %d)", p, len(runes), end)
			}
			if got := string(runes[p.Offset : p.Offset+p.Length]); got != p.Text {
				t.Fatalf("phrase %+v: runes there are %q", p, got)
			}
			end = p.Offset + p.Length
		}
	})
}
