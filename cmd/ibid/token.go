package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/auth"
)

func init() {
	register(&command{
		name:    "token",
		summary: "manage API tokens: create, list, revoke",
		usage: "create EMAIL [--name N] | list [--json] | revoke ID   (each takes [--db D])\n\n" +
			"A token acts for its account in the JSON API (Authorization: Bearer TOKEN). It is printed once, at creation;\n" +
			"the library keeps only its SHA-256.",
		run: runToken,
	})
}

func runToken(ctx context.Context, e *env, args []string) error {
	c := commands["token"]
	sub, args, err := splitSubcommand(e, c, args, "create, list or revoke")
	if sub == "" {
		return err // an error, or the usage printed for -h
	}
	fs := newFlags(e, c)
	db := dbFlag(fs, e)
	var (
		name   string
		asJSON bool
	)
	switch sub {
	case "create":
		fs.StringVar(&name, "name", "", "what the token is for, e.g. the machine or script that uses it")
	case "list":
		fs.BoolVar(&asJSON, "json", false, "print the tokens as JSON")
	case "revoke":
	default:
		return usageError{fmt.Sprintf("unknown subcommand %q (create, list or revoke)", sub)}
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	var id int64
	switch {
	case sub == "list" && len(pos) != 0:
		return usageError{"token list takes no arguments"}
	case sub == "create" && len(pos) != 1:
		return usageError{"token create takes one email address"}
	case sub == "revoke":
		if len(pos) != 1 {
			return usageError{"token revoke takes one token ID (see ibid token list)"}
		}
		if id, err = strconv.ParseInt(pos[0], 10, 64); err != nil || id <= 0 {
			return usageError{fmt.Sprintf("%q is not a token ID (see ibid token list)", pos[0])}
		}
	}
	us, closeStore, err := openUserStore(*db)
	if err != nil {
		return err
	}
	defer closeStore()
	switch sub {
	case "create":
		u, _, err := us.UserByEmail(ctx, pos[0])
		if err != nil {
			return ibid.Errorf(ibid.ENOTFOUND, "there is no account for %s", pos[0])
		}
		tok, err := auth.NewToken(auth.APITokenPrefix)
		if err != nil {
			return err
		}
		t := &ibid.APIToken{UserID: u.ID, Name: name, TokenHash: ibid.HashToken(tok)}
		if err := us.CreateToken(ctx, t); err != nil {
			return err
		}
		// The token alone on stdout, so that scripts can capture it.
		fmt.Fprintln(e.stdout, tok)
		fmt.Fprintf(e.stderr, "created token %d for %s; copy it now, it is not shown again\n", t.ID, u.Email)
		return nil
	case "list":
		return tokenList(ctx, e, us, asJSON)
	default: // revoke
		if err := us.DeleteToken(ctx, id); err != nil {
			if ibid.ErrorCode(err) == ibid.ENOTFOUND {
				return ibid.Errorf(ibid.ENOTFOUND, "there is no token %d", id)
			}
			return err
		}
		fmt.Fprintf(e.stderr, "revoked token %d\n", id)
		return nil
	}
}

func tokenList(ctx context.Context, e *env, us ibid.UserStore, asJSON bool) error {
	list, err := us.Tokens(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		type line struct {
			*ibid.APIToken
			LastUsed *string `json:"last_used"` // null when never used
		}
		out := []line{}
		for _, t := range list {
			l := line{APIToken: t}
			if !t.LastUsed.IsZero() {
				s := t.LastUsed.Format("2006-01-02T15:04:05Z07:00")
				l.LastUsed = &s
			}
			out = append(out, l)
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stderr, "no API tokens; create one with: ibid token create EMAIL --name NAME")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tACCOUNT\tCREATED\tLAST USED")
	for _, t := range list {
		used := "never"
		if !t.LastUsed.IsZero() {
			used = t.LastUsed.Format("2006-01-02 15:04")
		}
		n := t.Name
		if n == "" {
			n = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, n, t.Email, t.Created.Format("2006-01-02"), used)
	}
	return tw.Flush()
}
