package web

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/extract"
	"github.com/ibid-dev/ibid/text"
)

// Limits of an essay sent by an editor beyond the file itself.
const (
	// maxMetaBytes bounds each metadata field of the forms.
	maxMetaBytes = 4 << 10
	// maxEditFields bounds the number of form parts.
	maxEditFields = 50
)

var (
	errImportDisabled = ibid.Errorf(ibid.EUNAVAILABLE, "Adding essays is not enabled on this server.")
	errUpdateDisabled = ibid.Errorf(ibid.EUNAVAILABLE, "Editing essays is not enabled on this server.")
)

// essayInput is an essay as an editor sends it: JSON fields of POST and
// PATCH /api/essays, or the fields of the add and edit forms. Nil fields
// are absent: PATCH leaves them as they are.
type essayInput struct {
	Title     *string   `json:"title"`
	Author    *string   `json:"author"`
	Subject   *string   `json:"subject"`
	Topics    *[]string `json:"topics"`
	Published *string   `json:"published"` // YYYY-MM-DD; "" clears it
	License   *string   `json:"license"`
	Text      *string   `json:"text"`     // plain text: paragraphs between blank lines
	Markdown  *string   `json:"markdown"` // Markdown, headings from "##"

	// From a multipart form: an uploaded file, read in any format the
	// importer reads.
	file     []byte
	fileName string
}

// readEssayInput reads an essay from a JSON body, a multipart form (with an
// optional `file`) or a URL-encoded form. Form topics are one field,
// comma-separated. Nothing is written to disk.
func (s *Server) readEssayInput(w http.ResponseWriter, r *http.Request) (*essayInput, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, ibid.Errorf(ibid.EINVALID, "Send the essay as JSON or as a form.")
	}
	tooBig := ibid.Errorf(ibid.ETOOLARGE, "The request is too large.")
	if mt == "application/json" || mt == "application/x-www-form-urlencoded" {
		// The text comes in the body itself: no more of it than an
		// essay's text can take (escaped, three times over) is read, and
		// a body announced as larger is refused before any is read.
		maxBytes := s.cfg.MaxEssayBytes
		if maxBytes == 0 {
			maxBytes = ibid.DefaultMaxEssayBytes
		}
		if maxBytes > 0 {
			limit := 3*int64(maxBytes) + 1<<20
			tooBig = ibid.Errorf(ibid.ETOOLARGE, "The request is over %d MB, the most an essay's text takes; send a longer document as a file.", limit>>20)
			if r.ContentLength > limit {
				w.Header().Set("Connection", "close")
				return nil, tooBig
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
	}
	switch mt {
	case "application/json":
		var in essayInput
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			if tooLarge(err) {
				return nil, tooBig
			}
			if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
				return nil, ibid.Errorf(ibid.EINVALID, "The request has an unknown field, %s.", f)
			}
			return nil, ibid.Errorf(ibid.EINVALID, "The request body is not valid JSON: %s.", jsonProblem(err))
		}
		return &in, nil
	case "multipart/form-data":
		return readEssayMultipart(r)
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			if tooLarge(err) {
				return nil, tooBig
			}
			return nil, ibid.Errorf(ibid.EINVALID, "The form is malformed.")
		}
		return formInput(r.PostForm), nil
	}
	return nil, ibid.Errorf(ibid.EINVALID, "Send the essay as JSON or as a form.")
}

