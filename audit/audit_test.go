package audit_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/audit"
	"github.com/ibid-dev/ibid/demo"
	"github.com/ibid-dev/ibid/extract"
	"github.com/ibid-dev/ibid/ingest"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/sqlite"
)

// library is a SQLite library holding the demo essays, and their texts by
// slug.
func library(t *testing.T) (*sqlite.DB, map[string]*ibid.Essay) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "ibid.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	im := &ingest.Importer{Store: db, Fingerprint: originality.Fingerprint}
	essays := map[string]*ibid.Essay{}
	_, err = im.FS(context.Background(), demo.FS(), "demo:", func(r ingest.Result) {
		if r.Status != ingest.Imported {
			t.Fatalf("demo %s: %v", r.File, r.Err)
		}
		essays[r.Essay.Slug] = r.Essay
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(essays) < 10 {
		t.Fatalf("only %d demo essays", len(essays))
	}
	return db, essays
}

// newEssay builds an unstored essay of paragraphs, as the importer would.
func newEssay(title string, paras ...string) *ibid.Essay {
	var blocks []ibid.Block
	for _, p := range paras {
		blocks = append(blocks, ibid.Block{Type: ibid.Paragraph, Text: p})
	}
	e := ingest.NewEssay(&ibid.Document{Title: title, Blocks: blocks}, "test")
	e.Prints = originality.Fingerprint(e.Text)
	return e
}

func paragraphs(e *ibid.Essay) []string { return strings.Split(e.Text, "\n\n") }

// reword replaces every nth word of six letters or more with a word of our
// own, keeping punctuation: a crude spinner.
func reword(s string, n int) string {
	swaps := []string{"notably", "markedly", "gathering", "settlement", "fashioned", "remainder"}
	words := strings.Split(s, " ")
	k := 0
	for i, w := range words {
		core := strings.TrimRight(w, ".,;:)")
		if len(core) < 6 {
			continue
		}
		if k++; k%n == 0 {
			words[i] = swaps[k%len(swaps)] + w[len(core):]
		}
	}
	return strings.Join(words, " ")
}

// fresh is a text of our own found nowhere in the library.
var fresh = []string{
	"Lighthouse keepers kept logs of every ship that passed their rock, and those logs now tell historians how coastal trade rose and fell over two centuries. A keeper wrote the weather at dawn and dusk, the ships by rig and flag, and any wreck he saw or heard about from the pilots.",
	"Because the same families often kept one light for three generations, the handwriting changes while the habits stay, and a reader learns to trust one keeper's counts more than another's. The logs also record the lamp oil burned each night, which lets us estimate how long the winter storms kept the light burning past dawn.",
	"Read together, the logs of a dozen lights along one coast become a slow census of the sea lanes: which harbours grew, which silted up, and when steam replaced sail on each route. No customs ledger survives for several of those harbours, so the keepers are the only witnesses we have.",
}

func TestScreen(t *testing.T) {
	db, essays := library(t)
	ctx := context.Background()
	slugs := make([]string, 0, len(essays))
	for s := range essays {
		slugs = append(slugs, s)
	}
	sort.Strings(slugs)
	src := essays[slugs[0]]
	other := essays[slugs[1]]
	paras := paragraphs(src)

	tests := []struct {
		name    string
		essay   *ibid.Essay
		want    string  // the slug reported, "" for none
		atLeast float64 // its smallest similarity
	}{
		{"copy with a paragraph added", newEssay("Copy", append(append([]string{}, paras...), fresh[0])...), src.Slug, 0.85},
		{"reworded: one long word in three replaced", newEssay("Spun", reword(src.Text, 3)), src.Slug, 0.7},
		{"two thirds copied, then new text", newEssay("Part", append(append([]string{}, paras[:len(paras)*2/3]...), fresh...)...), src.Slug, 0.5},
		{"the whole essay inside a longer one", newEssay("Anthology", append(append(append([]string{}, paras...), paragraphs(other)...), fresh...)...), src.Slug, 0.9},
		{"a few paragraphs quoted in new text", newEssay("Quoting", fresh[0], paras[1], fresh[1], fresh[2]), "", 0},
		{"new text", newEssay("Lights", fresh...), "", 0},
		{"the same text again (a re-import)", newEssay("Same", paras...), "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found, err := audit.Screen(ctx, db, []*ibid.Essay{tt.essay}, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			got := found[0]
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("reported %+v, want nothing", got)
				}
				return
			}
			if len(got) == 0 || got[0].Slug != tt.want || got[0].EssayID == 0 || got[0].Similarity < tt.atLeast || got[0].Similarity > 1 {
				t.Fatalf("reported %+v, want %s at %.2f or more", got, tt.want, tt.atLeast)
			}
			for _, s := range got[1:] {
				if s.Slug != other.Slug {
					t.Errorf("also reported %+v", s)
				}
			}
		})
	}
}

