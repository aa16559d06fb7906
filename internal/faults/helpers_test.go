package faults_test

// Helpers of the fault tests: a server started with app.New (memory
// store unless the test gives one), clients with the SDK's standard
// retryer or none, and the /_permafrost/faults endpoints over plain HTTP.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/smithy-go"

	"permafrost/internal/app"
	"permafrost/internal/config"
	"permafrost/internal/faults"
	"permafrost/internal/testserver"
	"permafrost/internal/treehash"
)

const (
	region    = "us-east-1"
	accessKey = "AKIDPERMAFROST"
	secret    = "secret"
	miB       = 1 << 20
)

type server struct {
	URL  string
	Main *app.Main
	stop func()
	// key and secret sign the emulator requests ("": unsigned).
	key, secret string
}

// start starts a server from cfg (adjusted by opts) with testserver.Start;
// it is stopped at cleanup (or earlier by stop, which is idempotent).
func start(t *testing.T, cfg config.Config, opts ...app.Option) *server {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	s, err := testserver.Start(cfg, nil, opts...)
	if err != nil {
		t.Fatalf("starting the server: %v", err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return &server{URL: s.Endpoint, Main: s.Main, stop: stop}
}

// newServer starts a memory server with jobs completing at once.
func newServer(t *testing.T, adjust ...func(*config.Config)) *server {
	t.Helper()
	cfg := config.Default()
	cfg.Memory = true
	for _, f := range adjust {
		f(&cfg)
	}
	return start(t, cfg)
}

// standard is a client with the SDK's standard retryer (3 attempts), with
// short backoffs so that the tests do not wait seconds.
func (s *server) standard(t *testing.T) *glacier.Client {
	return s.client(t, retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 10 * time.Millisecond, nil })
	}))
}

// noRetry is a client that sends each call once.
func (s *server) noRetry(t *testing.T) *glacier.Client { return s.client(t, aws.NopRetryer{}) }

func (s *server) client(t *testing.T, r aws.Retryer) *glacier.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return glacier.New(glacier.Options{
		Region: region, BaseEndpoint: aws.String(s.URL),
		Credentials: credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		Retryer:     r, HTTPClient: &http.Client{Transport: tr},
	})
}

type resp struct {
	Status int
	Body   []byte
}

// emu sends method /_permafrost/path (or a path from the root when it
// starts with "/") with body, signed with s.key when set.
func (s *server) emu(t *testing.T, method, path, body string) resp {
	t.Helper()
	url := s.URL + "/_permafrost/" + path
	if strings.HasPrefix(path, "/") {
		url = s.URL + path
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-amz-glacier-version", "2012-06-01")
	if s.key != "" {
		sum := sha256Hex([]byte(body))
		req.Header.Set("x-amz-content-sha256", sum)
		creds := aws.Credentials{AccessKeyID: s.key, SecretAccessKey: s.secret}
		if err := v4.NewSigner().SignHTTP(t.Context(), creds, req, sum, "glacier", region, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{res.StatusCode, b}
}

// addRule posts a rule and returns it as stored.
func (s *server) addRule(t *testing.T, rule string) faults.Rule {
	t.Helper()
	r := s.emu(t, "POST", "faults", rule)
	if r.Status != http.StatusCreated {
		t.Fatalf("POST faults %s = %d %s", rule, r.Status, r.Body)
	}
	var out faults.Rule
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func (s *server) rule(t *testing.T, id string) faults.Rule {
	t.Helper()
	r := s.emu(t, "GET", "faults/"+id, "")
	var out faults.Rule
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &out) != nil {
		t.Fatalf("GET faults/%s = %d %s", id, r.Status, r.Body)
	}
	return out
}

func (s *server) faultLog(t *testing.T) []faults.Entry {
	t.Helper()
	r := s.emu(t, "GET", "faults/log", "")
	var out []faults.Entry
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &out) != nil {
		t.Fatalf("GET faults/log = %d %s", r.Status, r.Body)
	}
	return out
}

// apiError returns err's Glacier code and HTTP status ("", 0 for none).
func apiError(err error) (string, int) {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return "", 0
	}
	status := 0
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), status
}

func mustOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func createVault(t *testing.T, c *glacier.Client, name string) {
	t.Helper()
	_, err := c.CreateVault(t.Context(), &glacier.CreateVaultInput{AccountId: aws.String("-"), VaultName: aws.String(name)})
	mustOK(t, "CreateVault "+name, err)
}

func data(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func upload(ctx context.Context, c *glacier.Client, vault string, body []byte) (*glacier.UploadArchiveOutput, error) {
	return c.UploadArchive(ctx, &glacier.UploadArchiveInput{AccountId: aws.String("-"), VaultName: aws.String(vault),
		Body: bytes.NewReader(body), Checksum: aws.String(treeHash(body))})
}

// archives counts the vault's archives (DescribeVault, live here).
func archives(t *testing.T, c *glacier.Client, vault string) int64 {
	t.Helper()
	out, err := c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{AccountId: aws.String("-"), VaultName: aws.String(vault)})
	mustOK(t, "DescribeVault", err)
	return out.NumberOfArchives
}

// credentialsFile writes a credentials file with one plain account and
// one administrator, and returns its path.
func credentialsFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "credentials")
	text := accessKey + " " + secret + " 111111111111\nAKIDADMIN admin-secret 222222222222 admin\n"
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func treeHash(p []byte) string { return treehash.Sum(p).String() }

func sha256Hex(p []byte) string {
	s := sha256.Sum256(p)
	return hex.EncodeToString(s[:])
}

// archiveJob initiates a retrieval of the archive in tier and returns the
// job's ID.
func archiveJob(ctx context.Context, c *glacier.Client, vault, archive, tier string) (string, error) {
	out, err := c.InitiateJob(ctx, &glacier.InitiateJobInput{AccountId: aws.String("-"), VaultName: aws.String(vault),
		JobParameters: &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(archive), Tier: aws.String(tier)}})
	if err != nil {
		return "", err
	}
	return *out.JobId, nil
}

func describeJob(t *testing.T, c *glacier.Client, vault, id string) *glacier.DescribeJobOutput {
	t.Helper()
	out, err := c.DescribeJob(t.Context(), &glacier.DescribeJobInput{AccountId: aws.String("-"), VaultName: aws.String(vault), JobId: aws.String(id)})
	mustOK(t, "DescribeJob", err)
	return out
}

// output reads the job's output (range rng, "" for all): the bytes read
// before any error, the tree hash header and the read's error.
func output(t *testing.T, c *glacier.Client, vault, id, rng string) ([]byte, string, error) {
	t.Helper()
	in := &glacier.GetJobOutputInput{AccountId: aws.String("-"), VaultName: aws.String(vault), JobId: aws.String(id)}
	if rng != "" {
		in.Range = aws.String(rng)
	}
	out, err := c.GetJobOutput(t.Context(), in)
	if err != nil {
		return nil, "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return b, aws.ToString(out.Checksum), err
}
