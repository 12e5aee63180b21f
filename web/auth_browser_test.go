package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ibid-dev/ibid"
)

// TestBrowserEditor walks an editor's path in a real browser, where the
// forms meet the server's cross-origin protection and content security
// policy as they do in use: sign in from an essay, edit its title, delete
// it after the confirmation step, sign out.
func TestBrowserEditor(t *testing.T) {
	needBrowser(t)
	f := newEditFixture(t)
	addUser(t, f.srv.users, "ada@example.org", ibid.RoleEditor, "correct horse battery")
	ts := httptest.NewServer(f.srv)
	defer ts.Close()

	bctx := newBrowser(t, 45*time.Second)

	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	location := func() string {
		u, _ := chromedp.Run(bctx, chromedp.Location())
		return strings.TrimPrefix(u, ts.URL)
	}

	essay := "/essays/" + longSlug
	step("open the essay and follow Sign in",
		chromedp.Navigate(ts.URL+essay),
		chromedp.Click(chromedp.ID("sign-in")),
		chromedp.WaitVisible(chromedp.ID("login-form")),
	)
	step("a wrong password",
		chromedp.SendKeys(chromedp.ID("login-email"), "ada@example.org"),
		chromedp.SendKeys(chromedp.ID("login-password"), "not the password"),
		chromedp.Submit(chromedp.ID("login-password")),
		chromedp.WaitVisible(chromedp.ID("login-error")),
	)
	step("the right one",
		chromedp.SendKeys(chromedp.ID("login-password"), "correct horse battery"),
		chromedp.Submit(chromedp.ID("login-password")),
		chromedp.WaitVisible(chromedp.ID("edit-essay")),
	)
	if got := location(); got != essay {
		t.Errorf("after signing in: %s, want back on %s", got, essay)
	}
	if email, _ := chromedp.Run(bctx, chromedp.Text(chromedp.ID("account-email"))); email != "ada@example.org" {
		t.Errorf("header shows %q", email)
	}

	step("edit the title",
		chromedp.Click(chromedp.ID("edit-essay")),
		chromedp.WaitVisible(chromedp.ID("edit-form")),
		chromedp.SetValue(chromedp.ID("edit-title"), "Soviet Diplomacy, 1917–1941"),
		chromedp.Submit(chromedp.ID("edit-title")),
		chromedp.WaitVisible(chromedp.ID("essay-title")),
	)
	if title, _ := chromedp.Run(bctx, chromedp.Text(chromedp.ID("essay-title"))); title != "Soviet Diplomacy, 1917–1941" {
		t.Errorf("after editing, the title is %q", title)
	}

	step("delete it after confirming",
		chromedp.Click(chromedp.ID("delete-essay")),
		chromedp.WaitVisible(chromedp.ID("delete-form")),
		chromedp.Submit(chromedp.ID("delete-form")),
		// The listing's count line is on no page before it.
		chromedp.WaitVisible(chromedp.CSS(".count-line")),
	)
	if got := location(); got != "/essays" {
		t.Errorf("after deleting: %s, want /essays", got)
	}
	if _, err := f.st.Essay(context.Background(), longSlug); ibid.ErrorCode(err) != ibid.ENOTFOUND {
		t.Errorf("the essay is still there: %v", err)
	}

	// The account page's forms, under the same protections: a token is
	// shown once, and a changed password keeps this browser signed in.
	step("create an API token on the account page",
		chromedp.Click(chromedp.ID("account-link")),
		chromedp.WaitVisible(chromedp.ID("token-form")),
		chromedp.SendKeys(chromedp.ID("token-name"), "browser test"),
		chromedp.Submit(chromedp.ID("token-name")),
		chromedp.WaitVisible(chromedp.ID("new-token")),
	)
	if tok, _ := chromedp.Run(bctx, chromedp.Value(chromedp.ID("new-token-value"))); !strings.HasPrefix(tok, "ibid_") {
		t.Errorf("the new token shown is %q", tok)
	}
	step("change the password",
		chromedp.SendKeys(chromedp.ID("password-current"), "correct horse battery"),
		chromedp.SendKeys(chromedp.ID("password-new"), "a stapled battery horse"),
		chromedp.SendKeys(chromedp.ID("password-again"), "a stapled battery horse"),
		chromedp.Submit(chromedp.ID("password-again")),
		chromedp.WaitVisible(chromedp.ID("account-notice")),
	)
	if got := location(); got != "/account?done=password" {
		t.Errorf("after changing the password: %s", got)
	}

	step("sign out",
		chromedp.Click(chromedp.CSS(".logout button")),
		chromedp.WaitVisible(chromedp.ID("sign-in")),
	)
}
