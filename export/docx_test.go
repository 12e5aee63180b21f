package export

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/extract"
)

// unzip returns the parts of a .docx, checking that each XML part is well
// formed.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip archive: %v", err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = data
		d := xml.NewDecoder(bytes.NewReader(data))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
			}
		}
	}
	return parts
}

// wpara is a paragraph of word/document.xml as Word sees it.
type wpara struct {
	style, numID, text string
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func paragraphs(t *testing.T, doc []byte) []wpara {
	t.Helper()
	var out []wpara
	var cur *wpara
	inText := false
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if tk.Name.Space != nsW {
				continue
			}
			switch tk.Name.Local {
			case "p":
				out = append(out, wpara{})
				cur = &out[len(out)-1]
			case "pStyle":
				cur.style = attr(tk, "val")
			case "numId":
				cur.numID = attr(tk, "val")
			case "t":
				inText = true
			}
		case xml.EndElement:
			if tk.Name.Local == "t" {
				inText = false
			}
		case xml.CharData:
			if inText && cur != nil {
				cur.text += string(tk)
			}
		}
	}
}

// numFormats maps numbering instances to their number format ("bullet",
// "decimal") through numbering.xml.
func numFormats(t *testing.T, numbering []byte) map[string]string {
	t.Helper()
	var n struct {
		Abstract []struct {
			ID  string `xml:"abstractNumId,attr"`
			Fmt struct {
				Val string `xml:"val,attr"`
			} `xml:"lvl>numFmt"`
		} `xml:"abstractNum"`
		Num []struct {
			ID       string `xml:"numId,attr"`
			Abstract struct {
				Val string `xml:"val,attr"`
			} `xml:"abstractNumId"`
		} `xml:"num"`
	}
	if err := xml.Unmarshal(numbering, &n); err != nil {
		t.Fatal(err)
	}
	abs := map[string]string{}
	for _, a := range n.Abstract {
		abs[a.ID] = a.Fmt.Val
	}
	out := map[string]string{}
	for _, x := range n.Num {
		out[x.ID] = abs[x.Abstract.Val]
	}
	return out
}

// TestDOCXStructure reads the Word document back the way Word does: styles
// make headings and quotes, numbering makes lists. The blocks must be the
// essay's.
func TestDOCXStructure(t *testing.T) {
	e := loadEssay(t)
	b := exportBytes(t, NewDOCX(testOpts), e)
	if *outDir != "" {
		os.WriteFile(filepath.Join(*outDir, "essay.docx"), b, 0o644)
	}
	parts := unzip(t, b)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels",
		"word/styles.xml", "word/numbering.xml", "word/footer1.xml", "docProps/core.xml", "docProps/app.xml"} {
		if parts[name] == nil {
			t.Errorf("no part %s", name)
		}
	}
	// Every style a paragraph uses is defined.
	styles := string(parts["word/styles.xml"])
	ps := paragraphs(t, parts["word/document.xml"])
	for _, p := range ps {
		if p.style != "" && !strings.Contains(styles, `w:styleId="`+p.style+`"`) {
			t.Errorf("style %q is not defined", p.style)
		}
	}
	if len(ps) < 3 || ps[0].style != "Title" || ps[0].text != e.Title {
		t.Fatalf("first paragraph %+v, want the title", ps[0])
	}
	formats := numFormats(t, parts["word/numbering.xml"])
	var got []ibid.Block
	lastNum := ""
	for _, p := range ps[1:] {
		switch {
		case p.style == "EssayMeta":
			// Words and reading time, not the site's page estimate,
			// which Word's own pagination would contradict.
			if strings.Contains(p.text, "min read") && strings.Contains(p.text, "page") {
				t.Errorf("meta line %q", p.text)
			}
			continue
		case p.style == "Subtitle":
			continue
		case strings.HasPrefix(p.style, "Heading"):
			var lv int
			fmt.Sscanf(p.style, "Heading%d", &lv)
			got = append(got, ibid.Block{Type: ibid.Heading, Level: lv, Text: p.text})
		case p.style == "Quote":
			got = append(got, ibid.Block{Type: ibid.Quote, Text: p.text})
		case p.numID != "":
			if p.style != "ListParagraph" {
				t.Errorf("list item %q has style %q", p.text, p.style)
			}
			if n := len(got); n > 0 && got[n-1].Type == ibid.List && lastNum == p.numID {
				got[n-1].Items = append(got[n-1].Items, p.text)
				continue
			}
			f := formats[p.numID]
			if f != "bullet" && f != "decimal" {
				t.Errorf("numbering %s has format %q", p.numID, f)
			}
			got = append(got, ibid.Block{Type: ibid.List, Items: []string{p.text}, Ordered: f == "decimal"})
			lastNum = p.numID
			continue
		default:
			got = append(got, ibid.Block{Type: ibid.Paragraph, Text: p.text})
		}
		lastNum = ""
	}
	diffBlocks(t, got, blocks(e))

	var core struct {
		Title    string `xml:"title"`
		Creator  string `xml:"creator"`
		Subject  string `xml:"subject"`
		Keywords string `xml:"keywords"`
		Created  string `xml:"created"`
	}
	if err := xml.Unmarshal(parts["docProps/core.xml"], &core); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint(e.Title, "|", e.Author, "|", e.Subject, "|", strings.Join(e.Topics, ", "), "|", "2026-01-02T03:04:05Z")
	if g := fmt.Sprint(core.Title, "|", core.Creator, "|", core.Subject, "|", core.Keywords, "|", core.Created); g != want {
		t.Errorf("core properties\n got %s\nwant %s", g, want)
	}
	rels := string(parts["word/_rels/document.xml.rels"])
	if !strings.Contains(rels, `Target="https://essays.example.org/essays/dvoraks-new-world" TargetMode="External"`) {
		t.Errorf("no hyperlink relationship to the essay: %s", rels)
	}
}

