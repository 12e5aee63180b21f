package spinsim

import (
	"math"
	"strings"
	"testing"
	"unicode"
)

// testGroups is a small hand-made thesaurus (our own word lists, not taken
// from WordNet or any other thesaurus), enough for the spinner's rules.
var testGroups = [][]string{
	{"music", "melody", "tune"},
	{"song", "melody", "ballad", "tune"},
	{"write", "compose", "pen", "draft"},
	{"publisher", "printer", "issuer"},
	{"artificial", "counterfeit", "synthetic", "fake"},
	{"intelligence", "consciousness", "brainpower", "wit"},
	{"game", "match", "contest", "pastime"},
	{"video", "film", "footage"},
	{"character", "figure", "persona"},
	{"researcher", "scholar", "investigator"},
	{"train", "coach", "drill", "school"},
	{"model", "pattern", "replica"},
	{"large", "big", "huge", "vast"},
	{"result", "outcome", "upshot"},
	{"surprise", "astonish", "amaze"},
	{"study", "examine", "survey", "inspect"},
	{"city", "town", "metropolis"},
	{"river", "stream", "waterway"},
	{"old", "ancient", "aged"},
	{"bridge", "span", "crossing"},
	{"build", "construct", "erect", "raise"},
	{"john", "toilet", "lavatory"},
	{"paris", "capital"},
	{"the", "this"}, // a function word: never swapped, never put in
	{"quick", "fast", "rapid", "swift"},
	{"walk", "stroll", "march", "tramp"},
	{"carry", "bear", "convey", "transport"},
	{"heavy", "weighty", "hefty"},
	{"stone", "rock", "boulder"},
	{"worker", "labourer", "hand"},
}

const testText = `John Williams wrote the music for over 290 songs in 1998. Video game publishers use artificial
intelligence to give their characters wit. The researchers trained large models, and the results surprised
everyone in Paris. Old bridges were built over the river by workers carrying heavy stones. Researchers study
the city; the ancient city studied its researchers. Quick workers walked and carried stones to the bridge.
NASA trained models with 12 researchers and a quick game of chess.`

func TestSpinRate(t *testing.T) {
	s := New(NewThesaurus(testGroups), 7)
	for _, rate := range []float64{0, 0.3, 0.5, 0.7} {
		res := s.Spin(testText, rate)
		if res.Content == 0 || res.Swappable < res.Content*7/10 {
			t.Fatalf("rate %.1f: %d content words, %d swappable: the test text should be mostly swappable", rate, res.Content, res.Swappable)
		}
		// round(rate × content) words: within half a word of the rate.
		if got := res.Rate(); math.Abs(got-rate) > 0.5/float64(res.Content)+1e-9 {
			t.Errorf("rate %.1f: swapped %d of %d content words (%.3f)", rate, len(res.Swaps), res.Content, got)
		}
		if rate == 0 && res.Text != testText {
			t.Errorf("rate 0 changed the text:\n%s", res.Text)
		}
	}
	// Asked for more than the thesaurus allows, every swappable word goes.
	res := s.Spin("Researchers study stones and unknowable things.", 1)
	if len(res.Swaps) != res.Swappable || res.Swappable != 3 || res.Content != 5 {
		t.Errorf("rate 1: %d swaps, %d swappable, %d content; want 3, 3, 5: %+v", len(res.Swaps), res.Swappable, res.Content, res)
	}
}

func TestSpinDeterministic(t *testing.T) {
	th := NewThesaurus(testGroups)
	a := New(th, 1).Spin(testText, 0.5)
	b := New(th, 1).Spin(testText, 0.5)
	if a.Text != b.Text {
		t.Errorf("same seed, different texts:\n%s\n%s", a.Text, b.Text)
	}
	differ := false
	for seed := uint64(2); seed < 6; seed++ {
		if New(th, seed).Spin(testText, 0.5).Text != a.Text {
			differ = true
		}
	}
	if !differ {
		t.Error("four other seeds all gave the same spin")
	}
}

// words splits text into its letter-and-digit runs (apostrophes and
// hyphens inside words kept), as the spinner sees them.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '-'
	})
}

