package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/ibid-dev/ibid/compare"
)

// maxInlinePairs bounds the pairs a report file shows side by side.
const maxInlinePairs = 100

// standalone wraps the compare page's content into a file that needs no
// server: the stylesheet inline, no script, links to library essays
// relative to base (empty leaves them as site paths).
const standalone = `{{define "standalone"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<meta name="color-scheme" content="light dark">
<style>{{.CSS}}</style>
</head>
<body>
<main id="main">
{{template "content" .Page}}
</main>
</body>
</html>
{{end}}`

// WriteCompareReport writes a comparison made with opt as one
// self-contained HTML file (`ibid compare --html`): the page /compare
// shows, with the top pairs' passages side by side inline, since a file
// has no server to open a pair. Links to library essays start with
// baseURL (the site's public URL; empty leaves them as paths).
func WriteCompareReport(ctx context.Context, w io.Writer, res *compare.Result, docs []compare.Document, opt compare.Options, baseURL string) error {
	st, err := loadStatic()
	if err != nil {
		return err
	}
	s := &Server{static: st, cfg: Config{SiteName: "ibid"}}
	pages, err := s.parseTemplates()
	if err != nil {
		return err
	}
	t, err := pages["compare"].Clone()
	if err != nil {
		return err
	}
	if t, err = t.Parse(standalone); err != nil {
		return fmt.Errorf("web: standalone report: %w", err)
	}
	v := buildCompareReport(res, docs, opt.Library != nil, minPercent(opt.Min))
	v.Handout = opt.Exclude
	handout := compare.NewHandout(opt.Exclude)
	v.Static = true
	v.Base = strings.TrimRight(baseURL, "/")
	v.Carry = nil
	for i, p := range res.Pairs {
		if i >= maxInlinePairs {
			break
		}
		r, err := pairReport(ctx, docs[p.IA], docs[p.IB], handout)
		if err != nil {
			return err
		}
		v.Inline = append(v.Inline, r)
	}
	css := st.byName["style.css"].data
	var b bytes.Buffer
	err = t.ExecuteTemplate(&b, "standalone", map[string]any{
		"Title": fmt.Sprintf("Comparison of %d documents", len(res.Documents)),
		"CSS":   template.CSS(css),
		"Page":  &page{Site: "ibid", Data: &compareView{Enabled: true, Report: v}},
	})
	if err != nil {
		return fmt.Errorf("web: rendering the report: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}
