package originality

import (
	"context"
	"sync"

	"github.com/ibid-dev/ibid"
)

// MemoryIndex is a Source held in memory: an inverted index of the prints
// of the texts added to it. It serves tests, benchmarks and evaluations;
// the stores keep the same postings on disk. It is safe for concurrent use.
type MemoryIndex struct {
	mu       sync.RWMutex
	postings map[uint64][]ibid.Posting
	docs     map[int64]memDoc
}

type memDoc struct {
	slug, title, text string
}

// NewMemoryIndex returns an empty index.
func NewMemoryIndex() *MemoryIndex {
	return &MemoryIndex{postings: make(map[uint64][]ibid.Posting), docs: make(map[int64]memDoc)}
}

// Add fingerprints text and adds it under id, replacing any text with that id.
func (m *MemoryIndex) Add(id int64, slug, title, text string) {
	prints := Fingerprint(text)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.docs[id]; ok {
		m.remove(id)
	}
	m.docs[id] = memDoc{slug: slug, title: title, text: text}
	for _, h := range DistinctHashes(prints) {
		m.postings[h] = append(m.postings[h], ibid.Posting{Hash: h, EssayID: id})
	}
}

func (m *MemoryIndex) remove(id int64) {
	for h, ps := range m.postings {
		keep := ps[:0]
		for _, p := range ps {
			if p.EssayID != id {
				keep = append(keep, p)
			}
		}
		if len(keep) == 0 {
			delete(m.postings, h)
		} else {
			m.postings[h] = keep
		}
	}
	delete(m.docs, id)
}

// Len returns the number of texts and of postings in the index.
func (m *MemoryIndex) Len() (texts, postings int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, ps := range m.postings {
		postings += len(ps)
	}
	return len(m.docs), postings
}

// Postings implements ibid.PrintIndex.
func (m *MemoryIndex) Postings(ctx context.Context, hashes []uint64) ([]ibid.Posting, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []ibid.Posting
	for _, h := range hashes {
		out = append(out, m.postings[h]...)
	}
	return out, nil
}

// SourceText implements Source.
func (m *MemoryIndex) SourceText(ctx context.Context, id int64) (slug, title, text string, err error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	d, ok := m.docs[id]
	if !ok {
		return "", "", "", ibid.Errorf(ibid.ENOTFOUND, "essay %d not found", id)
	}
	return d.slug, d.title, d.text, nil
}