// readEssayMultipart reads a multipart form part by part into memory, within
// the extraction limit for the file and the text, and maxMetaBytes for the
// rest (ParseMultipartForm would spill large files to temporary files).
func readEssayMultipart(r *http.Request) (*essayInput, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, ibid.Errorf(ibid.EINVALID, "The form is malformed.")
	}
	fields := url.Values{}
	var file []byte
	var fileName string
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if tooLarge(err) {
				return nil, ibid.Errorf(ibid.ETOOLARGE, "The request is too large.")
			}
			return nil, ibid.Errorf(ibid.EINVALID, "The form is malformed.")
		}
		if n >= maxEditFields {
			return nil, ibid.Errorf(ibid.EINVALID, "The form has too many fields.")
		}
		name := part.FormName()
		max := int64(maxMetaBytes)
		if name == "file" || name == "text" || name == "markdown" {
			max = extract.DefaultMaxBytes
		}
		b, err := io.ReadAll(io.LimitReader(part, max+1))
		part.Close()
		if err != nil {
			if tooLarge(err) {
				return nil, ibid.Errorf(ibid.ETOOLARGE, "The request is too large.")
			}
			return nil, ibid.Errorf(ibid.EINVALID, "The form could not be read.")
		}
		if int64(len(b)) > max {
			if name == "file" {
				return nil, ibid.Errorf(ibid.ETOOLARGE, "The file is over %d MB, the limit of an import.", max>>20)
			}
			return nil, ibid.Errorf(ibid.EINVALID, "The form field %q is too long.", name)
		}
		if name == "file" {
			// A form sent without a chosen file has an empty part.
			if fn := part.FileName(); fn != "" || len(b) > 0 {
				fileName, file = fn, b
				if fileName == "" {
					fileName = "upload.txt"
				}
			}
			continue
		}
		fields.Add(name, string(b))
	}
	in := formInput(fields)
	in.file, in.fileName = file, fileName
	return in, nil
}

// formInput reads the fields of a form. Fields the form does not have stay
// nil; an empty text field is no text (the form offers a file beside it).
func formInput(f url.Values) *essayInput {
	in := &essayInput{}
	opt := func(name string) *string {
		if _, ok := f[name]; !ok {
			return nil
		}
		v := f.Get(name)
		return &v
	}
	in.Title, in.Author, in.Subject = opt("title"), opt("author"), opt("subject")
	in.Published, in.License = opt("published"), opt("license")
	if v := opt("topics"); v != nil {
		ts := splitTopics(*v)
		in.Topics = &ts
	}
	for _, name := range []string{"text", "markdown"} {
		if v := opt(name); v != nil && strings.TrimSpace(*v) != "" {
			s := strings.ReplaceAll(*v, "\r\n", "\n")
			if name == "text" {
				in.Text = &s
			} else {
				in.Markdown = &s
			}
		}
	}
	return in
}

