// Command permafrost serves the Amazon Glacier vault API on loopback.
//
//	permafrost [flags]           serve (see --help)
//	permafrost --version         print the version, the commit and the Go version
//	permafrost health [--addr A] exit 0 if the server at A is healthy, else 1
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"permafrost/internal/app"
	"permafrost/internal/config"
)

func main() {
	os.Exit(run())
}

func run() int {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "--version", "-version":
			fmt.Println(versionLine())
			return 0
		case "health":
			return health(os.Args[2:], os.Getenv, os.Stdout, os.Stderr)
		}
	}
	cfg, err := config.Parse(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, config.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "permafrost:", err)
		return 2
	}
	logger, _ := cfg.NewLogger(os.Stderr) // validated by Parse
	// Register before the ready line: a supervisor may signal as soon as it
	// sees it.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	m, err := app.New(cfg, logger, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "permafrost:", err)
		return 1
	}
	if err := m.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "permafrost:", err)
		_ = m.Close(context.Background())
		return 1
	}
	where := cfg.StorageSummary()
	fmt.Printf("permafrost listening on %s, %s, %s\n", m.Endpoint(), where, m.ProfileSummary())

	s := <-sig
	logger.Info("shutting down", "signal", s.String())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.Close(ctx); err != nil {
		logger.Error("shutdown", "err", err)
		return 1
	}
	return 0
}
