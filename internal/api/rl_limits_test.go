package api_test

// Resource limits and timeouts (issue 10, deliverable 4): bodies that never
// arrive, unsigned bodies with signatures on, readers that stop reading,
// and upload bodies beyond the buffer budget. Every test goes through real
// HTTP on a raw connection, so that it can stall where a client would.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"permafrost/internal/config"
	"permafrost/internal/testserver"
)

// rlHang bounds every wait of these tests: a server that holds a stalled
// request for ever fails the test instead of hanging it.
const rlHang = 10 * time.Second

// rlDial opens a raw connection to srv that fails reads and writes after
// rlHang.
func rlDial(t *testing.T, srv *testserver.Server) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.Endpoint, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(rlHang))
	return conn
}

// rlAnswer is what a stalled request got back.
type rlAnswer struct {
	status int
	code   string
	typ    string
	// closed is set when the server closed the connection after the
	// answer (or instead of one: status 0).
	closed bool
}

// rlStall sends head (a request line and headers, without the blank line),
// then partial of the declared body, then nothing, and reports the answer.
func rlStall(t *testing.T, srv *testserver.Server, head string, partial []byte) rlAnswer {
	t.Helper()
	conn := rlDial(t, srv)
	fmt.Fprintf(conn, "%s\r\nHost: x\r\nx-amz-glacier-version: 2012-06-01\r\n\r\n", head)
	conn.Write(partial)
	return rlRead(t, conn, true)
}

// rlRead reads one answer from conn and then, if waitClose is set, whether
// the server closes the connection.
func rlRead(t *testing.T, conn net.Conn, waitClose bool) rlAnswer {
	t.Helper()
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("no answer within %v: the server holds the request", rlHang)
		}
		return rlAnswer{closed: true} // closed without an answer
	}
	var body struct{ Code, Type string }
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	a := rlAnswer{status: resp.StatusCode, code: body.Code, typ: body.Type}
	if !waitClose {
		return a
	}
	_, err = br.ReadByte()
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("answered %d %s, but the connection was still open after %v", a.status, a.code, rlHang)
	}
	a.closed = err != nil
	return a
}

// A body declared and never sent does not hold the server: an operation
// that reads it answers RequestTimeoutException (408) after the body idle
// timeout, one that does not answers at once and closes the connection.
// Before, every one of these waited for the body for ever (issue 10).
func TestRLStalledBodyIsCut(t *testing.T) {
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) { c.BodyIdleTimeout = 300 * time.Millisecond }))
	createVault(t, srv.Client, "V")
	for _, tc := range []struct {
		name, head string
		partial    string
		want       int // 0: any answer, the connection closed after it
	}{
		{"DescribeVault GET", "GET /-/vaults/V HTTP/1.1\r\nContent-Length: 100", "", 0},
		{"ListVaults GET, part sent", "GET /-/vaults HTTP/1.1\r\nContent-Length: 100", "{}", 0},
		{"DeleteVaultAccessPolicy DELETE", "DELETE /-/vaults/V/access-policy HTTP/1.1\r\nContent-Length: 10", "", 0},
		{"SetVaultAccessPolicy PUT", "PUT /-/vaults/V/access-policy HTTP/1.1\r\nContent-Length: 100", `{"Policy":`, http.StatusRequestTimeout},
		{"AddTagsToVault POST", "POST /-/vaults/V/tags?operation=add HTTP/1.1\r\nContent-Length: 100", "", http.StatusRequestTimeout},
		{"InitiateJob POST, chunked", "POST /-/vaults/V/jobs HTTP/1.1\r\nTransfer-Encoding: chunked", "5\r\n{\"Typ", http.StatusRequestTimeout},
		{"emulator endpoint", "POST /_permafrost/clock/advance?by=1s HTTP/1.1\r\nContent-Length: 100", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := rlStall(t, srv, tc.head, []byte(tc.partial))
			if tc.want != 0 && (a.status != tc.want || a.code != "RequestTimeoutException" || a.typ != "Client") {
				t.Errorf("got %d %s %s, want %d RequestTimeoutException Client", a.status, a.code, a.typ, tc.want)
			}
			if !a.closed {
				t.Errorf("answered %d %s and kept the connection of an unfinished body", a.status, a.code)
			}
		})
	}
	// The server still serves.
	if _, err := srv.Client.ListVaults(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
}

