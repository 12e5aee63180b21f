package web

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// checkJSONBodies are bodies of POST /api/check: the usual ones, which the
// one-pass decoder must take, and others it must leave to encoding/json
// (or decode exactly as encoding/json does).
var checkJSONBodies = []struct {
	body string
	fast bool // decodeCheckJSON must take it
}{
	{`{"text":"plain words"}`, true},
	{` {"text" : "a\nb\t\"c\" \\ \/ \b\f\r" } ` + "\n", true},
	{`{"text":"caf\u00e9 \u2028 \uFFFD \u0000 é 漢字 😀"}`, true},
	{`{"text":"x","exclude_quotes":true,"exclude_references":false,"min_words":12,"exclude_sources":["a-b","c"]}`, true},
	{`{"exclude_sources":[],"text":"x","min_words":-0}`, true},
	{`{"min_words":-3,"text":"x"}`, true},
	{`{"exclude_sources":[ "a" , "b" ],"text":""}`, true},
	{`{}`, true},
	// Left to encoding/json (which decodes or refuses them).
	{`{"text":"x"} trailing`, false},
	{`{"text":"x"}{}`, false},
	{`{"Text":"x"}`, false},
	{`{"text":"x","other":1}`, false},
	{`{"text":"x","text":"y"}`, false},
	{`{"text":null}`, false},
	{`{"text":"\ud83d\ude00"}`, false},
	{`{"text":"\ud83d"}`, false},
	{`{"text":"bad \x escape"}`, false},
	{`{"text":"\u12G4"}`, false},
	{"{\"text\":\"tab\there\"}", false},
	{"{\"text\":\"\xff\xfe invalid\"}", false},
	{`{"text":"x","min_words":1.5}`, false},
	{`{"text":"x","min_words":1e2}`, false},
	{`{"text":"x","min_words":01}`, false},
	{`{"text":"x","min_words":12345678901}`, false},
	{`{"text":"x","min_words":"3"}`, false},
	{`{"text":"x","exclude_quotes":1}`, false},
	{`{"text":"x","exclude_quotes":truex}`, false},
	{`{"text":"x","exclude_sources":["a",null]}`, false},
	{`{"text":"x","exclude_sources":"a"}`, false},
	{`{"text":"x",}`, false},
	{`{"text":"x"`, false},
	{`{"text":"x\`, false},
	{`["text"]`, false},
	{"\ufeff{\"text\":\"x\"}", false},
	{``, false},
}

func TestDecodeCheckJSON(t *testing.T) {
	for _, c := range checkJSONBodies {
		var got checkJSON
		ok := decodeCheckJSON([]byte(c.body), &got)
		if c.fast && !ok {
			t.Errorf("%q: left to encoding/json, want decoded in one pass", c.body)
		}
		if !c.fast && ok {
			t.Errorf("%q: decoded in one pass, want left to encoding/json", c.body)
		}
		if ok {
			sameAsEncodingJSON(t, []byte(c.body), got)
		}
	}
	// The benchmark's documents: PAN13 texts as json.Marshal writes them.
	names, _ := filepath.Glob(filepath.Join("..", "..", "shared", "corpora", "pan13-train", "susp", "*.txt"))
	if len(names) > 40 {
		names = names[:40]
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(checkJSON{Text: string(data), ExcludeSources: []string{"x"}})
		var got checkJSON
		if !decodeCheckJSON(body, &got) {
			t.Errorf("%s: left to encoding/json", name)
			continue
		}
		sameAsEncodingJSON(t, body, got)
	}
}

// sameAsEncodingJSON fails unless encoding/json decodes body, without an
// error, into got.
func sameAsEncodingJSON(t *testing.T, body []byte, got checkJSON) {
	t.Helper()
	var want checkJSON
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&want); err != nil {
		t.Errorf("%q: decoded in one pass, but encoding/json says %v", body, err)
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%q: one pass %#v, encoding/json %#v", body, got, want)
	}
}

func FuzzDecodeCheckJSON(f *testing.F) {
	for _, c := range checkJSONBodies {
		f.Add([]byte(c.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got checkJSON
		if decodeCheckJSON(body, &got) {
			sameAsEncodingJSON(t, body, got)
		}
	})
}
