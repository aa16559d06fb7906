package replicatest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"permafrost/internal/s3test"
	"permafrost/internal/testserver"
)

const (
	accountID = "123456789012"
	region    = "us-east-1"
	topic     = "arn:aws:sns:" + region + ":" + accountID + ":replicas"
)

// cluster is what every replica shares: the binary, the database, the
// bucket and the SNS endpoint.
type cluster struct {
	t    *testing.T
	bin  string
	db   string
	s3   *s3test.Server
	sns  string
	args []string
}

// replica is one running cmd/permafrost process.
type replica struct {
	name     string
	endpoint string
	cmd      *exec.Cmd
	exited   chan struct{}
	log      *lockedBuffer
	client   *sdk.Client
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// buildBinary builds cmd/permafrost once for the test.
func buildBinary(t *testing.T) string {
	t.Helper()
	goBin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		if goBin, err = exec.LookPath("go"); err != nil {
			t.Fatalf("no go tool: %v", err)
		}
	}
	bin := filepath.Join(t.TempDir(), "permafrost")
	start := time.Now()
	if out, err := exec.Command(goBin, "build", "-o", bin, "permafrost/cmd/permafrost").CombinedOutput(); err != nil {
		t.Fatalf("go build permafrost/cmd/permafrost: %v\n%s", err, out)
	}
	t.Logf("built cmd/permafrost in %v", time.Since(start).Round(time.Millisecond))
	return bin
}

// start starts a replica and waits until GET /_permafrost/health is 200.
func (c *cluster) start(name string) *replica {
	c.t.Helper()
	for attempt := 0; ; attempt++ {
		r, err := c.tryStart(name)
		if err == nil {
			return r
		}
		if attempt == 2 || !strings.Contains(err.Error(), "address already in use") {
			c.t.Fatalf("starting replica %s: %v", name, err)
		}
	}
}

func (c *cluster) tryStart(name string) (*replica, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	r := &replica{name: name, endpoint: "http://" + addr, exited: make(chan struct{}), log: &lockedBuffer{}}
	r.cmd = exec.Command(c.bin, append([]string{"--addr", addr, "--data-dir", filepath.Join(c.t.TempDir(), name),
		"--region", region, "--account-id", accountID, "--log-level", "info",
		"--metadata", c.db, "--blobs", c.s3.URL("replicas", "grace=1h"), "--sns-endpoint", c.sns}, c.args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PERMAFROST_") && !strings.HasPrefix(kv, "AWS_") {
			r.cmd.Env = append(r.cmd.Env, kv)
		}
	}
	r.cmd.Env = append(r.cmd.Env, s3test.Env()...)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = r.cmd.Wait(); close(r.exited) }()
	c.t.Cleanup(func() {
		r.kill()
		if c.t.Failed() {
			out := r.log.String()
			if len(out) > 3000 {
				out = "..." + out[len(out)-3000:]
			}
			c.t.Logf("replica %s log (tail):\n%s", r.name, out)
		}
	})
	if err := r.waitHealthy(20 * time.Second); err != nil {
		r.kill()
		return nil, err
	}
	r.client = (&testserver.Server{Endpoint: r.endpoint}).NewClient(region, "AKIDPERMAFROST", "secret")
	return r, nil
}

// health returns the status of GET /_permafrost/health.
func (r *replica) health() (int, error) {
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(r.endpoint + "/_permafrost/health")
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (r *replica) waitHealthy(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		code, err := r.health()
		if err == nil && code == http.StatusOK {
			return nil
		}
		select {
		case <-r.exited:
			return fmt.Errorf("exited before it was healthy: %s", r.log.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not healthy after %v (%d, %v): %s", limit, code, err, r.log.String())
		}
	}
}

// kill sends SIGKILL and waits for the exit.
func (r *replica) kill() {
	if err := r.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return
	}
	<-r.exited
}

// clock returns the replica's emulated time (GET /_permafrost/clock).
func (r *replica) clock(t *testing.T) time.Time {
	t.Helper()
	return r.emulator(t, http.MethodGet, "clock")
}

// advance moves the shared clock on by d through this replica and
// returns the new time.
func (r *replica) advance(t *testing.T, d time.Duration) time.Time {
	t.Helper()
	return r.emulator(t, http.MethodPost, "clock/advance?by="+d.String())
}

func (r *replica) emulator(t *testing.T, method, path string) time.Time {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, r.endpoint+"/_permafrost/"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s through %s: %v", method, path, r.name, err)
	}
	defer resp.Body.Close()
	var body struct{ Now time.Time }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s through %s: %s (%v)", method, path, r.name, resp.Status, err)
	}
	return body.Now
}

// countingSNS is an SNS-compatible endpoint that counts Publish calls per
// job (the JobId of the message).
type countingSNS struct {
	mu    sync.Mutex
	count map[string]int
	other int // messages without a JobId
}

func (f *countingSNS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "Publish" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var msg struct{ JobId string }
	_ = json.Unmarshal([]byte(r.PostForm.Get("Message")), &msg)
	f.mu.Lock()
	if msg.JobId == "" {
		f.other++
	} else {
		f.count[msg.JobId]++
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write([]byte(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>1</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>`))
}

func (f *countingSNS) published(job string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.count[job]
}

// objects returns the keys in the cluster's bucket.
func (c *cluster) objects(t *testing.T) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	p := s3.NewListObjectsV2Paginator(c.s3.Client(), &s3.ListObjectsV2Input{Bucket: aws.String(s3test.Bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("listing the bucket: %v", err)
		}
		for _, o := range page.Contents {
			keys[aws.ToString(o.Key)] = true
		}
	}
	return keys
}