// With signatures on, a request that cannot be authenticated is refused
// before its body is read: the body idle timeout is an hour here, so a
// server that waited for the body would not answer within the test's
// bound. Before, the body was read (and waited for) first.
func TestRLUnauthenticatedBodyNotAwaited(t *testing.T) {
	path := auWriteCredentials(t)
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) {
		c.Credentials = path
		c.BodyIdleTimeout = time.Hour
	}))
	sign := func(key, secret string, when time.Time) string {
		req := newRawRequest(t, srv, "PUT", "/-/vaults/V/access-policy", nil)
		req.ContentLength = 100
		signRequest(t, req, key, secret, testRegion, linearHash([]byte("anything")), when)
		var b strings.Builder
		b.WriteString("PUT /-/vaults/V/access-policy HTTP/1.1\r\nContent-Length: 100")
		for k, v := range req.Header {
			if k != "X-Amz-Glacier-Version" {
				fmt.Fprintf(&b, "\r\n%s: %s", k, v[0])
			}
		}
		return b.String()
	}
	for _, tc := range []struct{ name, head, code string }{
		{"unsigned", "PUT /-/vaults/V/access-policy HTTP/1.1\r\nContent-Length: 100", "MissingAuthenticationTokenException"},
		{"unsigned upload", "POST /-/vaults/V/archives HTTP/1.1\r\nContent-Length: 1048576\r\nx-amz-sha256-tree-hash: " + strings.Repeat("0", 64),
			"MissingAuthenticationTokenException"},
		{"unknown key", sign("AKIDNOBODY", "x", time.Now()), "UnrecognizedClientException"},
		{"stale signature", sign(auAliceKey, auAliceSecret, time.Now().Add(-time.Hour)), "InvalidSignatureException"},
		{"malformed signature", "PUT /-/vaults/V/access-policy HTTP/1.1\r\nContent-Length: 100\r\nAuthorization: AWS4-HMAC-SHA256 nonsense",
			"IncompleteSignatureException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := rlStall(t, srv, tc.head, nil)
			if a.code != tc.code || a.typ != "Client" {
				t.Errorf("got %d %s %s, want %s", a.status, a.code, a.typ, tc.code)
			}
			if !a.closed {
				t.Errorf("kept the connection of an unread body")
			}
		})
	}
}

// A GetJobOutput whose client stops reading is cut after the write idle
// timeout, from the memory store (buffered writes) and the durable store
// (sendfile). Before, the server waited on the client for ever.
func TestRLJobOutputReaderThatStopsIsCut(t *testing.T) {
	for _, durable := range []bool{false, true} {
		name := map[bool]string{false: "memory", true: "durable"}[durable]
		t.Run(name, func(t *testing.T) {
			srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) {
				c.WriteIdleTimeout = 200 * time.Millisecond
				if durable {
					c.Memory, c.DataDir = false, t.TempDir()
				}
			}))
			createVault(t, srv.Client, "V")
			const size = 32 << 20 // far more than the sockets buffer
			id := jbUpload(t, srv.Client, "V", jbData(size, 1), "")
			job := jbArchiveJob(t, srv.Client, "V", id, "")
			jbDescribe(t, srv.Client, "V", job)
			conn := rlDial(t, srv)
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetReadBuffer(16 << 10)
			}
			fmt.Fprintf(conn, "GET /-/vaults/V/jobs/%s/output HTTP/1.1\r\nHost: x\r\nx-amz-glacier-version: 2012-06-01\r\n\r\n", job)
			br := bufio.NewReaderSize(conn, 4096)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK || resp.ContentLength != size {
				t.Fatalf("got %d with %d bytes", resp.StatusCode, resp.ContentLength)
			}
			// Stop reading for well over the write idle timeout, then read
			// what the server sent before it gave up.
			time.Sleep(2 * time.Second)
			n, err := io.Copy(io.Discard, resp.Body)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the body neither ended nor was cut within %v", rlHang)
			}
			if n >= size {
				t.Fatalf("the whole output (%d bytes) was sent to a client that had stopped reading", n)
			}
			t.Logf("cut after %d of %d bytes", n, size)
			jbOutput(t, srv.Client, "V", job, "") // the server still serves
		})
	}
}

