package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"permafrost/internal/app"
	"permafrost/internal/config"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logServer starts a server configured from args and env the way
// cmd/permafrost is (config.Parse, Config.NewLogger), logging to a buffer.
func logServer(t *testing.T, args []string, env map[string]string) (*glacier.Client, *syncBuffer) {
	t.Helper()
	cfg, err := config.Parse(append([]string{"--addr", "127.0.0.1:0", "--memory"}, args...), func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	logger, err := cfg.NewLogger(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := app.New(cfg, logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return glacier.New(glacier.Options{Region: "us-east-1", BaseEndpoint: aws.String(m.Endpoint()), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")}), out
}

// requestIDs makes a DescribeVault of a missing vault and a CreateVault,
// and returns their request IDs as the responses carry them.
func requestIDs(t *testing.T, c *glacier.Client) (failed, created string) {
	t.Helper()
	ctx := context.Background()
	_, err := c.DescribeVault(ctx, &glacier.DescribeVaultInput{AccountId: aws.String("-"), VaultName: aws.String("missing")})
	var re *smithyhttp.ResponseError
	var ae smithy.APIError
	if !errors.As(err, &re) || !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("DescribeVault of a missing vault: %v", err)
	}
	failed = re.Response.Header.Get("x-amzn-RequestId")
	out, err := c.CreateVault(ctx, &glacier.CreateVaultInput{AccountId: aws.String("-"), VaultName: aws.String("logged")})
	if err != nil {
		t.Fatal(err)
	}
	created, _ = awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	if failed == "" || created == "" {
		t.Fatalf("request IDs %q, %q", failed, created)
	}
	return failed, created
}

// waitFor waits until the log holds a line containing every part, and
// returns it.
func waitFor(t *testing.T, out *syncBuffer, parts ...string) string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		for _, line := range strings.Split(out.String(), "\n") {
			all := true
			for _, p := range parts {
				all = all && strings.Contains(line, p)
			}
			if all {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q in:\n%s", parts, out.String())
		}
	}
}

// TestRequestLogJSON: with --log-format json each request is one JSON
// object at info level naming its operation, vault, status, duration and
// request ID.
func TestRequestLogJSON(t *testing.T) {
	c, out := logServer(t, []string{"--log-format", "json"}, nil)
	failed, created := requestIDs(t, c)
	for _, w := range []struct {
		id, op, vault string
		status        int
	}{{failed, "DescribeVault", "missing", 404}, {created, "CreateVault", "logged", 201}} {
		line := waitFor(t, out, w.id)
		var rec struct {
			Level, Msg, Op, Vault string
			RequestID             string `json:"request_id"`
			Status                int
			Duration              *int64 // nanoseconds
			Time                  time.Time
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %v: %s", err, line)
		}
		if rec.Level != "INFO" || rec.Msg != "request" || rec.Op != w.op || rec.Vault != w.vault || rec.RequestID != w.id ||
			rec.Status != w.status || rec.Duration == nil || *rec.Duration <= 0 || rec.Time.IsZero() {
			t.Errorf("request log line %s, want op %s vault %s status %d request_id %s", line, w.op, w.vault, w.status, w.id)
		}
	}
}

// TestRequestLogText: the default, and PERMAFROST_LOG_FORMAT=text, log
// key=value lines; PERMAFROST_LOG_FORMAT=json is honoured and the flag
// wins over it; any other format is refused.
func TestRequestLogText(t *testing.T) {
	for _, env := range []map[string]string{nil, {"PERMAFROST_LOG_FORMAT": "text"}} {
		c, out := logServer(t, nil, env)
		_, created := requestIDs(t, c)
		line := waitFor(t, out, created)
		re := regexp.MustCompile(`^time=\S+ level=INFO msg=request request_id=` + created +
			` method=PUT path=/-/vaults/logged op=CreateVault vault=logged status=201 bytes=0 duration=\S+$`)
		if !re.MatchString(line) {
			t.Errorf("env %v: request log line %q", env, line)
		}
	}
	c, out := logServer(t, nil, map[string]string{"PERMAFROST_LOG_FORMAT": "json"})
	_, created := requestIDs(t, c)
	if line := waitFor(t, out, created); !json.Valid([]byte(line)) {
		t.Errorf("PERMAFROST_LOG_FORMAT=json: %q", line)
	}
	c, out = logServer(t, []string{"--log-format=text"}, map[string]string{"PERMAFROST_LOG_FORMAT": "json"})
	_, created = requestIDs(t, c)
	if line := waitFor(t, out, created); !strings.HasPrefix(line, "time=") {
		t.Errorf("--log-format=text over PERMAFROST_LOG_FORMAT=json: %q", line)
	}
	for _, bad := range []string{"yaml", "JSON"} {
		_, err := config.Parse([]string{"--memory", "--log-format", bad}, func(string) string { return "" }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--log-format") {
			t.Errorf("--log-format %s: %v", bad, err)
		}
	}
}
