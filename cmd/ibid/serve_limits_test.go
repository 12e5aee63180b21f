package main

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid/web"
)

func TestLimitFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		rate    int
		proxies int
		err     string // part of the usage error; "" for none
	}{
		{"defaults", nil, nil, defaultCheckRate, 0, ""},
		{"flag", []string{"--check-rate", "5"}, nil, 5, 0, ""},
		{"no limit", []string{"--check-rate", "0"}, nil, 0, 0, ""},
		{"environment", nil, map[string]string{"IBID_CHECK_RATE": "12", "IBID_TRUSTED_PROXY": "10.0.0.0/8,::1"}, 12, 2, ""},
		{"flag over environment", []string{"--check-rate", "7"}, map[string]string{"IBID_CHECK_RATE": "12"}, 7, 0, ""},
		{"proxies", []string{"--trusted-proxy", "127.0.0.1, 192.168.0.0/16"}, nil, defaultCheckRate, 2, ""},
		{"negative rate", []string{"--check-rate", "-1"}, nil, 0, 0, "--check-rate"},
		{"rate not a number", []string{"--check-rate", "lots"}, nil, 0, 0, "--check-rate"},
		{"bad proxy", []string{"--trusted-proxy", "proxy.example.org"}, nil, 0, 0, "--trusted-proxy"},
		{"negative uploads", []string{"--max-uploads", "-2"}, nil, 0, 0, "--max-uploads"},
		{"uploads not a number", nil, map[string]string{"IBID_MAX_UPLOADS": "many"}, 0, 0, "--max-uploads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := (&env_{stdout: io.Discard, stderr: io.Discard, vars: tt.env}).env()
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			ls := limitFlags(fs, e)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			lim, err := ls.limits()
			if tt.err != "" {
				var ue usageError
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.As(err, &ue) {
					t.Fatalf("error %v, want a usage error about %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if lim.CheckRate != tt.rate || len(lim.TrustedProxies) != tt.proxies {
				t.Errorf("limits %+v, want rate %d and %d proxies", lim, tt.rate, tt.proxies)
			}
		})
	}
	// A bad setting stops serve before it opens anything.
	if code, _, stderr := runIbid(t, nil, "serve", "--check-rate", "-3", "--db", t.TempDir()+"/x.db"); code != 2 || !strings.Contains(stderr, "--check-rate") {
		t.Errorf("serve --check-rate -3: exit %d: %s", code, stderr)
	}
}

// TestServerTimeouts: every phase of a connection has a timeout, and a
// check's own timeout ends before the response's, so that a stopped check
// still gets its answer written.
func TestServerTimeouts(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	for name, d := range map[string]int64{
		"ReadHeaderTimeout": int64(srv.ReadHeaderTimeout),
		"ReadTimeout":       int64(srv.ReadTimeout),
		"WriteTimeout":      int64(srv.WriteTimeout),
		"IdleTimeout":       int64(srv.IdleTimeout),
	} {
		if d <= 0 {
			t.Errorf("%s is not set", name)
		}
	}
	if srv.WriteTimeout <= web.DefaultCheckTimeout {
		t.Errorf("WriteTimeout %v ends before a check's timeout %v", srv.WriteTimeout, web.DefaultCheckTimeout)
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes %d", srv.MaxHeaderBytes)
	}
	if srv.ErrorLog == nil {
		t.Error("the server's own errors do not go to the structured log")
	}
}

// TestImportEssayBounds: ibid import refuses an essay over
// --max-essay-words (or IBID_MAX_ESSAY_WORDS) with a message that says
// the bound, imports the rest, and refuses a bad setting as a usage error.
func TestImportEssayBounds(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/short.txt", []byte("Short\n\nFive words in this essay."), 0o644)
	os.WriteFile(dir+"/long.txt", []byte("Long\n\nThis essay has rather more than five words in it."), 0o644)
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		code     int
		imported string // "" when nothing should be said
		stderr   string
	}{
		{"flag", []string{"--max-essay-words", "5"}, nil, 1, "1 imported", "at most 5 words"},
		{"environment", nil, map[string]string{"IBID_MAX_ESSAY_WORDS": "5"}, 1, "1 imported", "at most 5 words"},
		{"no limit", []string{"--max-essay-words", "0", "--max-essay-mb", "0"}, nil, 0, "2 imported", ""},
		{"bad words", []string{"--max-essay-words", "-5"}, nil, 2, "", "--max-essay-words"},
		{"bad size", []string{"--max-essay-mb", "five"}, nil, 2, "", "--max-essay-mb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"import", "--db", t.TempDir() + "/ibid.db"}, tt.args...)
			code, _, stderr := runIbid(t, tt.env, append(args, dir)...)
			if code != tt.code || !strings.Contains(stderr, tt.imported) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
		})
	}
}
