package web

import (
	"context"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/ibid-dev/ibid"
)

// findChromium returns the path of a Chromium-family browser, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// needBrowser skips a test in -short mode or when no Chromium is installed.
func needBrowser(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if findChromium() == "" {
		t.Skip("no chromium, chromium-browser or google-chrome on PATH (Debian: apt-get install chromium)")
	}
}

// newBrowser starts a headless Chromium for one test, in a profile of its
// own, with a window wide enough for the essay page's side column; it is
// stopped when the test ends or after timeout.
func newBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	needBrowser(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(findChromium()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	return bctx
}

// TestBrowserSearchAndContents walks the reader's path in a real browser:
// home page, search, a result, a table-of-contents link.
func TestBrowserSearchAndContents(t *testing.T) {
	needBrowser(t)
	txt := &countingExporter{ext: "txt", label: "Plain text", ctype: "text/plain; charset=utf-8"}
	s, logs := newServer(t, Config{Exporters: []ibid.Exporter{txt}})
	ts := httptest.NewServer(s)
	defer ts.Close()

	bctx := newBrowser(t, 30*time.Second)

	const target = "1922-1927-rapallo-and-recognition"
	err := chromedp.Do(bctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), "rapallo"),
		chromedp.Submit(chromedp.CSS("#q")),
		chromedp.WaitVisible(chromedp.CSS(".results .card-title a")),
	)
	if err != nil {
		t.Fatalf("home and search: %v", err)
	}
	if u, err := chromedp.Run(bctx, chromedp.Location()); err != nil || !strings.Contains(u, "/search?q=rapallo") {
		t.Errorf("search landed on %s (%v)", u, err)
	}
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(".results .card-title a")),
		chromedp.WaitVisible(chromedp.ID("essay-title")),
	)
	if err != nil {
		t.Fatalf("opening the result: %v", err)
	}
	if title, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("essay-title"))); err != nil || title != "Soviet Foreign Policy, 1917–1941" {
		t.Errorf("opened %q (%v)", title, err)
	}
	err = chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`.toc-side a[href="#`+target+`"]`)))
	if err != nil {
		t.Fatalf("clicking the contents link: %v", err)
	}
	// Scrolling may be smooth: wait until the heading has arrived.
	inView := `(() => { const r = document.getElementById("` + target + `").getBoundingClientRect();
		return r.top >= 0 && r.bottom <= window.innerHeight; })()`
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](inView, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("the heading is not in view after following the contents link: %v", err)
	}
	if u, err := chromedp.Run(bctx, chromedp.Location()); err != nil || u != ts.URL+"/essays/"+longSlug+"#"+target {
		t.Errorf("location %s (%v), want the essay with #%s", u, err, target)
	}

	// The script marks the section being read in the contents.
	const currentJS = `(() => { const a = document.querySelector('.toc-side a[aria-current]'); return a ? a.getAttribute("href") : ""; })()`
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](currentJS+` === "#`+target+`"`, chromedp.WithPollingTimeout(3*time.Second))); err != nil {
		current, _ := chromedp.Run(bctx, chromedp.Evaluate[string](currentJS))
		t.Errorf("contents mark %q, want #%s (%v)", current, target, err)
	}

	// "Download as…" opens like a menu and Escape closes it, handing focus
	// back to its button.
	const menuState = `(() => { const m = document.querySelector("details.menu");
		return (m.open ? "open" : "closed") + (document.activeElement === m.querySelector("summary") ? "+focus" : ""); })()`
	// Open it from the keyboard: focus its button and press Enter. (A mouse
	// click at coordinates races the page's smooth scrolling under load.)
	_, err = chromedp.Run(bctx, chromedp.Evaluate[any](`document.querySelector("details.menu summary").focus()`))
	if err == nil {
		err = chromedp.Do(bctx, chromedp.KeyEvent(kb.Enter))
	}
	if _, perr := chromedp.Run(bctx, chromedp.Poll[bool](menuState+` === "open+focus"`, chromedp.WithPollingTimeout(2*time.Second))); err != nil || perr != nil {
		state, _ := chromedp.Run(bctx, chromedp.Evaluate[string](menuState))
		t.Errorf("download menu after Enter: %q (%v, %v), want open+focus", state, err, perr)
	}
	err = chromedp.Do(bctx, chromedp.KeyEvent(kb.Escape))
	if state, _ := chromedp.Run(bctx, chromedp.Evaluate[string](menuState)); err != nil || state != "closed+focus" {
		t.Errorf("download menu after Escape: %q (%v), want closed+focus", state, err)
	}
	if logs.Len() > 0 {
		t.Errorf("server logged errors:\n%s", logs)
	}
}

