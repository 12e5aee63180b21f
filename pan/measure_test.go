package pan

import (
	"math"
	"testing"
)

// The cases of the official PAN measures' unit tests.
var (
	a1  = Case{Susp: "t1", Src: "s1", SuspOffset: 0, SuspLength: 100, SrcOffset: 0, SrcLength: 100}
	a4  = Case{Susp: "t1", Src: "s1", SuspOffset: 0, SuspLength: 200, SrcOffset: 0, SrcLength: 200}
	a7  = Case{Susp: "t2", Src: "s2", SuspOffset: 0, SuspLength: 100, SrcOffset: 0, SrcLength: 100}
	a9  = Case{Susp: "t2", Src: "s2", SuspOffset: 50, SuspLength: 100, SrcOffset: 50, SrcLength: 100}
	a10 = Case{Susp: "t2", Src: "s2", SuspOffset: 25, SuspLength: 75, SrcOffset: 25, SrcLength: 75}
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-8 }

func TestOfficialValues(t *testing.T) {
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"recall a7 by a9", MacroRecall([]Case{a7}, []Case{a9}), 0.5},
		{"recall a7 by a10", MacroRecall([]Case{a7}, []Case{a10}), 0.75},
		{"recall a7 by a9+a10", MacroRecall([]Case{a7}, []Case{a9, a10}), 0.75},
		{"precision a1 by a4", MacroPrecision([]Case{a1}, []Case{a4}), 0.5},
		{"plagdet 1,1,2", Plagdet(1, 1, 2), 0.63092975},
		{"plagdet 0.25,0.75,2", Plagdet(0.25, 0.75, 2), 0.23659865},
		{"plagdet 0.5,1,1", Plagdet(0.5, 1, 1), 2.0 / 3},
		{"plagdet 0,0,1", Plagdet(0, 0, 1), 0},
	}
	for _, tt := range tests {
		if !near(tt.got, tt.want) {
			t.Errorf("%s = %.8f, want %.8f", tt.name, tt.got, tt.want)
		}
	}
}

func TestEdgeCases(t *testing.T) {
	tests := []struct {
		name              string
		cases, dets       []Case
		recall, precision float64
		granularity       float64
	}{
		{"both empty", nil, nil, 1, 1, 1},
		{"no detections", []Case{a1}, nil, 0, 0, 1},
		{"no cases", nil, []Case{a1}, 0, 0, 1},
		{"exact", []Case{a1}, []Case{a1}, 1, 1, 1},
		// other documents never detect a case, even at the same offsets
		{"other pair", []Case{a1}, []Case{a7}, 0, 0, 1},
		{"two pieces", []Case{a7}, []Case{
			{Susp: "t2", Src: "s2", SuspOffset: 0, SuspLength: 50, SrcOffset: 0, SrcLength: 50},
			{Susp: "t2", Src: "s2", SuspOffset: 50, SuspLength: 50, SrcOffset: 50, SrcLength: 50},
		}, 1, 1, 2},
		// overlap on the suspicious side only is no detection
		{"one side", []Case{a7}, []Case{{Susp: "t2", Src: "s2", SuspOffset: 0, SuspLength: 100, SrcOffset: 500, SrcLength: 100}}, 0, 0, 1},
	}
	for _, tt := range tests {
		s := Score(tt.cases, tt.dets)
		if !near(s.Recall, tt.recall) || !near(s.Precision, tt.precision) || !near(s.Granularity, tt.granularity) {
			t.Errorf("%s: got r=%v p=%v g=%v, want r=%v p=%v g=%v", tt.name, s.Recall, s.Precision, s.Granularity, tt.recall, tt.precision, tt.granularity)
		}
	}
}

func TestGranularityOfficial(t *testing.T) {
	// a7 detected by both a9 and a10; a1 by a4: (2 + 1) / 2.
	got := Granularity([]Case{a7, a1}, []Case{a9, a10, a4})
	if !near(got, 1.5) {
		t.Errorf("granularity = %v, want 1.5", got)
	}
}
