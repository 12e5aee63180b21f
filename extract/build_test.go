package extract

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/adler32"
	"hash/crc32"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// Helpers that build the DOCX and PDF fixtures in code, so that no binary
// file of unknown origin is committed.

// part is one file of a zip archive.
type part struct {
	name string
	body string
}

// buildZip zips parts with Deflate.
func buildZip(t testing.TB, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lyingZip stores one Deflate-compressed part whose headers declare a
// decompressed size of declared bytes, as a zip bomb would.
func lyingZip(t testing.TB, name, body string, declared uint64) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(body))
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name:               name,
		Method:             zip.Deflate,
		CRC32:              crc32.ChecksumIEEE([]byte(body)),
		CompressedSize64:   uint64(comp.Len()),
		UncompressedSize64: declared,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const wordNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`

// wordDocument wraps body XML in a document.xml.
func wordDocument(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document ` + wordNS + ` xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>` + body + `</w:body></w:document>`
}

// wp writes a paragraph with an optional style and numbering; runs are
// split on "|" to check that runs join without spaces.
func wp(style string, numID, ilvl int, text string) string {
	var b strings.Builder
	b.WriteString("<w:p>")
	if style != "" || numID > 0 {
		b.WriteString("<w:pPr>")
		if style != "" {
			fmt.Fprintf(&b, `<w:pStyle w:val="%s"/>`, style)
		}
		if numID > 0 {
			fmt.Fprintf(&b, `<w:numPr><w:ilvl w:val="%d"/><w:numId w:val="%d"/></w:numPr>`, ilvl, numID)
		}
		b.WriteString("</w:pPr>")
	}
	for _, run := range strings.Split(text, "|") {
		fmt.Fprintf(&b, `<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r>`, run)
	}
	b.WriteString("</w:p>")
	return b.String()
}

const testStyles = `<?xml version="1.0" encoding="UTF-8"?>
<w:styles ` + wordNS + `>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="berschrift2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="MyHeading"><w:name w:val="My Heading"/><w:basedOn w:val="Heading1"/></w:style>
<w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/></w:style>
<w:style w:type="paragraph" w:styleId="IntenseQuote"><w:name w:val="Intense Quote"/></w:style>
<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/></w:style>
<w:style w:type="character" w:styleId="Heading1Char"><w:name w:val="Heading 1 Char"/></w:style>
</w:styles>`

const testNumbering = `<?xml version="1.0" encoding="UTF-8"?>
<w:numbering ` + wordNS + `>
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>`