// splitTopics splits "Bees, Farming" into topics.
func splitTopics(s string) []string {
	out := []string{}
	for _, t := range strings.Split(s, ",") {
		if t = text.Normalize(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// body returns the blocks of the input's text, file or Markdown (at most
// one of them), with the title and metadata the Markdown or file carried;
// nil when the input has no text. title is the essay's title when it is
// known apart from the text (see markdownDocument).
func (in *essayInput) body(title *string, maxWords, maxBytes int) (*ibid.Document, error) {
	n := 0
	for _, has := range []bool{in.Text != nil, in.Markdown != nil, in.fileName != ""} {
		if has {
			n++
		}
	}
	switch {
	case n == 0:
		return nil, nil
	case n > 1:
		return nil, ibid.Errorf(ibid.EINVALID, "Send the essay's text once: as text, as Markdown or as a file.")
	}
	if maxBytes == 0 {
		maxBytes = ibid.DefaultMaxEssayBytes
	}
	for _, t := range []*string{in.Text, in.Markdown} {
		// Markup and line ends may make the sent text somewhat longer
		// than the canonical one: a tenth more is let through.
		if t != nil && maxBytes > 0 && len(*t) > maxBytes+maxBytes/10 {
			return nil, ibid.Errorf(ibid.ETOOLARGE, "The essay's text is over %d MB; the library takes essays of at most %d MB.", len(*t)>>20, maxBytes>>20)
		}
	}
	var doc *ibid.Document
	var err error
	switch {
	case in.Text != nil:
		doc = &ibid.Document{Blocks: textBlocks(*in.Text), Format: "txt"}
	case in.Markdown != nil:
		doc, err = markdownDocument(*in.Markdown, title, maxWords)
	default:
		doc, err = extract.Read(in.fileName, in.file, extract.Options{MaxWords: maxWords})
	}
	if err != nil {
		return nil, err
	}
	if len(doc.Blocks) == 0 || strings.TrimSpace(doc.Text()) == "" {
		return nil, ibid.Errorf(ibid.EINVALID, "The essay has no text.")
	}
	return doc, nil
}

// markdownDocument reads an essay's Markdown. With a title given apart, a
// first heading that repeats it is dropped, and a first heading that does
// not is kept as a heading: without one, the extractor would take a leading
// heading for the title and lose it from the body.
func markdownDocument(md string, title *string, maxWords int) (*ibid.Document, error) {
	src := md
	hasFrontMatter := strings.HasPrefix(md, "---\n")
	if title != nil && strings.TrimSpace(*title) != "" && !hasFrontMatter {
		t := strings.Join(strings.Fields(*title), " ")
		src = "---\ntitle: \"" + strings.ReplaceAll(t, `"`, `\"`) + "\"\n---\n\n" + md
	}
	// A nameless file: the extractor's last resort for a title (the file
	// name) gives "Untitled", which is no title; the caller asks for one.
	doc, err := extract.Read(".md", []byte(src), extract.Options{MaxWords: maxWords})
	if err == nil && doc.Title == "Untitled" {
		doc.Title = ""
	}
	return doc, err
}

// apply sets the metadata fields the input has on e.
func (in *essayInput) apply(e *ibid.Essay) error {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = text.Normalize(*v)
		}
	}
	set(&e.Title, in.Title)
	set(&e.Author, in.Author)
	set(&e.Subject, in.Subject)
	set(&e.License, in.License)
	if in.Topics != nil {
		e.Topics = e.Topics[:0:0]
		seen := map[string]bool{}
		for _, t := range *in.Topics {
			t = text.Normalize(t)
			if k := text.Slugify(t); k != "" && !seen[k] {
				seen[k] = true
				e.Topics = append(e.Topics, t)
			}
		}
	}
	if in.Published != nil {
		e.Published = time.Time{}
		if v := strings.TrimSpace(*in.Published); v != "" {
			d, err := time.Parse("2006-01-02", v)
			if err != nil {
				return ibid.Errorf(ibid.EINVALID, "The publication date must look like 2024-03-12.")
			}
			e.Published = d
		}
	}
	if strings.TrimSpace(e.Title) == "" {
		return ibid.Errorf(ibid.EINVALID, "The essay needs a title.")
	}
	return nil
}

// importInput stores a new essay from an editor's input through
// Config.Import: the input's metadata wins over what its file carried.
func (s *Server) importInput(r *http.Request, in *essayInput) (*ibid.Essay, error) {
	if s.cfg.Import == nil {
		return nil, errImportDisabled
	}
	if in.Title != nil && strings.TrimSpace(*in.Title) == "" {
		in.Title = nil // the add form's empty title: the document's own
	}
	doc, err := in.body(in.Title, s.cfg.MaxEssayWords, s.cfg.MaxEssayBytes)
	if err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, ibid.Errorf(ibid.EINVALID, "There is no text: paste the essay or choose a file.")
	}
	// The metadata rules of an update, on an essay built from the document.
	e := &ibid.Essay{Title: doc.Title, Author: doc.Author, Subject: doc.Subject, Topics: doc.Topics,
		Published: doc.Published, License: doc.License}
	if err := in.apply(e); err != nil {
		return nil, err
	}
	doc.Title, doc.Author, doc.Subject, doc.Topics = e.Title, e.Author, e.Subject, e.Topics
	doc.Published, doc.License = e.Published, e.License
	added, err := s.cfg.Import(r.Context(), doc, in.fileName)
	if err == nil {
		s.metrics.imported()
	}
	return added, err
}

// updateInput changes a stored essay by an editor's input through
// Config.Update, which derives the counts, hash and fingerprints again.
func (s *Server) updateInput(r *http.Request, e *ibid.Essay, in *essayInput) error {
	if s.cfg.Update == nil {
		return errUpdateDisabled
	}
	title := in.Title
	if title == nil {
		title = &e.Title
	}
	doc, err := in.body(title, s.cfg.MaxEssayWords, s.cfg.MaxEssayBytes)
	if err != nil {
		return err
	}
	if doc != nil {
		e.Blocks = doc.Blocks
		// Metadata the new text carries (front matter, a file's
		// properties) fills only what the input leaves out.
		if in.Title == nil && doc.Title != "" && in.Markdown != nil && strings.HasPrefix(*in.Markdown, "---\n") {
			e.Title = doc.Title
		}
	}
	if err := in.apply(e); err != nil {
		return err
	}
	return s.cfg.Update(r.Context(), e)
}

