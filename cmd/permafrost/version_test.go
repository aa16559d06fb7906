//go:build linux

package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// runBinary runs bin with args and env added, and returns its stdout and
// exit code.
func runBinary(t *testing.T, bin string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(withoutPermafrostEnv(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		}
		t.Fatal(err)
	}
	return string(out), 0
}

// TestVersionFromBuildInfo: --version prints what the go command recorded
// in the binary (go version -m): the main module's version, vcs.revision,
// vcs.time and vcs.modified, and the Go version. In a checkout whose .git
// is a directory (as in CI) the revision is HEAD's; in a git worktree
// (.git a file) the go command records none and "unknown" is printed.
func TestVersionFromBuildInfo(t *testing.T) {
	bin := buildBinary(t, "-buildvcs=true") // this machine's GOFLAGS say -buildvcs=false
	out, code := runBinary(t, bin, nil, "--version")
	if code != 0 {
		t.Fatalf("--version exited %d", code)
	}
	line := strings.TrimSpace(out)
	t.Logf("--version: %s", line)
	gover, err := exec.Command(goTool(t), "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	modVersion, settings := "", map[string]string{}
	for _, l := range strings.Split(string(gover), "\n") {
		f := strings.Split(strings.TrimSpace(l), "\t")
		switch {
		case len(f) >= 3 && f[0] == "mod":
			modVersion = f[2]
		case len(f) == 2 && f[0] == "build":
			if k, v, ok := strings.Cut(f[1], "="); ok {
				settings[k] = v
			}
		}
	}
	rev := settings["vcs.revision"]
	if rev == "" {
		rev = "unknown"
	}
	want := "permafrost " + modVersion + " commit " + rev
	if d := settings["vcs.time"]; d != "" {
		want += " " + d
	}
	if settings["vcs.modified"] == "true" {
		want += " modified"
	}
	want += " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	if line != want {
		t.Errorf("--version = %q\nwant       %q (from go version -m)", line, want)
	}
	if st, err := os.Stat(filepath.Join("..", "..", ".git")); err == nil && st.IsDir() {
		head, err := exec.Command("git", "rev-parse", "HEAD").Output()
		if err != nil {
			t.Fatal(err)
		}
		if h := strings.TrimSpace(string(head)); rev != h {
			t.Errorf("--version's commit is %s, HEAD is %s", rev, h)
		}
	}
}

// TestVersionFromLinkerFlags: a release build's -X flags win over the
// build information.
func TestVersionFromLinkerFlags(t *testing.T) {
	bin := buildBinary(t, "-ldflags", "-X main.version=v9.8.7 -X main.commit=0123abcd -X main.date=2026-01-02T03:04:05Z")
	out, code := runBinary(t, bin, nil, "-version")
	want := "permafrost v9.8.7 commit 0123abcd 2026-01-02T03:04:05Z " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	if code != 0 || out != want {
		t.Errorf("-version = %q, exit %d; want %q", out, code, want)
	}
}

// TestHealthCommand: `permafrost health` against a real server, one that
// is not ready (503), a closed port and one that never answers.
func TestHealthCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the binary (-short)")
	}
	bin := buildBinary(t)
	p := startBinary(t, bin, "--memory")
	_, port, _ := net.SplitHostPort(p.addr)
	check := func(name string, wantCode int, wantPrefix string, env []string, args ...string) {
		t.Helper()
		out, code := runBinary(t, bin, env, append([]string{"health"}, args...)...)
		if code != wantCode || !strings.HasPrefix(out, wantPrefix) || strings.Count(out, "\n") != 1 {
			t.Errorf("%s: exit %d, output %q; want exit %d and one line starting %q", name, code, out, wantCode, wantPrefix)
		}
	}
	check("--addr", 0, "healthy: ", nil, "--addr", p.addr)
	check("PERMAFROST_ADDR", 0, "healthy: ", []string{"PERMAFROST_ADDR=" + p.addr})
	check("all interfaces", 0, "healthy: ", nil, "--addr", "0.0.0.0:"+port)

	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_permafrost/health" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"unavailable","message":"The metadata store cannot be reached: gone"}`))
	}))
	defer notReady.Close()
	check("503", 1, "unhealthy: ", nil, "--addr", strings.TrimPrefix(notReady.URL, "http://"))

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	check("closed port", 1, "unhealthy: ", nil, "--addr", closedAddr)

	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts (the kernel does) but never answers
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	check("no answer", 1, "unhealthy: ", nil, "--addr", silent.Addr().String(), "--timeout", "300ms")

	if _, code := runBinary(t, bin, nil, "health", "--bogus"); code != 2 {
		t.Errorf("health --bogus exited %d, want 2", code)
	}
}

func TestDialable(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:4566": "127.0.0.1:4566",
		"0.0.0.0:4566":   "127.0.0.1:4566",
		":4566":          "127.0.0.1:4566",
		"[::]:4566":      "[::1]:4566",
		"[::1]:80":       "[::1]:80",
		"example:1":      "example:1",
		"nonsense":       "nonsense",
	} {
		if got := dialable(in); got != want {
			t.Errorf("dialable(%q) = %q, want %q", in, got, want)
		}
	}
}
