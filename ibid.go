// Package ibid holds the domain of the ibid essay library: essays and their
// blocks, documents produced by extractors, the store interface that the
// storage adapters implement, and the error type shared by every layer.
//
// The package imports nothing else of the module; adapters (sqlite, postgres,
// web, pdf) and pure packages (text, extract, originality, csl) depend on it,
// never the other way round.
package ibid