func TestScreenBatch(t *testing.T) {
	db, essays := library(t)
	ctx := context.Background()
	var src *ibid.Essay
	for _, e := range essays {
		if src == nil || e.Slug < src.Slug {
			src = e
		}
	}
	batch := func() []*ibid.Essay {
		return []*ibid.Essay{
			newEssay("Copy of a library essay", paragraphs(src)...),          // 0: the same as src: a re-import
			newEssay("Spun library essay", reword(src.Text, 4)),              // 1: similar to src
			newEssay("Lights", fresh...),                                     // 2: new
			newEssay("Lights again", reword(strings.Join(fresh, "\n\n"), 4)), // 3: similar to 2
			newEssay("Lights", fresh...),                                     // 4: the same as 2
			newEssay("Spun twice", reword(reword(src.Text, 4), 5)),           // 5: similar to src, and to 1 unless 1 is refused
		}
	}
	tests := []struct {
		reject bool
		want   []string // per essay: what it is similar to, "#k" for essay k of the batch
	}{
		{false, []string{"", src.Slug, "", "#2", "", "#1 " + src.Slug}},
		{true, []string{"", src.Slug, "", "#2", "", src.Slug}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("reject=%v", tt.reject), func(t *testing.T) {
			found, err := audit.Screen(ctx, db, batch(), 0.5, tt.reject)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.want {
				var got []string
				for _, s := range found[i] {
					if s.EssayID != 0 {
						got = append(got, s.Slug)
					} else {
						got = append(got, fmt.Sprintf("#%d", s.Earlier))
					}
				}
				sort.Strings(got)
				if g := strings.Join(got, " "); g != want {
					t.Errorf("essay %d: similar to %q, want %q (%+v)", i, g, want, found[i])
				}
			}
		})
	}
}

