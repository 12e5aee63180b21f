package web

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/cite"
)

// realCiter is the cite box as ibid serve wires it: every style of the
// built-in set.
func realCiter(t testing.TB, baseURL string) Citer {
	c, err := cite.New(nil, cite.Options{SiteName: "Test Library", BaseURL: baseURL,
		Now: func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return func(ctx context.Context, e *ibid.Essay) ([]Citation, error) {
		rs, err := c.All(e)
		out := make([]Citation, len(rs))
		for i, r := range rs {
			out[i] = Citation{Style: r.Style, Label: r.Label, Title: r.Title, Note: r.Note,
				Text: r.Entry.Text, HTML: r.Entry.HTML, InText: r.InText.Text, InTextHTML: r.InText.HTML}
		}
		return out, err
	}
}

// TestBrowserCiteCopy checks the cite box in a real browser: the styles
// become tabs that the arrow keys move between, and Copy puts the APA
// entry on the clipboard as plain text and as HTML with its italics, then
// says "Copied" for two seconds.
func TestBrowserCiteCopy(t *testing.T) {
	needBrowser(t)
	s, logs := newServer(t, Config{Citer: realCiter(t, "http://example.test")})
	ts := httptest.NewServer(s)
	defer ts.Close()

	bctx := newBrowser(t, 30*time.Second)

	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		_, err := chromedp.CallBrowser(bctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
			Setting:    browser.PermissionSettingGranted, Origin: ts.URL})
		if err != nil {
			t.Fatalf("granting %s: %v", name, err)
		}
	}
	err := chromedp.Do(bctx,
		chromedp.Navigate(ts.URL+"/essays/"+longSlug+"#cite"),
		chromedp.WaitVisible(chromedp.CSS(`#cite_0_tab`)),
	)
	if err != nil {
		t.Fatalf("opening the essay: %v", err)
	}

	// Tabs: APA first and selected, the other panels hidden; ArrowRight
	// selects MLA, Home goes back to APA.
	const state = `(() => { const sel = document.querySelector('[role="tab"][aria-selected="true"]');
		const shown = [...document.querySelectorAll('[role="tabpanel"]')].filter(p => !p.hidden).map(p => p.id);
		return sel.textContent + "|" + (document.activeElement === sel) + "|" + shown.join(","); })()`
	if got, err := chromedp.Run(bctx, chromedp.Evaluate[string](state)); err != nil || got != "APA|false|cite_0" {
		t.Errorf("tabs at first: %q (%v)", got, err)
	}
	labels, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[role="tab"]')].map(b => b.textContent)`))
	if want := "APA MLA Harvard Vancouver"; err != nil || !strings.HasPrefix(strings.Join(labels, " "), want) {
		t.Errorf("tab labels %q (%v), want them to start %q", labels, err, want)
	}
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("cite_0_tab").focus()`)); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		key, want string
	}{{kb.ArrowRight, "MLA|true|cite_1"}, {kb.End, labels[len(labels)-1] + "|true|cite_" + strconv.Itoa(len(labels)-1)}, {kb.Home, "APA|true|cite_0"}} {
		if err := chromedp.Do(bctx, chromedp.KeyEvent(step.key)); err != nil {
			t.Fatal(err)
		}
		if got, err := chromedp.Run(bctx, chromedp.Evaluate[string](state)); err != nil || got != step.want {
			t.Errorf("after %q: %q (%v), want %q", step.key, got, err, step.want)
		}
	}

	// Copy the APA reference.
	want, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById("cite_0_ref").getAttribute("data-text")`))
	if err != nil || !strings.Contains(want, "Soviet Foreign Policy") {
		t.Fatalf("APA entry text %q (%v)", want, err)
	}
	err = chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`button[data-copy="cite_0_ref"]`)))
	if err != nil {
		t.Fatal(err)
	}
	const label = `document.querySelector('button[data-copy="cite_0_ref"]').textContent`
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](label+` === "Copied"`, chromedp.WithPollingTimeout(3*time.Second))); err != nil {
		got, _ := chromedp.Run(bctx, chromedp.Evaluate[string](label))
		t.Fatalf("Copy button says %q (%v)", got, err)
	}
	type clip struct{ Plain, HTML string }
	got, err := chromedp.Run(bctx, chromedp.Evaluate[clip](`navigator.clipboard.read().then(async items => {
		const it = items[0];
		return {Plain: await (await it.getType("text/plain")).text(), HTML: await (await it.getType("text/html")).text()};
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("reading the clipboard: %v", err)
	}
	if got.Plain != want {
		t.Errorf("clipboard text/plain %q, want %q", got.Plain, want)
	}
	if !strings.Contains(got.HTML, "<i>Soviet Foreign Policy, 1917–1941</i>") {
		t.Errorf("clipboard text/html %q lacks the italic title", got.HTML)
	}
	if text, err := chromedp.Run(bctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise)); err != nil || text != want {
		t.Errorf("readText %q (%v)", text, err)
	}
	// After two seconds the button says Copy again.
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](label+` === "Copy"`, chromedp.WithPollingTimeout(4*time.Second))); err != nil {
		t.Errorf("the Copy button does not come back: %v", err)
	}

	// Over plain HTTP there is no navigator.clipboard: Copy selects the
	// in-text citation and copies it, HTML and text.
	hide := `Object.defineProperty(navigator, "clipboard", {value: undefined, configurable: true})`
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[chromedp.Void](hide)); err != nil {
		t.Fatal(err)
	}
	inText, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById("cite_0_in").getAttribute("data-text")`))
	if err != nil || inText == "" {
		t.Fatalf("in-text citation %q (%v)", inText, err)
	}
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`button[data-copy="cite_0_in"]`))); err != nil {
		t.Fatal(err)
	}
	const inLabel = `document.querySelector('button[data-copy="cite_0_in"]').textContent`
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](inLabel+` === "Copied"`, chromedp.WithPollingTimeout(3*time.Second))); err != nil {
		got, _ := chromedp.Run(bctx, chromedp.Evaluate[string](inLabel))
		t.Fatalf("Copy without navigator.clipboard says %q (%v)", got, err)
	}
	realClip := `Object.getOwnPropertyDescriptor(Navigator.prototype, "clipboard").get.call(navigator)`
	got, err = chromedp.Run(bctx, chromedp.Evaluate[clip](realClip+`.read().then(async items => {
		const it = items[0];
		return {Plain: await (await it.getType("text/plain")).text(), HTML: await (await it.getType("text/html")).text()};
	})`, chromedp.EvalAwaitPromise))
	// The browser styles the copied HTML inline, but the italics stay.
	if err != nil || got.Plain != inText || !strings.Contains(got.HTML, "<i") || !strings.Contains(got.HTML, ">Soviet Foreign Policy, 1917–1941</i>") {
		t.Errorf("clipboard after copying by selection: %+v (%v), want %q", got, err, inText)
	}
	if logs.Len() > 0 {
		t.Errorf("server logged:\n%s", logs)
	}
}

