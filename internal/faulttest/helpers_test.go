package faulttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/smithy-go"

	"permafrost/internal/app"
	"permafrost/internal/clock"
	"permafrost/internal/config"
	"permafrost/internal/store/diskfault"
	"permafrost/internal/store/kvstore"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// env is a durable server whose disk fails on command, served over real
// HTTP without its background loops, so that only the requests a test
// sends write anything.
type env struct {
	t    *testing.T
	dir  string
	fl   *diskfault.Injector
	base *clock.Fake
	m    *app.Main
	srv  *httptest.Server
	c    *glacier.Client
	logs *logBuffer
	vars map[string]string // IDs a preparation step hands to the step under test
	// inventory is the --inventory mode ("" for the default, live).
	inventory string
}

func newEnv(t *testing.T) *env { return newEnvMode(t, "") }

func newEnvMode(t *testing.T, inventory string) *env {
	e := &env{t: t, dir: t.TempDir(), fl: &diskfault.Injector{}, base: clock.NewFake(t0), logs: &logBuffer{}, vars: map[string]string{}, inventory: inventory}
	e.open(e.dir)
	t.Cleanup(e.close)
	return e
}

func (e *env) open(dir string) {
	e.t.Helper()
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.JobDelay = "Expedited=1h,Standard=1h,Bulk=1h"
	cfg.Inventory = e.inventory
	logger := slog.New(slog.NewTextHandler(e.logs, nil))
	m, err := app.New(cfg, logger, e.base, app.WithDiskFaults(e.fl))
	if err != nil {
		e.t.Fatal(err)
	}
	e.m = m
	e.srv = httptest.NewServer(m.Handler)
	e.c = glacier.New(glacier.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(e.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		Retryer:      aws.NopRetryer{},
	})
}

func (e *env) close() {
	if e.m == nil {
		return
	}
	e.srv.Close()
	if err := e.m.Close(context.Background()); err != nil {
		e.t.Errorf("close: %v", err)
	}
	e.m = nil
}

// restart stops the server cleanly and starts it again on the same data.
func (e *env) restart() {
	e.t.Helper()
	e.close()
	e.open(e.dir)
}

// crashCopy is what a process killed now would leave: the data directory's
// files as the page cache holds them, copied elsewhere.
func (e *env) crashCopy() string {
	e.t.Helper()
	to := e.t.TempDir()
	err := filepath.WalkDir(e.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(e.dir, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o600)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return to
}

// state is everything the store holds: every record, every blob file and
// every temporary file, and the emulated clock.
func (e *env) state() string {
	e.t.Helper()
	return stateOf(e.t, e.m, e.dir)
}

func stateOf(t *testing.T, m *app.Main, dir string) string {
	t.Helper()
	var b strings.Builder
	st, ok := m.Store.(*kvstore.Store)
	if !ok {
		t.Fatalf("store is a %T", m.Store)
	}
	if err := st.Dump(ctx, func(bucket string, k, v []byte) { fmt.Fprintf(&b, "%s %q=%q\n", bucket, k, v) }); err != nil {
		t.Fatal(err)
	}
	var files []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), "meta.") {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, rel)
		}
		return nil
	})
	sort.Strings(files)
	fmt.Fprintf(&b, "files %v\nclock %s\n", files, m.Clock.Now().Format(time.RFC3339Nano))
	return b.String()
}

// stateAfterCrash opens a crash copy of the data and returns its state.
func (e *env) stateAfterCrash() string {
	e.t.Helper()
	dir := e.crashCopy()
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Inventory = e.inventory
	m, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), e.base)
	if err != nil {
		e.t.Fatalf("opening a crash copy: %v", err)
	}
	defer m.Close(context.Background())
	return stateOf(e.t, m, dir)
}

// wantServiceUnavailable checks that err is the documented answer to a
// storage failure: 500 ServiceUnavailableException.
func wantServiceUnavailable(t *testing.T, what string, err error) {
	t.Helper()
	var ae smithy.APIError
	var re *awshttp.ResponseError
	switch {
	case err == nil:
		t.Fatalf("%s succeeded while the disk failed", what)
	case !errors.As(err, &ae) || ae.ErrorCode() != "ServiceUnavailableException":
		t.Fatalf("%s: %v, want ServiceUnavailableException", what, err)
	case !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusInternalServerError:
		t.Fatalf("%s: %v, want status 500", what, err)
	}
}

// advanceHTTP moves the emulated clock through the emulator endpoint.
func (e *env) advanceHTTP(by string) error { return e.emulatorPost("clock/advance?by=" + by) }

// emulatorPost calls an emulator endpoint; a 500 ServiceUnavailableException
// answer is errEmulator500.
func (e *env) emulatorPost(path string) error {
	resp, err := http.Post(e.srv.URL+"/_permafrost/"+path, "", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	if resp.StatusCode != http.StatusInternalServerError || !bytes.Contains(body, []byte(`"ServiceUnavailableException"`)) {
		return fmt.Errorf("%s answered %d %s", path, resp.StatusCode, body)
	}
	return errEmulator500
}

var errEmulator500 = errors.New("500 ServiceUnavailableException")

// logBuffer collects the server's log.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