func TestSpinKeeps(t *testing.T) {
	th := NewThesaurus(testGroups)
	for seed := uint64(0); seed < 20; seed++ {
		res := New(th, seed).Spin(testText, 1)
		in, out := words(testText), words(res.Text)
		if len(in) != len(out) {
			t.Fatalf("seed %d: %d words became %d:\n%s", seed, len(in), len(out), res.Text)
		}
		for i := range in {
			w, o := in[i], out[i]
			switch lw := strings.ToLower(w); {
			case stop[lw], lw == "john", lw == "williams", lw == "paris", lw == "nasa", lw == "1998", lw == "290", lw == "12":
				if o != w {
					t.Errorf("seed %d: %q (function word, name or number) became %q", seed, w, o)
				}
			case o != w:
				if unicode.IsUpper([]rune(w)[0]) != unicode.IsUpper([]rune(o)[0]) {
					t.Errorf("seed %d: case not kept: %q → %q", seed, w, o)
				}
				if stop[strings.ToLower(o)] {
					t.Errorf("seed %d: %q became the function word %q", seed, w, o)
				}
			}
		}
		// The punctuation and spacing between words are untouched.
		strip := func(s string) string {
			return strings.Map(func(r rune) rune {
				if unicode.IsLetter(r) {
					return -1
				}
				return r
			}, s)
		}
		if strip(res.Text) != strip(testText) {
			t.Errorf("seed %d: punctuation or spacing changed:\n%s", seed, res.Text)
		}
		// Each swap's offsets point at its new word.
		rs := []rune(res.Text)
		for _, sw := range res.Swaps {
			if got := string(rs[sw.Offset : sw.Offset+sw.Length]); got != sw.To {
				t.Errorf("seed %d: swap %+v points at %q", seed, sw, got)
			}
		}
	}
}

func TestSpinInflection(t *testing.T) {
	th := NewThesaurus([][]string{
		{"song", "ballad"}, {"study", "survey"}, {"carry", "convey"}, {"train", "coach"},
		{"build", "erect"}, {"surprise", "amaze"}, {"walk", "stroll"}, {"box", "crate"}, {"crate", "box"},
		{"city", "town"}, {"town", "city"}, {"stop", "halt"}, {"pass", "cross"}, {"cross", "pass"},
		{"model", "lovely", "exemplary", "pattern"}, {"research", "scholarly", "academic", "investigate"},
		{"name", "nominal", "titular", "call"},
		{"intelligence", "secret service"}, {"tune", "folk song"}, {"perform", "carry out"},
		{"achieve", "pull off"}, {"notice", "spot"}, {"watch", "spot"}, {"visit", "call"},
		{"love", "sharing", "adored", "adore"},
	})
	s := New(th, 1)
	for _, c := range []struct{ in, want string }{
		{"songs", "ballads"},
		{"Songs", "Ballads"},
		{"studies", "surveys"},
		{"studied", "surveyed"},
		{"carried", "conveyed"},
		{"training", "coaching"},
		{"trained", "coached"},
		{"surprised", "amazed"},
		{"surprising", "amazing"},
		{"walks", "strolls"},
		{"boxes", "crates"},
		{"crates", "boxes"},
		{"cities", "towns"},
		{"towns", "cities"},
		{"stopped", "halted"},
		{"stopping", "halting"},
		{"passes", "crosses"},
		{"crossed", "passed"},
		{"building", "erecting"},
		// An inflected word takes no adjective: the thesaurus has no parts
		// of speech, but the endings give most of them away.
		{"models", "patterns"},
		{"researching", "investigating"},
		{"named", "called"},
		// Phrases: a plural on the last word, a verb ending on the first.
		{"intelligence", "secret service"},
		{"tunes", "folk songs"},
		{"performed", "carried out"},
		{"performing", "carrying out"},
		{"achieves", "pulls off"},
		// One-syllable verbs double their consonant.
		{"noticed", "spotted"},
		{"watching", "spotting"},
		{"visited", "called"},
		// A plain word takes no -ing or -ed form.
		{"love", "adore"},
	} {
		if got := s.Spin(c.in, 1).Text; got != c.want {
			t.Errorf("%s → %s, want %s", c.in, got, c.want)
		}
	}
}

