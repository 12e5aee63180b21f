package pdf

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// vocabulary for generated prose: ordinary English with a few names in other
// scripts and the punctuation typesetting must keep (curly quotes, dashes).
var vocabulary = strings.Fields(`the of and to in a is that for it as was with be by on not he this are or
his from at which but have an they you were her she there been one all would their we him has when
who will more no if out so said what up its about than into them can only other new some could time
these two may then do first any like now my such make over our even most me state after also made
many did before must through back years where much your way well down should because each just those
people how too little good very world still own see men work long here get both between life being
under never day same another know while last might us great old year off come since against go came
right used take three states himself few house use during without again place american around however
home small found thought went say part once general high upon school every does got united left number
course war until always away something fact though water less public put think almost hand enough far
took head yet government system better set told nothing night end why called didn't eyes find going
look asked later knew point next program city business give group toward young days let room president
side social given present several order national possible rather second face per among form important
often things looked early white case john become large big need four within felt along children saw
best church ever least power development light thing seemed family interest want members mind country
area others done turned although open god service certain kind problem began different door thus help
sense means whole matter perhaps itself york it's times law human line above name example action company
library essay argument evidence reader century history treaty composer symphony city harbour archive`)

var names = []string{"Молотов", "Ἀθῆναι", "Dvořák", "Łódź", "Ærøskøbing", "Ṭhākur", "Gödel", "Ciudad Juárez"}

// sentence makes one sentence of n words.
func sentence(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = vocabulary[r.IntN(len(vocabulary))]
	}
	switch r.IntN(8) {
	case 0:
		ws[r.IntN(n)] = names[r.IntN(len(names))]
	case 1:
		i := r.IntN(n - 2)
		ws[i] = "“" + ws[i]
		ws[i+2] += "”"
	case 2:
		ws[r.IntN(n-1)] += " —"
	case 3:
		ws[r.IntN(n-1)] += ","
	case 4:
		ws[r.IntN(n)] = "1914–1918"
	}
	s := []rune(strings.Join(ws, " "))
	i := 0
	for i < len(s) && !unicode.IsLetter(s[i]) {
		i++
	}
	if i < len(s) {
		s[i] = unicode.ToUpper(s[i])
	}
	return string(s) + "."
}

func paragraphText(r *rand.Rand, words int) string {
	var ss []string
	for n := 0; n < words; {
		k := 8 + r.IntN(18)
		ss = append(ss, sentence(r, k))
		n += k
	}
	return strings.Join(ss, " ")
}

// sampleEssay builds a deterministic essay of about the given number of
// words with every kind of block: headings of three levels, paragraphs, a
// bulleted and a numbered list and a quote.
func sampleEssay(words int) *ibid.Essay {
	r := rand.New(rand.NewPCG(1, uint64(words)))
	var blocks []ibid.Block
	n, counted := 0, 0
	sec := 0
	for n < words {
		sec++
		blocks = append(blocks, ibid.Block{Type: ibid.Heading, Level: 1, Text: fmt.Sprintf("Part %d: %s and the %s", sec, capitalize(vocabulary[r.IntN(len(vocabulary))]), vocabulary[r.IntN(len(vocabulary))])})
		for p := 0; p < 4 && n < words; p++ {
			k := min(90+r.IntN(80), max(words-n, 10))
			blocks = append(blocks, ibid.Block{Type: ibid.Paragraph, Text: paragraphText(r, k)})
			switch {
			case p == 1 && sec%2 == 1:
				blocks = append(blocks, ibid.Block{Type: ibid.Heading, Level: 2, Text: "Sources from " + names[r.IntN(len(names))]})
			case p == 1:
				blocks = append(blocks, ibid.Block{Type: ibid.Quote, Text: paragraphText(r, 45)})
			case p == 2 && sec%3 == 0:
				var items []string
				for i := 0; i < 3+r.IntN(3); i++ {
					items = append(items, sentence(r, 6+r.IntN(20)))
				}
				blocks = append(blocks, ibid.Block{Type: ibid.List, Items: items, Ordered: sec%2 == 0})
			case p == 2 && sec%3 == 1:
				blocks = append(blocks, ibid.Block{Type: ibid.Heading, Level: 3, Text: "A note on " + vocabulary[r.IntN(len(vocabulary))]})
			}
			// Count only the new blocks: recounting the whole essay
			// would make a 200-page essay take seconds to generate.
			n += text.Words(ibid.CanonicalText(blocks[counted:]))
			counted = len(blocks)
		}
	}
	e := &ibid.Essay{
		Slug:      "the-treaty-and-the-symphony",
		Title:     "The Treaty and the Symphony: Molotov, Dvořák and the Long Shadow of 1939",
		Author:    "Ana Novák",
		Subject:   "History",
		Topics:    []string{"Diplomacy", "Music"},
		Published: time.Date(2020, 9, 17, 0, 0, 0, 0, time.UTC),
		License:   "CC BY 4.0",
		Blocks:    blocks,
	}
	// Stored essays carry their word count, as the store computes it once.
	e.Text = ibid.CanonicalText(blocks)
	e.Words = text.Words(e.Text)
	return e
}

func capitalize(s string) string {
	rs := []rune(s)
	if len(rs) > 0 {
		rs[0] = unicode.ToUpper(rs[0])
	}
	return string(rs)
}
