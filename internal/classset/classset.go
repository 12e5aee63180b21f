// Package classset generates a class-like batch of submissions for the
// tests of ibid compare: thirty answers to one prompt, built from one
// source text written for ibid, with known copiers, spinners, independent
// writers and two students sharing an essay. Deterministic for a seed.
package classset

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The batch: thirty answers to one prompt
// ("Why do cities plant street trees?"), built from one source text that
// is in the library. Five students paste parts of it, five edit it lightly,
// five spin it by word substitution, thirteen write their own answers, and
// two more share one essay.

// SourceText is the library essay the class drew on.
const SourceText = `Street trees are among the cheapest tools a city has for cooling its neighbourhoods. A mature plane tree shades the pavement beneath it, and the water that evaporates from its leaves draws heat out of the surrounding air. On a summer afternoon a shaded street can be several degrees cooler than an open one only a block away.

The benefits do not stop at temperature. Roots and soil around a tree pit absorb rainwater that would otherwise rush into overloaded drains, so a row of trees slows the floods that follow a heavy storm. Leaves trap fine dust from traffic, and although no single tree cleans the air of a whole district, thousands of them together make a measurable difference to what residents breathe.

Trees also change how people use a street. Shoppers linger longer under a green canopy, walkers choose shaded routes, and drivers tend to slow down where branches narrow the view of the road ahead. Several studies have linked leafy streets with lower stress and with neighbours who know each other by name.

None of this comes for free. A young tree needs water for its first three summers, protection from vandals and careless delivery vans, and a pit large enough for its roots to spread without lifting the paving. Cities that plant thousands of saplings and then forget them often lose half within a decade.

The fairest programmes start where the shade is thinnest. Poorer districts tend to have fewer trees and hotter streets, so a council that plants first in the wealthy suburbs widens a gap that is already dangerous during heat waves. Planting plans drawn up with residents, street by street, keep more trees alive because people look after what they chose.

In the end a street tree is infrastructure that grows in value every year it survives. Its price is measured in patience and maintenance rather than concrete, and a city that understands this will keep planting long after the ribbon cutting is forgotten.`

// synonyms are the substitutions of the spinning students.
var synonyms = map[string]string{
	"cheapest": "least expensive", "tools": "instruments", "city": "town", "cooling": "chilling",
	"neighbourhoods": "districts", "mature": "fully grown", "shades": "covers", "pavement": "sidewalk",
	"surrounding": "nearby", "afternoon": "day", "several": "a few", "cooler": "colder",
	"benefits": "advantages", "absorb": "soak up", "rainwater": "rain", "overloaded": "overwhelmed",
	"drains": "sewers", "slows": "reduces", "heavy": "severe", "trap": "catch", "fine": "tiny",
	"traffic": "cars", "whole": "entire", "measurable": "noticeable", "residents": "inhabitants",
	"change": "alter", "linger": "stay", "walkers": "pedestrians", "choose": "pick", "routes": "paths",
	"tend": "are inclined", "studies": "investigations", "linked": "connected", "stress": "anxiety",
	"young": "new", "needs": "requires", "protection": "defence", "careless": "reckless",
	"large": "big", "spread": "extend", "lifting": "raising", "plant": "set out", "often": "frequently",
	"lose": "forfeit", "fairest": "most just", "programmes": "schemes", "thinnest": "sparsest",
	"poorer": "less wealthy", "hotter": "warmer", "widens": "enlarges", "dangerous": "hazardous",
	"keep": "retain", "grows": "increases", "value": "worth", "survives": "lives", "price": "cost",
	"measured": "counted", "understands": "grasps", "forgotten": "overlooked", "draws": "pulls",
	"benefit": "advantage", "streets": "roads", "street": "road", "trees": "plants",
}

// Spin replaces most of the words that have a synonym.
func Spin(s string, rng *rand.Rand) string {
	words := strings.Fields(s)
	for i, w := range words {
		core := strings.TrimRight(w, ".,;")
		if syn, ok := synonyms[strings.ToLower(core)]; ok && rng.IntN(4) > 0 {
			words[i] = syn + w[len(core):]
		}
	}
	return strings.Join(words, " ")
}

