package cite

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
)

// TestPandocCiteproc cites the .bib download with pandoc --citeproc, a real
// reader of it, in the official styles of ../shared: the site's name must
// come through once, as the container title, and the URL once (a
// howpublished = {\url{…}} beside url made APA print it twice), and the
// default site name must not print as the Latin "Ibid.". It skips without
// pandoc or the styles.
func TestPandocCiteproc(t *testing.T) {
	pandoc, err := exec.LookPath("pandoc")
	if err != nil {
		t.Skip("pandoc is not installed")
	}
	styles := filepath.Join("..", "..", "shared", "csl", "styles")
	if _, err := os.Stat(styles); err != nil {
		t.Skipf("the official CSL styles are not available (%v); they live in ../shared/csl/styles", err)
	}
	e := &ibid.Essay{Slug: "soviet-foreign-policy", Title: "Soviet Foreign Policy, 1917–1941", Author: "Tomasz Wierzbicki",
		Published: published, Topics: []string{"Soviet Union", "Diplomacy"},
		Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: "When the Bolsheviks took power, many doubted they needed diplomats."}}}
	const url = "https://essays.example.org/essays/soviet-foreign-policy"
	dir := t.TempDir()
	for _, site := range []struct{ name, want string }{
		{"", "Ibid Essay Library"}, // the default; styles may capitalise it after a full stop
		{"Essay Library", "Essay Library"},
	} {
		var bib bytes.Buffer
		if err := (BibTeX{Options{SiteName: site.name, BaseURL: "https://essays.example.org"}}).Export(&bib, e); err != nil {
			t.Fatal(err)
		}
		bibFile := filepath.Join(dir, "ref.bib")
		if err := os.WriteFile(bibFile, bib.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, style := range []string{"apa", "modern-language-association", "chicago-author-date", "harvard-cite-them-right"} {
			cmd := exec.Command(pandoc, "--citeproc", "--bibliography", bibFile, "--csl", filepath.Join(styles, style+".csl"),
				"-f", "markdown", "-t", "plain", "--wrap=none")
			cmd.Stdin = strings.NewReader("Text [@soviet-foreign-policy].\n")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: pandoc: %v\n%s", style, err, out)
			}
			got := string(out)
			if n := strings.Count(got, url); n != 1 {
				t.Errorf("%s, site %q: the URL %d times in\n%s", style, site.name, n, got)
			}
			if n := strings.Count(strings.ToLower(got), strings.ToLower(site.want)); n != 1 {
				t.Errorf("%s, site %q: %q %d times in\n%s", style, site.name, site.want, n, got)
			}
			if strings.Contains(got, "Ibid.") || strings.Contains(got, "ibid.") {
				t.Errorf("%s, site %q: reads as \"Ibid.\":\n%s", style, site.name, got)
			}
		}
	}
}
