package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// ibidBinary builds the ibid command once per test run, for tests that
// need it as a separate process (servers sharing a library, kill tests).
func ibidBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the ibid binary; skipped with -short")
	}
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "ibid-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "ibid")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = err
			binPath = string(out)
		}
	})
	if binErr != nil {
		t.Fatalf("go build: %v\n%s", binErr, binPath)
	}
	return binPath
}

// startServer starts `ibid serve` as a process on db and returns its URL;
// the process is stopped when the test ends.
func startServer(t *testing.T, db string, extra ...string) string {
	t.Helper()
	cmd := exec.Command(ibidBinary(t), append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--demo=false"}, extra...)...)
	cmd.Env = append(os.Environ(), "IBID_CHECK_RATE=0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.Write([]byte(sc.Text() + "\n"))
			if _, u, ok := strings.Cut(sc.Text(), "serving "); ok {
				urlc <- strings.TrimSpace(u)
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("ibid serve exited with %v:\n%s", err, log.String())
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Errorf("ibid serve did not stop on SIGINT:\n%s", log.String())
		}
	})
	select {
	case u := <-urlc:
		return u
	case <-time.After(60 * time.Second):
		t.Fatalf("ibid serve did not start:\n%s", log.String())
		return ""
	}
}

// runBinary runs the ibid binary with stdin and returns its stdout.
func runBinary(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(ibidBinary(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("ibid %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// TestMain removes the binary that ibidBinary built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}
