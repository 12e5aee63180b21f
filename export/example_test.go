package export_test

import (
	"log"
	"os"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/export"
)

var essay = &ibid.Essay{
	Slug: "on-essays", Title: "On Essays", Author: "Ana Novák", Subject: "Literature",
	Topics:    []string{"Montaigne"},
	Published: time.Date(2020, 9, 17, 0, 0, 0, 0, time.UTC),
	Words:     24,
	Blocks: []ibid.Block{
		{Type: ibid.Heading, Level: 1, Text: "Beginnings"},
		{Type: ibid.Paragraph, Text: "Montaigne called them *essais*: attempts."},
		{Type: ibid.List, Ordered: true, Items: []string{"Of idleness", "Of liars"}},
		{Type: ibid.Quote, Text: "Que sais-je?"},
	},
}

func ExampleNewMarkdown() {
	x := export.NewMarkdown(export.Options{BaseURL: "https://essays.example.org"})
	if err := x.Export(os.Stdout, essay); err != nil {
		log.Fatal(err)
	}
	// Output:
	// ---
	// title: "On Essays"
	// author: "Ana Novák"
	// subject: "Literature"
	// topics:
	//   - "Montaigne"
	// date: 2020-09-17
	// url: "https://essays.example.org/essays/on-essays"
	// ---
	//
	// # On Essays
	//
	// ## Beginnings
	//
	// Montaigne called them \*essais\*: attempts.
	//
	// 1. Of idleness
	// 2. Of liars
	//
	// > Que sais-je?
}

func ExampleNewText() {
	x := export.NewText(export.Options{})
	if err := x.Export(os.Stdout, essay); err != nil {
		log.Fatal(err)
	}
	// Output:
	// On Essays
	// =========
	//
	// Ana Novák
	// 24 words · 1 page · 1 min read · Published 17 Sep 2020
	// Literature › Montaigne
	//
	// Beginnings
	// ----------
	//
	// Montaigne called them *essais*: attempts.
	//
	// 1. Of idleness
	// 2. Of liars
	//
	// > Que sais-je?
}
