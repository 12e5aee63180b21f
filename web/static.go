package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/ibid-dev/ibid"
)

//go:embed static
var staticFS embed.FS

// staticFiles serves the embedded CSS and JS. Pages link to fingerprinted
// names ("style.1a2b3c4d5e.css") that change with the content, so browsers
// may keep them for a year; the plain names still work with a short cache.
type staticFiles struct {
	byName  map[string]*staticFile // "style.css" and "style.1a2b3c4d5e.css"
	urlOf   map[string]string      // "style.css" -> "/static/style.1a2b3c4d5e.css"
	modTime time.Time
}

type staticFile struct {
	data        []byte
	contentType string
	immutable   bool
}

func loadStatic() (*staticFiles, error) {
	sf := &staticFiles{byName: map[string]*staticFile{}, urlOf: map[string]string{}, modTime: time.Now()}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Base(p)
		ext := path.Ext(name)
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		sum := sha256.Sum256(data)
		fp := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		sf.byName[name] = &staticFile{data: data, contentType: ctype}
		sf.byName[fp] = &staticFile{data: data, contentType: ctype, immutable: true}
		sf.urlOf[name] = "/static/" + fp
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: loading static files: %w", err)
	}
	return sf, nil
}

// url returns the fingerprinted URL of a static file; templates call it as
// {{static "style.css"}}. An unknown name is a template bug and fails the
// rendering (and so the tests) rather than linking to nothing.
func (sf *staticFiles) url(name string) (string, error) {
	u, ok := sf.urlOf[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return u, nil
}

func (sf *staticFiles) serve(w http.ResponseWriter, r *http.Request) error {
	f, ok := sf.byName[r.PathValue("file")]
	if !ok {
		return ibid.Errorf(ibid.ENOTFOUND, "There is no such file.")
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	if f.immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	http.ServeContent(w, r, "", sf.modTime, bytes.NewReader(f.data))
	return nil
}
