package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/auth"
	"github.com/ibid-dev/ibid/sqlite"
)

// runIbidStdin is runIbid with standard input (not a terminal).
func runIbidStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// openLibrary opens the library the commands wrote, to check what they
// stored.
func openLibrary(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestUserCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ibid.db")
	steps := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		inStderr string
	}{
		{"add admin", "a long password\n", []string{"user", "add", "Ada@Example.org", "--role", "admin"}, 0, "added ada@example.org (admin)"},
		{"add editor, flags first, CRLF", "another password\r\n", []string{"user", "add", "--role", "editor", "bob@example.org"}, 0, "added bob@example.org (editor)"},
		{"add twice", "a long password\n", []string{"user", "add", "ADA@example.org"}, 1, "already an account for ada@example.org"},
		{"short password", "short\n", []string{"user", "add", "carol@example.org"}, 1, "at least 10 characters"},
		{"no password", "", []string{"user", "add", "carol@example.org"}, 1, "no password given"},
		{"bad role", "a long password\n", []string{"user", "add", "carol@example.org", "--role", "owner"}, 2, "--role must be admin or editor"},
		{"bad email", "a long password\n", []string{"user", "add", "carol"}, 1, "not an email address"},
		{"no email", "", []string{"user", "add"}, 2, "takes one email address"},
		{"unknown subcommand", "", []string{"user", "promote", "ada@example.org"}, 2, "unknown subcommand"},
		{"no subcommand", "", []string{"user"}, 2, "the subcommand comes first"},
		{"rm unknown", "", []string{"user", "rm", "nobody@example.org"}, 1, "no account for nobody@example.org"},
		{"passwd unknown", "a long password\n", []string{"user", "passwd", "nobody@example.org"}, 1, "no account"},
		{"passwd", "a new long password\n", []string{"user", "passwd", "ada@example.org"}, 0, "changed the password of ada@example.org"},
	}
	for _, st := range steps {
		code, _, stderr := runIbidStdin(t, st.stdin, append(st.args, "--db", db)...)
		if code != st.code || !strings.Contains(stderr, st.inStderr) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", st.name, code, stderr, st.code, st.inStderr)
		}
	}

	lib := openLibrary(t, db)
	ctx := context.Background()
	u, hash, err := lib.UserByEmail(ctx, "ada@example.org")
	if err != nil || u.Role != ibid.RoleAdmin {
		t.Fatalf("ada: %+v %v", u, err)
	}
	if ok, _ := auth.VerifyPassword(hash, "a new long password"); !ok {
		t.Error("passwd did not store the new password")
	}
	if ok, _ := auth.VerifyPassword(hash, "a long password"); ok {
		t.Error("the old password still works")
	}
	if _, hash, _ := lib.UserByEmail(ctx, "bob@example.org"); hash == "" || strings.Contains(hash, "another password") {
		t.Errorf("bob's stored password %q", hash)
	} else if ok, _ := auth.VerifyPassword(hash, "another password"); !ok {
		t.Error("the CR of a CRLF line became part of bob's password")
	}

	code, stdout, _ := runIbidStdin(t, "", "user", "list", "--db", db)
	if code != 0 || !strings.Contains(stdout, "ada@example.org  admin") || !strings.Contains(stdout, "bob@example.org  editor") {
		t.Errorf("user list: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runIbidStdin(t, "", "user", "list", "--json", "--db", db)
	var users []ibid.User
	if err := json.Unmarshal([]byte(stdout), &users); code != 0 || err != nil || len(users) != 2 || users[0].Email != "ada@example.org" {
		t.Errorf("user list --json: exit %d, %v: %s", code, err, stdout)
	}
	if strings.Contains(stdout, "argon2") {
		t.Error("user list shows password hashes")
	}

	if code, _, stderr := runIbidStdin(t, "", "user", "rm", "bob@example.org", "--db", db); code != 0 {
		t.Errorf("user rm: exit %d: %s", code, stderr)
	}
	if _, _, err := lib.UserByEmail(ctx, "bob@example.org"); ibid.ErrorCode(err) != ibid.ENOTFOUND {
		t.Errorf("bob after rm: %v", err)
	}
}

func TestTokenCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ibid.db")
	if code, _, stderr := runIbidStdin(t, "a long password\n", "user", "add", "ada@example.org", "--db", db); code != 0 {
		t.Fatalf("user add: %d %s", code, stderr)
	}
	code, none, stderr := runIbidStdin(t, "", "token", "list", "--db", db)
	if code != 0 || none != "" || !strings.Contains(stderr, "no API tokens") {
		t.Errorf("empty token list: %d %q %q", code, none, stderr)
	}
	code, stdout, stderr := runIbidStdin(t, "", "token", "create", "ada@example.org", "--name", "ci", "--db", db)
	tok := strings.TrimSpace(stdout)
	if code != 0 || !strings.HasPrefix(tok, auth.APITokenPrefix) || strings.Count(stdout, "\n") != 1 ||
		!strings.Contains(stderr, "not shown again") {
		t.Fatalf("token create: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	lib := openLibrary(t, db)
	ctx := context.Background()
	u, tk, err := lib.TokenUser(ctx, ibid.HashToken(tok), time.Now())
	if err != nil || u.Email != "ada@example.org" || tk.Name != "ci" {
		t.Fatalf("the created token: %+v %+v %v", u, tk, err)
	}

	code, stdout, _ = runIbidStdin(t, "", "token", "list", "--db", db)
	if code != 0 || !strings.Contains(stdout, "ci") || !strings.Contains(stdout, "ada@example.org") || strings.Contains(stdout, tok) {
		t.Errorf("token list: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runIbidStdin(t, "", "token", "list", "--json", "--db", db)
	var list []struct {
		ID       int64   `json:"id"`
		Name     string  `json:"name"`
		Email    string  `json:"email"`
		LastUsed *string `json:"last_used"`
	}
	if err := json.Unmarshal([]byte(stdout), &list); code != 0 || err != nil || len(list) != 1 || list[0].Name != "ci" || list[0].LastUsed == nil {
		t.Errorf("token list --json: exit %d, %v: %s", code, err, stdout)
	}

	bad := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"token", "create", "nobody@example.org"}, 1, "no account for nobody@example.org"},
		{[]string{"token", "create"}, 2, "one email address"},
		{[]string{"token", "revoke", "abc"}, 2, "not a token ID"},
		{[]string{"token", "revoke"}, 2, "one token ID"},
		{[]string{"token", "revoke", "999"}, 1, "no token 999"},
		{[]string{"token", "rotate"}, 2, "unknown subcommand"},
	}
	for _, b := range bad {
		code, _, stderr := runIbidStdin(t, "", append(b.args, "--db", db)...)
		if code != b.code || !strings.Contains(stderr, b.inStderr) {
			t.Errorf("%v: exit %d, %q; want %d and %q", b.args, code, stderr, b.code, b.inStderr)
		}
	}

	id := list[0].ID
	if code, _, stderr := runIbidStdin(t, "", "token", "revoke", "--db", db, strconv.FormatInt(id, 10)); code != 0 || !strings.Contains(stderr, "revoked") {
		t.Errorf("revoke: %d %s", code, stderr)
	}
	if _, _, err := lib.TokenUser(ctx, ibid.HashToken(tok), time.Now()); ibid.ErrorCode(err) != ibid.ENOTFOUND {
		t.Errorf("revoked token still works: %v", err)
	}
}

// TestPasswdRevokesTokens: `ibid user passwd` revokes the account's API
// tokens, since whoever knew the old password may have made some, unless
// --keep-tokens says otherwise. Before, a thief's tokens outlived the reset.
func TestPasswdRevokesTokens(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ibid.db")
	mustRun := func(stdin string, args ...string) string {
		t.Helper()
		code, _, stderr := runIbidStdin(t, stdin, append(args, "--db", db)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		return stderr
	}
	tokens := func() int {
		lib, err := sqlite.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		defer lib.Close()
		list, err := lib.Tokens(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	mustRun("a long password\n", "user", "add", "ada@example.org")
	mustRun("", "token", "create", "ada@example.org", "--name", "laptop")
	mustRun("", "token", "create", "ada@example.org", "--name", "stolen")
	if msg := mustRun("another long password\n", "user", "passwd", "ada@example.org", "--keep-tokens"); !strings.Contains(msg, "still work") || tokens() != 2 {
		t.Errorf("--keep-tokens: %q, %d tokens left", msg, tokens())
	}
	if msg := mustRun("a third long password\n", "user", "passwd", "ada@example.org"); !strings.Contains(msg, "revoked its 2 API tokens") || tokens() != 0 {
		t.Errorf("passwd: %q, %d tokens left", msg, tokens())
	}
}