// TestBrowserCheck walks the checker's path in a real browser: paste a
// copied passage, see the report with the passage highlighted, follow the
// source link and see the passage highlighted on the essay page.
// TestBrowserCheckSpin: a spun text checked against a library that lacks
// its source still gets the "Possibly machine-paraphrased" section, flagged,
// with the swapped term marked and the term it likely replaced.
func TestBrowserCheckSpin(t *testing.T) {
	needBrowser(t)
	f := newCheckFixture(t, true)
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	bctx := newBrowser(t, 30*time.Second)
	err := chromedp.Do(bctx,
		chromedp.Navigate(ts.URL+"/check"),
		chromedp.WaitVisible(chromedp.CSS("#check-text")),
		chromedp.SetValue(chromedp.CSS("#check-text"), spunWords),
		chromedp.Submit(chromedp.CSS("#check-text")),
		chromedp.WaitVisible(chromedp.CSS("#spin.spin-flagged #spin-phrases mark.spin-phrase")),
	)
	if err != nil {
		t.Fatalf("submitting the check form: %v", err)
	}
	if h, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("spin-title"))); err != nil || h != "Possibly machine-paraphrased" {
		t.Errorf("spin heading %q (%v)", h, err)
	}
	item, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#spin-phrases li")))
	if err != nil || !strings.Contains(item, "unreal intelligence") || !strings.Contains(item, "likely “artificial intelligence”") {
		t.Errorf("spin phrase %q (%v)", item, err)
	}
	if score, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("score"))); err != nil || score != "0%" {
		t.Errorf("similarity %q (%v), want 0%%: the source is not in the library", score, err)
	}
	// The flagged section stands out by its border, not by colour alone:
	// the verdict says it in words.
	if v, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("spin-verdict"))); err != nil || !strings.HasPrefix(v, "Likely machine-paraphrased") {
		t.Errorf("spin verdict %q (%v)", v, err)
	}
	if f.logs.Len() > 0 {
		t.Errorf("server logged:\n%s", f.logs)
	}
}

// TestBrowserCheckSpunCopy: a spun copy of a library essay is reported as
// paraphrased, and the side-by-side view lists the synonyms swapped in.
func TestBrowserCheckSpunCopy(t *testing.T) {
	needBrowser(t)
	f := newCheckFixture(t, true)
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	bctx := newBrowser(t, 30*time.Second)
	err := chromedp.Do(bctx,
		chromedp.Navigate(ts.URL+"/check"),
		chromedp.WaitVisible(chromedp.CSS("#check-text")),
		chromedp.SetValue(chromedp.CSS("#check-text"), canalSpun),
		chromedp.Submit(chromedp.CSS("#check-text")),
		chromedp.WaitVisible(chromedp.CSS("#p1 .swaps")),
	)
	if err != nil {
		t.Fatalf("submitting the check form: %v", err)
	}
	if k, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#p1 .kind"))); err != nil || !strings.EqualFold(k, "Paraphrased") {
		t.Errorf("passage kind %q (%v)", k, err)
	}
	swaps, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("p1-swaps")))
	if err != nil || !strings.Contains(swaps, "proprietors ↔ owners") || !strings.Contains(swaps, "construct ↔ build") {
		t.Errorf("swaps %q (%v)", swaps, err)
	}
	// The swapped word is marked in the submitted side of the passage.
	marked, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#p1 .side-submitted .swap")))
	if err != nil || marked == "" {
		t.Errorf("no swapped word marked in the passage (%v)", err)
	}
	if f.logs.Len() > 0 {
		t.Errorf("server logged:\n%s", f.logs)
	}
}

