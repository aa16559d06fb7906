//go:build unix

package crashtest

// Helpers that build, start, kill and stop the real permafrost binary.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/s3test"
)

// Settings of every server the test starts; the client uses the same.
const (
	accountID = "123456789012"
	region    = "us-east-1"
	accessKey = "AKIDPERMAFROST"
	secretKey = "secret"
)

const (
	buildTimeout = 3 * time.Minute
	readyTimeout = 15 * time.Second
	stopTimeout  = 20 * time.Second
	killTimeout  = 10 * time.Second
)

// goTool returns the go command of the toolchain running the test.
func goTool(t *testing.T) string {
	t.Helper()
	// The go command exports GOROOT to the tests it runs.
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go tool in $GOROOT/bin nor in PATH: %v", err)
	}
	return p
}

// buildBinary builds cmd/permafrost into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "permafrost")
	ctx, cancel := context.WithTimeout(t.Context(), buildTimeout)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, goTool(t), "build", "-o", bin, "permafrost/cmd/permafrost")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build permafrost/cmd/permafrost: %v\n%s", err, out)
	}
	t.Logf("built %s in %v", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("picking a free port: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatalf("picking a free port: %v", err)
	}
	return addr
}

// childEnv is the test's environment without PERMAFROST_* variables, so
// that nothing (PERMAFROST_MEMORY above all) overrides the flags.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PERMAFROST_") {
			env = append(env, kv)
		}
	}
	return env
}

// output collects a child's stdout or stderr and reports its first line.
type output struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	first chan string // receives the first complete line, once
	sent  bool
}

func newOutput() *output { return &output{first: make(chan string, 1)} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	if !o.sent {
		if i := bytes.IndexByte(o.buf.Bytes(), '\n'); i >= 0 {
			o.sent = true
			o.first <- string(o.buf.Bytes()[:i])
		}
	}
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// tail returns the last n bytes of the output.
func (o *output) tail(n int) string {
	s := o.String()
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}

// server is one run of the permafrost binary.
type server struct {
	name     string
	cmd      *exec.Cmd
	addr     string
	endpoint string
	stdout   *output
	stderr   *output
	exited   chan struct{} // closed when the process has been waited for
	waitErr  error         // valid once exited is closed
	tr       *http.Transport
	client   *glacier.Client
}

// startServer starts the binary on dataDir and waits until it is healthy.
// A port taken between freeAddr and the child's listen is retried.
// args are more flags (--blobs s3://...: the child then gets the
// versitygw's credentials in its environment, as a user's AWS chain would).
func startServer(t *testing.T, bin, dataDir, name string, args ...string) *server {
	t.Helper()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := tryStart(t, bin, dataDir, name, args...)
		if err == nil {
			return s
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	t.Fatalf("starting %s: %v", name, lastErr)
	return nil
}

func tryStart(t *testing.T, bin, dataDir, name string, args ...string) (*server, error) {
	addr := freeAddr(t)
	s := &server{
		name:     name,
		addr:     addr,
		endpoint: "http://" + addr,
		stdout:   newOutput(),
		stderr:   newOutput(),
		exited:   make(chan struct{}),
	}
	s.cmd = exec.Command(bin, "--addr", addr, "--data-dir", dataDir, "--region", region,
		"--account-id", accountID, "--log-level", "info")
	s.cmd.Args = append(s.cmd.Args, args...)
	s.cmd.Env = childEnv()
	if len(args) > 0 {
		s.cmd.Env = append(s.cmd.Env, s3test.Env()...)
	}
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.kill()
		if s.tr != nil {
			s.tr.CloseIdleConnections()
		}
		if t.Failed() {
			t.Logf("%s stderr (tail):\n%s", s.name, s.stderr.tail(4000))
		}
	})

	timer := time.NewTimer(readyTimeout)
	defer timer.Stop()
	select {
	case line := <-s.stdout.first:
		// The line goes on with the profile in force.
		want := "permafrost listening on " + s.endpoint + ", data in " + dataDir + ", "
		if slices.Contains(args, "--metadata") {
			want = "permafrost listening on " + s.endpoint + ", metadata in PostgreSQL "
		}
		if !strings.HasPrefix(line, want) {
			s.kill()
			return nil, fmt.Errorf("ready line %q, want %q", line, want)
		}
	case <-s.exited:
		return nil, fmt.Errorf("exited before it was ready (%v): %s", s.waitErr, s.stderr.tail(2000))
	case <-timer.C:
		s.kill()
		return nil, fmt.Errorf("not ready after %v: %s", readyTimeout, s.stderr.tail(2000))
	}
	if err := s.waitHealthy(); err != nil {
		s.kill()
		return nil, err
	}
	s.tr = &http.Transport{MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second}
	s.client = glacier.New(glacier.Options{
		Region:       region,
		BaseEndpoint: aws.String(s.endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Transport: envelopeCheck{t: t, name: name, rt: s.tr}},
	})
	return s, nil
}

