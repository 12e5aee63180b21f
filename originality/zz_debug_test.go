package originality

import (
	"fmt"
	"os"
	"testing"
)

func TestZZDebug(t *testing.T) {
	id := os.Getenv("SPID")
	if id == "" {
		t.Skip()
	}
	dir := os.Getenv("SPDIR")
	a, _ := os.ReadFile(dir + "/" + id + ".spun")
	b, _ := os.ReadFile(dir + "/" + id + ".orig")
	pa, pb := prepare(string(a), nil), prepare(string(b), nil)
	al := newAligner(pa, pb, true)
	seeds := al.seeds()
	fmt.Println("sents", len(pa.sents), len(pb.sents), "words", len(pa.words), "seeds", seeds, "links", al.links)
	for i := range pa.sents {
		for j := range pb.sents {
			sa, sb := pa.sents[i], pb.sents[j]
			n := lcsWords(pa.words[sa.first:sa.last], pb.words[sb.first:sb.last])
			fmt.Printf("%d,%d cos=%.2f lcs=%d/%d,%d\n", i, j, al.pairCos(i, j), n, sa.last-sa.first, sb.last-sb.first)
		}
	}
	fmt.Println(Align(string(a), string(b), Options{}))
}
