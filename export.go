package ibid

import "io"

// Exporter writes an essay in one downloadable format (PDF, DOCX, Markdown,
// plain text, BibTeX, RIS, CSL-JSON, …). The web server serves each at
// /essays/{slug}.{Ext} and caches the output by the essay's content hash, so
// Export must depend only on the essay and the exporter's own settings.
type Exporter interface {
	// Format names the format: file extension without the dot ("pdf",
	// "csl.json"), a short label for buttons ("PDF") and the MIME type.
	Format() (ext, label, contentType string)
	// Export writes e in the format.
	Export(w io.Writer, e *Essay) error
}
