// Package auth holds the credentials of ibid's accounts: argon2id password
// hashes in the PHC string format, and the random tokens of sessions and API
// clients. It is pure: it stores nothing and knows no store.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are OWASP's argon2id baseline (19 MiB, two passes, one
// thread): about 30 ms on a server core, so a guess costs an attacker that
// much, while a small server that handles a burst of sign-ins stays within
// its memory (each hash holds its 19 MiB only while it runs).
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Password length limits, in characters. The upper bound only keeps hostile
// requests from handing the hash megabytes; no passphrase is that long.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 1024
)

// Bounds on the parameters Verify accepts from a stored hash, so that a
// tampered hash cannot make one sign-in take minutes or gigabytes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 16
	maxKeyLen  = 128
	maxSaltLen = 128
)

// b64 is the PHC format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

// CheckPassword reports whether pw is acceptable as a new password.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return ibid.Errorf(ibid.EINVALID, "the password is not valid UTF-8")
	case n < MinPasswordLen:
		return ibid.Errorf(ibid.EINVALID, "the password must have at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		return ibid.Errorf(ibid.EINVALID, "the password must have at most %d characters", MaxPasswordLen)
	}
	return nil
}

// HashPassword returns the PHC string of pw hashed with argon2id and a fresh
// random salt under DefaultParams:
//
//	$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH
//
// It does not apply CheckPassword: callers that accept new passwords do.
func HashPassword(pw string) (string, error) {
	return HashPasswordWith(pw, DefaultParams)
}

// HashPasswordWith is HashPassword with explicit parameters (tests use cheap
// ones).
func HashPasswordWith(pw string, p Params) (string, error) {
	if p.Memory < 8*uint32(p.Threads) || p.Time < 1 || p.Threads < 1 || p.SaltLen < 8 || p.KeyLen < 16 {
		return "", errors.New("auth: argon2id parameters too small")
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := idKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformedHash is returned by Verify for a string that is not an
// argon2id PHC hash it can check.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// VerifyPassword reports whether pw matches the PHC string hash. The final
// comparison takes constant time. A malformed hash yields ErrMalformedHash
// (and false): a broken row must never let anyone in.
func VerifyPassword(hash, pw string) (bool, error) {
	p, salt, key, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	got := idKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// hashSlots bounds the argon2id computations running at once in the
// process. Each holds its Memory (19 MiB by default) while it runs, so a
// flood of sign-in attempts would otherwise take the server's memory with
// it; beyond the bound, attempts wait their turn, which also slows down
// password guessing.
var hashSlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// idKey is argon2.IDKey within hashSlots.
func idKey(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey(pw, salt, time, memory, threads, keyLen)
}

var (
	dummyOnce sync.Once
	dummyHash string
)

// VerifyMissing does the work of VerifyPassword for an account that does not
// exist, and always fails. Calling it when an email is unknown makes a failed
// sign-in take as long whether or not the email has an account, so that
// timing does not tell which addresses do.
func VerifyMissing(pw string) {
	dummyOnce.Do(func() {
		dummyHash, _ = HashPassword("no account has this password")
	})
	VerifyPassword(dummyHash, pw)
}

// parseHash splits a PHC argon2id string into its parameters, salt and key.
func parseHash(s string) (Params, []byte, []byte, error) {
	var p Params
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	f := strings.Split(s, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" || f[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, ErrMalformedHash
	}
	for _, kv := range strings.Split(f[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, nil, nil, ErrMalformedHash
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, ErrMalformedHash
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, ErrMalformedHash
			}
			p.Threads = uint8(n)
		default:
			return p, nil, nil, ErrMalformedHash
		}
	}
	salt, err1 := b64.DecodeString(f[4])
	key, err2 := b64.DecodeString(f[5])
	if err1 != nil || err2 != nil ||
		p.Threads < 1 || p.Time < 1 || p.Time > maxTime || p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory ||
		len(salt) < 8 || len(salt) > maxSaltLen || len(key) < 16 || len(key) > maxKeyLen {
		return p, nil, nil, ErrMalformedHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
