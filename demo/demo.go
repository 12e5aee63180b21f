// Package demo embeds the demo library: essays written for ibid, as Markdown
// files with front matter, loaded into an empty library on first start so
// that a newcomer has something to read, search and check against. The
// author names in them are invented.
package demo

import (
	"embed"
	"io/fs"
)

//go:embed essays/*.md
var files embed.FS

// FS returns the demo essays as a file system of Markdown files.
func FS() fs.FS {
	sub, err := fs.Sub(files, "essays")
	if err != nil {
		panic(err) // the embedded folder always exists
	}
	return sub
}
