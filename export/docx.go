package export

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// DOCX writes an essay as a Word document (Office Open XML,
// WordprocessingML) with the standard library's zip and XML escaping. The
// title carries Word's Title style, headings Heading 1–3 (so Word's
// navigation pane and table of contents find them), quotes the Quote style,
// list items the List Paragraph style with numbering (bullets, or decimals
// restarting at 1 for each list). The document properties hold title,
// author, subject, keywords (the topics) and dates, and every page has its
// number in the footer as "3 / 8".
type DOCX struct{ opt Options }

// NewDOCX returns the "docx" exporter.
func NewDOCX(opt Options) *DOCX { return &DOCX{opt} }

// DOCXType is the MIME type of Word documents.
const DOCXType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// Format implements ibid.Exporter.
func (x *DOCX) Format() (ext, label, contentType string) {
	return "docx", "Word", DOCXType
}

// Namespaces of the parts.
const (
	nsW   = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsRel = "http://schemas.openxmlformats.org/package/2006/relationships"
	xmlPI = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
)

// Export implements ibid.Exporter.
func (x *DOCX) Export(w io.Writer, e *ibid.Essay) error {
	if e == nil {
		return ibid.Errorf(ibid.EINVALID, "no essay to export")
	}
	var pg struct{ w, h int }
	switch strings.ToLower(x.opt.PageSize) {
	case "letter":
		pg.w, pg.h = 12240, 15840 // twentieths of a point: 8.5 × 11 in
	default:
		pg.w, pg.h = 11906, 16838 // A4
	}
	now := x.opt.now().UTC().Truncate(time.Second)
	url := x.opt.essayURL(e)
	bs := blocks(e)

	var doc strings.Builder
	doc.WriteString(xmlPI + `<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:body>`)
	para(&doc, "Title", 0, title(e))
	if a := text.Normalize(e.Author); a != "" {
		para(&doc, "Subtitle", 0, a)
	}
	para(&doc, "EssayMeta", 0, x.opt.metaLine(e, false))
	if url != "" {
		doc.WriteString(`<w:p><w:pPr><w:pStyle w:val="EssayMeta"/></w:pPr><w:hyperlink r:id="rIdLink" w:history="1"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr>`)
		run(&doc, url)
		doc.WriteString(`</w:r></w:hyperlink></w:p>`)
	}
	// Each list is its own numbering instance, so that a numbered list
	// restarts at 1 and two lists in a row stay two lists.
	var lists []bool // ordered, per instance; instance i+1 is lists[i]
	for _, b := range bs {
		switch b.Type {
		case ibid.Heading:
			para(&doc, fmt.Sprintf("Heading%d", b.Level), 0, b.Text)
		case ibid.Quote:
			para(&doc, "Quote", 0, b.Text)
		case ibid.List:
			lists = append(lists, b.Ordered)
			num := len(lists)
			for _, it := range b.Items {
				para(&doc, "ListParagraph", num, it)
			}
		default:
			para(&doc, "", 0, b.Text)
		}
	}
	fmt.Fprintf(&doc, `<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter"/><w:pgSz w:w="%d" w:h="%d"/>`+
		`<w:pgMar w:top="1418" w:right="1531" w:bottom="1418" w:left="1531" w:header="709" w:footer="709" w:gutter="0"/></w:sectPr>`,
		pg.w, pg.h)
	doc.WriteString(`</w:body></w:document>`)

	docRels := xmlPI + `<Relationships xmlns="` + nsRel + `">` +
		`<Relationship Id="rIdStyles" Type="` + nsR + `/styles" Target="styles.xml"/>` +
		`<Relationship Id="rIdNumbering" Type="` + nsR + `/numbering" Target="numbering.xml"/>` +
		`<Relationship Id="rIdFooter" Type="` + nsR + `/footer" Target="footer1.xml"/>`
	if url != "" {
		docRels += `<Relationship Id="rIdLink" Type="` + nsR + `/hyperlink" Target="` + escape(url) + `" TargetMode="External"/>`
	}
	docRels += `</Relationships>`

	parts := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"docProps/core.xml", coreProps(e, now)},
		{"docProps/app.xml", appProps(x.opt.SiteName)},
		{"word/document.xml", doc.String()},
		{"word/_rels/document.xml.rels", docRels},
		{"word/styles.xml", styles},
		{"word/numbering.xml", numbering(lists)},
		{"word/footer1.xml", footer},
	}
	zw := zip.NewWriter(w)
	for _, p := range parts {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return errWrite("docx", err)
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return errWrite("docx", err)
		}
	}
	if err := zw.Close(); err != nil {
		return errWrite("docx", err)
	}
	return nil
}

// escape escapes s for XML text and attributes. Characters XML 1.0 forbids
// (most control characters) become U+FFFD.
func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// para writes a paragraph of one run in a style ("" is Normal), numbered
// when num is not 0.
func para(b *strings.Builder, style string, num int, s string) {
	b.WriteString("<w:p>")
	if style != "" || num != 0 {
		b.WriteString("<w:pPr>")
		if style != "" {
			b.WriteString(`<w:pStyle w:val="` + style + `"/>`)
		}
		if num != 0 {
			fmt.Fprintf(b, `<w:numPr><w:ilvl w:val="0"/><w:numId w:val="%d"/></w:numPr>`, num)
		}
		b.WriteString("</w:pPr>")
	}
	b.WriteString("<w:r>")
	run(b, s)
	b.WriteString("</w:r></w:p>")
}

// run writes the text of a run.
func run(b *strings.Builder, s string) {
	b.WriteString(`<w:t xml:space="preserve">` + escape(s) + `</w:t>`)
}

const contentTypes = xmlPI + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>` +
	`<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
	`</Types>`