const testCore = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>Water Rights in the Nile Basin</dc:title>
<dc:subject>Geography</dc:subject>
<dc:creator>Sam Example</dc:creator>
<cp:keywords>water; rivers, treaties</cp:keywords>
<dcterms:created xsi:type="dcterms:W3CDTF">2022-05-01T08:30:00Z</dcterms:created>
</cp:coreProperties>`

// testDOCX is a small Word document that uses every structure the
// extractor knows.
func testDOCX(t testing.TB) []byte {
	body := wp("Title", 0, 0, "Water Rights in the Nile Basin") +
		wp("Heading1", 0, 0, "Back|ground") +
		`<w:p><w:r><w:t>The Nile crosses eleven countries.</w:t><w:tab/><w:t>Its waters are shared by treaty,</w:t><w:br/><w:t>and</w:t></w:r><w:r><w:t xml:space="preserve"> by habit.</w:t></w:r></w:p>` +
		wp("", 0, 0, "") +
		wp("berschrift2", 0, 0, "The 1959 agreement") +
		wp("ListParagraph", 1, 0, "Egypt received the larger share.") +
		wp("ListParagraph", 1, 1, "Sudan received most of the rest.") +
		wp("ListParagraph", 1, 0, "Upstream states were not parties.") +
		wp("", 0, 0, "The consequences were:") +
		wp("ListParagraph", 2, 0, "disputes over new dams;") +
		wp("ListParagraph", 2, 0, "calls for a new framework.") +
		wp("Quote", 0, 0, "Water flows downhill, and so does power.") +
		wp("MyHeading", 0, 0, "Outlook") +
		`<w:tbl><w:tr><w:tc>` + wp("", 0, 0, "Cell text") + `</w:tc></w:tr></w:tbl>` +
		`<w:p><mc:AlternateContent><mc:Choice Requires="wps"><w:r><w:t>Chosen</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>Fallback copy</w:t></w:r></mc:Fallback></mc:AlternateContent>` +
		`<w:r><w:delText>deleted</w:delText><w:instrText>PAGE</w:instrText><w:t> text</w:t></w:r></w:p>` +
		wp("IntenseQuote", 0, 0, "Cooperation is cheaper than conflict.")
	return buildZip(t,
		part{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		part{"word/document.xml", wordDocument(body)},
		part{"word/styles.xml", testStyles},
		part{"word/numbering.xml", testNumbering},
		part{"docProps/core.xml", testCore},
	)
}

// pdfLine is one line of text placed on a test PDF page.
type testLine struct {
	size float64
	y    float64
	text string
}

// buildPDF writes a PDF by hand: one Helvetica font in WinAnsiEncoding, a
// page per element of pages, an Info dictionary from info, and a correct
// cross-reference table. A page with no lines gets a filled rectangle
// instead of text, like a scanned image.
func buildPDF(t testing.TB, info map[string]string, pages ...[]testLine) []byte {
	t.Helper()
	var contents []string
	for _, lines := range pages {
		var content strings.Builder
		if len(lines) == 0 {
			content.WriteString("0.5 g 72 72 400 600 re f\n")
		}
		for _, l := range lines {
			fmt.Fprintf(&content, "BT /F1 %g Tf 72 %g Td (%s) Tj ET\n", l.size, l.y, pdfString(t, l.text))
		}
		contents = append(contents, content.String())
	}
	return buildPDFRaw(t, info, contents...)
}

// pdfString encodes s in Windows-1252 and escapes it for a PDF literal.
func pdfString(t testing.TB, s string) string {
	b, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		t.Fatalf("cannot encode %q: %v", s, err)
	}
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(b)
}

// rawContentPDF is a one-page PDF with the given content stream.
func rawContentPDF(t testing.TB, content string) []byte {
	return buildPDFRaw(t, nil, content)
}

// flateContentPDF is a one-page PDF whose content stream is compressed,
// as a PDF bomb's would be.
func flateContentPDF(t testing.TB, content string) []byte {
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	fw.Close()
	// zlib framing: FlateDecode wants a zlib stream, not raw deflate.
	z := append([]byte{0x78, 0xDA}, comp.Bytes()...)
	sum := adler32.Checksum([]byte(content))
	z = append(z, byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum))
	return buildPDFStreams(t, nil, []string{"/Filter /FlateDecode"}, string(z))
}

// buildPDFRaw writes a PDF with one page per content stream.
func buildPDFRaw(t testing.TB, info map[string]string, pages ...string) []byte {
	return buildPDFStreams(t, info, nil, pages...)
}

// buildPDFStreams is buildPDFRaw with extra entries for each page's
// stream dictionary (filters).
func buildPDFStreams(t testing.TB, info map[string]string, dicts []string, pages ...string) []byte {
	t.Helper()
	var objs []string
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	catalog := add("") // filled in below, once the page tree exists
	tree := add("")
	font := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	var kids []string
	for i, content := range pages {
		extra := ""
		if i < len(dicts) {
			extra = " " + dicts[i]
		}
		stream := add(fmt.Sprintf("<< /Length %d%s >>\nstream\n%s\nendstream", len(content), extra, content))
		page := add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", tree, font, stream))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	objs[catalog-1] = fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", tree)
	objs[tree-1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	var infoDict strings.Builder
	for _, k := range []string{"Title", "Author", "Subject", "Keywords", "Creator", "CreationDate"} {
		if v, ok := info[k]; ok {
			fmt.Fprintf(&infoDict, "/%s (%s) ", k, pdfString(t, v))
		}
	}
	infoObj := add("<< " + infoDict.String() + ">>")

	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, catalog, infoObj, xref)
	return b.Bytes()
}

// testPDF is a two-page essay with a heading, wrapped paragraphs, a word
// hyphenated across lines, a bulleted list and a page number.
func testPDF(t testing.TB) []byte {
	p1 := []testLine{
		{18, 720, "The Silk Roads"},
		{12, 690, "Introduction"},
		{11, 666, "For centuries goods and ideas moved along a web of routes between"},
		{11, 652, "China and the Mediterranean. No single merchant travelled the"},
		{11, 638, "whole way; each carried wares a short distance and sold them on."},
		{11, 610, "Historians now stress the exchange of tech-"},
		{11, 596, "niques as much as goods, and the Franco-"},
		{11, 582, "Persian trade as much as the Chinese one. The"},
		{11, 568, "routes ran across"},
		{10, 60, "1"},
	}
	p2 := []testLine{
		{11, 720, "deserts and mountains alike."},
		{12, 690, "What Travelled"},
		{11, 666, "• silk, paper and porcelain;"},
		{11, 652, "• glass, horses and silver;"},
		{11, 638, "• religions and diseases."},
		{10, 60, "2"},
	}
	return buildPDF(t, map[string]string{
		"Title":        "The Silk Roads",
		"Author":       "Lee Example",
		"Subject":      "History",
		"Keywords":     "trade, Asia",
		"Creator":      "A Word Processor",
		"CreationDate": "D:20210704120000+02'00'",
	}, p1, p2)
}
