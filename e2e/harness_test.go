package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/build"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cmdTimeout bounds every external command a suite runs.
const cmdTimeout = 5 * time.Minute

// envRequire names the variable that turns a missing client into a failure.
const envRequire = "PERMAFROST_E2E"

// envAllowBugs lets the script suites pass while known server bugs remain;
// each bug is still printed with a "BUG:" prefix.
const envAllowBugs = "PERMAFROST_E2E_ALLOW_BUGS"

var (
	buildDir  string // holds the binary; removed by TestMain
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// required reports whether PERMAFROST_E2E asks for every client.
func required() bool { return os.Getenv(envRequire) != "" }

// skipOrFail skips the test with why, or fails it when PERMAFROST_E2E is set.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if required() {
		t.Fatalf("%s; it is required because %s is set", why, envRequire)
	}
	t.Skipf("%s; set %s=1 to require it", why, envRequire)
}

// requireClient finds the executable of a client suite, or skips the test
// (fails it under PERMAFROST_E2E) with a message naming the client.
func requireClient(t *testing.T, name, lookPathName string) string {
	t.Helper()
	p, err := exec.LookPath(lookPathName)
	if err != nil {
		skipOrFail(t, fmt.Sprintf("%s: %q is not installed (%v)", name, lookPathName, err))
	}
	return p
}

// goTool returns the go command of the toolchain running the tests: go test
// puts its GOROOT/bin first on the test's PATH.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	exe := "go"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	if root := build.Default.GOROOT; root != "" {
		if p := filepath.Join(root, "bin", exe); fileExists(p) {
			return p
		}
	}
	return exe
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// permafrostBinary builds cmd/permafrost once per test binary run.
func permafrostBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "permafrost-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildDir = dir
		binPath = filepath.Join(dir, "permafrost")
		ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, goTool(), "build", "-o", binPath, "permafrost/cmd/permafrost")
		cmd.WaitDelay = 10 * time.Second
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build permafrost/cmd/permafrost: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// server is a running permafrost binary.
type server struct {
	URL     string // http://127.0.0.1:PORT
	Addr    string
	DataDir string
	LogPath string
}

// freePort asks the kernel for an unused loopback port.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

// startServer runs the permafrost binary on a random 127.0.0.1 port with a
// fresh data directory, waits until it is healthy, and stops it in cleanup.
func startServer(t *testing.T, extraArgs ...string) *server {
	t.Helper()
	bin := permafrostBinary(t)
	dataDir := t.TempDir()
	logDir := t.TempDir()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		addr, err := freePort()
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		s := &server{URL: "http://" + addr, Addr: addr, DataDir: dataDir,
			LogPath: filepath.Join(logDir, fmt.Sprintf("permafrost-%d.log", attempt))}
		lastErr = s.start(t, bin, extraArgs)
		if lastErr == nil {
			return s
		}
		t.Logf("starting permafrost on %s: %v (retrying)", addr, lastErr)
	}
	t.Fatalf("permafrost did not start: %v", lastErr)
	return nil
}

func (s *server) start(t *testing.T, bin string, extraArgs []string) error {
	t.Helper()
	logFile, err := os.Create(s.LogPath)
	if err != nil {
		return err
	}
	args := append([]string{"--addr", s.Addr, "--data-dir", s.DataDir, "--log-level", "info"}, extraArgs...)
	cmd := exec.Command(bin, args...)
	cmd.Env = serverEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return err
	}
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return err
	}
	exited := make(chan error, 1)
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logFile, "[stdout] "+line)
			if !signalled && strings.HasPrefix(line, "permafrost listening on ") {
				close(ready)
				signalled = true
			}
		}
	}()
	go func() { exited <- cmd.Wait() }()

	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		logFile.Close()
	}

	deadline := time.After(60 * time.Second)
	select {
	case <-ready:
	case err := <-exited:
		logFile.Close()
		return fmt.Errorf("exited before it was ready: %v\n%s", err, tail(s.LogPath, 30))
	case <-deadline:
		stop()
		return fmt.Errorf("no ready line within 60s\n%s", tail(s.LogPath, 30))
	}
	// The ready line is printed once listening; health must answer too.
	client := &http.Client{Timeout: 5 * time.Second}
	healthy := false
	for i := 0; i < 100 && !healthy; i++ {
		resp, err := client.Get(s.URL + "/_permafrost/health")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			healthy = resp.StatusCode == http.StatusOK
		}
		if !healthy {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !healthy {
		stop()
		return errors.New("GET /_permafrost/health never answered 200")
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("permafrost log (%s), last lines:\n%s", s.LogPath, tail(s.LogPath, 60))
		}
	})
	return nil
}

