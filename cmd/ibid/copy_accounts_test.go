package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/sqlite"
)

func TestCopyCarriesAccounts(t *testing.T) {
	from := copySource(t)
	to := filepath.Join(t.TempDir(), "to.db")
	ctx := context.Background()

	src := openLibrary(t, from)
	ada := &ibid.User{Email: "ada@example.org", Role: ibid.RoleAdmin}
	bob := &ibid.User{Email: "bob@example.org", Role: ibid.RoleEditor}
	for _, u := range []*ibid.User{ada, bob} {
		if err := src.CreateUser(ctx, u, "$argon2id$hash-of-"+u.Email); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.CreateToken(ctx, &ibid.APIToken{UserID: bob.ID, Name: "ci", TokenHash: ibid.HashToken("ibid_bobs-token")}); err != nil {
		t.Fatal(err)
	}
	// The destination already has Ada, with another role: it keeps her.
	dst, err := sqlite.Open(to)
	if err != nil {
		t.Fatal(err)
	}
	if err := dst.CreateUser(ctx, &ibid.User{Email: "ada@example.org", Role: ibid.RoleEditor}, "$argon2id$dst-hash"); err != nil {
		t.Fatal(err)
	}
	dst.Close()

	code, stdout, stderr := runIbid(t, nil, "copy", "--from", from, "--to", to)
	if code != 0 || !strings.Contains(stdout, "copied 1 editor accounts (1 were already there) and 1 API tokens (0 were already there)") {
		t.Fatalf("copy: exit %d\n%s%s", code, stdout, stderr)
	}
	got := openLibrary(t, to)
	u, hash, err := got.UserByEmail(ctx, "bob@example.org")
	if err != nil || u.Role != ibid.RoleEditor || hash != "$argon2id$hash-of-bob@example.org" {
		t.Errorf("bob in the copy: %+v %q %v", u, hash, err)
	}
	if u, hash, _ := got.UserByEmail(ctx, "ada@example.org"); u.Role != ibid.RoleEditor || hash != "$argon2id$dst-hash" {
		t.Errorf("the destination's own Ada was changed: %+v %q", u, hash)
	}
	if u, tok, err := got.TokenUser(ctx, ibid.HashToken("ibid_bobs-token"), time.Now()); err != nil || u.Email != "bob@example.org" || tok.Name != "ci" {
		t.Errorf("bob's token in the copy: %+v %+v %v", u, tok, err)
	}

	// Again: nothing twice.
	code, stdout, _ = runIbid(t, nil, "copy", "--from", from, "--to", to)
	if code != 0 || !strings.Contains(stdout, "copied 0 editor accounts (2 were already there) and 0 API tokens (1 were already there)") {
		t.Errorf("second copy: exit %d\n%s", code, stdout)
	}
}
