package csl

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/ibid-dev/ibid"
)

// maxStyleBytes bounds the size of a style or locale file. The largest official
// styles are a few hundred kilobytes.
const maxStyleBytes = 8 << 20

// maxDepth bounds element nesting so that hostile input cannot exhaust the stack
// when the compiled tree is walked.
const maxDepth = 200

// xnode is a generic XML element: the first, untyped stage of compilation.
type xnode struct {
	name  string
	attrs map[string]string
	kids  []*xnode
	text  string
}

func (n *xnode) attr(k string) string { return n.attrs[k] }

func (n *xnode) has(k string) bool { _, ok := n.attrs[k]; return ok }

func (n *xnode) child(name string) *xnode {
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

func (n *xnode) children(name string) []*xnode {
	var out []*xnode
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// parseXML reads a whole document into an xnode tree. Namespaces are dropped
// except for xml:lang, which CSL needs.
func parseXML(data []byte) (*xnode, error) {
	if len(data) > maxStyleBytes {
		return nil, ibid.Errorf(ibid.ETOOLARGE, "the style is larger than %d bytes", maxStyleBytes)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		// Only UTF-8 (and its ASCII subset) is supported; styles are UTF-8 in practice.
		if l := strings.ToLower(label); l == "utf-8" || l == "utf8" || l == "us-ascii" || l == "ascii" {
			return r, nil
		}
		return nil, errors.New("unsupported encoding " + label)
	}
	var stack []*xnode
	var root *xnode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &ibid.Error{Code: ibid.EINVALID, Message: "the style is not well-formed XML", Err: err}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxDepth {
				return nil, ibid.Errorf(ibid.EINVALID, "the style nests elements more than %d deep", maxDepth)
			}
			n := &xnode{name: t.Name.Local, attrs: make(map[string]string, len(t.Attr))}
			for _, a := range t.Attr {
				key := a.Name.Local
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && key == "xmlns") {
					continue
				}
				if a.Name.Space == "http://www.w3.org/XML/1998/namespace" || a.Name.Space == "xml" {
					key = "xml:" + key
				}
				n.attrs[key] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, ibid.Errorf(ibid.EINVALID, "the style is empty")
	}
	return root, nil
}