// Edit changes a text lightly: a word dropped or a filler inserted now and
// then, sentence order kept.
func Edit(s string, rng *rand.Rand) string {
	fillers := []string{"really", "also", "clearly", "in fact", "of course"}
	var out []string
	for _, w := range strings.Fields(s) {
		switch rng.IntN(14) {
		case 0:
			continue
		case 1:
			out = append(out, fillers[rng.IntN(len(fillers))])
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// Paragraphs returns the paragraphs of the source.
func Paragraphs() []string { return strings.Split(SourceText, "\n\n") }

// topicWords make the independent answers: on the prompt, in no one
// else's sentences.
var topicWords = strings.Fields("tree trees street city council shade summer heat roots leaves park birds " +
	"rain budget neighbours children school bench planting oak maple lime avenue garden volunteers " +
	"cost health noise parking cars bicycle market square river bridge wind winter autumn spring")

var glue = strings.Fields("the a of to in and that is for on with as it was but by our my their this")

// syllables make the rest of an independent answer's words: made-up
// words, so that two answers share the topic's vocabulary, as real
// independent answers do, but not their sentences.
var syllables = strings.Fields("ka lo mi ra ten vor sul ni pe dra mon tis gal ber fu ash cor del ven lin")

// OwnAnswer is an independent answer: sentences of glue words, topic
// words and made-up words drawn at random.
func OwnAnswer(rng *rand.Rand, sentences int) string {
	var b strings.Builder
	for s := range sentences {
		if s > 0 && s%5 == 0 {
			b.WriteString("\n\n")
		} else if s > 0 {
			b.WriteString(" ")
		}
		n := 9 + rng.IntN(10)
		for w := range n {
			var word string
			switch r := rng.IntN(10); {
			case r < 4:
				word = glue[rng.IntN(len(glue))]
			case r < 6:
				word = topicWords[rng.IntN(len(topicWords))]
			default:
				for range 2 + rng.IntN(2) {
					word += syllables[rng.IntN(len(syllables))]
				}
			}
			if w == 0 {
				word = strings.ToUpper(word[:1]) + word[1:]
			} else {
				b.WriteString(" ")
			}
			b.WriteString(word)
		}
		b.WriteString(".")
	}
	return b.String()
}

// Doc is one answer.
type Doc struct{ Name, Text string }

// Class is the thirty answers and what each is.
type Class struct {
	Docs    []Doc
	Copied  []string  // pasted, edited or spun from the source
	Spun    []string  // the spun ones among them
	Sharing [2]string // the two who share an essay
	Own     []string  // everyone else
}

// New returns the class of a seed.
func New(seed uint64) Class {
	rng := rand.New(rand.NewPCG(seed, 7))
	var c Class
	add := func(name, txt string) { c.Docs = append(c.Docs, Doc{Name: name, Text: txt}) }
	ps := Paragraphs()
	for i := range 5 { // paste three or four paragraphs between their own
		var parts []string
		parts = append(parts, OwnAnswer(rng, 3))
		for k := range 3 + i%2 {
			parts = append(parts, ps[(i+k)%len(ps)])
		}
		parts = append(parts, OwnAnswer(rng, 3))
		name := fmt.Sprintf("paste-%d.txt", i+1)
		add(name, strings.Join(parts, "\n\n"))
		c.Copied = append(c.Copied, name)
	}
	for i := range 5 { // edit the whole source lightly
		var parts []string
		for _, p := range ps {
			parts = append(parts, Edit(p, rng))
		}
		name := fmt.Sprintf("edited-%d.txt", i+1)
		add(name, strings.Join(parts, "\n\n"))
		c.Copied = append(c.Copied, name)
	}
	for i := range 5 { // spin the whole source
		var parts []string
		for _, p := range ps {
			parts = append(parts, Spin(p, rng))
		}
		name := fmt.Sprintf("spun-%d.txt", i+1)
		add(name, strings.Join(parts, "\n\n"))
		c.Copied = append(c.Copied, name)
		c.Spun = append(c.Spun, name)
	}
	shared := OwnAnswer(rng, 30)
	for i := range 15 {
		name := fmt.Sprintf("own-%02d.txt", i+1)
		switch i {
		case 3:
			add(name, shared)
			c.Sharing[0] = name
		case 9:
			add(name, Edit(shared, rng))
			c.Sharing[1] = name
		default:
			add(name, OwnAnswer(rng, 25+rng.IntN(10)))
			c.Own = append(c.Own, name)
		}
	}
	return c
}

// NewRand returns the random source OwnAnswer takes, for a seed.
func NewRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 11)) }