func TestDOCXDeterministic(t *testing.T) {
	e := loadEssay(t)
	a := exportBytes(t, NewDOCX(testOpts), e)
	b := exportBytes(t, NewDOCX(testOpts), e)
	if !bytes.Equal(a, b) {
		t.Error("two exports of the same essay differ")
	}
}

// TestDOCXExtract imports the document with the library's own extractor.
func TestDOCXExtract(t *testing.T) {
	e := loadEssay(t)
	doc, err := extract.DOCX("essay.docx", exportBytes(t, NewDOCX(Options{}), e), extract.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != e.Title || doc.Author != e.Author || doc.Subject != e.Subject {
		t.Errorf("metadata: %q by %q in %q", doc.Title, doc.Author, doc.Subject)
	}
	// The author and meta lines under the title are metadata, not text:
	// the import is the essay's blocks alone, dated as the meta line says
	// (core.xml's date is the export's). The extractor joins lists of one
	// kind that follow each other, as a reader of the page would.
	if !e.Published.IsZero() && doc.Published.Format("2006-01-02") != e.Published.Format("2006-01-02") {
		t.Errorf("published %v, want %v", doc.Published, e.Published)
	}
	var want []ibid.Block
	for _, b := range blocks(e) {
		if n := len(want); n > 0 && b.Type == ibid.List && want[n-1].Type == ibid.List && want[n-1].Ordered == b.Ordered {
			want[n-1].Items = append(want[n-1].Items, b.Items...)
			continue
		}
		want = append(want, b)
	}
	diffBlocks(t, doc.Blocks, want)
}

// TestDOCXLibreOffice converts the document to text with LibreOffice, when
// it is installed: a real word processor must open it and find the text.
func TestDOCXLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice (soffice) is not installed")
	}
	if testing.Short() {
		t.Skip("LibreOffice takes seconds to start")
	}
	e := loadEssay(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "essay.docx")
	if err := os.WriteFile(in, exportBytes(t, NewDOCX(testOpts), e), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "txt:Text (encoded):UTF8", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	txt, err := os.ReadFile(filepath.Join(dir, "essay.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(strings.Fields(string(txt)), " ")
	for _, b := range blocks(e) {
		for _, s := range append([]string{b.Text}, b.Items...) {
			if s != "" && !strings.Contains(got, s) {
				t.Errorf("LibreOffice's text lacks %q", s)
			}
		}
	}
	// Numbered lists restart: LibreOffice writes the numbers it shows.
	for _, want := range []string{"10. a tenth item", "1. a numbered list right after another", "2. restarts at one"} {
		if !strings.Contains(got, want) {
			t.Errorf("LibreOffice's text lacks %q", want)
		}
	}
}
