package extract_test

import (
	"fmt"

	"github.com/ibid-dev/ibid/extract"
)

func ExampleRead() {
	md := `---
title: The Long Winter
tags: [climate, history]
---
## Causes

Ash from the eruption *dimmed* the sun for months.

- crops failed
- prices rose
`
	doc, err := extract.Read("long-winter.md", []byte(md), extract.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(doc.Title, doc.Topics, doc.Format)
	for _, b := range doc.Blocks {
		fmt.Println(b.Type, b.Level, b.Text, b.Items)
	}
	// Output:
	// The Long Winter [climate history] md
	// heading 1 Causes []
	// paragraph 0 Ash from the eruption dimmed the sun for months. []
	// list 0  [crops failed prices rose]
}

func ExampleRead_error() {
	_, err := extract.Read("notes.odt", []byte("..."), extract.Options{})
	fmt.Println(err)
	// Output:
	// unsupported file type .odt (supported: .txt, .md, .markdown, .html, .htm, .docx, .pdf)
}
