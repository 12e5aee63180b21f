package auth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// tokenBytes is the randomness of a token: 256 bits, beyond guessing.
const tokenBytes = 32

// APITokenPrefix starts every API token, so that a token pasted somewhere it
// should not be is recognisable (by people and by secret scanners).
const APITokenPrefix = "ibid_"

// NewToken returns a fresh random token: prefix followed by 256 random bits
// in unpadded URL-safe base64 (43 characters), safe in cookies and headers.
func NewToken(prefix string) (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: token: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}
