package ingest

import (
	"context"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// Update stores an edited essay: its canonical text, word count, content
// hash and fingerprints are derived from its blocks again, as an import
// derives them (and it is held to the same size bounds), and the store replaces the essay with the same ID. An edit
// that makes the text the same as another essay's yields ECONFLICT.
func (im *Importer) Update(ctx context.Context, e *ibid.Essay) error {
	e.Text = ibid.CanonicalText(e.Blocks)
	e.Words = text.Words(e.Text)
	e.Hash = ibid.ContentHash(e.Text)
	if err := im.checkSize(e); err != nil {
		return err
	}
	// The store rewrites the fingerprints with the essay, so they are
	// computed even when only metadata changed.
	e.Prints = nil
	if im.Fingerprint != nil {
		e.Prints = im.Fingerprint(e.Text)
	}
	err := im.Store.UpdateEssay(ctx, e)
	e.Prints = nil // written; no need to keep them in memory
	return err
}
