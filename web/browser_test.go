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

// TestBrowserSearchAndContents walks the reader's path in a real browser:
// home page, search, a result, a table-of-contents link.
func TestBrowserSearchAndContents(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := findChromium()
	if browser == "" {
		t.Skip("no chromium, chromium-browser or google-chrome on PATH (Debian: apt-get install chromium)")
	}
	txt := &countingExporter{ext: "txt", label: "Plain text", ctype: "text/plain; charset=utf-8"}
	s, logs := newServer(t, Config{Exporters: []ibid.Exporter{txt}})
	ts := httptest.NewServer(s)
	defer ts.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browser),
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
		// Wide enough for the contents to sit in the side column.
		chromedp.WindowSize(1280, 800),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

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
