package main

import (
	"context"
	"fmt"

	"github.com/ibid-dev/ibid"
)

// accountsCopied counts what copyAccounts carried over.
type accountsCopied struct {
	users, usersPresent   int
	tokens, tokensPresent int
}

// copyAccounts copies the editors' accounts (with their password hashes)
// and API tokens (as the hashes the stores keep) from src to dst, when both
// keep accounts, so that a library moved to another store keeps its
// editors and its API clients keep working. Accounts are matched by email
// and tokens by hash, so a second run adds nothing twice; an account
// already in dst stays as it is there. Sessions are not copied (people sign
// in again), and tokens start with no last use.
func copyAccounts(ctx context.Context, src, dst ibid.Store) (accountsCopied, error) {
	var res accountsCopied
	from, ok1 := src.(ibid.UserStore)
	to, ok2 := dst.(ibid.UserStore)
	if !ok1 || !ok2 {
		return res, nil
	}
	users, err := from.Users(ctx)
	if err != nil {
		return res, err
	}
	ids := map[string]int64{} // email -> the account's ID in dst
	for _, u := range users {
		if have, _, err := to.UserByEmail(ctx, u.Email); err == nil {
			ids[u.Email] = have.ID
			res.usersPresent++
			continue
		}
		_, hash, err := from.UserByEmail(ctx, u.Email)
		if err != nil {
			return res, fmt.Errorf("copy account %s: %w", u.Email, err)
		}
		nu := &ibid.User{Email: u.Email, Role: u.Role}
		if err := to.CreateUser(ctx, nu, hash); err != nil {
			return res, fmt.Errorf("copy account %s: %w", u.Email, err)
		}
		ids[u.Email] = nu.ID
		res.users++
	}
	tokens, err := from.Tokens(ctx)
	if err != nil {
		return res, err
	}
	have, err := to.Tokens(ctx)
	if err != nil {
		return res, err
	}
	present := map[string]bool{}
	for _, t := range have {
		present[t.TokenHash] = true
	}
	for _, t := range tokens {
		if present[t.TokenHash] {
			res.tokensPresent++
			continue
		}
		nt := &ibid.APIToken{UserID: ids[t.Email], Name: t.Name, TokenHash: t.TokenHash}
		if err := to.CreateToken(ctx, nt); err != nil {
			return res, fmt.Errorf("copy API token %d of %s: %w", t.ID, t.Email, err)
		}
		res.tokens++
	}
	return res, nil
}
