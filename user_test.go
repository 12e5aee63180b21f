package ibid

import (
	"strings"
	"testing"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"ada@example.org", "ada@example.org", true},
		{"  Ada.Lovelace@Example.ORG\n", "ada.lovelace@example.org", true},
		{"admin@localhost", "admin@localhost", true},
		{"\"odd\"@example.org", "\"odd\"@example.org", true},
		{"ünïcode@exämple.org", "ünïcode@exämple.org", true},
		{"", "", false},
		{"   ", "", false},
		{"example.org", "", false},
		{"@example.org", "", false},
		{"ada@", "", false},
		{"ada@example.org.", "", false},
		{"ada@.example.org", "", false},
		{"ada@example..org", "", false},
		{"ada lovelace@example.org", "", false},
		{"ada@exa\tmple.org", "", false},
		{"ada@example.org\x00", "", false},
		{"ada\x7f@example.org", "", false},
		{"\xff@example.org", "", false},
		{strings.Repeat("a", 250) + "@example.org", "", false},
	}
	for _, tt := range tests {
		got, err := NormalizeEmail(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("NormalizeEmail(%q): code %q, want %q", tt.in, ErrorCode(err), EINVALID)
		}
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"ada@example.org", " A@B ", "@", "a@b@c", "a@.b", "\u00a0a@b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeEmail(s)
		if err != nil {
			return
		}
		again, err := NormalizeEmail(got)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, got, again, err)
		}
		if got != strings.ToLower(got) || strings.Count(got, "@") < 1 || len(got) > maxEmailBytes {
			t.Fatalf("%q accepted as %q", s, got)
		}
		for _, r := range got {
			if r <= ' ' || r == 0x7f {
				t.Fatalf("%q accepted with control or space %U", got, r)
			}
		}
	})
}

func TestHashToken(t *testing.T) {
	a, b := HashToken("ibid_one"), HashToken("ibid_two")
	if len(a) != 64 || a == b || a != HashToken("ibid_one") || strings.Contains(a, "one") {
		t.Errorf("HashToken: %q, %q", a, b)
	}
}
