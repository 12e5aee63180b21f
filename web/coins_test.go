package web

import (
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
)

// TestCOinS reads back the ContextObject of the essay page's COinS span,
// which Zotero's COinS translator turns into a web page item with tags.
func TestCOinS(t *testing.T) {
	para := []ibid.Block{{Type: ibid.Paragraph, Text: "First sentence. Second one."}}
	tests := []struct {
		name      string
		e         *ibid.Essay
		canonical string
		want      url.Values
	}{
		{"full", &ibid.Essay{Title: "On Bees", Author: "Jane Doe and Ludwig van Beethoven", Topics: []string{"Bees", "Pollination, wild"},
			Published: time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC), Blocks: para}, "https://lib.example/essays/on-bees",
			url.Values{"rft.creator": {"Doe, Jane", "van Beethoven, Ludwig"}, "rft.subject": {"Bees", "Pollination, wild"},
				"rft.date": {"2021-03-04"}, "rft.identifier": {"https://lib.example/essays/on-bees"},
				"rft.description": {"First sentence. Second one."}}},
		{"bare", &ibid.Essay{Title: "Untitled", Author: "Anonymous"}, "", url.Values{}},
	}
	for _, tt := range tests {
		got, err := url.ParseQuery(coins(tt.e, "Site Name", tt.canonical))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		want := url.Values{"ctx_ver": {"Z39.88-2004"}, "rft_val_fmt": {"info:ofi/fmt:kev:mtx:dc"}, "rft.type": {"webpage"},
			"rft.title": {tt.e.Title}, "rft.source": {"Site Name"}, "rft.language": {"en"}}
		for k, v := range tt.want {
			want[k] = v
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.name, got, want)
		}
	}
}