// TestBrowserCiteMore checks that styles past the seven common ones share a
// "More…" tab with a list to pick from.
func TestBrowserCiteMore(t *testing.T) {
	needBrowser(t)
	nine := func(ctx context.Context, e *ibid.Essay) ([]Citation, error) {
		var cs []Citation
		for i := range 9 {
			n := strconv.Itoa(i)
			cs = append(cs, Citation{Style: "s" + n, Label: "Style " + n, Text: "Entry " + n, InText: "(" + n + ")"})
		}
		return cs, nil
	}
	s, _ := newServer(t, Config{Citer: nine})
	ts := httptest.NewServer(s)
	defer ts.Close()
	bctx := newBrowser(t, 30*time.Second)
	err := chromedp.Do(bctx,
		chromedp.Navigate(ts.URL+"/essays/"+longSlug),
		chromedp.WaitVisible(chromedp.CSS(`#cite_more_tab`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	const state = `(() => [...document.querySelectorAll('[role="tab"]')].map(b => b.textContent).join(",") + "|" +
		[...document.querySelectorAll('#cite_more_select option')].map(o => o.textContent).join(",") + "|" +
		[...document.querySelectorAll('.cite-style[id^="cite_"]:not(.cite-more)')].filter(p => p.checkVisibility()).map(p => p.id).join(","))()`
	steps := []struct {
		do, want string
	}{
		{``, "Style 0,Style 1,Style 2,Style 3,Style 4,Style 5,Style 6,More…|Style 7,Style 8|cite_0"},
		{`document.getElementById("cite_more_tab").click()`, "Style 0,Style 1,Style 2,Style 3,Style 4,Style 5,Style 6,More…|Style 7,Style 8|cite_7"},
		{`(() => { const s = document.getElementById("cite_more_select"); s.value = "1"; s.dispatchEvent(new Event("change")); })()`,
			"Style 0,Style 1,Style 2,Style 3,Style 4,Style 5,Style 6,More…|Style 7,Style 8|cite_8"},
	}
	for _, st := range steps {
		if st.do != "" {
			if _, err := chromedp.Run(bctx, chromedp.Evaluate[chromedp.Void](st.do)); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := chromedp.Run(bctx, chromedp.Evaluate[string](state)); err != nil || got != st.want {
			t.Errorf("after %q:\n got %q (%v)\nwant %q", st.do, got, err, st.want)
		}
	}
}

// BenchmarkEssayPageCite is BenchmarkEssayPage with the cite box in the
// seven built-in styles, as ibid serve renders it.
func BenchmarkEssayPageCite(b *testing.B) {
	s, _ := newServer(b, Config{Citer: realCiter(b, "http://example.test")})
	path := "/essays/" + longSlug
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 {
			b.Fatalf("GET %s: %d", path, rec.Code)
		}
	}
}