func TestBrowserCheck(t *testing.T) {
	needBrowser(t)
	f := newCheckFixture(t, true)
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	bctx := newBrowser(t, 30*time.Second)

	err := chromedp.Do(bctx,
		chromedp.Navigate(ts.URL+"/check"),
		chromedp.WaitVisible(chromedp.CSS("#check-text")),
		chromedp.SetValue(chromedp.CSS("#check-text"), ownWords+"\n\n"+bridgesCopied),
		chromedp.Submit(chromedp.CSS("#check-text")),
		chromedp.WaitVisible(chromedp.CSS("#submitted-text mark.hl")),
	)
	if err != nil {
		t.Fatalf("submitting the check form: %v", err)
	}
	if score, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("score"))); err != nil || score == "0%" || !strings.HasSuffix(score, "%") {
		t.Errorf("score %q (%v)", score, err)
	}
	// The mark starts with its source number, then the copied words.
	marked, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#submitted-text mark.hl")))
	if want := "1" + bridgesCopied; err != nil || strings.Join(strings.Fields(marked), " ") != want {
		t.Errorf("marked passage %q (%v), want %q", marked, err, want)
	}
	// The mark is tinted: its background is not transparent.
	bg, err := chromedp.Run(bctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#submitted-text mark.hl")).backgroundColor`))
	if err != nil || bg == "" || bg == "rgba(0, 0, 0, 0)" {
		t.Errorf("mark background %q (%v)", bg, err)
	}
	// Every report has the spin section; this text is the user's own.
	if v, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("spin-verdict"))); err != nil || !strings.HasPrefix(v, "No sign of machine paraphrasing.") {
		t.Errorf("spin verdict %q (%v)", v, err)
	}
	// With script, excluding the source recomputes the report in place
	// (the page is not reloaded: a variable set on it survives), and
	// including it again brings the passage back.
	clickInPlace := func(sel string) error {
		// Scroll at once: a click during a smooth scroll lands on stale
		// coordinates.
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[any](`document.querySelector(`+"`"+sel+"`"+`).scrollIntoView({behavior: "instant", block: "center"})`)); err != nil {
			return err
		}
		return chromedp.Do(bctx, chromedp.Click(chromedp.CSS(sel)))
	}
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[any](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	const marks = `document.querySelectorAll("#submitted-text mark.hl").length`
	steps := []struct {
		click, until string
	}{
		{`#ex-1`, marks + ` === 0 && document.getElementById("excluded-title") !== null && window.notReloaded === true`},
		{`#inc-0`, marks + ` === 1 && document.getElementById("excluded-title") === null && window.notReloaded === true`},
	}
	for _, st := range steps {
		if err := clickInPlace(st.click); err != nil {
			t.Fatalf("clicking %s: %v", st.click, err)
		}
		if _, err := chromedp.Run(bctx, chromedp.Poll[bool](st.until, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			n, _ := chromedp.Run(bctx, chromedp.Evaluate[int](marks))
			t.Fatalf("after clicking %s: %d marks (%v)", st.click, n, err)
		}
	}
	// Scroll at once: a click during a smooth scroll lands on stale
	// coordinates.
	_, err = chromedp.Run(bctx, chromedp.Evaluate[any](`document.querySelector(".side-source a").scrollIntoView({behavior: "instant", block: "center"})`))
	if err == nil {
		err = chromedp.Do(bctx, chromedp.Click(chromedp.CSS(".side-source a")), chromedp.WaitVisible(chromedp.ID("hl")))
	}
	if err != nil {
		t.Fatalf("following the source link: %v", err)
	}
	if u, err := chromedp.Run(bctx, chromedp.Location()); err != nil || !strings.Contains(u, "/essays/"+bridgesSlug+"?hl=") || !strings.HasSuffix(u, "#hl") {
		t.Errorf("source link went to %s (%v)", u, err)
	}
	if hl, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("hl"))); err != nil || hl != bridgesCopied {
		t.Errorf("highlighted on the essay page: %q (%v)", hl, err)
	}
	inView := `(() => { const r = document.getElementById("hl").getBoundingClientRect();
		return r.top >= 0 && r.top < window.innerHeight; })()`
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](inView, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("the highlighted passage is not in view: %v", err)
	}
	if f.logs.Len() > 0 {
		t.Errorf("server logged:\n%s", f.logs)
	}
}
