package api_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"permafrost/internal/config"
	"permafrost/internal/testserver"
)

// An upload whose body stops arriving fails with 408
// RequestTimeoutException after the idle timeout instead of holding the
// server, and stores nothing.
func TestDPStalledUploadTimesOut(t *testing.T) {
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) { c.BodyIdleTimeout = 300 * time.Millisecond }))
	createVault(t, srv.Client, "V")
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.Endpoint, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const declared = 1 << 20 // a blob-sized body: the stall must leave no file either
	fmt.Fprintf(conn, "POST /-/vaults/V/archives HTTP/1.1\r\nHost: x\r\nx-amz-glacier-version: 2012-06-01\r\n"+
		"x-amz-sha256-tree-hash: %s\r\nContent-Length: %d\r\n\r\n", strings.Repeat("0", 64), declared)
	conn.Write(make([]byte, 1000)) // then silence, with the connection left open
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled upload: %v", err)
	}
	defer resp.Body.Close()
	var body struct{ Code, Type string }
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusRequestTimeout || body.Code != "RequestTimeoutException" || body.Type != "Client" {
		t.Fatalf("got %d %+v, want 408 RequestTimeoutException", resp.StatusCode, body)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("answered after %v", waited)
	}
	dpWantCounts(t, srv.Client, "V", 0, 0)
}