// Upload bodies beyond the buffer budget wait for their turn, and one that
// waits longer than the queue timeout gets ThrottlingException (400,
// Client); the server then serves as before.
func TestRLUploadsQueueThenThrottle(t *testing.T) {
	// The smallest budget admits 17 blob-sized bodies (16 KiB each).
	const admitted = config.MinUploadBufferMemory / (16 << 10)
	stalled := func(t *testing.T, srv *testserver.Server) []net.Conn {
		var conns []net.Conn
		for range admitted {
			conn := rlDial(t, srv)
			fmt.Fprintf(conn, "POST /-/vaults/V/archives HTTP/1.1\r\nHost: x\r\nx-amz-glacier-version: 2012-06-01\r\n"+
				"x-amz-sha256-tree-hash: %s\r\nContent-Length: %d\r\n\r\n", strings.Repeat("0", 64), 1<<20)
			conns = append(conns, conn)
		}
		time.Sleep(300 * time.Millisecond) // they reach the budget
		return conns
	}
	upload := func(t *testing.T, srv *testserver.Server) rlAnswer {
		body := jbData(100<<10, 2)
		conn := rlDial(t, srv)
		fmt.Fprintf(conn, "POST /-/vaults/V/archives HTTP/1.1\r\nHost: x\r\nx-amz-glacier-version: 2012-06-01\r\n"+
			"x-amz-sha256-tree-hash: %s\r\nContent-Length: %d\r\n\r\n", treeHash(body), len(body))
		conn.Write(body)
		return rlRead(t, conn, false)
	}
	t.Run("queues", func(t *testing.T) {
		srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) {
			c.UploadBufferMemory = config.MinUploadBufferMemory
			c.UploadQueueTimeout = rlHang
		}))
		createVault(t, srv.Client, "V")
		conns := stalled(t, srv)
		done := make(chan rlAnswer, 1)
		go func() { done <- upload(t, srv) }()
		time.Sleep(300 * time.Millisecond)
		conns[0].Close() // its ticket goes to the waiting upload
		if a := <-done; a.status != http.StatusCreated {
			t.Fatalf("the queued upload got %d %s, want 201", a.status, a.code)
		}
	})
	t.Run("throttles", func(t *testing.T) {
		srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) {
			c.UploadBufferMemory = config.MinUploadBufferMemory
			c.UploadQueueTimeout = 100 * time.Millisecond
		}))
		createVault(t, srv.Client, "V")
		conns := stalled(t, srv)
		var a rlAnswer
		// A stalled body that reached the budget late lets one upload
		// through, and takes its place; the next one waits.
		for range 5 {
			if a = upload(t, srv); a.status != http.StatusCreated {
				break
			}
		}
		if a.status != http.StatusBadRequest || a.code != "ThrottlingException" || a.typ != "Client" {
			t.Fatalf("beyond the budget: %d %s %s, want 400 ThrottlingException Client", a.status, a.code, a.typ)
		}
		for _, c := range conns {
			c.Close()
		}
		for range 50 { // the stalled bodies' tickets come back as the server sees them go
			if a = upload(t, srv); a.status == http.StatusCreated {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("after the stalled uploads went: %d %s, want 201", a.status, a.code)
	})
}

