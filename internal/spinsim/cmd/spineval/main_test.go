package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Three short originals and a hand-made Moby-format thesaurus (our own
// words): the whole pipeline, library, spin, check and summary, on data
// small enough for CI.
var testOrigs = []string{
	`The old bridge over the river was built by workers who carried heavy stones from the quarry on the hill. ` +
		`For many years the bridge was the only crossing in the valley, and farmers walked their cattle over it to the market in the town. ` +
		`When the river flooded in the spring the workers repaired the arches and the farmers paid a small toll for the repairs.`,
	`Researchers trained large language models on collections of scientific articles and measured how well the models answered questions. ` +
		`The results surprised the researchers: smaller models trained on careful data answered as well as larger models trained on noisy data. ` +
		`The study suggests that the quality of the training data matters more than the size of the model for this task.`,
	`Composers wrote music for films and games in the studio, and musicians recorded the songs with an orchestra. ` +
		`The publisher sold the recordings in shops and later on the internet, where listeners bought the songs one at a time. ` +
		`Critics praised the melodies and the careful arrangements, and the album won several prizes in the following year.`,
}

const testMoby = `bridge,span,crossing,viaduct
river,stream,waterway,brook
build,construct,erect,raise
worker,labourer,hand,employee
carry,bear,convey,transport
heavy,weighty,hefty,massive
stone,rock,boulder,pebble
farmer,grower,rancher,planter
walk,stroll,march,tramp
market,bazaar,fair,mart
town,borough,township,village
flood,overflow,deluge,inundate
repair,mend,fix,restore
researcher,scholar,investigator,analyst
train,coach,drill,school
large,big,huge,vast
model,pattern,replica,prototype
collection,set,batch,corpus
article,paper,essay,piece
measure,gauge,assess,rate
question,query,problem,issue
result,outcome,upshot,consequence
surprise,astonish,amaze,startle
careful,thorough,meticulous,painstaking
data,information,facts,figures
study,examination,survey,inquiry
quality,calibre,grade,standard
size,extent,magnitude,bulk
task,job,chore,assignment
composer,songwriter,author,maker
music,melody,tune,harmony
film,movie,picture,feature
game,contest,match,sport
studio,workshop,atelier,workroom
musician,player,performer,instrumentalist
record,tape,register,capture
song,ballad,ditty,number
orchestra,band,ensemble,symphony
publisher,printer,issuer,distributor
sell,vend,market,peddle
shop,store,outlet,boutique
listener,hearer,auditor,audience
critic,reviewer,commentator,judge
praise,laud,acclaim,commend
arrangement,setting,orchestration,adaptation
album,record,disc,collection
prize,award,trophy,honour
year,twelvemonth,season,period
`

func TestSpinDev(t *testing.T) {
	shared := t.TempDir()
	pairs := filepath.Join(shared, "corpora", "spin-dev", "pairs")
	if err := os.MkdirAll(pairs, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, o := range testOrigs {
		id := filepath.Join(pairs, "000"+string(rune('1'+i)))
		// The "real paraphrase" of each original is the original itself:
		// the checker must find every one.
		if err := os.WriteFile(id+"-orig.txt", []byte(o+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(id+"-spun.txt", []byte(o+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	thes := filepath.Join(shared, "moby.txt")
	if err := os.WriteFile(thes, []byte(testMoby), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-corpus", "spindev", "-shared", shared, "-thesaurus", thes,
		"-rates", "0,0.5", "-n", "0", "-json", "-simtext=false", "-write", out}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var res results
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	if res.Library != 3 || len(res.Rates) != 2 || res.Real == nil {
		t.Fatalf("library %d, %d rates, real %v:\n%s", res.Library, len(res.Rates), res.Real, stdout.String())
	}
	// Unspun, every text is its source verbatim.
	if r := res.Rates[0]; r.Found != 3 || r.SwappedMean != 0 || r.Kinds["identical"] == 0 || r.FalseTexts != 0 {
		t.Errorf("rate 0: %+v", r)
	}
	if r := *res.Real; r.Found != 3 || r.Texts != 3 {
		t.Errorf("real: %+v", r)
	}
	if r := res.Rates[1]; r.SwappedMean < 0.4 || r.SwappedMean > 0.6 || r.Texts != 3 {
		t.Errorf("rate 0.5: swapped %.3f of content words in %d texts", r.SwappedMean, r.Texts)
	}
	// The manifest names each spun text's source, and the file holds it.
	f, err := os.Open(filepath.Join(out, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m manifestLine
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(out, m.File))
		if err != nil {
			t.Fatal(err)
		}
		rs := []rune(string(data))
		for _, sw := range m.Swaps {
			if got := string(rs[sw.Offset : sw.Offset+sw.Length]); got != sw.To {
				t.Errorf("%s: swap %+v points at %q", m.File, sw, got)
			}
		}
		if m.Rate == 0.5 && (len(m.Swaps) == 0 || !strings.HasSuffix(m.Source, "-orig.txt") || m.SourceSlug == "") {
			t.Errorf("manifest line %+v", m)
		}
		n++
	}
	if n != 6 {
		t.Errorf("%d manifest lines, want 6", n)
	}
}

func TestPAN13(t *testing.T) {
	shared := t.TempDir()
	src := filepath.Join(shared, "corpora", "pan13-train", "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, o := range testOrigs {
		name := filepath.Join(src, "source-document0000"+string(rune('1'+i))+".txt")
		if err := os.WriteFile(name, []byte(o+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	thes := filepath.Join(shared, "moby.txt")
	if err := os.WriteFile(thes, []byte(testMoby), 0o644); err != nil {
		t.Fatal(err)
	}
	// One original spun, in a library of two: the spun one and one other.
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-corpus", "pan13", "-shared", shared, "-thesaurus", thes,
		"-rates", "0,0.3", "-n", "1", "-lib", "2", "-words", "30", "-json", "-simtext=false"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var res results
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	if res.Corpus != "pan13" || res.Library != 2 || res.Words != 30 || len(res.Rates) != 2 || res.Real != nil {
		t.Fatalf("%+v", res)
	}
	// Unspun, the 30-word excerpt is found verbatim.
	if r := res.Rates[0]; r.Texts != 1 || r.Found != 1 || r.Kinds["identical"] != 1 {
		t.Errorf("rate 0: %+v", r)
	}
	if r := res.Rates[1]; r.Texts != 1 || r.SwappedMean < 0.2 || r.SwappedMean > 0.4 {
		t.Errorf("rate 0.3: %+v", r)
	}
	// The human-readable table has a row per rate.
	stdout.Reset()
	if err := run(context.Background(), []string{"-corpus", "pan13", "-shared", shared, "-thesaurus", thes,
		"-rates", "0.5", "-n", "1", "-simtext=false"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "corpus pan13, library of 3 essays") || !strings.Contains(stdout.String(), "\n0.50 ") {
		t.Errorf("table:\n%s", stdout.String())
	}
}

func TestFirstWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"one two three", 2, "one two"},
		{"one two\n\nthree four", 3, "one two\n\nthree"},
		{"one two", 5, "one two"},
		{"one two", 0, "one two"},
	} {
		if got := firstWords(c.in, c.n); got != c.want {
			t.Errorf("firstWords(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
