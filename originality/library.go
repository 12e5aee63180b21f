package originality

import (
	"context"

	"github.com/ibid-dev/ibid"
)

// Library adapts any ibid.Store to a Source: postings from the store's
// fingerprint index, texts from its essays.
func Library(s ibid.Store) Source { return library{s} }

type library struct{ ibid.Store }

func (l library) SourceText(ctx context.Context, id int64) (slug, title, text string, err error) {
	e, err := l.EssayByID(ctx, id)
	if err != nil {
		return "", "", "", err
	}
	return e.Slug, e.Title, e.Text, nil
}
