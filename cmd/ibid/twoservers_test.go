package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibid-dev/ibid/web"
)

func TestTwoServersOneLibrarySQLite(t *testing.T) {
	testTwoServers(t, filepath.Join(t.TempDir(), "shared.db"))
}

func TestTwoServersOneLibraryPostgres(t *testing.T) {
	testTwoServers(t, freshPostgresSchema(t))
}

// testTwoServers runs two `ibid serve` processes on one library, as two app
// machines would: an editor imports through the first, and readers find,
// search, cite and check the new essay through the second, which held no
// state of it. Then the editor deletes it through the second and the first
// no longer serves it.
func testTwoServers(t *testing.T, db string) {
	runBinary(t, "correct horse battery staple\n", "user", "add", "editor@example.org", "--role", "editor", "--db", db)
	token := strings.TrimSpace(runBinary(t, "", "token", "create", "editor@example.org", "--name", "two-servers test", "--db", db))
	a := startServer(t, db)
	b := startServer(t, db)
	if a == b {
		t.Fatalf("both servers at %s", a)
	}

	// Before the import both servers know nothing of the essay.
	const slug = "tidal-mills-of-the-rance"
	if code, _ := get(t, b+"/api/essays/"+slug); code != 404 {
		t.Fatalf("before the import: GET on b = %d, want 404", code)
	}

	paragraph := "The tide mill at the mouth of the estuary ground grain twice a day, when the sea that had filled its pond through one-way gates was let out under the wheel. "
	body := strings.Repeat(paragraph, 3) + "\n\nMillers kept the sea's hours rather than the sun's, and their account books follow the almanac of tides more closely than the church calendar."
	req, _ := json.Marshal(map[string]any{
		"title": "Tidal Mills of the Rance", "author": "A. Miller", "subject": "History",
		"topics": []string{"Mills", "Tides"}, "text": body,
	})
	code, resp := post(t, a+"/api/essays", token, "application/json", req)
	if code != http.StatusCreated {
		t.Fatalf("import through a: status %d: %s", code, resp)
	}
	var created struct {
		Slug string `json:"slug"`
	}
	json.Unmarshal(resp, &created)
	if created.Slug != slug {
		t.Fatalf("created slug %q, want %q (%s)", created.Slug, slug, resp)
	}

	// b reads it, lists it, searches it, pages it and finds it as a source.
	if code, page := get(t, b+"/essays/"+slug); code != 200 || !bytes.Contains(page, []byte("Tidal Mills of the Rance")) {
		t.Errorf("essay page on b: %d", code)
	}
	if code, list := get(t, b+"/api/essays?subject=history"); code != 200 || !bytes.Contains(list, []byte(slug)) {
		t.Errorf("listing on b: %d %s", code, list)
	}
	if code, res := get(t, b+"/api/search?q="+url.QueryEscape("tide mill almanac")); code != 200 || !bytes.Contains(res, []byte(slug)) {
		t.Errorf("search on b: %d %s", code, res)
	}
	if code, pdf := get(t, b+"/essays/"+slug+".pdf"); code != 200 || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("PDF on b: %d", code)
	}
	check, _ := json.Marshal(map[string]string{"text": "An opening sentence of my own about rivers and weirs. " + strings.Repeat(paragraph, 2) + " A closing sentence of my own."})
	code, rep := post(t, b+"/api/check", "", "application/json", check)
	var report struct {
		Similarity float64 `json:"similarity"`
		Sources    []struct {
			Slug string `json:"slug"`
		} `json:"sources"`
	}
	json.Unmarshal(rep, &report)
	if code != 200 || len(report.Sources) == 0 || report.Sources[0].Slug != slug || report.Similarity < 0.5 {
		t.Errorf("check on b: status %d, report %s", code, rep)
	}

	// b has the essay's prepared text cached now. The editor rewrites the
	// text through a; a check on b of the new wording must align against
	// the new text, not b's cached old one.
	rewritten := "Salt marsh ponds fed the wheel of the tide mill, and the miller opened the sluice at half ebb so that the falling sea turned the stones for four hours. "
	patch, _ := json.Marshal(map[string]any{"text": strings.Repeat(rewritten, 3)})
	if code, body := send(t, "PATCH", a+"/api/essays/"+slug, token, "application/json", patch); code != http.StatusOK {
		t.Fatalf("edit through a: status %d: %s", code, body)
	}
	check2, _ := json.Marshal(map[string]string{"text": "My own opening line about estuaries. " + strings.Repeat(rewritten, 2)})
	code, rep = post(t, b+"/api/check", "", "application/json", check2)
	report.Sources = nil
	json.Unmarshal(rep, &report)
	if code != 200 || len(report.Sources) == 0 || report.Sources[0].Slug != slug || report.Similarity < 0.5 {
		t.Errorf("check of the edited text on b (which had the old one cached): status %d, report %s", code, rep)
	}

	// b kept the essay's page in memory when a reader first asked for it;
	// after the edit through a it serves the new text, not its copy, once
	// the staleness bound has passed (b reads the library's version at most
	// that often).
	time.Sleep(web.PageStaleness)
	if code, page := get(t, b+"/essays/"+slug); code != 200 || !bytes.Contains(page, []byte("Salt marsh ponds")) || bytes.Contains(page, []byte("ground grain twice a day")) {
		t.Errorf("essay page on b after the edit through a: %d, new text %v", code, bytes.Contains(page, []byte("Salt marsh ponds")))
	}
	// a keeps the page and the home page listing it too, then b deletes it.
	if code, _ := get(t, a+"/essays/"+slug); code != 200 {
		t.Fatalf("essay page on a: %d", code)
	}
	if code, home := get(t, a+"/"); code != 200 || !bytes.Contains(home, []byte("Tidal Mills of the Rance")) {
		t.Errorf("home page on a does not list the essay: %d", code)
	}

	// Deleting through b removes it for a too.
	if code, body := send(t, "DELETE", b+"/api/essays/"+slug, token, "", nil); code != http.StatusNoContent {
		t.Fatalf("delete through b: status %d: %s", code, body)
	}
	time.Sleep(web.PageStaleness) // a's bound on writes by other servers
	if code, _ := get(t, a+"/essays/"+slug); code != 404 {
		t.Errorf("after the delete: essay page on a = %d, want 404", code)
	}
	if code, home := get(t, a+"/"); code != 200 || bytes.Contains(home, []byte("Tidal Mills of the Rance")) {
		t.Errorf("after the delete: home page on a = %d, still lists the essay: %v", code, bytes.Contains(home, []byte("Tidal Mills of the Rance")))
	}
	code, rep = post(t, a+"/api/check", "", "application/json", check)
	if code != 200 || bytes.Contains(rep, []byte(slug)) {
		t.Errorf("after the delete: check on a still names the essay: %d %s", code, rep)
	}
}

func get(t *testing.T, u string) (int, []byte) {
	t.Helper()
	return send(t, "GET", u, "", "", nil)
}

func post(t *testing.T, u, token, ctype string, body []byte) (int, []byte) {
	t.Helper()
	return send(t, "POST", u, token, ctype, body)
}

// send makes one request, with a Bearer token and a body when given, and
// returns the status and the response body.
func send(t *testing.T, method, u, token, ctype string, body []byte) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}