// Requests whose bodies were read to their declared end keep their
// connection: the limits above close only connections with a body left
// unread.
func TestRLCompleteBodiesKeepTheConnection(t *testing.T) {
	srv := testserver.New(t)
	createVault(t, srv.Client, "V")
	conn := rlDial(t, srv)
	br := bufio.NewReader(conn)
	for i, body := range [][]byte{jbData(4096, 1), jbData(200<<10, 2), jbData(4096, 3)} {
		fmt.Fprintf(conn, "POST /-/vaults/V/archives HTTP/1.1\r\nHost: x\r\nx-amz-glacier-version: 2012-06-01\r\n"+
			"x-amz-sha256-tree-hash: %s\r\nContent-Length: %d\r\n\r\n", treeHash(body), len(body))
		conn.Write(body)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("upload %d on the same connection: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated || resp.Close {
			t.Fatalf("upload %d: %d, close %v; want 201 on a kept connection", i, resp.StatusCode, resp.Close)
		}
	}
	policy := `{"Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"glacier:ListJobs\",\"Resource\":\"*\"}]}"}`
	fmt.Fprintf(conn, "PUT /-/vaults/V/access-policy HTTP/1.1\r\nHost: x\r\nx-amz-glacier-version: 2012-06-01\r\nContent-Length: %d\r\n\r\n%s", len(policy), policy)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Close {
		t.Fatalf("SetVaultAccessPolicy: %d, close %v; want 204 on a kept connection", resp.StatusCode, resp.Close)
	}
}

// The write idle limit starts when the answer does: an upload whose body
// takes longer than the limit to arrive still gets its answer.
func TestRLWriteLimitStartsWithTheAnswer(t *testing.T) {
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) { c.WriteIdleTimeout = 100 * time.Millisecond }))
	createVault(t, srv.Client, "V")
	body := jbData(200<<10, 4)
	conn := rlDial(t, srv)
	fmt.Fprintf(conn, "POST /-/vaults/V/archives HTTP/1.1\r\nHost: x\r\nx-amz-glacier-version: 2012-06-01\r\n"+
		"x-amz-sha256-tree-hash: %s\r\nContent-Length: %d\r\n\r\n", treeHash(body), len(body))
	conn.Write(body[:1000])
	time.Sleep(500 * time.Millisecond)
	conn.Write(body[1000:])
	if a := rlRead(t, conn, false); a.status != http.StatusCreated {
		t.Fatalf("got %d %s (closed %v), want 201", a.status, a.code, a.closed)
	}
}

// Control-plane bodies, read whole, take their size from the same budget
// as upload bodies: slow senders of large JSON bodies queue and are then
// throttled instead of each holding up to 1 MiB.
func TestRLControlPlaneBodiesShareTheBudget(t *testing.T) {
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) {
		c.UploadBufferMemory = config.MinUploadBufferMemory
		c.UploadQueueTimeout = 100 * time.Millisecond
	}))
	createVault(t, srv.Client, "V")
	policy := func(size int) string { // a tags body padded to size bytes
		return fmt.Sprintf(`{"Tags":{"k":"%s"}}`, strings.Repeat("v", size-14))
	}
	send := func(conn net.Conn, body string) {
		fmt.Fprintf(conn, "POST /-/vaults/V/tags?operation=add HTTP/1.1\r\nHost: x\r\nx-amz-glacier-version: 2012-06-01\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	}
	// Half the budget is the most one body takes: two such stalled
	// bodies hold all of it.
	var stalled []net.Conn
	for range 2 {
		conn := rlDial(t, srv)
		fmt.Fprintf(conn, "POST /-/vaults/V/tags?operation=add HTTP/1.1\r\nHost: x\r\nx-amz-glacier-version: 2012-06-01\r\nContent-Length: %d\r\n\r\n{", 200<<10)
		stalled = append(stalled, conn)
	}
	time.Sleep(300 * time.Millisecond)
	conn := rlDial(t, srv)
	send(conn, policy(100<<10))
	if a := rlRead(t, conn, false); a.status != http.StatusBadRequest || a.code != "ThrottlingException" {
		t.Fatalf("a control-plane body beyond the budget: %d %s, want 400 ThrottlingException", a.status, a.code)
	}
	for _, c := range stalled {
		c.Close()
	}
	var a rlAnswer
	for range 50 { // their tickets come back as the server sees them go
		conn := rlDial(t, srv)
		send(conn, policy(100<<10))
		if a = rlRead(t, conn, false); a.status != http.StatusBadRequest || a.code != "ThrottlingException" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The tag value is too long for a tag (256 characters): refused, but
	// by the tag rules, once admitted.
	if a.status != http.StatusBadRequest || a.code != "InvalidParameterValueException" {
		t.Fatalf("once the stalled bodies went: %d %s, want the tag rules' 400 InvalidParameterValueException", a.status, a.code)
	}
}