const rootRels = xmlPI + `<Relationships xmlns="` + nsRel + `">` +
	`<Relationship Id="rId1" Type="` + nsR + `/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`<Relationship Id="rId3" Type="` + nsR + `/extended-properties" Target="docProps/app.xml"/>` +
	`</Relationships>`

func coreProps(e *ibid.Essay, now time.Time) string {
	var b strings.Builder
	b.WriteString(xmlPI + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
		` xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"` +
		` xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	el := func(name, v string) {
		if v = text.Normalize(v); v != "" {
			b.WriteString("<" + name + ">" + escape(v) + "</" + name + ">")
		}
	}
	el("dc:title", title(e))
	el("dc:subject", e.Subject)
	el("dc:creator", e.Author)
	el("cp:keywords", strings.Join(topics(e), ", "))
	if l := text.Normalize(e.License); l != "" {
		el("dc:rights", l)
	}
	stamp := now.Format("2006-01-02T15:04:05Z")
	b.WriteString(`<dcterms:created xsi:type="dcterms:W3CDTF">` + stamp + `</dcterms:created>`)
	b.WriteString(`<dcterms:modified xsi:type="dcterms:W3CDTF">` + stamp + `</dcterms:modified>`)
	b.WriteString(`</cp:coreProperties>`)
	return b.String()
}

func appProps(site string) string {
	s := xmlPI + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>ibid</Application>`
	if site = text.Normalize(site); site != "" {
		s += "<Company>" + escape(site) + "</Company>"
	}
	return s + `</Properties>`
}

// numbering defines a bullet list and a decimal list, and one instance of
// either per list of the essay, numbered from 1, each restarting.
func numbering(lists []bool) string {
	var b strings.Builder
	b.WriteString(xmlPI + `<w:numbering xmlns:w="` + nsW + `">`)
	b.WriteString(`<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/>` +
		`<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/><w:lvlJc w:val="left"/>` +
		`<w:pPr><w:ind w:left="567" w:hanging="283"/></w:pPr></w:lvl></w:abstractNum>`)
	b.WriteString(`<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="singleLevel"/>` +
		`<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>` +
		`<w:pPr><w:ind w:left="567" w:hanging="397"/></w:pPr></w:lvl></w:abstractNum>`)
	for i, ordered := range lists {
		abstract := 0
		if ordered {
			abstract = 1
		}
		fmt.Fprintf(&b, `<w:num w:numId="%d"><w:abstractNumId w:val="%d"/>`+
			`<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>`, i+1, abstract)
	}
	b.WriteString(`</w:numbering>`)
	return b.String()
}

// styles are Word's built-in styles the document uses, with their built-in
// names so that Word treats them as its own (navigation, table of contents),
// set in a serif text face at 11pt.
var styles = xmlPI + `<w:styles xmlns:w="` + nsW + `">` +
	`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Georgia" w:hAnsi="Georgia" w:eastAsia="Georgia" w:cs="Georgia"/>` +
	`<w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr></w:rPrDefault>` +
	`<w:pPrDefault><w:pPr><w:spacing w:after="140" w:line="300" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:jc w:val="both"/></w:pPr></w:style>` +
	`<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:spacing w:after="120" w:line="240" w:lineRule="auto"/><w:jc w:val="left"/><w:outlineLvl w:val="9"/></w:pPr>` +
	`<w:rPr><w:b/><w:bCs/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:spacing w:after="60"/><w:jc w:val="left"/></w:pPr><w:rPr><w:i/><w:iCs/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:customStyle="1" w:styleId="EssayMeta"><w:name w:val="Essay Meta"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>` +
	`<w:pPr><w:spacing w:after="40"/><w:jc w:val="left"/></w:pPr><w:rPr><w:color w:val="5F5F5F"/><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr></w:style>` +
	headingStyle(1, 360, 120, 30, false) +
	headingStyle(2, 280, 100, 25, false) +
	headingStyle(3, 220, 80, 22, true) +
	`<w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:pBdr><w:left w:val="single" w:sz="12" w:space="8" w:color="BFBFBF"/></w:pBdr><w:ind w:left="567" w:right="567"/></w:pPr>` +
	`<w:rPr><w:i/><w:iCs/><w:color w:val="404040"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:spacing w:after="140"/><w:ind w:left="567"/><w:contextualSpacing/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/>` +
	`<w:pPr><w:spacing w:after="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:color w:val="5F5F5F"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>` +
	`<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/>` +
	`<w:rPr><w:color w:val="1F4E9A"/><w:u w:val="single"/></w:rPr></w:style>` +
	`</w:styles>`

// headingStyle is Heading 1–3: bold, kept with the next paragraph, with the
// outline level Word's navigation pane reads.
func headingStyle(level, before, after, halfPoints int, italic bool) string {
	it := ""
	if italic {
		it = `<w:i/><w:iCs/>`
	}
	return fmt.Sprintf(`<w:style w:type="paragraph" w:styleId="Heading%[1]d"><w:name w:val="heading %[1]d"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>`+
		`<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="%[2]d" w:after="%[3]d"/><w:jc w:val="left"/><w:outlineLvl w:val="%[5]d"/></w:pPr>`+
		`<w:rPr><w:b/><w:bCs/>%[6]s<w:sz w:val="%[4]d"/><w:szCs w:val="%[4]d"/></w:rPr></w:style>`,
		level, before, after, halfPoints, level-1, it)
}

// footer is the page number "3 / 8", from Word's PAGE and NUMPAGES fields.
const footer = xmlPI + `<w:ftr xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>` +
	`<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>` +
	`<w:r><w:t xml:space="preserve"> / </w:t></w:r>` +
	`<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>1</w:t></w:r></w:fldSimple>` +
	`</w:p></w:ftr>`
