package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"permafrost/internal/api"
	"permafrost/internal/config"
)

// health is "permafrost health [--addr A] [--timeout D]": it asks a
// server's health endpoint and exits 0 when it answers 200, 1 otherwise,
// saying why in one line. It needs no shell, so a container built FROM
// scratch can use it as its HEALTHCHECK.
func health(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	addr := config.Default().Addr
	if v := getenv("PERMAFROST_ADDR"); v != "" {
		addr = v
	}
	fs := flag.NewFlagSet("permafrost health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&addr, "addr", addr, "address of the server to check, as the server's --addr (env PERMAFROST_ADDR)")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: permafrost health [flags]\n\nExits 0 if the server at --addr answers GET %shealth with 200, else 1.\n\n", api.EmulatorPrefix)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "permafrost health: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	url := "http://" + dialable(addr) + api.EmulatorPrefix + "health"
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "permafrost health: %v\n", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stdout, "unhealthy: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	var body struct{ Status, Message string }
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
	if resp.StatusCode != http.StatusOK {
		msg := body.Message
		if msg == "" {
			msg = body.Status
		}
		fmt.Fprintf(stdout, "unhealthy: %s answered %s: %s\n", url, resp.Status, msg)
		return 1
	}
	fmt.Fprintf(stdout, "healthy: %s answered %s\n", url, strings.TrimSpace(resp.Status))
	return 0
}

// dialable turns a listening address into one to connect to: an
// unspecified host (":4566", "0.0.0.0:4566", "[::]:4566", as inside a
// container) means this machine, so loopback.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if ip != nil && ip.To4() == nil {
			host = "::1"
		} else {
			host = "127.0.0.1"
		}
	}
	return net.JoinHostPort(host, port)
}
