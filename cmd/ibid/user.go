package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/auth"
	"github.com/ibid-dev/ibid/web"
	"golang.org/x/term"
)

func init() {
	register(&command{
		name:    "user",
		summary: "manage the accounts of editors and admins: add, list, rm, passwd",
		usage: "add EMAIL [--role admin|editor] | list [--json] | rm EMAIL | passwd EMAIL [--keep-tokens]   (each takes [--db D])\n\n" +
			"Passwords are read from a prompt on a terminal, or as the first line of standard input otherwise.",
		run: runUser,
	})
}

func runUser(ctx context.Context, e *env, args []string) error {
	c := commands["user"]
	sub, args, err := splitSubcommand(e, c, args, "add, list, rm or passwd")
	if sub == "" {
		return err // an error, or the usage printed for -h
	}
	fs := newFlags(e, c)
	db := dbFlag(fs, e)
	// Each subcommand gets only its own flags.
	var (
		role       string
		asJSON     bool
		keepTokens bool
	)
	switch sub {
	case "add":
		fs.StringVar(&role, "role", string(ibid.RoleEditor), "the account's role: admin or editor")
	case "list":
		fs.BoolVar(&asJSON, "json", false, "print the accounts as JSON")
	case "passwd":
		fs.BoolVar(&keepTokens, "keep-tokens", false, "keep the account's API tokens (by default a new password revokes them, since whoever knew the old one may have made some)")
	case "rm":
	default:
		return usageError{fmt.Sprintf("unknown subcommand %q (add, list, rm or passwd)", sub)}
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	wantArgs := 1
	if sub == "list" {
		wantArgs = 0
	}
	if len(pos) != wantArgs {
		if wantArgs == 0 {
			return usageError{"user list takes no arguments"}
		}
		return usageError{fmt.Sprintf("user %s takes one email address", sub)}
	}
	us, closeStore, err := openUserStore(*db)
	if err != nil {
		return err
	}
	defer closeStore()
	switch sub {
	case "add":
		return userAdd(ctx, e, us, pos[0], ibid.Role(role))
	case "list":
		return userList(ctx, e, us, asJSON)
	case "rm":
		u, _, err := us.UserByEmail(ctx, pos[0])
		if err != nil {
			return ibid.Errorf(ibid.ENOTFOUND, "there is no account for %s", pos[0])
		}
		if err := us.DeleteUser(ctx, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "removed %s with its sessions and API tokens\n", u.Email)
		return nil
	default: // passwd
		u, _, err := us.UserByEmail(ctx, pos[0])
		if err != nil {
			return ibid.Errorf(ibid.ENOTFOUND, "there is no account for %s", pos[0])
		}
		hash, err := readNewPassword(e, "New password for "+u.Email)
		if err != nil {
			return err
		}
		if err := us.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		if keepTokens {
			fmt.Fprintf(e.stderr, "changed the password of %s and signed out its sessions; its API tokens still work\n", u.Email)
			return nil
		}
		n, err := web.RevokeTokens(ctx, us, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "changed the password of %s, signed out its sessions and revoked its %s\n", u.Email, plural(n, "API token", "API tokens"))
		return nil
	}
}

func userAdd(ctx context.Context, e *env, us ibid.UserStore, email string, role ibid.Role) error {
	if !role.Valid() {
		return usageError{fmt.Sprintf("--role must be admin or editor, not %q", role)}
	}
	norm, err := ibid.NormalizeEmail(email)
	if err != nil {
		return err
	}
	// Asking for a password only to refuse the address would waste the
	// operator's typing.
	if _, _, err := us.UserByEmail(ctx, norm); err == nil {
		return ibid.Errorf(ibid.ECONFLICT, "there is already an account for %s", norm)
	}
	hash, err := readNewPassword(e, "Password for "+norm)
	if err != nil {
		return err
	}
	u := &ibid.User{Email: norm, Role: role}
	if err := us.CreateUser(ctx, u, hash); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "added %s (%s)\n", u.Email, u.Role)
	return nil
}

func userList(ctx context.Context, e *env, us ibid.UserStore, asJSON bool) error {
	list, err := us.Users(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		if list == nil {
			list = []*ibid.User{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stderr, "no accounts yet; add one with: ibid user add EMAIL --role admin")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tROLE\tCREATED")
	for _, u := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Email, u.Role, u.Created.Format("2006-01-02"))
	}
	return tw.Flush()
}

// openUserStore opens the library and returns it as a UserStore with a
// function that closes it.
func openUserStore(dsn string) (ibid.UserStore, func() error, error) {
	st, err := openStore(dsn)
	if err != nil {
		return nil, nil, err
	}
	us, ok := st.(ibid.UserStore)
	if !ok {
		st.Close()
		return nil, nil, ibid.Errorf(ibid.EINVALID, "this store keeps no accounts")
	}
	return us, st.Close, nil
}

// readNewPassword reads a new password and returns its hash. On a terminal
// it prompts twice without echo; otherwise it reads the first line of
// standard input, so that scripts can pipe a password in (and it never
// appears in the process list, as an argument would).
func readNewPassword(e *env, prompt string) (string, error) {
	var pw string
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		read := func(p string) (string, error) {
			fmt.Fprintf(e.stderr, "%s: ", p)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(e.stderr)
			return string(b), err
		}
		first, err := read(prompt)
		if err != nil {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		if err := auth.CheckPassword(first); err != nil {
			return "", err
		}
		again, err := read("Again")
		if err != nil {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		if again != first {
			return "", ibid.Errorf(ibid.EINVALID, "the passwords differ")
		}
		pw = first
	} else {
		line, err := bufio.NewReader(io.LimitReader(e.stdin, auth.MaxPasswordLen*4+2)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		pw = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if pw == "" {
			return "", ibid.Errorf(ibid.EINVALID, "no password given: type it at the prompt or pipe it to standard input")
		}
	}
	if err := auth.CheckPassword(pw); err != nil {
		return "", err
	}
	return auth.HashPassword(pw)
}

// splitSubcommand takes the subcommand (one of subs, as in "add, list or
// rm") off the arguments of a command shaped NAME SUB [flags]. For -h it
// prints the usage and returns "" and no error: nothing is left to do.
func splitSubcommand(e *env, c *command, args []string, subs string) (sub string, rest []string, err error) {
	if len(args) == 0 {
		return "", nil, usageError{"no subcommand given (" + subs + ")"}
	}
	if args[0] == "-h" || args[0] == "--help" {
		fs := newFlags(e, c)
		dbFlag(fs, e)
		fs.Usage()
		return "", nil, nil
	}
	if strings.HasPrefix(args[0], "-") {
		return "", nil, usageError{"the subcommand comes first (" + subs + ")"}
	}
	return args[0], args[1:], nil
}
