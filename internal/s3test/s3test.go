// Package s3test gives tests a real S3 server: versitygw (Apache-2.0, a
// production S3 gateway) over a directory of the test's own, on a free
// loopback port, with one bucket.
//
// The gateway is built once from the Go module proxy
// (github.com/versity/versitygw/cmd/versitygw at Version) into the user's
// cache directory and reused after; PERMAFROST_VERSITYGW names a binary to
// use instead. When it cannot be built or started the test is skipped
// saying why, unless PERMAFROST_E2E=1 (CI), where it fails.
package s3test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Version is the versitygw release the tests run.
const Version = "v1.8.0"

// The credentials and region of every server started here (root user).
const (
	AccessKey = "PERMAFROSTS3TEST"
	SecretKey = "permafrost-s3test-secret"
	Region    = "us-east-1"
	Bucket    = "permafrost"
)

const (
	buildTimeout = 10 * time.Minute
	readyTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
)

// Server is a running versitygw.
type Server struct {
	// Endpoint is the server's base URL, http://127.0.0.1:PORT.
	Endpoint string
	// Dir is the directory the posix backend stores buckets in.
	Dir string

	t    testing.TB
	bin  string
	addr string
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// Required reports whether PERMAFROST_E2E asks for every external part.
func Required() bool { return os.Getenv("PERMAFROST_E2E") == "1" }

func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("%s (PERMAFROST_E2E=1 requires versitygw)", msg)
	}
	t.Skipf("%s (no real S3 server; set PERMAFROST_E2E=1 to make this a failure)", msg)
}

// Start starts versitygw with the bucket Bucket and stops it when the test
// ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		skipOrFail(t, "versitygw %s cannot be built: %v", Version, err)
	}
	s := &Server{t: t, bin: bin, Dir: filepath.Join(t.TempDir(), "s3")}
	if err := os.MkdirAll(filepath.Join(s.Dir, Bucket), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	var last error
	for range 3 { // a free port may be taken between probe and listen
		if s.addr, err = freeAddr(); err != nil {
			t.Fatal(err)
		}
		s.Endpoint = "http://" + s.addr
		if last = s.start(); last == nil {
			break
		}
		s.Stop()
	}
	if last != nil {
		skipOrFail(t, "versitygw does not start: %v", last)
	}
	return s
}

// Stop stops the server (it can be started again with Restart). Stopping a
// stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(stopTimeout):
		_ = cmd.Process.Kill()
		<-done
	}
}

// Kill stops the server at once with SIGKILL, as a crash would.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd != nil {
		_ = cmd.Process.Kill()
		<-done
	}
}

// Restart starts a stopped server again on the same port and directory.
func (s *Server) Restart() {
	s.t.Helper()
	var err error
	for range 20 { // the port may linger a moment after the stop
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	s.t.Fatalf("restarting versitygw: %v", err)
}

func (s *Server) start() error {
	log, err := os.CreateTemp(filepath.Dir(s.Dir), "versitygw-*.log")
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin, "--port", s.addr, "--access", AccessKey, "--secret", SecretKey,
		"--region", Region, "--quiet", "posix", s.Dir)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		log.Close()
		return err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); log.Close(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	c := s.Client()
	for {
		_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(Bucket)})
		if err == nil {
			return nil
		}
		select {
		case <-done:
			out, _ := os.ReadFile(log.Name())
			return fmt.Errorf("versitygw exited: %s", strings.TrimSpace(string(out)))
		case <-ctx.Done():
			return fmt.Errorf("versitygw did not answer within %v: %w", readyTimeout, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Client returns an S3 client of the server's root user.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
	})
}

// URL returns the --blobs URL of the bucket under prefix, with extra query
// parameters appended (such as "grace=1h").
func (s *Server) URL(prefix string, extra ...string) string {
	q := url.Values{"endpoint": {s.Endpoint}, "region": {Region}, "path-style": {"true"}}
	u := "s3://" + Bucket + "/" + prefix + "?" + q.Encode()
	for _, e := range extra {
		u += "&" + e
	}
	return u
}

// Env returns the environment that gives the standard AWS credential chain
// the server's credentials (for a permafrost started as a process).
func Env() []string {
	return []string{"AWS_ACCESS_KEY_ID=" + AccessKey, "AWS_SECRET_ACCESS_KEY=" + SecretKey, "AWS_REGION=" + Region}
}

// UseEnv sets Env in the test process's own environment, so that a server
// built in process from a --blobs URL finds the credentials the way a
// user's does, through the standard chain. Every server started here has
// the same credentials, so tests running at once agree on them.
func UseEnv() {
	for _, kv := range Env() {
		k, v, _ := strings.Cut(kv, "=")
		if os.Getenv(k) != v {
			_ = os.Setenv(k, v)
		}
	}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// Binary returns the path of the versitygw binary, building it first when
// it is not in the cache yet.
func Binary() (string, error) {
	buildOnce.Do(func() { buildBin, buildErr = build() })
	return buildBin, buildErr
}

func build() (string, error) {
	if p := os.Getenv("PERMAFROST_VERSITYGW"); p != "" {
		return p, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "permafrost", "versitygw-"+Version)
	bin := filepath.Join(dir, "versitygw")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Test packages run in parallel processes: one builds, the others
	// wait for it on the lock.
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool(), "install", "github.com/versity/versitygw/cmd/versitygw@"+Version)
	cmd.Dir = tmp // outside any module
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GOBIN="+tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install versitygw@%s: %v\n%s", Version, err, out)
	}
	if err := os.Rename(filepath.Join(tmp, "versitygw"), bin); err != nil {
		return "", err
	}
	return bin, nil
}

func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}
