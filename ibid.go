// Package ibid holds the domain of the ibid essay library: essays and their
// blocks, documents produced by extractors, the store interface that the
// storage adapters implement, and the error type shared by every layer.
//
// The package imports nothing else of the module; adapters (sqlite, postgres,
// web, pdf) and pure packages (text, extract, originality, csl) depend on it,
// never the other way round.
package ibid

// DefaultSiteName is the library's name when the operator gives none: the
// container title of every citation and the name in the page header. It is
// not "ibid" alone, which a reference list prints as "Ibid." (the Latin
// "in the same place" that MLA and Chicago notes use), so that "… 1917–1941.
// Ibid." would send a reader to the previous entry.
const DefaultSiteName = "ibid Essay Library"
