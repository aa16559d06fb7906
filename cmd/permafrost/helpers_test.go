//go:build linux

package main

// Helpers that build and start the real permafrost binary, for the tests
// that measure the process itself (its peak RSS).

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// buildBinary builds this command into a temporary directory, with extra
// go build flags if given.
func buildBinary(t *testing.T, flags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "permafrost")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, goTool(t), append(append([]string{"build", "-o", bin}, flags...), "permafrost/cmd/permafrost")...).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// goTool is the go command of $GOROOT (go test sets it), else of PATH.
func goTool(t *testing.T) string {
	t.Helper()
	tool := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(tool); err != nil {
		if tool, err = exec.LookPath("go"); err != nil {
			t.Fatalf("no go tool: %v", err)
		}
	}
	return tool
}

// withoutPermafrostEnv is the environment without PERMAFROST_* variables,
// so that the CI's settings do not reach the binary under test.
func withoutPermafrostEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PERMAFROST_") {
			env = append(env, kv)
		}
	}
	return env
}

// process is one run of the binary.
type process struct {
	cmd  *exec.Cmd
	addr string // host:port
}

// startBinary starts bin on a free loopback port with args (plus --addr and
// --log-level warn) and waits for its ready line. The process is killed at
// the end of the test.
func startBinary(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	args = append([]string{"--addr", "127.0.0.1:0", "--log-level", "warn"}, args...)
	cmd := exec.Command(bin, args...)
	cmd.Env = withoutPermafrostEnv()
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		// "permafrost listening on http://127.0.0.1:PORT, data in ..."
		_, rest, ok := strings.Cut(line, "http://")
		addr, _, ok2 := strings.Cut(rest, ",")
		if !ok || !ok2 {
			t.Fatalf("unexpected ready line %q", line)
		}
		return &process{cmd: cmd, addr: addr}
	case <-time.After(15 * time.Second):
		t.Fatal("the server printed no ready line within 15 s")
	}
	return nil
}

// peakRSS returns the process's VmHWM (peak resident set) in bytes.
func (p *process) peakRSS(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// do sends one request without a body and returns the status.
func (p *process) do(t *testing.T, method, path string) int {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+p.addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-amz-glacier-version", "2012-06-01")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// dial opens a raw connection to the server.
func (p *process) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", p.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dataDir is a directory for a durable store, in memory (/dev/shm) when
// there is one: the tests that use it write a gigabyte that is then
// deleted, which need not reach the disk of a shared machine.
func dataDir(t *testing.T) string {
	t.Helper()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		d, err := os.MkdirTemp("/dev/shm", "permafrost-test-")
		if err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}
