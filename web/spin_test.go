package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// spunWords is a paragraph of our own as a thesaurus spinner leaves it; its
// last sentence has a swapped term ("unreal intelligence") that the spin
// flags trace back. Nothing in the check fixture's library matches it.
const spunWords = `The publishing squeeze transformed how notions travelled athwart Europe. Prior to it, a tome was
replicated by paw, and a lone replica might bring a copyist numerous moons of heedful toil. Subsequently, a
diminutive atelier might yield hundreds of replicas in the identical epoch, and the cost of a tome plunged
precipitously. Perusers in faraway burghs might presently possess the identical script, quarrel regarding the
identical leaves and compose rejoinders that voyaged equally speedily. Chroniclers yet deliberate how
abundantly the novel contraption engendered the pious and partisan transformations that ensued. Our laboratory
studies unreal intelligence.`

func TestAPICheckSpin(t *testing.T) {
	f := newCheckFixture(t, true)
	rep := decodeReport(t, do(t, f.srv, jsonRequest("/api/check", map[string]any{"text": spunWords})))
	if len(rep.Sources) != 0 {
		t.Errorf("sources %v, want none", sourceSlugs(rep))
	}
	if rep.Spin == nil || !rep.Spin.Flagged || len(rep.Spin.Phrases) != 1 {
		t.Fatalf("spin %+v, want flagged with one phrase", rep.Spin)
	}
	p := rep.Spin.Phrases[0]
	if p.Text != "unreal intelligence" || p.Likely != "artificial intelligence" ||
		p.Offset != runeIndex(spunWords, "unreal intelligence") || p.Length != len("unreal intelligence") {
		t.Errorf("phrase %+v", p)
	}
	human := decodeReport(t, do(t, f.srv, jsonRequest("/api/check", map[string]any{"text": ownWords + "\n\n" + bridgesCopied})))
	if human.Spin == nil || human.Spin.Flagged || human.Spin.Phrases == nil {
		t.Errorf("own words: spin %+v, want unflagged with an empty phrase list", human.Spin)
	}
}

func TestCheckPageSpin(t *testing.T) {
	f := newCheckFixture(t, true)
	r := do(t, f.srv, multipartRequest(t, "/check", url.Values{"text": {spunWords}}, nil))
	if r.Code != 200 {
		t.Fatalf("POST /check: %d %s", r.Code, r.Body)
	}
	checkHTML(t, "POST /check (spun)", r.Body)
	for _, want := range []string{
		`<section class="spin spin-flagged" id="spin" aria-labelledby="spin-title">`,
		`<h2 id="spin-title">Possibly machine-paraphrased</h2>`,
		"Likely machine-paraphrased",
		`<mark class="spin-phrase">unreal intelligence</mark>`, "likely “artificial intelligence”",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	r = do(t, f.srv, multipartRequest(t, "/check", url.Values{"text": {ownWords + "\n\n" + bridgesCopied}, "min_words": {"8"}}, nil))
	checkHTML(t, "POST /check (own words)", r.Body)
	if !strings.Contains(r.Body, `<section class="spin" id="spin"`) || !strings.Contains(r.Body, "No sign of machine paraphrasing.") ||
		strings.Contains(r.Body, "spin-phrase") {
		t.Errorf("own words: the spin section is missing or flags something:\n%s", r.Body)
	}
}

// TestComparePageSpin: the documents table of a comparison says which
// document looks machine-paraphrased.
func TestComparePageSpin(t *testing.T) {
	f := newCompareFixture(t, false)
	files := map[string][]byte{"spun.txt": []byte(spunWords), "own.txt": []byte(ownWords + " " + ownWords)}
	req := multipartRequest(t, "/compare", url.Values{"library": {"off"}}, files)
	req.AddCookie(f.editor)
	r := do(t, f.srv, req)
	if r.Code != 200 {
		t.Fatalf("report: %d %s", r.Code, r.Body)
	}
	checkHTML(t, "POST /compare", r.Body)
	rows := regexp.MustCompile(`(?s)<tr class="doc-row[^"]*">\s*<th scope="row">([^<]+)</th>.*?<td class="doc-spin">(.*?)</td>`).FindAllStringSubmatch(r.Body, -1)
	got := map[string]string{}
	for _, m := range rows {
		got[m[1]] = m[2]
	}
	if s := got["spun.txt"]; !strings.HasPrefix(s, "<strong>likely (") {
		t.Errorf("spun.txt: %q, want it marked likely machine-paraphrased", s)
	}
	if s := got["own.txt"]; !strings.Contains(s, ">no<") {
		t.Errorf("own.txt: %q, want no", s)
	}
}
