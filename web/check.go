package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/extract"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/text"
)

// Limits of a check request beyond the document itself.
const (
	// checkFieldSlack is room for the form fields and JSON syntax around
	// the document in one request body.
	checkFieldSlack = 1 << 20
	// maxFieldBytes bounds each small form field (options, source slugs).
	maxFieldBytes = 1 << 10
	// maxCheckFields bounds the number of form parts, so that a request of
	// many tiny parts cannot keep the server busy.
	maxCheckFields = 200
	// maxMinWords is the largest "ignore matches under N words" accepted.
	maxMinWords = 1000
)

// checkLimits is the line that states the limits up front.
const checkLimits = "Up to 100,000 words; .docx, .pdf, .txt, .md, .html"

var (
	errCheckTooLarge = ibid.Errorf(ibid.ETOOLARGE, "The document is over 10 MB, the limit of a check.")
	errCheckEmpty    = ibid.Errorf(ibid.EINVALID, "There is no text to check: paste a text or choose a file.")
	errCheckDisabled = ibid.Errorf(ibid.EUNAVAILABLE, "Checking is not enabled on this server.")
)

// checkRequest is one check as the user asked for it. Text is what is
// checked and what passage offsets refer to: the pasted text (line ends
// made "\n") or the canonical text of the uploaded document.
type checkRequest struct {
	Text         string
	Doc          *ibid.Document // the uploaded document; nil for pasted text
	FileName     string         // "" for pasted text
	Opt          originality.Options
	ExcludeSlugs []string
	AddToLibrary bool
}

// checkJSON is the JSON body of POST /api/check.
type checkJSON struct {
	Text              string   `json:"text"`
	ExcludeQuotes     bool     `json:"exclude_quotes"`
	ExcludeReferences bool     `json:"exclude_references"`
	MinWords          int      `json:"min_words"`
	ExcludeSources    []string `json:"exclude_sources"`
}

// readCheck reads a check request: a JSON body (when json is allowed), a
// multipart form with the document as a `text` field or a `file` part, or
// a URL-encoded form. On an error the request is returned too when a form
// was read, with what could be read of it (the pasted text, the options),
// so that the check page can show it again beside the message. Nothing is written to disk: multipart parts are read
// one at a time into memory, within the check limits, instead of through
// ParseMultipartForm, which spills large files to temporary files.
func readCheck(w http.ResponseWriter, r *http.Request, allowJSON bool) (*checkRequest, error) {
	limit := int64(ibid.MaxCheckBytes + checkFieldSlack)
	// A body announced as too large is refused before a byte of it is read.
	if r.ContentLength > limit {
		return nil, errCheckTooLarge
	}
	read := r.Body // for the JSON body that limitCheck read whole already
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return nil, ibid.Errorf(ibid.EINVALID, "The Content-Type header is malformed.")
	}
	var (
		fields = url.Values{}
		req    = &checkRequest{}
		data   []byte
	)
	switch mt {
	case "application/json":
		if !allowJSON {
			return nil, ibid.Errorf(ibid.EINVALID, "Send the form, not JSON.")
		}
		// The body, whole (as limitCheck read it, or read here), is
		// decoded in one pass when it has the usual form; anything else
		// goes to encoding/json as before, for its result or its error.
		data, ok := bodyBytes(read)
		if !ok || int64(len(data)) > limit {
			var buf bytes.Buffer
			if _, err := buf.ReadFrom(r.Body); err != nil {
				if tooLarge(err) {
					return nil, errCheckTooLarge
				}
				return nil, ibid.Errorf(ibid.EINVALID, "The request body is not valid JSON: %s.", jsonProblem(err))
			}
			data = buf.Bytes()
		}
		var body checkJSON
		if !decodeCheckJSON(data, &body) {
			body = checkJSON{}
			if err := json.NewDecoder(bytes.NewReader(data)).Decode(&body); err != nil {
				return nil, ibid.Errorf(ibid.EINVALID, "The request body is not valid JSON: %s.", jsonProblem(err))
			}
		}
		req.Text = body.Text
		req.Opt.ExcludeQuotes = body.ExcludeQuotes
		req.Opt.ExcludeReferences = body.ExcludeReferences
		if body.MinWords < 0 || body.MinWords > maxMinWords {
			return nil, ibid.Errorf(ibid.EINVALID, "min_words must be between 1 and %d.", maxMinWords)
		}
		req.Opt.MinWords = body.MinWords
		req.ExcludeSlugs = body.ExcludeSources
		return req, req.validate()
	case "multipart/form-data":
		if data, err = readMultipart(r, fields, req); err != nil {
			req.keep(fields)
			return req, err
		}
	case "application/x-www-form-urlencoded":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			if tooLarge(err) {
				return req, errCheckTooLarge
			}
			return req, ibid.Errorf(ibid.EINVALID, "The request body could not be read.")
		}
		if fields, err = url.ParseQuery(string(body)); err != nil {
			return req, ibid.Errorf(ibid.EINVALID, "The form is malformed.")
		}
	default:
		return nil, ibid.Errorf(ibid.EINVALID, "Send the text as JSON, a multipart form or a URL-encoded form.")
	}
	req.keep(fields)
	if err := req.options(fields); err != nil {
		return req, err
	}
	if req.FileName != "" || len(data) > 0 {
		doc, err := extract.Read(req.FileName, data, extract.Options{MaxBytes: ibid.MaxCheckBytes, MaxUnpacked: checkUnpacked, Timeout: checkPDFTimeout, MaxWords: ibid.MaxCheckWords})
		if err != nil {
			return req, err
		}
		req.Doc = doc
		req.Text = doc.Text()
	}
	return req, req.validate()
}

