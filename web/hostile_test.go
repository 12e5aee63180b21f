package web

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
)

// Builders of hostile files. The extract package tests its readers on
// similar files; these go through the whole check request instead.

// hostileZip zips parts (name, body pairs) with Deflate, sizes declared
// truthfully.
func hostileZip(t *testing.T, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(parts); i += 2 {
		w, err := zw.Create(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(parts[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// repeatedZip is a .docx whose document.xml is n copies of unit inside a
// document: a zip bomb when n*len(unit) is large, since repeated text
// compresses about a thousandfold.
func repeatedZip(t *testing.T, unit string, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	io := func(s string) {
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	io(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	chunk := strings.Repeat(unit, 1<<20/len(unit)+1)
	for left := n * len(unit); left > 0; left -= len(chunk) {
		io(chunk[:min(len(chunk), left)])
	}
	io(`</w:body></w:document>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hostilePDF writes a PDF from its objects (numbered from 1; object 1 is
// the catalog) with a correct cross-reference table.
func hostilePDF(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
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
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// pdfStream is a stream object; compressed streams are zlib (FlateDecode).
func pdfStream(t *testing.T, content string, compress bool) string {
	t.Helper()
	if !compress {
		return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content)
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write([]byte(content))
	zw.Close()
	return fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes())
}

const pdfFont = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"

// pdfPage is a page object with parent, font and content object numbers.
func pdfPage(parent, font, content int) string {
	return fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", parent, font, content)
}

// manyPagesPDF has n pages, each with one short line of text.
func manyPagesPDF(t *testing.T, n int) []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", pdfFont}
	var kids []string
	for i := range n {
		objs = append(objs, pdfStream(t, fmt.Sprintf("BT /F1 12 Tf 72 700 Td (page %d) Tj ET", i), false))
		objs = append(objs, pdfPage(2, 3, len(objs)))
		kids = append(kids, fmt.Sprintf("%d 0 R", len(objs)))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n)
	return hostilePDF(objs...)
}

// hostileCase is one hostile upload and what must come of it.
type hostileCase struct {
	name   string
	file   string // the upload's file name; "" sends JSON {"text": …}
	data   func(t *testing.T) []byte
	status []int  // any of these
	code   string // the JSON error code, for a refusal
	msg    string // a part of the refusal's message, when it must say what is wrong
	// clean, for an accepted file: strings that must not reach the report
	clean []string
}

// TestHostileUploads sends each hostile file through POST /api/check and
// checks that it is refused with a clear 4xx error or its result is
// neutralised, in bounded time. With -v it prints the table of inputs,
// outcomes, times and memory for the record.
func TestHostileUploads(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and checks files of hundreds of megabytes unpacked")
	}
	const within = 30 * time.Second // "seconds", with room for a loaded machine
	f := newCheckFixture(t, true)
	words := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "word%d ", i%5000)
		}
		return b.String()
	}
	binary := make([]byte, 4096)
	for i := range binary {
		binary[i] = byte(i*131 + i>>8)
	}
	nested := func(n int) string {
		return strings.Repeat("<w:sdt>", n) + "<w:p><w:r><w:t>deep</w:t></w:r></w:p>" + strings.Repeat("</w:sdt>", n)
	}
	const visible = "The canal builders followed the contours of the land wherever they could."
	tests := []hostileCase{
		{name: "0-byte file", file: "empty.txt", data: func(*testing.T) []byte { return nil },
			status: []int{400}, code: ibid.EINVALID},
		{name: "binary file named .txt", file: "notes.txt", data: func(*testing.T) []byte { return binary },
			status: []int{400}, code: ibid.EINVALID},
		{name: "PNG named .docx", file: "essay.docx", data: func(*testing.T) []byte { return append([]byte("\x89PNG\r\n\x1a\n"), binary...) },
			status: []int{400}, code: ibid.EINVALID},
		{name: "ELF named .pdf", file: "essay.pdf", data: func(*testing.T) []byte { return append([]byte("\x7fELF\x02\x01\x01"), binary...) },
			status: []int{400}, code: ibid.EINVALID},
		{name: "executable extension", file: "essay.exe", data: func(*testing.T) []byte { return []byte(visible) },
			status: []int{400}, code: ibid.EINVALID},
		{name: "invalid UTF-8 text", file: "latin.txt", data: func(*testing.T) []byte {
			return []byte("Caf\xe9 au lait \xff\xfe\xfd and na\xefve text " + visible)
		}, status: []int{200, 400}, clean: []string{"\ufffd\ufffd\ufffd"}},
		{name: "invalid UTF-8 in JSON", file: "", data: func(*testing.T) []byte {
			return []byte("Caf\xe9 \xff\xfe " + visible)
		}, status: []int{200, 400}},
		{name: "20 MB single line", file: "line.txt", data: func(*testing.T) []byte { return bytes.Repeat([]byte("a"), 20<<20) },
			status: []int{413}, code: ibid.ETOOLARGE},
		{name: "9 MB single word", file: "word.txt", data: func(*testing.T) []byte { return bytes.Repeat([]byte("a"), 9<<20) },
			status: []int{200, 400, 413}},
		{name: "9 MB line of words (over 100,000)", file: "words.txt", data: func(*testing.T) []byte { return []byte(words(1_300_000)[:9<<20]) },
			status: []int{413}, code: ibid.ETOOLARGE},
		{name: "HTML with script, style, handlers, javascript: URLs", file: "page.html", data: func(*testing.T) []byte {
			return []byte(`<html><head><style>body{background:url(javascript:alert(1))}</style><script>alert("head")</script></head>` +
				`<body onload="alert('load')"><p onclick="alert('click')">` + visible + `</p>` +
				`<a href="javascript:alert('link')">a link</a><img src=x onerror="alert('img')"><script>document.write("evil")</script>` +
				`<svg><script>alert('svg')</script></svg><iframe src="javascript:alert('frame')"></iframe></body></html>`)
		}, status: []int{200}, clean: []string{"alert", "onclick", "onerror", "javascript:", "document.write", "background"}},
		{name: "zip bomb DOCX (250 MB unpacked)", file: "bomb.docx", data: func(t *testing.T) []byte {
			return repeatedZip(t, "<w:p><w:r><w:t>aaaa</w:t></w:r></w:p>", 250<<20/38)
		}, status: []int{413}, code: ibid.ETOOLARGE},
		{name: "DOCX of 150 MB unpacked text", file: "big.docx", data: func(t *testing.T) []byte {
			return repeatedZip(t, "<w:p><w:r><w:t>all work and no play </w:t></w:r></w:p>", 150<<20/54)
		}, status: []int{413}, code: ibid.ETOOLARGE},
		{name: "deeply nested XML DOCX (100,000 levels)", file: "deep.docx", data: func(t *testing.T) []byte {
			return hostileZip(t, "word/document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`+nested(100_000)+`</w:body></w:document>`)
		}, status: []int{400}, code: ibid.EINVALID},
		{name: "DOCX with a billion laughs entity", file: "laughs.docx", data: func(t *testing.T) []byte {
			doc := `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">` +
				`<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>` +
				`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&d;&d;&d;</w:t></w:r></w:p></w:body></w:document>`
			return hostileZip(t, "word/document.xml", doc)
		}, status: []int{200, 400}, clean: []string{"aaaaaaaaaaaaaaaaaaaa"}},
		{name: "PDF whose page tree loops", file: "loop.pdf", data: func(t *testing.T) []byte {
			return hostilePDF("<< /Type /Catalog /Pages 2 0 R >>",
				"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
				"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>")
		}, status: []int{400}, code: ibid.EINVALID, msg: "not a readable PDF"},
		{name: "PDF claiming 2 billion pages", file: "count.pdf", data: func(t *testing.T) []byte {
			return hostilePDF("<< /Type /Catalog /Pages 2 0 R >>",
				"<< /Type /Pages /Kids [5 0 R] /Count 2000000000 >>",
				pdfFont,
				pdfStream(t, "BT /F1 12 Tf 72 700 Td ("+visible+") Tj ET", false),
				pdfPage(2, 3, 4))
		}, status: []int{200, 400}},
		{name: "PDF of 20,000 pages", file: "pages.pdf", data: func(t *testing.T) []byte { return manyPagesPDF(t, 20_000) },
			status: []int{200, 400, 413}},
		// Text drawn again and again at one spot: pdftotext's search for
		// overlapping duplicates is quadratic in it (10,000 runs take it
		// about 2 s, 40,000 more than a minute, when extract's own time
		// limit stops it), while the file stays a few kilobytes.
		{name: "PDF of 10,000 text runs at one spot", file: "overlap.pdf", data: func(t *testing.T) []byte {
			content := strings.Repeat("BT /F1 12 Tf 72 700 Td (all work and no play) Tj ET\n", 10_000)
			return hostilePDF("<< /Type /Catalog /Pages 2 0 R >>",
				"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
				pdfFont,
				pdfStream(t, content, true),
				pdfPage(2, 3, 4))
		}, status: []int{200, 400, 413}},
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n| input | upload | outcome | time | peak heap |\n|---|---|---|---|---|\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			var req *http.Request
			if tt.file == "" {
				req = jsonRequest("/api/check", map[string]any{"text": string(data)})
			} else {
				req = multipartRequest(t, "/api/check", nil, map[string][]byte{tt.file: data})
			}
			runtime.GC()
			peak := watchHeap()
			start := time.Now()
			r := do(t, f.srv, req)
			took := time.Since(start)
			heap := peak()
			outcome := fmt.Sprint(r.Code)
			if r.Code != 200 {
				code, msg := errorBody(t, r)
				outcome += " " + code + ": " + msg
				if tt.code != "" && code != tt.code {
					t.Errorf("code %q, want %q", code, tt.code)
				}
				if !strings.Contains(msg, tt.msg) {
					t.Errorf("message %q, want it to say %q", msg, tt.msg)
				}
				if msg == "" || strings.ContainsAny(msg, "\n\r") || strings.Contains(msg, "internal") {
					t.Errorf("the message is not one clear line: %q", msg)
				}
			} else {
				rep := decodeReport(t, r)
				outcome += fmt.Sprintf(" checked: %d words, %.0f%% similar", rep.Words, 100*rep.Similarity)
			}
			if !containsInt(tt.status, r.Code) {
				t.Errorf("status %d, want one of %v: %.300s", r.Code, tt.status, r.Body)
			}
			if r.Code >= 500 {
				t.Errorf("a hostile file is the client's fault, not the server's: %d", r.Code)
			}
			for _, bad := range tt.clean {
				if strings.Contains(r.Body, bad) {
					t.Errorf("%q reached the report", bad)
				}
			}
			if took > within {
				t.Errorf("took %v, more than %v", took.Round(time.Millisecond), within)
			}
			fmt.Fprintf(&table, "| %s | %s | %s | %s | %d MB |\n", tt.name, byteCount(len(data)), outcome, took.Round(time.Millisecond), heap>>20)
		})
	}
	t.Log(table.String())
	if strings.Contains(f.logs.String(), "level=ERROR") {
		t.Errorf("hostile files caused internal errors:\n%s", f.logs)
	}

	// The HTML upload is neutralised on the page as well as in the API.
	html := tests[10]
	r := do(t, f.srv, multipartRequest(t, "/check", nil, map[string][]byte{html.file: html.data(t)}))
	if r.Code != 200 || !strings.Contains(r.Body, "contours of the land") {
		t.Fatalf("/check of the HTML file: %d", r.Code)
	}
	noInlineCode(t, "/check report", r.Body)
	for _, bad := range []string{"alert(", "javascript:", "document.write"} {
		if strings.Contains(r.Body, bad) {
			t.Errorf("%q reached the report page", bad)
		}
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// byteCount says a size briefly: "4 KB", "20 MB".
func byteCount(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// watchHeap samples the live heap until the returned function is called,
// which gives the largest sample: a rough peak of a request's memory (the
// pdftotext process, when used, is not counted).
func watchHeap() func() uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		wg.Wait()
		return peak.Load()
	}
}
