package text

import (
	"sort"
	"strings"
)

// Keywords returns up to n of the most frequent words of s, lower-cased,
// that are at least four letters long, carry no apostrophe or hyphen and are
// not among the commonest English words; most frequent first, ties in
// alphabetical order. They stand for what a text is about: the stores use
// them to find related essays.
func Keywords(s string, n int) []string {
	freq := map[string]int{}
	for _, t := range Tokens(s) {
		w := strings.ToLower(t.Text)
		if len([]rune(w)) < 4 || common[w] || strings.ContainsAny(w, `"'’-`) {
			continue
		}
		freq[w]++
	}
	words := make([]string, 0, len(freq))
	for w := range freq {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		if freq[words[i]] != freq[words[j]] {
			return freq[words[i]] > freq[words[j]]
		}
		return words[i] < words[j]
	})
	if len(words) > n {
		words = words[:n]
	}
	return words
}

var common = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`that this with from have were which their there they been would could should
		about into more than when what some such them these those other only also over most after before while where
		will upon each many much very even just then both made make between through because under being does same
		first your within without during among against however another every since still often well whose whom
		here like took take come came went our ours may might must shall`) {
		m[w] = true
	}
	return m
}()