// apiCreateEssay imports an essay: POST /api/essays with JSON
// {"title","text"|"markdown","author","subject","topics","published","license"}
// or a multipart form with a `file`. 201 with the essay.
func (s *Server) apiCreateEssay(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.requireEditorAPI(w, r); err != nil {
		return err
	}
	in, err := s.readEssayInput(w, r)
	if err != nil {
		return err
	}
	e, err := s.importInput(r, in)
	if err != nil {
		return err
	}
	return s.writeEssay(w, r, e.Slug, http.StatusCreated)
}

// apiUpdateEssay changes an essay's metadata and/or text: PATCH
// /api/essays/{slug} with the fields to change. The slug stays, so links
// keep working. 200 with the essay.
func (s *Server) apiUpdateEssay(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.requireEditorAPI(w, r); err != nil {
		return err
	}
	e, err := s.loadEssay(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	in, err := s.readEssayInput(w, r)
	if err != nil {
		return err
	}
	if err := s.updateInput(r, e, in); err != nil {
		return err
	}
	return s.writeEssay(w, r, e.Slug, http.StatusOK)
}

// apiDeleteEssay removes an essay: DELETE /api/essays/{slug}. 204.
func (s *Server) apiDeleteEssay(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.requireEditorAPI(w, r); err != nil {
		return err
	}
	e, err := s.loadEssay(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	if err := s.store.DeleteEssay(r.Context(), e.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// writeEssay answers a write with the essay as GET /api/essays/{slug} shows
// it, read back from the store.
func (s *Server) writeEssay(w http.ResponseWriter, r *http.Request, slug string, status int) error {
	e, err := s.loadEssay(r.Context(), slug)
	if err != nil {
		return err
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/essays/"+e.Slug)
	}
	writeJSON(w, status, s.essayJSON(e))
	return nil
}

// editView is the data of the edit template: the add form and the edit
// form of an essay.
type editView struct {
	Essay    *ibid.Essay // nil on the add form
	Title    string
	Author   string
	Subject  string
	Topics   string // comma-separated
	Markdown string
	Error    string
	Subjects []ibid.Count // for the subject suggestions
}

// addForm shows the add form: GET /add.
func (s *Server) addForm(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := s.editorPage(w, r); !ok {
		return err
	}
	return s.renderEdit(w, r, &editView{}, http.StatusOK)
}

// addPost imports an essay from the add form and shows it: POST /add.
func (s *Server) addPost(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.requireEditor(r); err != nil {
		return err
	}
	in, err := s.readEssayInput(w, r)
	if err != nil {
		return err
	}
	e, err := s.importInput(r, in)
	if err != nil {
		return s.editFailed(w, r, &editView{}, in, err)
	}
	http.Redirect(w, r, "/essays/"+e.Slug, http.StatusSeeOther)
	return nil
}

// editForm shows an essay's edit form: GET /essays/{slug}/edit.
func (s *Server) editForm(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := s.editorPage(w, r); !ok {
		return err
	}
	e, err := s.loadEssay(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	v := &editView{Essay: e, Title: e.Title, Author: e.Author, Subject: e.Subject,
		Topics: strings.Join(e.Topics, ", "), Markdown: blocksMarkdown(e.Blocks)}
	return s.renderEdit(w, r, v, http.StatusOK)
}

// editPost saves the edit form: POST /essays/{slug}/edit.
func (s *Server) editPost(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.requireEditor(r); err != nil {
		return err
	}
	e, err := s.loadEssay(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	in, err := s.readEssayInput(w, r)
	if err != nil {
		return err
	}
	if in.Markdown == nil && in.fileName == "" {
		// The form's text area is the whole text: empty is a mistake,
		// not "keep the text".
		return s.editFailed(w, r, &editView{Essay: e}, in, ibid.Errorf(ibid.EINVALID, "The essay has no text."))
	}
	if err := s.updateInput(r, e, in); err != nil {
		return s.editFailed(w, r, &editView{Essay: e}, in, err)
	}
	http.Redirect(w, r, "/essays/"+e.Slug, http.StatusSeeOther)
	return nil
}

// editFailed shows the form again with what the editor sent and why it was
// refused, for mistakes the editor can correct; other errors go to the
// error page.
func (s *Server) editFailed(w http.ResponseWriter, r *http.Request, v *editView, in *essayInput, err error) error {
	code := ibid.ErrorCode(err)
	if code != ibid.EINVALID && code != ibid.ECONFLICT && code != ibid.ETOOLARGE {
		return err
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	v.Title, v.Author, v.Subject, v.Markdown = deref(in.Title), deref(in.Author), deref(in.Subject), deref(in.Markdown)
	if in.Topics != nil {
		v.Topics = strings.Join(*in.Topics, ", ")
	}
	v.Error = ibid.ErrorMessage(err)
	return s.renderEdit(w, r, v, statusOf(code))
}

func (s *Server) renderEdit(w http.ResponseWriter, r *http.Request, v *editView, status int) error {
	subjects, err := s.store.Subjects(r.Context())
	if err != nil {
		return err
	}
	v.Subjects = subjects
	title := "Add an essay"
	if v.Essay != nil {
		title = "Edit “" + v.Essay.Title + "”"
	}
	p := s.newPage(r, title)
	p.NoIndex = true
	p.Data = v
	return s.renderNoStore(&statusWriter{ResponseWriter: w, status: status}, "edit", p)
}

// deleteForm asks for confirmation: GET /essays/{slug}/delete.
func (s *Server) deleteForm(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := s.editorPage(w, r); !ok {
		return err
	}
	e, err := s.loadEssay(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	p := s.newPage(r, "Delete “"+e.Title+"”")
	p.NoIndex = true
	p.Data = e
	return s.renderNoStore(w, "delete", p)
}

// deletePost deletes an essay after confirmation: POST /essays/{slug}/delete.
func (s *Server) deletePost(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.requireEditor(r); err != nil {
		return err
	}
	e, err := s.loadEssay(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	if err := s.store.DeleteEssay(r.Context(), e.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/essays", http.StatusSeeOther)
	return nil
}

// blocksMarkdown writes blocks as the Markdown the edit form shows and
// reads back: "##" to "####" headings for levels 1–3, "- " and "1. " list
// items, "> " quotes, and markup characters in the text escaped, so that
// saving an untouched form keeps the essay as it is.
func blocksMarkdown(blocks []ibid.Block) string {
	var b bytes.Buffer
	prevList := -1
	for i, bl := range blocks {
		if i > 0 {
			b.WriteString("\n")
		}
		switch bl.Type {
		case ibid.Heading:
			b.WriteString(strings.Repeat("#", min(max(bl.Level, 1), 3)+1) + " " + strings.ReplaceAll(mdInline(bl.Text), "#", `\#`) + "\n")
		case ibid.Quote:
			b.WriteString("> " + mdLine(bl.Text) + "\n")
		case ibid.List:
			if prevList == i-1 {
				// Two lists in a row would run together: a comment
				// between them keeps them apart.
				b.WriteString("<!-- -->\n\n")
			}
			for n, it := range bl.Items {
				if bl.Ordered {
					b.WriteString(strconv.Itoa(n+1) + ". " + mdLine(it) + "\n")
				} else {
					b.WriteString("- " + mdLine(it) + "\n")
				}
			}
			prevList = i
		default:
			b.WriteString(mdLine(bl.Text) + "\n")
		}
	}
	return b.String()
}

// mdInline escapes the characters that start inline Markdown.
func mdInline(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<':
			b.WriteByte('\\')
		case '&':
			// Only what reads as a character reference needs care: its
			// ampersand is written as one.
			if entityLike.MatchString(s[i:]) {
				b.WriteString("&amp;")
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// entityLike matches what Markdown decodes as a character reference:
// "&amp;", "&#38;", "&#x26;".
var entityLike = regexp.MustCompile(`^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)

// mdLine escapes a block's text for the start of a line, where "#", ">",
// "-", "+", "=", "|", "~" and "1." would begin other blocks.
func mdLine(s string) string {
	s = mdInline(s)
	if s != "" && strings.IndexByte("#>-+=|~", s[0]) >= 0 {
		return `\` + s
	}
	j := 0
	for j < len(s) && j < 9 && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j > 0 && j < len(s) && (s[j] == '.' || s[j] == ')') {
		return s[:j] + `\` + s[j:]
	}
	return s
}
