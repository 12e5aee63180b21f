// Package pan reads the PAN text-alignment corpus format (PAN @ CLEF 2013),
// writes detections in it, and computes the PAN measures: recall, precision,
// granularity and plagdet. It exists to evaluate the originality engine and
// is used by no serving path.
//
// All offsets and lengths are Unicode code points of the raw files, with no
// newline or BOM normalisation, as the PAN truth files count them.
package pan

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Case is one plagiarism case or detection: a passage of a suspicious
// document and the passage of a source document it was taken from.
type Case struct {
	Susp        string // suspicious document name, e.g. "suspicious-document00001.txt"
	Src         string // source document name
	SuspOffset  int
	SuspLength  int
	SrcOffset   int
	SrcLength   int
	Obfuscation string // from truth files; empty for detections
}

// Pair names a suspicious document and a source document to align.
type Pair struct {
	Susp, Src string
}

// Name returns the file name of the pair's XML: "SUSP-SRC.xml" without the
// ".txt" extensions.
func (p Pair) Name() string {
	return strings.TrimSuffix(p.Susp, ".txt") + "-" + strings.TrimSuffix(p.Src, ".txt") + ".xml"
}

// SubCorpus is a folder of the corpus with its own pairs file and one truth
// XML per pair, e.g. "02-no-obfuscation".
type SubCorpus struct {
	Name  string
	Dir   string
	Pairs []Pair
}

// Corpus is a PAN text-alignment corpus: documents in susp/ and src/, and
// sub-corpora as folders holding a pairs file.
type Corpus struct {
	Dir        string
	SubCorpora []SubCorpus
}

// Open reads the layout of the corpus in dir. Sub-corpora are the folders
// holding a "pairs" file, in name order. A corpus without sub-corpus folders
// but with a top-level pairs file is one sub-corpus named ".".
func Open(dir string) (*Corpus, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("pan: %w", err)
	}
	c := &Corpus{Dir: dir}
	for _, e := range ents {
		sub := filepath.Join(dir, e.Name())
		// Stat, not the entry's type, so that symlinked folders count.
		if fi, err := os.Stat(sub); err != nil || !fi.IsDir() {
			continue
		}
		pairs, err := ReadPairsFile(filepath.Join(sub, "pairs"))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		c.SubCorpora = append(c.SubCorpora, SubCorpus{Name: e.Name(), Dir: sub, Pairs: pairs})
	}
	if len(c.SubCorpora) == 0 {
		pairs, err := ReadPairsFile(filepath.Join(dir, "pairs"))
		if err != nil {
			return nil, err
		}
		c.SubCorpora = []SubCorpus{{Name: ".", Dir: dir, Pairs: pairs}}
	}
	sort.Slice(c.SubCorpora, func(i, j int) bool { return c.SubCorpora[i].Name < c.SubCorpora[j].Name })
	return c, nil
}

// SuspPath returns the path of a suspicious document.
func (c *Corpus) SuspPath(name string) string { return filepath.Join(c.Dir, "susp", name) }

// SrcPath returns the path of a source document.
func (c *Corpus) SrcPath(name string) string { return filepath.Join(c.Dir, "src", name) }

// Truth reads the truth cases of every pair of the sub-corpus.
func (s *SubCorpus) Truth() ([]Case, error) {
	var all []Case
	for _, p := range s.Pairs {
		cs, err := ReadCasesFile(filepath.Join(s.Dir, p.Name()))
		if err != nil {
			return nil, err
		}
		all = append(all, cs...)
	}
	return all, nil
}

// ReadPairsFile reads a pairs file: one "SUSP SRC" pair per line.
func ReadPairsFile(path string) ([]Pair, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadPairs(f)
}

// ReadPairs reads pairs, one "SUSP SRC" per line; blank lines are skipped.
func ReadPairs(r io.Reader) ([]Pair, error) {
	var pairs []Pair
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 {
			return nil, fmt.Errorf("pan: pairs line %d: want 2 names, got %d", n, len(f))
		}
		pairs = append(pairs, Pair{Susp: f[0], Src: f[1]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("pan: pairs: %w", err)
	}
	return pairs, nil
}

// ReadText reads a document as a string whose code points are those of the
// raw file: nothing is normalised, a BOM and CR characters stay in place so
// that offsets match the truth. A file that is not valid UTF-8 is decoded as
// Windows-1252, one code point per byte.
func ReadText(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return decode(b), nil
}

func decode(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		// Windows-1252 maps every byte, so this cannot happen; keep the
		// bytes rather than fail an evaluation on it.
		return string(b)
	}
	return string(s)
}

type xmlDoc struct {
	Reference string       `xml:"reference,attr"`
	Features  []xmlFeature `xml:"feature"`
}

type xmlFeature struct {
	Name        string `xml:"name,attr"`
	Obfuscation string `xml:"obfuscation,attr"`
	ThisOffset  string `xml:"this_offset,attr"`
	ThisLength  string `xml:"this_length,attr"`
	SrcRef      string `xml:"source_reference,attr"`
	SrcOffset   string `xml:"source_offset,attr"`
	SrcLength   string `xml:"source_length,attr"`
}

// ReadCasesFile reads a truth or detection XML file.
func ReadCasesFile(path string) ([]Case, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cs, err := ReadCases(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cs, nil
}

// ReadCases parses a PAN XML document. Features named "plagiarism" (truth)
// or "detected-plagiarism" (detections) become cases; other features
// ("about", "md5") are ignored.
func ReadCases(r io.Reader) ([]Case, error) {
	var d xmlDoc
	if err := xml.NewDecoder(r).Decode(&d); err != nil {
		return nil, fmt.Errorf("pan: parse xml: %w", err)
	}
	var cs []Case
	for _, f := range d.Features {
		if f.Name != "plagiarism" && f.Name != "detected-plagiarism" {
			continue
		}
		c := Case{Susp: d.Reference, Src: f.SrcRef, Obfuscation: f.Obfuscation}
		for _, v := range []struct {
			s   string
			dst *int
		}{{f.ThisOffset, &c.SuspOffset}, {f.ThisLength, &c.SuspLength}, {f.SrcOffset, &c.SrcOffset}, {f.SrcLength, &c.SrcLength}} {
			n, err := strconv.Atoi(strings.TrimSpace(v.s))
			if err != nil || n < 0 {
				return nil, fmt.Errorf("pan: feature of %s: bad number %q", d.Reference, v.s)
			}
			*v.dst = n
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// WriteDetections writes the detections of one pair as a PAN XML document
// with root <document reference="SUSP">.
func WriteDetections(w io.Writer, p Pair, dets []Case) error {
	var b strings.Builder
	b.WriteString("<document reference=\"")
	xml.EscapeText(&b, []byte(p.Susp)) //nolint:errcheck // strings.Builder never fails
	b.WriteString("\">\n")
	for _, d := range dets {
		fmt.Fprintf(&b, "<feature name=\"detected-plagiarism\" this_offset=\"%d\" this_length=\"%d\" source_reference=\"", d.SuspOffset, d.SuspLength)
		xml.EscapeText(&b, []byte(p.Src)) //nolint:errcheck
		fmt.Fprintf(&b, "\" source_offset=\"%d\" source_length=\"%d\"/>\n", d.SrcOffset, d.SrcLength)
	}
	b.WriteString("</document>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
