package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
)

// runUsers runs the account, session and API token tests on stores that
// implement ibid.UserStore; every store in this module does.
func runUsers(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(*testing.T, ibid.UserStore)
	}{
		{"CreateAndFind", testUserCreateAndFind},
		{"InvalidUsers", testUserInvalid},
		{"DeleteCascades", testUserDelete},
		{"SetPasswordEndsSessions", testSetPassword},
		{"Sessions", testSessions},
		{"Tokens", testTokens},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			us, ok := open(t).(ibid.UserStore)
			if !ok {
				t.Fatal("the store does not implement ibid.UserStore")
			}
			tt.fn(t, us)
		})
	}
}

// fakeHash stands for a password hash: stores keep whatever string they get.
const fakeHash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5"

func mustUser(t *testing.T, s ibid.UserStore, email string, role ibid.Role) *ibid.User {
	t.Helper()
	u := &ibid.User{Email: email, Role: role}
	if err := s.CreateUser(context.Background(), u, fakeHash); err != nil {
		t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

func testUserCreateAndFind(t *testing.T, s ibid.UserStore) {
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	u := mustUser(t, s, "  Ada.Lovelace@Example.ORG ", ibid.RoleAdmin)
	if u.ID == 0 || u.Email != "ada.lovelace@example.org" || u.Created.Before(before) {
		t.Fatalf("after create: %+v", u)
	}
	mustUser(t, s, "bob@example.org", ibid.RoleEditor)
	mustUser(t, s, "alan@example.org", ibid.RoleEditor)

	got, hash, err := s.UserByEmail(ctx, "ADA.LOVELACE@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || got.Email != u.Email || got.Role != ibid.RoleAdmin || hash != fakeHash ||
		got.Created.Sub(u.Created).Abs() > time.Millisecond {
		t.Errorf("UserByEmail = %+v %q, want %+v", got, hash, u)
	}
	for _, email := range []string{"nobody@example.org", "", "not an email"} {
		_, _, err := s.UserByEmail(ctx, email)
		wantCode(t, err, ibid.ENOTFOUND)
	}
	// Another case of a taken address is the same address.
	err = s.CreateUser(ctx, &ibid.User{Email: "BOB@example.org", Role: ibid.RoleAdmin}, fakeHash)
	wantCode(t, err, ibid.ECONFLICT)

	list, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, u := range list {
		emails = append(emails, u.Email)
	}
	want := []string{"ada.lovelace@example.org", "alan@example.org", "bob@example.org"}
	if len(emails) != len(want) {
		t.Fatalf("Users = %v, want %v", emails, want)
	}
	for i := range want {
		if emails[i] != want[i] {
			t.Fatalf("Users = %v, want %v", emails, want)
		}
	}
}

func testUserInvalid(t *testing.T, s ibid.UserStore) {
	tests := []struct {
		name  string
		email string
		role  ibid.Role
		hash  string
	}{
		{"no email", "", ibid.RoleEditor, fakeHash},
		{"no at sign", "example.org", ibid.RoleEditor, fakeHash},
		{"nothing before @", "@example.org", ibid.RoleEditor, fakeHash},
		{"space inside", "a b@example.org", ibid.RoleEditor, fakeHash},
		{"unknown role", "carol@example.org", "owner", fakeHash},
		{"no role", "carol@example.org", "", fakeHash},
		{"no hash", "carol@example.org", ibid.RoleEditor, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := &ibid.User{Email: tt.email, Role: tt.role}
			wantCode(t, s.CreateUser(context.Background(), u, tt.hash), ibid.EINVALID)
			if u.ID != 0 {
				t.Errorf("refused user got ID %d", u.ID)
			}
		})
	}
	list, err := s.Users(context.Background())
	if err != nil || len(list) != 0 {
		t.Errorf("after refusals: %d users, %v", len(list), err)
	}
}

func testUserDelete(t *testing.T, s ibid.UserStore) {
	ctx := context.Background()
	now := time.Now()
	gone := mustUser(t, s, "gone@example.org", ibid.RoleEditor)
	kept := mustUser(t, s, "kept@example.org", ibid.RoleEditor)
	for _, u := range []*ibid.User{gone, kept} {
		if err := s.CreateSession(ctx, &ibid.Session{TokenHash: ibid.HashToken("s-" + u.Email), UserID: u.ID, Expires: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateToken(ctx, &ibid.APIToken{UserID: u.ID, Name: "ci", TokenHash: ibid.HashToken("t-" + u.Email)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteUser(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteUser(ctx, gone.ID), ibid.ENOTFOUND)
	_, _, err := s.UserByEmail(ctx, gone.Email)
	wantCode(t, err, ibid.ENOTFOUND)
	_, err = s.SessionUser(ctx, ibid.HashToken("s-"+gone.Email), now)
	wantCode(t, err, ibid.ENOTFOUND)
	_, _, err = s.TokenUser(ctx, ibid.HashToken("t-"+gone.Email), now)
	wantCode(t, err, ibid.ENOTFOUND)
	// The other user keeps everything.
	if u, err := s.SessionUser(ctx, ibid.HashToken("s-"+kept.Email), now); err != nil || u.ID != kept.ID {
		t.Errorf("kept session: %v, %v", u, err)
	}
	toks, err := s.Tokens(ctx)
	if err != nil || len(toks) != 1 || toks[0].UserID != kept.ID {
		t.Errorf("tokens after delete: %+v, %v", toks, err)
	}
}

func testSetPassword(t *testing.T, s ibid.UserStore) {
	ctx := context.Background()
	now := time.Now()
	u := mustUser(t, s, "ada@example.org", ibid.RoleEditor)
	other := mustUser(t, s, "bob@example.org", ibid.RoleEditor)
	for _, x := range []*ibid.User{u, other} {
		if err := s.CreateSession(ctx, &ibid.Session{TokenHash: ibid.HashToken(x.Email), UserID: x.ID, Expires: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetPassword(ctx, u.ID, "new-hash"); err != nil {
		t.Fatal(err)
	}
	if _, hash, err := s.UserByEmail(ctx, u.Email); err != nil || hash != "new-hash" {
		t.Errorf("after SetPassword: hash %q, %v", hash, err)
	}
	_, err := s.SessionUser(ctx, ibid.HashToken(u.Email), now)
	wantCode(t, err, ibid.ENOTFOUND)
	if _, err := s.SessionUser(ctx, ibid.HashToken(other.Email), now); err != nil {
		t.Errorf("another user's session ended: %v", err)
	}
	wantCode(t, s.SetPassword(ctx, other.ID+1000, "x"), ibid.ENOTFOUND)
	wantCode(t, s.SetPassword(ctx, u.ID, ""), ibid.EINVALID)
}

func testSessions(t *testing.T, s ibid.UserStore) {
	ctx := context.Background()
	u := mustUser(t, s, "ada@example.org", ibid.RoleEditor)
	now := time.Now().UTC()
	live := &ibid.Session{TokenHash: ibid.HashToken("live"), UserID: u.ID, Expires: now.Add(30 * 24 * time.Hour)}
	old := &ibid.Session{TokenHash: ibid.HashToken("old"), UserID: u.ID, Created: now.Add(-31 * 24 * time.Hour), Expires: now.Add(-time.Hour)}
	for _, ss := range []*ibid.Session{live, old} {
		if err := s.CreateSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}
	if live.Created.IsZero() {
		t.Error("CreateSession left Created zero")
	}
	tests := []struct {
		name  string
		token string
		at    time.Time
		want  int64 // the user's ID, 0 for ENOTFOUND
	}{
		{"live", "live", now, u.ID},
		{"live, a second before expiry", "live", live.Expires.Add(-time.Second), u.ID},
		{"live, at expiry", "live", live.Expires, 0},
		{"expired", "old", now, 0},
		{"expired, seen before expiry", "old", old.Expires.Add(-time.Minute), u.ID},
		{"unknown", "nope", now, 0},
		{"the hash itself as a token", ibid.HashToken("live"), now, 0},
	}
	for _, tt := range tests {
		got, err := s.SessionUser(ctx, ibid.HashToken(tt.token), tt.at)
		if tt.want == 0 {
			if ibid.ErrorCode(err) != ibid.ENOTFOUND {
				t.Errorf("%s: %v, %v; want ENOTFOUND", tt.name, got, err)
			}
			continue
		}
		if err != nil || got.ID != tt.want || got.Email != u.Email || got.Role != u.Role {
			t.Errorf("%s: %+v, %v", tt.name, got, err)
		}
	}
	wantCode(t, s.CreateSession(ctx, &ibid.Session{TokenHash: ibid.HashToken("x"), UserID: u.ID + 1000, Expires: now.Add(time.Hour)}), ibid.ENOTFOUND)
	wantCode(t, s.CreateSession(ctx, &ibid.Session{TokenHash: ibid.HashToken("y"), UserID: u.ID}), ibid.EINVALID)

	n, err := s.DeleteExpiredSessions(ctx, now)
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if _, err := s.SessionUser(ctx, live.TokenHash, now); err != nil {
		t.Errorf("live session removed with the expired: %v", err)
	}
	for range 2 { // ending a session twice is harmless
		if err := s.DeleteSession(ctx, live.TokenHash); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.SessionUser(ctx, live.TokenHash, now)
	wantCode(t, err, ibid.ENOTFOUND)
}

func testTokens(t *testing.T, s ibid.UserStore) {
	ctx := context.Background()
	ada := mustUser(t, s, "ada@example.org", ibid.RoleAdmin)
	bob := mustUser(t, s, "bob@example.org", ibid.RoleEditor)
	t1 := &ibid.APIToken{UserID: ada.ID, Name: "laptop", TokenHash: ibid.HashToken("one")}
	t2 := &ibid.APIToken{UserID: bob.ID, Name: "", TokenHash: ibid.HashToken("two")}
	for _, tok := range []*ibid.APIToken{t1, t2} {
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if t1.ID == 0 || t2.ID <= t1.ID || t1.Email != ada.Email || t1.Created.IsZero() {
		t.Fatalf("after create: %+v %+v", t1, t2)
	}
	wantCode(t, s.CreateToken(ctx, &ibid.APIToken{UserID: bob.ID + 1000, TokenHash: ibid.HashToken("three")}), ibid.ENOTFOUND)
	wantCode(t, s.CreateToken(ctx, &ibid.APIToken{UserID: bob.ID}), ibid.EINVALID)

	list, err := s.Tokens(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("Tokens = %+v, %v", list, err)
	}
	if list[0].ID != t1.ID || list[0].Name != "laptop" || list[0].Email != ada.Email || !list[0].LastUsed.IsZero() ||
		list[0].TokenHash != t1.TokenHash || list[1].TokenHash != t2.TokenHash ||
		list[1].ID != t2.ID || list[1].Email != bob.Email {
		t.Errorf("Tokens = %+v %+v", list[0], list[1])
	}

	// Use records the time, at most once a minute.
	now := time.Now().UTC().Truncate(time.Second)
	steps := []struct {
		at       time.Time
		wantUsed time.Time
	}{
		{now, now},
		{now.Add(30 * time.Second), now},
		{now.Add(2 * time.Minute), now.Add(2 * time.Minute)},
	}
	for i, st := range steps {
		u, tok, err := s.TokenUser(ctx, ibid.HashToken("one"), st.at)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if u.ID != ada.ID || u.Role != ibid.RoleAdmin || tok.ID != t1.ID || tok.Name != "laptop" {
			t.Errorf("step %d: %+v %+v", i, u, tok)
		}
		if !tok.LastUsed.Equal(st.wantUsed) {
			t.Errorf("step %d: LastUsed %v, want %v", i, tok.LastUsed, st.wantUsed)
		}
		list, _ := s.Tokens(ctx)
		if !list[0].LastUsed.Equal(st.wantUsed) {
			t.Errorf("step %d: listed LastUsed %v, want %v", i, list[0].LastUsed, st.wantUsed)
		}
	}
	_, _, err = s.TokenUser(ctx, ibid.HashToken("nope"), now)
	wantCode(t, err, ibid.ENOTFOUND)

	if err := s.DeleteToken(ctx, t1.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteToken(ctx, t1.ID), ibid.ENOTFOUND)
	_, _, err = s.TokenUser(ctx, ibid.HashToken("one"), now)
	wantCode(t, err, ibid.ENOTFOUND)
	if u, _, err := s.TokenUser(ctx, ibid.HashToken("two"), now); err != nil || u.ID != bob.ID {
		t.Errorf("the other token: %v, %v", u, err)
	}
}