// waitHealthy polls GET /_permafrost/health until it answers 200.
func (s *server) waitHealthy() error {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	hc := &http.Client{Timeout: 2 * time.Second}
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.endpoint+"/_permafrost/health", nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("health answered %s", resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not healthy after %v: %v", s.name, readyTimeout, last)
		case <-s.exited:
			return fmt.Errorf("%s exited (%v) while waiting for health: %s", s.name, s.waitErr, s.stderr.tail(2000))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// running reports whether the process has not exited yet.
func (s *server) running() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// kill sends SIGKILL (if the process still runs) and waits for the exit.
func (s *server) kill() error {
	if s.running() {
		if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("SIGKILL %s: %w", s.name, err)
		}
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(killTimeout):
		return fmt.Errorf("%s still running %v after SIGKILL", s.name, killTimeout)
	}
}

// stop sends SIGINT and waits for a clean exit (status 0).
func (s *server) stop() error {
	if !s.running() {
		return fmt.Errorf("%s had already exited: %v", s.name, s.waitErr)
	}
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		return fmt.Errorf("SIGINT %s: %w", s.name, err)
	}
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		s.kill()
		return fmt.Errorf("%s did not exit within %v of SIGINT", s.name, stopTimeout)
	}
	if s.tr != nil {
		s.tr.CloseIdleConnections()
	}
	if s.waitErr != nil {
		if diedOf(s.waitErr, syscall.SIGINT) && !strings.Contains(s.stderr.String(), `msg="shutting down"`) {
			return fmt.Errorf("%w: %s", errNoHandler, s.name)
		}
		return fmt.Errorf("%s exited after SIGINT with %v: %s", s.name, s.waitErr, s.stderr.tail(2000))
	}
	return nil
}

// errNoHandler is stop's error when SIGINT killed the process outright: it
// arrived before cmd/permafrost installed its handler, which happens after
// the ready line is printed.
var errNoHandler = errors.New("SIGINT killed the server before its signal handler was installed (no graceful shutdown)")

// diedOf reports whether err says the process was killed by sig.
func diedOf(err error, sig syscall.Signal) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}

// listFiles returns the regular files under dir (recursively), relative to
// dir; a missing dir has none.
func listFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && p == dir {
				return filepath.SkipAll
			}
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}

// envelopeCheck is the clients' transport: it checks that every error
// answer is a Glacier error envelope (a JSON body with code, message and
// type, and no x-amzn-ErrorType header, as real Glacier sends none), then
// passes it on.
type envelopeCheck struct {
	t    *testing.T
	name string
	rt   http.RoundTripper
}

func (c envelopeCheck) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(req)
	if err != nil || resp.StatusCode < 400 || req.Method == http.MethodHead {
		return resp, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil // cut off (by a kill): the SDK reports it
	}
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Type    string `json:"type"`
	}
	if json.Unmarshal(body, &e) != nil || e.Code == "" || e.Message == "" ||
		(e.Type != "Client" && e.Type != "Server") || resp.Header.Get("x-amzn-ErrorType") != "" {
		c.t.Errorf("%s: %s %s answered %s with a malformed error envelope (x-amzn-ErrorType %q): %q",
			c.name, req.Method, req.URL.Path, resp.Status, resp.Header.Get("x-amzn-ErrorType"), body)
	}
	return resp, nil
}