// keep takes the pasted text of a form, so that the check page can show it
// again when the request is refused. Browsers send text areas with CRLF
// line ends; offsets count runes, so the text is made the same whatever the
// browser.
func (req *checkRequest) keep(fields url.Values) {
	req.Text = strings.ReplaceAll(fields.Get("text"), "\r\n", "\n")
}

// readMultipart reads the parts of a multipart form: the `file` part into
// the returned bytes (its name into req.FileName), the others into fields.
func readMultipart(r *http.Request, fields url.Values, req *checkRequest) ([]byte, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, ibid.Errorf(ibid.EINVALID, "The form is malformed.")
	}
	var data []byte
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			if tooLarge(err) {
				return nil, errCheckTooLarge
			}
			return nil, ibid.Errorf(ibid.EINVALID, "The form is malformed.")
		}
		if n >= maxCheckFields {
			return nil, ibid.Errorf(ibid.EINVALID, "The form has too many fields.")
		}
		name := part.FormName()
		max := int64(maxFieldBytes)
		if name == "file" || name == "text" {
			max = ibid.MaxCheckBytes
		}
		b, err := io.ReadAll(io.LimitReader(part, max+1))
		part.Close()
		if err != nil {
			if tooLarge(err) {
				return nil, errCheckTooLarge
			}
			return nil, ibid.Errorf(ibid.EINVALID, "The form could not be read.")
		}
		if int64(len(b)) > max {
			if max == ibid.MaxCheckBytes {
				return nil, errCheckTooLarge
			}
			return nil, ibid.Errorf(ibid.EINVALID, "The form field %q is too long.", name)
		}
		if name == "file" {
			// A form submitted without a chosen file still sends an empty
			// part with no name: that is no upload.
			if fn := part.FileName(); fn != "" || len(b) > 0 {
				req.FileName = fn
				if req.FileName == "" {
					req.FileName = "upload.txt"
				}
				data = b
			}
			continue
		}
		fields.Add(name, string(b))
	}
}

// options reads the check options of a form.
func (req *checkRequest) options(f url.Values) error {
	req.Opt.ExcludeQuotes = isOn(f.Get("exclude_quotes"))
	req.Opt.ExcludeReferences = isOn(f.Get("exclude_references"))
	req.AddToLibrary = isOn(f.Get("add_to_library"))
	if v := strings.TrimSpace(f.Get("min_words")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxMinWords {
			return ibid.Errorf(ibid.EINVALID, "The minimum match length must be a whole number of words from 1 to %d.", maxMinWords)
		}
		req.Opt.MinWords = n
	}
	req.ExcludeSlugs = f["exclude_source"]
	return nil
}

