package extract

import (
	"strings"
	"testing"
)

func TestCheckXrefBounds(t *testing.T) {
	valid := string(testPDF(t))
	tests := []struct {
		name, pdf string
		bad       bool
	}{
		{"a real PDF", valid, false},
		{"a sampled function's /Size array", valid + "\n<< /FunctionType 0 /Size [255] >>", false},
		{"startxref is not a section", "%PDF-1.4\nstartxref 999999999999\n", false},
		{"a subsection starting at object 888,888,880", "%PDF-1.0\nxref 888888880 7\n0 0 f\ntrailer << /Size 7 >>", true},
		{"a second subsection out of bounds", "%PDF-1.0\nxref\n0 1\n0000000000 65535 f \n5000000 2\n0 0 n\n0 0 n\ntrailer", true},
		{"a count past int64", "%PDF-1.0\nxref 0 99999999999999999999999\ntrailer", true},
		{"a negative start", "%PDF-1.0\nxref -5 2\n0 0 f\n0 0 f\ntrailer", true},
		{"a huge /Size", "%PDF-1.5\n<< /Type /XRef /Size 2000000000 /W [1 2 1] >>", true},
		{"a huge /Index", "%PDF-1.5\n<< /Type /XRef /Size 10 /Index [0 5 900000000 3] /W [1 2 1] >>", true},
	}
	for _, tt := range tests {
		err := checkXrefBounds([]byte(tt.pdf))
		if (err != nil) != tt.bad {
			t.Errorf("%s: err = %v, want error %v", tt.name, err, tt.bad)
		}
		if err != nil && !strings.Contains(err.Error(), "too many for a file of this size") {
			t.Errorf("%s: message %q", tt.name, err)
		}
	}
}
