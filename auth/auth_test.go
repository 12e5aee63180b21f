package auth

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
)

// cheap keeps the tests fast; the format and checks are the same as with
// DefaultParams.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndVerify(t *testing.T) {
	h, err := HashPasswordWith("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(h) {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	tests := []struct {
		pw   string
		want bool
	}{
		{"correct horse battery", true},
		{"correct horse batter", false},
		{"Correct horse battery", false},
		{"", false},
		{"correct horse battery ", false},
	}
	for _, tt := range tests {
		ok, err := VerifyPassword(h, tt.pw)
		if err != nil || ok != tt.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tt.pw, ok, err, tt.want)
		}
	}
	h2, _ := HashPasswordWith("correct horse battery", cheap)
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestDefaultParams(t *testing.T) {
	h, err := HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q", h)
	}
	if ok, err := VerifyPassword(h, "a long enough password"); !ok || err != nil {
		t.Errorf("verify: %v %v", ok, err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	good, _ := HashPasswordWith("password123", cheap)
	f := strings.Split(good, "$")
	salt, key := f[4], f[5]
	tests := []struct{ name, hash string }{
		{"empty", ""},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"missing field", "$argon2id$v=19$m=64,t=1,p=1$" + salt},
		{"unknown param", "$argon2id$v=19$m=64,t=1,p=1,x=2$" + salt + "$" + key},
		{"no value", "$argon2id$v=19$m,t=1,p=1$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"huge memory", "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key},
		{"huge time", "$argon2id$v=19$m=64,t=1000,p=1$" + salt + "$" + key},
		{"bad salt", "$argon2id$v=19$m=64,t=1,p=1$!!!$" + key},
		{"short key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAAA"},
		{"padded base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := VerifyPassword(tt.hash, "password123")
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Errorf("VerifyPassword = %v, %v; want false, ErrMalformedHash", ok, err)
			}
		})
	}
}

func TestVerifyMissingFails(t *testing.T) {
	// It must not panic and has nothing to return; the dummy hash it
	// checks against must be a real one, or it would do no work.
	VerifyMissing("whatever password")
	if _, _, _, err := parseHash(dummyHash); err != nil {
		t.Errorf("dummy hash %q: %v", dummyHash, err)
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw   string
		code string
	}{
		{"", ibid.EINVALID},
		{"short", ibid.EINVALID},
		{"123456789", ibid.EINVALID},
		{"1234567890", ""},
		{"ĉiuĵaŭdeŭ!", ""}, // ten characters, more bytes
		{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6", ibid.EINVALID},
		{strings.Repeat("a", MaxPasswordLen), ""},
		{strings.Repeat("a", MaxPasswordLen+1), ibid.EINVALID},
	}
	for _, tt := range tests {
		if got := ibid.ErrorCode(CheckPassword(tt.pw)); got != tt.code {
			t.Errorf("CheckPassword(%.20q) code %q, want %q", tt.pw, got, tt.code)
		}
	}
}

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, err := NewToken(APITokenPrefix)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^ibid_[A-Za-z0-9_-]{43}$`).MatchString(tok) {
			t.Fatalf("token %q", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q twice", tok)
		}
		seen[tok] = true
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		HashPassword("correct horse battery staple")
	}
}

// FuzzVerifyPassword feeds stored hashes that may have been tampered with:
// whatever the string, checking a password must neither panic nor succeed
// unless the string is a well-formed hash of that password.
func FuzzVerifyPassword(f *testing.F) {
	good, _ := HashPasswordWith("password123", cheap)
	f.Add(good, "password123")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "x")
	f.Add("$argon2id$v=19$m=0,t=0,p=0$$", "")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		p, _, _, err := parseHash(hash)
		if err == nil && (p.Memory > 1<<12 || p.Time > 2) {
			return // well-formed but slow: the bounds are tested apart
		}
		ok, verr := VerifyPassword(hash, pw)
		if ok && (verr != nil || err != nil) {
			t.Fatalf("%q verified against %q, which is malformed (%v, %v)", pw, hash, verr, err)
		}
		if (err != nil) != errors.Is(verr, ErrMalformedHash) {
			t.Fatalf("parse error %v but verify error %v", err, verr)
		}
	})
}
