package faults_test

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A client that half-closes its side after sending a request (shutdown
// SHUT_WR, as some tools do to say "that was all") is, to net/http, a
// client that went away: the request's context ends. The server must then
// close the connection without an answer; returning without writing once
// let net/http send an implicit "200 OK" with no body, which the client,
// still reading, took for success. Here the request waits in a latency
// rule, so it is always still being served when the half-close arrives.
func TestHalfClosedClientGetsNoFakeAnswer(t *testing.T) {
	s := newServer(t)
	createVault(t, s.noRetry(t), "v")
	s.addRule(t, `{"operations":["DescribeVault"],"effect":{"latency":{"before":"20s"}}}`)
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	start := time.Now()
	fmt.Fprintf(conn, "GET /-/vaults/v HTTP/1.1\r\nHost: %s\r\nx-amz-glacier-version: 2012-06-01\r\n\r\n", u.Host)
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("reading after the half-close: %v (got %q); want the server to close the connection", err, got)
	}
	if len(got) != 0 {
		line, _, _ := strings.Cut(string(got), "\r\n")
		t.Errorf("the half-closed request was answered %q; want no answer (the request was cut short)", line)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the connection was closed after %v, not when the client went away", d)
	}
}
