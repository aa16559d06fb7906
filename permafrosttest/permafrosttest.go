// Package permafrosttest starts an in-process permafrost (an Amazon
// Glacier emulator) for Go tests and hands back ready aws-sdk-go-v2
// Glacier clients. It is permafrost's public Go API: its options and
// methods use only its own types, the standard library's and the SDK's,
// so any module can use it.
//
//	func TestBackup(t *testing.T) {
//		srv := permafrosttest.New(t, permafrosttest.WithProfile("aws"))
//		client := srv.Client()
//		// ... create vaults, upload, initiate jobs ...
//		if _, err := srv.AdvanceClock(5 * time.Hour); err != nil { // a Standard retrieval is done
//			t.Fatal(err)
//		}
//	}
//
// Every server listens on its own random loopback port and keeps its state
// in memory unless WithDataDir is given; New stops it when the test ends.
package permafrosttest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/testserver"
)

// Server is a running in-process permafrost.
type Server struct {
	srv    *testserver.Server
	region string
	key    Credential // the default client's, and the faults' signer
	signed bool       // signatures are verified (WithCredentials)
	client *glacier.Client
	tmp    string // a temporary directory to remove at Close ("" if none)
	once   sync.Once
	err    error
}

// New starts a server and stops it when the test ends; it fails the test
// (tb.Fatalf) if the server cannot start or refuses a WithFaults rule.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := Start(opts...)
	if err != nil {
		tb.Fatalf("permafrosttest: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("permafrosttest: close: %v", err)
		}
	})
	return s
}

// Start starts a server outside a test (in TestMain, an example or a
// program); the caller stops it with Close.
func Start(opts ...Option) (*Server, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	cfg, tmp, err := o.config()
	if err != nil {
		return nil, err
	}
	inner, err := testserver.Start(cfg, o.logger)
	if err != nil {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
		return nil, err
	}
	s := &Server{srv: inner, region: cfg.Region, tmp: tmp, signed: len(o.creds) > 0,
		key: Credential{AccessKeyID: "AKIDPERMAFROST", SecretAccessKey: "secret", Admin: true}}
	if s.signed {
		s.key = o.creds[0]
		for _, c := range o.creds {
			if c.Admin {
				s.key = c
				break
			}
		}
	}
	s.client = s.NewClient(s.region, s.key.AccessKeyID, s.key.SecretAccessKey)
	for _, rule := range o.faults {
		if err := s.addFault(rule); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Endpoint is the server's base URL, e.g. http://127.0.0.1:41234, for any
// other client (the aws CLI's --endpoint-url, boto3's endpoint_url).
func (s *Server) Endpoint() string { return s.srv.Endpoint }

// Client is a Glacier client for the server's region with the first
// administrator of WithCredentials (else their first key; any key when
// signatures are not verified). Like every client of NewClient it has the
// SDK's standard retryer, as production code does.
func (s *Server) Client() *glacier.Client { return s.client }

// NewClient returns a Glacier client for this server with the given region
// and static credentials.
func (s *Server) NewClient(region, accessKeyID, secretAccessKey string) *glacier.Client {
	return glacier.New(glacier.Options{
		Region:       region,
		BaseEndpoint: aws.String(s.srv.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, ""),
	})
}

// AdvanceClock moves the server's clock forward by d, as POST
// /_permafrost/clock/advance does, lets the jobs, lock expiries and
// inventories that fall due happen, and returns the server's new time. As
// there, d must be positive and at most 100 years (876000h); a refused
// advance returns an error and leaves the clock as it was.
func (s *Server) AdvanceClock(d time.Duration) (time.Time, error) {
	return s.srv.Main.AdvanceClock(context.Background(), d)
}

// TakeInventories takes every vault's inventory now, as POST
// /_permafrost/inventory does, and returns how many it took. Only daily
// inventories (WithProfile("aws")) are taken; with live ones (the default)
// there is nothing to take.
func (s *Server) TakeInventories() (int, error) {
	return s.srv.Main.TakeInventories(context.Background())
}

// Close stops the server, waiting up to 10 seconds for requests in flight,
// and removes its temporary files (not a WithDataDir directory). New calls
// it when the test ends; calling it again returns the first result.
func (s *Server) Close() error {
	s.once.Do(func() {
		s.err = s.srv.Close()
		if s.tmp != "" {
			if err := os.RemoveAll(s.tmp); err != nil {
				s.err = errors.Join(s.err, err)
			}
		}
	})
	return s.err
}

// addFault POSTs one rule to /_permafrost/faults.
func (s *Server) addFault(rule string) error {
	status, body, err := s.emulatorPost("faults", rule)
	if err != nil {
		return fmt.Errorf("WithFaults: %w", err)
	}
	if status/100 != 2 {
		return fmt.Errorf("WithFaults: POST /_permafrost/faults answered %d %s: %s (rule %s)",
			status, http.StatusText(status), body, rule)
	}
	return nil
}

// emulatorPost POSTs body to /_permafrost/PATH, signed by an administrator
// when signatures are verified, and returns the answer's status and (the
// start of) its body.
func (s *Server) emulatorPost(path, body string) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.srv.Endpoint+"/_permafrost/"+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.signed {
		if !s.key.Admin {
			return 0, nil, errors.New("with WithCredentials, only an administrator may use the emulator's endpoints: mark one key Admin")
		}
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: s.key.AccessKeyID, SecretAccessKey: s.key.SecretAccessKey}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "glacier", s.region, time.Now()); err != nil {
			return 0, nil, err
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	return resp.StatusCode, bytes.TrimSpace(answer), nil
}

// writeCredentials writes the credentials file of --credentials in dir.
func writeCredentials(dir string, creds []Credential) (string, error) {
	var b strings.Builder
	for _, c := range creds {
		fmt.Fprintf(&b, "%s %s %s", c.AccessKeyID, c.SecretAccessKey, c.AccountID)
		if c.Admin {
			b.WriteString(" admin")
		}
		b.WriteString("\n")
	}
	path := filepath.Join(dir, "credentials")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}