func TestSpinNames(t *testing.T) {
	s := New(NewThesaurus(testGroups), 3)
	for _, text := range []string{
		"John Williams wrote it.",            // a first name opening a sentence
		"Paris is old. We left Paris later.", // capitalised elsewhere in the text
		"In 1998 NASA wrote it.",             // acronym and number
		"They met John in Paris.",            // names inside the sentence
	} {
		res := s.Spin(text, 1)
		for _, sw := range res.Swaps {
			if l := strings.ToLower(sw.From); l == "john" || l == "paris" || l == "nasa" {
				t.Errorf("%q: the name %q was swapped for %q", text, sw.From, sw.To)
			}
		}
	}
	// A capitalised common word opening a sentence is a content word and
	// keeps its capital.
	res := s.Spin("Researchers study stones.", 1)
	if len(res.Swaps) != 3 || !unicode.IsUpper([]rune(res.Text)[0]) {
		t.Errorf("got %q with %d swaps; want 3 swaps and a capital", res.Text, len(res.Swaps))
	}
}

func TestReadMoby(t *testing.T) {
	th, err := ReadMoby(strings.NewReader("song,ballad,Air,folk song\nballad,song\n\nalone\n"))
	if err != nil {
		t.Fatal(err)
	}
	if th.Groups() != 2 || !th.Has("folk song") || !th.Has("air") || th.Has("alone") {
		t.Errorf("groups %d, has folk song %v, air %v, alone %v", th.Groups(), th.Has("folk song"), th.Has("air"), th.Has("alone"))
	}
	got := th.Synonyms("song")
	if len(got) != 3 || got[0] != (Candidate{"ballad", 2}) || got[1] != (Candidate{"air", 1}) || got[2] != (Candidate{"folk song", 1}) {
		t.Errorf("Synonyms(song) = %v", got)
	}
	n := 0
	th.Pairs(func(a, b string) {
		if a >= b {
			t.Errorf("pair %q %q not ordered", a, b)
		}
		n++
	})
	if n != 3 { // air–ballad, air–song, ballad–song (once, though in two groups); phrases skipped
		t.Errorf("%d pairs, want 3", n)
	}
}

// TestAiksaurus reads the installed Aiksaurus data, when there is one.
func TestAiksaurus(t *testing.T) {
	path, err := Locate("")
	if err != nil {
		t.Skip(err)
	}
	th, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if th.Words() < 10000 || th.Groups() < 1000 {
		t.Errorf("%s: %d words in %d groups: too few", path, th.Words(), th.Groups())
	}
	for _, w := range []string{"song", "intelligence", "artificial", "write"} {
		if len(th.Synonyms(w)) == 0 {
			t.Errorf("%s: no synonyms for %q", path, w)
		}
	}
	res := New(th, 1).Spin(testText, 0.5)
	if res.Rate() < 0.3 || res.Text == testText {
		t.Errorf("spun only %.2f of content words:\n%s", res.Rate(), res.Text)
	}
}

func TestSpinFunctionWords(t *testing.T) {
	th := NewThesaurus(testGroups)
	const text = "Because many researchers walked over the bridge, over 290 workers used stones. However, the city was very old."
	plain := New(th, 1).Spin(text, 0.5)
	for _, sw := range plain.Swaps {
		if sw.Function {
			t.Errorf("Function 0 swapped the function word %q", sw.From)
		}
	}
	sp := New(th, 1)
	sp.Function = 1
	res := sp.Spin(text, 0.5)
	var got []string
	for _, sw := range res.Swaps {
		if sw.Function {
			got = append(got, sw.From)
		}
	}
	// "over the bridge" is no "more than the bridge"; "over 290" is.
	want := []string{"Because", "many", "over", "used", "However", "very"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("function words swapped: %q, want %q\n%s", got, want, res.Text)
	}
	if !strings.Contains(res.Text, "more than 290") || !strings.Contains(res.Text, "walked over the") && !strings.Contains(res.Text, " over the ") {
		t.Errorf("over: %s", res.Text)
	}
	if first := []rune(res.Text)[0]; !unicode.IsUpper(first) {
		t.Errorf("case not kept: %s", res.Text)
	}
	// The rate counts content words alone.
	if res.Rate() != plain.Rate() {
		t.Errorf("rate %.3f with function swaps, %.3f without", res.Rate(), plain.Rate())
	}
}
