// Package testserver starts an in-process permafrost server for this
// module's tests and hands back a ready aws-sdk-go-v2 Glacier client. Its
// options and fields expose internal types (config.Config, app.Main), so
// it is for permafrost's own tests; the public package permafrosttest is
// built on it for every other module.
//
//	srv := testserver.New(t)
//	_, err := srv.Client.CreateVault(ctx, &glacier.CreateVaultInput{AccountId: aws.String("-"), VaultName: aws.String("v")})
package testserver

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/app"
	"permafrost/internal/config"
)

// Server is a running in-process permafrost.
type Server struct {
	// Endpoint is the base URL, e.g. http://127.0.0.1:41234.
	Endpoint string
	// Client is a Glacier client for the default account and region.
	Client *glacier.Client
	// Main gives tests access to the running server's parts.
	Main *app.Main
}

// Option adjusts the configuration before the server starts.
type Option func(*config.Config)

// WithConfig lets a test change any setting.
func WithConfig(f func(*config.Config)) Option { return Option(f) }

// New starts a server on a random loopback port with in-memory state. It is
// stopped by t.Cleanup.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	cfg := Config()
	for _, o := range opts {
		o(&cfg)
	}
	s, err := Start(cfg, nil)
	if err != nil {
		tb.Fatalf("testserver: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("testserver: close: %v", err)
		}
	})
	return s
}

// Config is New's configuration before its options: the defaults, on a
// random loopback port, in memory.
func Config() config.Config {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.Memory = true
	return cfg
}

// Start starts a server with cfg and opts (app.WithStore, say), logging
// to logger (nil discards the log). The caller stops it with Close.
func Start(cfg config.Config, logger *slog.Logger, opts ...app.Option) (*Server, error) {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	m, err := app.New(cfg, logger, nil, opts...)
	if err != nil {
		return nil, err
	}
	if err := m.Start(); err != nil {
		_ = m.Close(context.Background()) // release the store (a durable one is locked)
		return nil, err
	}
	s := &Server{Endpoint: m.Endpoint(), Main: m}
	s.Client = s.NewClient(cfg.Region, "AKIDPERMAFROST", "secret")
	return s, nil
}

// Close stops the server, waiting up to 10 seconds for requests in flight;
// calling it again returns the first result.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Main.Close(ctx)
}

// NewClient returns a Glacier client for this server with the given region
// and static credentials.
func (s *Server) NewClient(region, accessKey, secret string) *glacier.Client {
	return glacier.New(glacier.Options{
		Region:       region,
		BaseEndpoint: aws.String(s.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		Retryer:      aws.NopRetryer{},
	})
}

// Advance moves the server's clock forward by d, as the
// /_permafrost/clock/advance endpoint does, and lets due jobs complete. As
// there, d must be positive and at most 100 years (876000h), and the
// clock no more than about 292 years (the largest time.Duration) ahead in
// all; Advance panics on an advance the server refuses.
func (s *Server) Advance(d time.Duration) {
	if _, err := s.Main.AdvanceClock(context.Background(), d); err != nil {
		panic("testserver: advancing the clock: " + err.Error())
	}
}

// TakeInventories takes every vault's inventory now, as POST
// /_permafrost/inventory does (with --inventory daily or --profile aws;
// nothing in live mode), and returns how many it took.
func (s *Server) TakeInventories() int {
	n, err := s.Main.TakeInventories(context.Background())
	if err != nil {
		panic("testserver: taking inventories: " + err.Error())
	}
	return n
}