// validate applies the limits every check shares.
func (req *checkRequest) validate() error {
	if strings.TrimSpace(req.Text) == "" {
		return errCheckEmpty
	}
	if len(req.Text) > ibid.MaxCheckBytes {
		return errCheckTooLarge
	}
	// Every word takes at least a byte, so a text of no more bytes than
	// the word limit is under it without counting: counting is a full
	// segmentation of the text, serial before the check can start (about
	// 0.25 ms for 4,000 words), and the check makes its own tokens anyway.
	if len(req.Text) > ibid.MaxCheckWords {
		if n := text.Words(req.Text); n > ibid.MaxCheckWords {
			return ibid.Errorf(ibid.ETOOLARGE, "The document has %s words; a check takes at most %s.",
				formatInt(n), formatInt(ibid.MaxCheckWords))
		}
	}
	if len(req.ExcludeSlugs) > maxCheckFields {
		return ibid.Errorf(ibid.EINVALID, "Too many sources to exclude: at most %d.", maxCheckFields)
	}
	return nil
}

func isOn(v string) bool {
	switch strings.ToLower(v) {
	case "on", "true", "1", "yes":
		return true
	}
	return false
}

func tooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

// jsonProblem says briefly what is wrong with a JSON body, without echoing
// any of it.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "the body is empty"
	case errors.As(err, &se):
		return "syntax error at byte " + strconv.FormatInt(se.Offset, 10)
	case errors.As(err, &te):
		return "field " + strconv.Quote(te.Field) + " has the wrong type"
	}
	return "it cannot be decoded"
}

// excludedSource is a source the user chose to leave out.
type excludedSource struct {
	Slug, Title string
}

// runCheck resolves the excluded sources and runs the configured checker.
func (s *Server) runCheck(ctx context.Context, req *checkRequest) (*ibid.Report, []excludedSource, error) {
	if s.cfg.Checker == nil {
		return nil, nil, errCheckDisabled
	}
	opt := req.Opt
	if opt.MinWords == 0 {
		opt.MinWords = originality.DefaultMinWords
	}
	if opt.ExcludeQuotes && req.Doc != nil {
		// Block quotes of an uploaded document carry no quotation marks.
		opt.Excluded = originality.QuoteSpans(req.Doc.Blocks)
	}
	var excluded []excludedSource
	seen := map[string]bool{}
	for _, slug := range req.ExcludeSlugs {
		if slug == "" || seen[slug] {
			continue
		}
		seen[slug] = true
		e, err := s.store.Essay(ctx, slug)
		if ibid.ErrorCode(err) == ibid.ENOTFOUND {
			continue // deleted meanwhile: nothing to leave out
		}
		if err != nil {
			return nil, nil, err
		}
		opt.ExcludeSources = append(opt.ExcludeSources, e.ID)
		excluded = append(excluded, excludedSource{Slug: e.Slug, Title: e.Title})
	}
	rep, err := s.cfg.Checker(ctx, req.Text, opt)
	if err != nil {
		return nil, nil, err
	}
	if rep.Sources == nil {
		rep.Sources = []ibid.SourceMatch{}
	}
	return rep, excluded, nil
}

// apiCheck checks a text: POST /api/check with JSON {"text": …} or a
// multipart form with a `file` part. See docs/api.md.
func (s *Server) apiCheck(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Checker == nil {
		return errCheckDisabled
	}
	req, err := readCheck(w, r, true)
	if err != nil {
		return err
	}
	rep, _, err := s.runCheck(r.Context(), req)
	if err != nil {
		return err
	}
	for i := range rep.Sources {
		if rep.Sources[i].Passages == nil {
			rep.Sources[i].Passages = []ibid.Passage{}
		}
	}
	// A report describes the submitted text: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, rep)
	return nil
}