func TestLibrary(t *testing.T) {
	db, essays := library(t)
	ctx := context.Background()
	slugs := make([]string, 0, len(essays))
	for s := range essays {
		slugs = append(slugs, s)
	}
	sort.Strings(slugs)
	a, b, c := essays[slugs[0]], essays[slugs[1]], essays[slugs[2]]
	im := &ingest.Importer{Store: db, Fingerprint: originality.Fingerprint}
	add := func(title, text string) *ibid.Essay {
		doc, err := extract.Read(title+".txt", []byte(title+"\n\n"+text), extract.Options{})
		if err != nil {
			t.Fatal(err)
		}
		e, err := im.Document(ctx, doc, "test:"+title)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	pa := paragraphs(b)
	copyA := add("Copy of A", a.Text+"\n\n"+fresh[2])
	spunB := add("Spun B", reword(b.Text, 3))
	partC := add("Part of C", strings.Join(paragraphs(c)[:len(paragraphs(c))*2/3], "\n\n")+"\n\n"+fresh[2])
	// A quoted paragraph of B in new text: too little of either to report.
	quote := pa[0]
	for _, p := range pa {
		if n := len(strings.Fields(p)); n >= 40 && n < len(strings.Fields(quote)) {
			quote = p
		}
	}
	add("Quoting B", fresh[0]+"\n\n"+fresh[1]+"\n\n"+quote)

	tests := []struct {
		min  float64
		want []string // "older > newer", most similar first
	}{
		{0, []string{a.Slug + " > " + copyA.Slug, b.Slug + " > " + spunB.Slug, c.Slug + " > " + partC.Slug}},
		{0.97, []string{a.Slug + " > " + copyA.Slug}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.min), func(t *testing.T) {
			var stages []string
			pairs, stats, err := audit.Library(ctx, db, audit.Options{Min: tt.min, Progress: func(stage string, done, total int) {
				if len(stages) == 0 || stages[len(stages)-1] != stage {
					stages = append(stages, stage)
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, p := range pairs {
				got = append(got, p.A.Slug+" > "+p.B.Slug)
				if p.Similarity != max(p.A.Share, p.B.Share) || p.Passages == 0 || p.A.ID >= p.B.ID {
					t.Errorf("pair %+v", p)
				}
				if i > 0 && p.Similarity > pairs[i-1].Similarity {
					t.Errorf("pair %d more similar than the one before", i)
				}
			}
			// Ties in similarity are ordered by essay ID; compare as sets
			// where the similarities tie.
			if strings.Join(sortedCopy(got), "\n") != strings.Join(sortedCopy(tt.want), "\n") {
				t.Errorf("pairs\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if stats.Essays != len(essays)+4 || stats.Candidates < len(tt.want) || stats.Candidates > 10 {
				t.Errorf("stats %+v: want every essay read and few candidates aligned", stats)
			}
			if strings.Join(stages, ",") != "index,aligning" {
				t.Errorf("progress stages %v", stages)
			}
		})
	}
	// The copy of A covers all of A, and A most of the copy.
	pairs, _, err := audit.Library(ctx, db, audit.Options{Min: 0.97})
	if err != nil || len(pairs) != 1 {
		t.Fatalf("%+v %v", pairs, err)
	}
	if p := pairs[0]; p.A.Share < 0.99 || p.B.Share < 0.8 || p.B.Share > 0.99 {
		t.Errorf("shares %.2f of A, %.2f of its copy", p.A.Share, p.B.Share)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

var _ fs.FS = demo.FS()

// TestScreenAfter: essays screened after a batch not stored yet are
// compared with it as with their own earlier essays, a text of that batch
// is a re-import, and a batch essay that the library holds by the time of
// the look-up (stored meanwhile) is reported once, as the earlier essay.
func TestScreenAfter(t *testing.T) {
	db, _ := library(t)
	ctx := context.Background()
	for _, storedMeanwhile := range []bool{false, true} {
		prior := []*ibid.Essay{newEssay("Lights", fresh...)}
		if storedMeanwhile {
			if err := db.CreateEssay(ctx, prior[0]); err != nil {
				t.Fatal(err)
			}
		}
		es := []*ibid.Essay{
			newEssay("Lights again", reword(strings.Join(fresh, "\n\n"), 4)), // similar to prior 0
			newEssay("Lights", fresh...),                                     // the same text as prior 0
		}
		found, err := audit.ScreenAfter(ctx, db, prior, es, 0.5, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 2 || len(found[0]) != 1 || found[0][0].EssayID != 0 || found[0][0].Earlier != 0 || found[0][0].Similarity < 0.5 {
			t.Errorf("stored meanwhile %v: the spun essay is similar to %+v, want prior essay 0 once", storedMeanwhile, found)
		}
		if len(found) == 2 && len(found[1]) != 0 {
			t.Errorf("stored meanwhile %v: a re-import of a prior text reported %+v", storedMeanwhile, found[1])
		}
	}
}

// TestScreenerStored: an essay screened against an earlier essay of the
// same import gets the same answer whether that essay was still in the
// batch (prior) or already stored and given to Stored. The pair is from the
// PAN13 sources: a long essay (1,299 prints) that paraphrases much of a
// short one (278 prints) and shares only 15 prints with it, enough against
// the short essay's count but not against the long one's, which is all a
// stored essay's look-up used to judge by.
func TestScreenerStored(t *testing.T) {
	dir := "../../shared/corpora/pan13-train/src"
	read := func(name string) *ibid.Essay {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Skipf("PAN13 corpus not present at ../shared/corpora/pan13-train (%v)", err)
		}
		doc, err := extract.Read(name, data, extract.Options{})
		if err != nil {
			t.Fatal(err)
		}
		e := ingest.NewEssay(doc, name)
		e.Prints = originality.Fingerprint(e.Text)
		return e
	}
	short, long := read("source-document01446.txt"), read("source-document02947.txt")
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "ibid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()

	asPrior, err := audit.ScreenAfter(ctx, db, []*ibid.Essay{short}, []*ibid.Essay{long}, 0.5, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(asPrior[0]) != 1 || asPrior[0][0].Earlier != 0 || asPrior[0][0].Similarity < 0.5 {
		t.Fatalf("against the short essay as prior: %+v, want it as Earlier 0", asPrior[0])
	}
	if err := db.CreateEssay(ctx, short); err != nil {
		t.Fatal(err)
	}
	for _, told := range []bool{false, true} {
		sc := &audit.Screener{Store: db, Min: 0.5}
		if told {
			sc.Stored([]*ibid.Essay{short})
		}
		found, err := sc.Screen(ctx, nil, []*ibid.Essay{long})
		if err != nil {
			t.Fatal(err)
		}
		if !told {
			// Without its count the stored essay is judged on the long
			// essay's prints alone, and not aligned.
			if len(found[0]) != 0 {
				t.Errorf("stored, count unknown: %+v, want nothing", found[0])
			}
			continue
		}
		if len(found[0]) != 1 || found[0][0].EssayID != short.ID || found[0][0].Similarity != asPrior[0][0].Similarity {
			t.Errorf("stored and told: %+v, want essay %d at %v as when prior", found[0], short.ID, asPrior[0][0].Similarity)
		}
	}
}

// TestScreenCommonPrints: a print held by more than 200 earlier essays is
// a common phrase whether those essays are stored or earlier in the batch,
// so two similar essays sharing only such prints are not compared however
// an import cut its batches; with fewer holders they are, in every cut.
func TestScreenCommonPrints(t *testing.T) {
	ctx := context.Background()
	common := make([]ibid.Print, 10)
	for i := range common {
		common[i] = ibid.Print{Hash: uint64(1000 + i)}
	}
	withPrints := func(e *ibid.Essay, own uint64) *ibid.Essay {
		e.Prints = append(slices.Clone(common), ibid.Print{Hash: own})
		return e
	}
	for _, tt := range []struct {
		holders int  // filler essays holding the common prints
		found   bool // whether B is found similar to A
	}{
		{100, true},
		{250, false},
	} {
		// Each cut: how many fillers are stored (with A when stored is
		// set) before B's batch, the rest being earlier in it.
		// With asPrior the fillers not stored are a prior batch (A is
		// stored then).
		for _, cut := range []struct {
			storedFillers int
			aStored       bool
			asPrior       bool
		}{{0, false, false}, {tt.holders * 3 / 5, true, false}, {tt.holders * 3 / 5, false, false}, {tt.holders, true, false},
			{0, true, true}, {tt.holders * 3 / 5, true, true}} {
			name := fmt.Sprintf("%d holders, %d stored, A stored %v, the rest prior %v", tt.holders, cut.storedFillers, cut.aStored, cut.asPrior)
			db, err := sqlite.Open(filepath.Join(t.TempDir(), "ibid.db"))
			if err != nil {
				t.Fatal(err)
			}
			var fillers []*ibid.Essay
			for i := range tt.holders {
				fillers = append(fillers, withPrints(newEssay(fmt.Sprintf("Filler %d", i), fmt.Sprintf("Filler essay %d counts the barrels that came through the harbour in year %d.", i, 1700+i)), uint64(5000+i)))
			}
			a := withPrints(newEssay("Lights", fresh...), 1)
			b := withPrints(newEssay("Lights again", reword(strings.Join(fresh, "\n\n"), 4)), 2)
			sc := &audit.Screener{Store: db, Min: 0.5}
			toStore := fillers[:cut.storedFillers]
			batch := slices.Clone(fillers[cut.storedFillers:])
			if cut.aStored {
				toStore = append(slices.Clone(toStore), a)
			} else {
				batch = append(batch, a)
			}
			for _, err := range db.CreateEssays(ctx, toStore) {
				if err != nil {
					t.Fatal(err)
				}
			}
			sc.Stored(toStore)
			var prior []*ibid.Essay
			if cut.asPrior {
				prior, batch = batch, nil
			}
			found, err := sc.Screen(ctx, prior, append(batch, b))
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			got := found[len(found)-1]
			if gotA := len(got) == 1 && (got[0].EssayID == a.ID && a.ID != 0 || got[0].EssayID == 0 && got[0].Earlier == len(batch)-1); gotA != tt.found || len(got) > 1 {
				t.Errorf("%s: B similar to %+v, want A: %v", name, got, tt.found)
			}
		}
	}
}
