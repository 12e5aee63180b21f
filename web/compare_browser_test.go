package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCompare uploads the class in a real browser: the report shows
// the two groups, the matrix and the pairs, and a pair opens side by side
// with its passages marked, the pair form sending only the pair's two
// documents.
func TestBrowserCompare(t *testing.T) {
	needBrowser(t)
	f := newCompareFixture(t, true)
	var pairBytes atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/compare/pair" {
			pairBytes.Store(r.ContentLength)
		}
		f.srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	dir := t.TempDir()
	var paths []string
	total := 0
	for _, d := range f.class.Docs {
		p := filepath.Join(dir, d.Name)
		if err := os.WriteFile(p, []byte(d.Text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
		total += len(d.Text)
	}
	bctx := newBrowser(t, 60*time.Second)
	err := chromedp.Do(bctx,
		chromedp.Navigate(ts.URL+"/compare"),
		chromedp.WaitVisible(chromedp.ID("compare-files")),
		chromedp.SetUploadFiles(chromedp.ID("compare-files"), paths),
	)
	if err != nil {
		t.Fatalf("choosing the files: %v", err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`document.querySelector("#compare-drop .dropzone-hint").textContent === "Ready to compare: 30 files"`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("the drop zone does not say what is chosen: %v", err)
	}
	err = chromedp.Do(bctx,
		chromedp.Submit(chromedp.ID("compare-form")),
		chromedp.WaitVisible(chromedp.ID("pair-table")),
	)
	if err != nil {
		t.Fatalf("comparing: %v", err)
	}
	groups, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#groups > li")].map(li => li.textContent.replace(/\s+/g, " ").trim())`))
	if err != nil || len(groups) != 2 {
		t.Fatalf("groups %q (%v)", groups, err)
	}
	if !strings.HasPrefix(groups[0], "15 documents, drawing on Why cities plant street trees") {
		t.Errorf("first group: %s", groups[0])
	}
	if want := "2 documents: " + f.class.Sharing[0] + ", " + f.class.Sharing[1]; groups[1] != want {
		t.Errorf("second group %q, want %q", groups[1], want)
	}
	cells, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.matrix rect.mx-cell").length`))
	if err != nil || cells < 17*2 {
		t.Errorf("%d matrix cells (%v)", cells, err)
	}
	// The matrix is drawn, not empty: it has a size on the page.
	w, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`document.querySelector("svg.matrix").getBoundingClientRect().width`))
	if err != nil || w < 100 {
		t.Errorf("matrix width %v (%v)", w, err)
	}
	// Open the sharing pair, in this tab rather than a new one.
	js := `(() => {
		document.getElementById("pair-form").removeAttribute("target");
		const names = ` + "`" + f.class.Sharing[0] + "|" + f.class.Sharing[1] + "`" + `.split("|");
		for (const tr of document.querySelectorAll("#pair-table tbody tr")) {
			const a = tr.querySelector(".pair-a").textContent, b = tr.querySelector(".pair-b").textContent;
			if (names.includes(a) && names.includes(b)) {
				const btn = tr.querySelector("button");
				btn.scrollIntoView({behavior: "instant", block: "center"});
				btn.id = "open-sharing";
				return true;
			}
		}
		return false;
	})()`
	if ok, err := chromedp.Run(bctx, chromedp.Evaluate[bool](js)); err != nil || !ok {
		t.Fatalf("the sharing pair is not in the table (%v)", err)
	}
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.ID("open-sharing")),
		chromedp.WaitVisible(chromedp.ID("pair-title")),
		chromedp.WaitVisible(chromedp.CSS("#submitted-text mark.hl")),
	)
	if err != nil {
		t.Fatalf("opening the pair: %v", err)
	}
	title, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("pair-title")))
	if err != nil || !strings.Contains(title, f.class.Sharing[0]) || !strings.Contains(title, f.class.Sharing[1]) {
		t.Errorf("pair title %q (%v)", title, err)
	}
	passages, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("article.passage").length`))
	if err != nil || passages == 0 {
		t.Errorf("%d passages side by side (%v)", passages, err)
	}
	// Script trimmed the form to the pair: far less than the class went.
	if n := pairBytes.Load(); n <= 0 || n > int64(total)/5 {
		t.Errorf("the pair request carried %d bytes; the class is %d", n, total)
	}
	if f.logs.Len() > 0 {
		t.Errorf("server logged:\n%s", f.logs)
	}
}