// Keys of a server started with startSignedServer: the owner's key belongs
// to the default account, the other key to a second account.
const (
	ownerKey     = "AKIDE2EOWNER"
	ownerSecret  = "permafrost-e2e-owner-secret"
	otherKey     = "AKIDE2EOTHER"
	otherSecret  = "permafrost-e2e-other-secret"
	otherAccount = "210987654321"
)

// startSignedServer starts a server that verifies SigV4 signatures against
// a credentials file holding the owner's and the other account's keys.
func startSignedServer(t *testing.T, extraArgs ...string) *server {
	t.Helper()
	creds := filepath.Join(t.TempDir(), "credentials")
	body := "# permafrost e2e keys: ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID\n" +
		ownerKey + " " + ownerSecret + " " + accountID + "\n" +
		otherKey + " " + otherSecret + " " + otherAccount + "\n"
	if err := os.WriteFile(creds, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return startServer(t, append([]string{"--credentials", creds}, extraArgs...)...)
}

// signedEnv names a signed server and its keys for a script suite.
func signedEnv(s *server) []string {
	return []string{
		"PERMAFROST_SIGNED_ENDPOINT=" + s.URL,
		"PERMAFROST_SIGNED_OWNER=" + ownerKey + ":" + ownerSecret,
		"PERMAFROST_SIGNED_OTHER=" + otherKey + ":" + otherSecret + ":" + otherAccount,
	}
}

// serverEnv is the environment of the server: PERMAFROST_* fallbacks of the
// caller are dropped so only the flags configure it.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PERMAFROST_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// clientEnv is the environment for an AWS client process: the caller's
// AWS_* settings are dropped, dummy credentials are set, and the config
// files point at empty files so no profile, region or proxy leaks in.
func clientEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	for _, p := range []string{cfg, creds} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		ku := strings.ToUpper(k)
		if strings.HasPrefix(ku, "AWS_") || strings.HasPrefix(ku, "PERMAFROST_") ||
			ku == "HTTP_PROXY" || ku == "HTTPS_PROXY" || ku == "ALL_PROXY" || ku == "NO_PROXY" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"AWS_ACCESS_KEY_ID=AKIDPERMAFROSTE2E",
		"AWS_SECRET_ACCESS_KEY=permafrost-e2e-secret",
		"AWS_CONFIG_FILE="+cfg,
		"AWS_SHARED_CREDENTIALS_FILE="+creds,
		"AWS_PAGER=",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"NO_PROXY=127.0.0.1,localhost",
		"no_proxy=127.0.0.1,localhost",
	)
	if v := os.Getenv(envAllowBugs); v != "" {
		env = append(env, envAllowBugs+"="+v)
	}
	return append(env, extra...)
}

// result is the outcome of one external command.
type result struct {
	Stdout, Stderr string
	Code           int
	Err            error
}

// run runs a command with a timeout and returns its output; it fails the
// test only when the command could not be run at all or timed out.
func run(t *testing.T, dir string, env []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	r := result{Stdout: stdout.String(), Stderr: stderr.String(), Err: err}
	if ctx.Err() != nil {
		t.Fatalf("%s %s: timed out after %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), cmdTimeout, r.Stdout, r.Stderr)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	default:
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

// streamRun runs a script with a timeout, copying its output to the test
// log line by line (each prefixed with label), and returns the exit code and
// the whole output.
func streamRun(t *testing.T, label, dir string, env []string, name string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.WaitDelay = 10 * time.Second
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	var all strings.Builder
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
		for sc.Scan() {
			line := sc.Text()
			all.WriteString(line + "\n")
			t.Log("[" + label + "] " + line)
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	err := cmd.Run()
	pw.Close()
	<-done
	if ctx.Err() != nil {
		t.Fatalf("%s %s: timed out after %v", name, strings.Join(args, " "), cmdTimeout)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, all.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), all.String()
	default:
		t.Fatalf("%s: %v", name, err)
		return -1, ""
	}
}

// repoDir is the directory of this package (go test runs tests there).
func repoDir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

// bugLines returns the lines of a script's output that report a server bug.
func bugLines(out string) []string {
	var bugs []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "BUG:") {
			bugs = append(bugs, strings.TrimSpace(l))
		}
	}
	return bugs
}
