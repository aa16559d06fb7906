package api_test

// FuzzHandler serves whole HTTP requests built from fuzz input with the
// real Handler over an in-memory store, and fails on any 5xx (but the 503
// of InsufficientCapacityException), any panic or internal error logged,
// and any error that is not the JSON envelope of spec 1.4.
//
// The request bytes go through net/http's own request parser
// (http.ReadRequest), with the checks the server adds before a handler
// runs, so the handler sees what it would see from a socket: chunked
// bodies, lying Content-Lengths, odd paths, queries and headers. Each input
// gets a fresh store holding a vault "v" with an archive, a multipart
// upload with one part, an archive job, an inventory job and a vault lock
// in progress; {archive}, {upload}, {job}, {ijob} and {lock} in the target,
// headers and body stand for their IDs.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"permafrost/internal/api"
	"permafrost/internal/glacier"
	"permafrost/internal/sigv4"
	"permafrost/internal/store/memory"
)

// Framing modes (the low two bits of the fuzz mode byte).
const (
	fhSized   = 0 // Content-Length: len(body) is added
	fhChunked = 1 // the body is sent chunked, in chunks of 1+(mode>>3) bytes
	fhRaw     = 2 // the headers frame the body (or do not) as they say
	fhCreds   = 4 // the server verifies signatures; the request is signed
)

const fhHost = "glacier.us-east-1.amazonaws.com"

// fhEnv is one fresh server state.
type fhEnv struct {
	h     http.Handler
	creds bool
	ids   *strings.Replacer
	logs  *logCapture
}

var fhCredentials = func() *sigv4.Credentials {
	c, err := sigv4.ParseCredentials(strings.NewReader("AKIDFUZZ fuzz-secret 123456789012\n"))
	if err != nil {
		panic(err)
	}
	return c
}()

func newFHEnv(t *testing.T, creds bool) *fhEnv {
	t.Helper()
	logs := &logCapture{}
	svc, err := glacier.New(glacier.Options{Store: memory.New(), Logger: slog.New(logs), RenderJob: api.MarshalJob})
	if err != nil {
		t.Fatal(err)
	}
	o := api.Options{Service: svc, Account: testAccount, Region: testRegion, Logger: slog.New(logs)}
	if creds {
		o.Credentials = fhCredentials
	}
	e := &fhEnv{h: api.New(o), creds: creds, logs: logs}
	do := func(method, target string, hdr map[string]string, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://"+fhHost+target, strings.NewReader(body))
		req.Header.Set("x-amz-glacier-version", "2012-06-01")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		if creds {
			fhSign(t, req, testRegion, linearHash([]byte(body)))
		}
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, req)
		canonicalHeaders(w.Header())
		if w.Code >= 300 {
			t.Fatalf("setup %s %s: %d %s", method, target, w.Code, w.Body)
		}
		return w
	}
	archive := "hello, fuzz"
	do("PUT", "/-/vaults/v", nil, "")
	aid := do("POST", "/-/vaults/v/archives", map[string]string{
		"x-amz-sha256-tree-hash": treeHash([]byte(archive)), "x-amz-content-sha256": linearHash([]byte(archive)),
	}, archive).Header().Get("x-amz-archive-id")
	uid := do("POST", "/-/vaults/v/multipart-uploads", map[string]string{"x-amz-part-size": "1048576"}, "").
		Header().Get("x-amz-multipart-upload-id")
	do("PUT", "/-/vaults/v/multipart-uploads/"+uid, map[string]string{
		"Content-Range": "bytes 0-9/*", "x-amz-sha256-tree-hash": treeHash([]byte("0123456789")),
		"x-amz-content-sha256": linearHash([]byte("0123456789")),
	}, "0123456789")
	jid := do("POST", "/-/vaults/v/jobs", nil, `{"Type":"archive-retrieval","ArchiveId":"`+aid+`"}`).Header().Get("x-amz-job-id")
	ijid := do("POST", "/-/vaults/v/jobs", nil, `{"Type":"inventory-retrieval","Format":"CSV"}`).Header().Get("x-amz-job-id")
	lid := do("POST", "/-/vaults/v/lock-policy", nil, `{"Policy":`+jsonString(fhLockPolicy)+`}`).Header().Get("x-amz-lock-id")
	e.ids = strings.NewReplacer("{archive}", aid, "{upload}", uid, "{job}", jid, "{ijob}", ijid, "{lock}", lid)
	return e
}

const fhLockPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"deny","Principal":"*","Effect":"Deny",` +
	`"Action":"glacier:DeleteArchive","Resource":"arn:aws:glacier:us-east-1:123456789012:vaults/v",` +
	`"Condition":{"NumericLessThanEquals":{"glacier:ArchiveAgeInDays":"365"}}}]}`

// fhSign signs req with the fuzz credentials for region.
func fhSign(tb testing.TB, req *http.Request, region, payload string) {
	tb.Helper()
	if h := req.Header.Get("x-amz-content-sha256"); h != "" {
		payload = h
	}
	creds := aws.Credentials{AccessKeyID: "AKIDFUZZ", SecretAccessKey: "fuzz-secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payload, "glacier", region, time.Now()); err != nil {
		tb.Fatalf("signing: %v", err)
	}
}

// fhRequest builds the raw request bytes of one fuzz input.
func fhRequest(method, target, headers string, body []byte, mode uint8) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", method, target)
	var hasHost, framed bool
	for line := range strings.SplitSeq(headers, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		name, _, _ := strings.Cut(line, ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "host":
			hasHost = true
		case "content-length", "transfer-encoding":
			framed = true
		}
		b.WriteString(line)
		b.WriteString("\r\n")
	}
	if !hasHost {
		b.WriteString("Host: " + fhHost + "\r\n")
	}
	switch {
	case mode&3 == fhChunked && !framed:
		b.WriteString("Transfer-Encoding: chunked\r\n\r\n")
		size := 1 + int(mode>>3)
		for len(body) > 0 {
			n := min(size, len(body))
			fmt.Fprintf(&b, "%x\r\n%s\r\n", n, body[:n])
			body = body[n:]
		}
		b.WriteString("0\r\n\r\n")
		return b.Bytes()
	case mode&3 != fhRaw && !framed:
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// fhValidHeaders applies the checks net/http's server makes after parsing
// and before calling a handler (server.go readRequest).
func fhValidHeaders(req *http.Request) bool {
	if hosts := req.Header["Host"]; len(hosts) > 1 {
		return false
	}
	for k, vv := range req.Header {
		if k == "" {
			return false
		}
		for i := 0; i < len(k); i++ {
			c := k[i]
			if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
				return false
			}
		}
		for _, v := range vv {
			for i := 0; i < len(v); i++ {
				if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
					return false
				}
			}
		}
	}
	return true
}

func FuzzHandler(f *testing.F) {
	type seed struct {
		method, target, headers, body string
		mode                          uint8
	}
	th := func(s string) string { return "x-amz-sha256-tree-hash: " + treeHash([]byte(s)) + "\n" }
	seeds := []seed{
		{"PUT", "/-/vaults/new", "", "", fhSized},
		{"GET", "/-/vaults/v", "", "", fhSized},
		{"DELETE", "/-/vaults/v", "", "", fhSized},
		{"GET", "/-/vaults?limit=2&marker=arn:aws:glacier:us-east-1:123456789012:vaults/v", "", "", fhSized},
		{"POST", "/-/vaults/v/tags?operation=add", "", `{"Tags":{"a":"1","b":"2"}}`, fhSized},
		{"POST", "/-/vaults/v/tags?operation=add", "", `{"Tags":{"a":"1"},"Tags":{"b":"2"}}`, fhSized},
		{"POST", "/-/vaults/v/tags?operation=remove", "", `{"TagKeys":["a","b"]}`, fhChunked},
		{"GET", "/-/vaults/v/tags", "", "", fhSized},
		{"PUT", "/-/vaults/v/access-policy", "", `{"Policy":` + jsonString(fhLockPolicy) + `}`, fhSized},
		{"GET", "/-/vaults/v/access-policy", "", "", fhSized},
		{"DELETE", "/-/vaults/v/access-policy", "", "", fhSized},
		{"PUT", "/-/vaults/v/notification-configuration", "",
			`{"SNSTopic":"arn:aws:sns:us-east-1:123456789012:t","Events":["ArchiveRetrievalCompleted"]}`, fhChunked | 3<<3},
		{"GET", "/-/vaults/v/notification-configuration", "", "", fhSized},
		{"DELETE", "/-/vaults/v/notification-configuration", "", "", fhSized},
		{"POST", "/-/vaults/v/lock-policy", "", `{"Policy":` + jsonString(fhLockPolicy) + `}`, fhSized},
		{"GET", "/-/vaults/v/lock-policy", "", "", fhSized},
		{"POST", "/-/vaults/v/lock-policy/{lock}", "", "", fhSized},
		{"DELETE", "/-/vaults/v/lock-policy", "", "", fhSized},
		{"GET", "/-/policies/data-retrieval", "", "", fhSized},
		{"PUT", "/-/policies/data-retrieval", "", `{"Policy":{"Rules":[{"Strategy":"BytesPerHour","BytesPerHour":10737418240}]}}`, fhSized},
		{"POST", "/-/provisioned-capacity", "", "", fhSized},
		{"GET", "/-/provisioned-capacity", "", "", fhSized},
		{"POST", "/-/vaults/v/archives", th("abc") + "x-amz-archive-description: d\n", "abc", fhSized},
		{"POST", "/-/vaults/v/archives", th("abc"), "abc", fhChunked},
		{"POST", "/-/vaults/v/archives", th("abc") + "Content-Length: 9\n", "abc", fhRaw},
		{"DELETE", "/-/vaults/v/archives/{archive}", "", "", fhSized},
		{"POST", "/-/vaults/v/multipart-uploads", "x-amz-part-size: 1048576\n", "", fhSized},
		{"GET", "/-/vaults/v/multipart-uploads?limit=1", "", "", fhSized},
		{"PUT", "/-/vaults/v/multipart-uploads/{upload}", th("0123456789") + "Content-Range: bytes 0-9/*\n", "0123456789", fhSized},
		{"PUT", "/-/vaults/v/multipart-uploads/{upload}", th("0123456789") + "Content-Range: bytes 0-9/*\n", "0123456789", fhChunked | 2<<3},
		{"PUT", "/-/vaults/v/multipart-uploads/{upload}", th("0123456789") + "Content-Range: bytes 0-9223372036854775807/*\n", "0123456789", fhChunked},
		{"PUT", "/-/vaults/v/multipart-uploads/{upload}", th("0123456789") + "Content-Range: bytes 1048576-1048585/*\nContent-Length: 10\n", "0123456789", fhRaw},
		{"POST", "/-/vaults/v/multipart-uploads/{upload}", th("0123456789") + "x-amz-archive-size: 10\n", "", fhSized},
		{"DELETE", "/-/vaults/v/multipart-uploads/{upload}", "", "", fhSized},
		{"GET", "/-/vaults/v/multipart-uploads/{upload}?limit=5&marker=0", "", "", fhSized},
		{"POST", "/-/vaults/v/jobs", "", `{"Type":"archive-retrieval","ArchiveId":"{archive}","RetrievalByteRange":"0-10","Tier":"Expedited"}`, fhSized},
		{"POST", "/-/vaults/v/jobs", "", `{"Type":"inventory-retrieval","InventoryRetrievalParameters":{"Limit":"1","StartDate":"2013-03-20T17:03:43Z"}}`, fhChunked},
		{"GET", "/-/vaults/v/jobs?statuscode=Succeeded&completed=true&limit=1", "", "", fhSized},
		{"GET", "/-/vaults/v/jobs/{job}", "", "", fhSized},
		{"GET", "/-/vaults/v/jobs/{job}/output", "Range: bytes=0-3\n", "", fhSized},
		{"GET", "/-/vaults/v/jobs/{job}/output", "Range: bytes=-9223372036854775807\n", "", fhSized},
		{"GET", "/-/vaults/v/jobs/{ijob}/output", "Range: bytes=5-\n", "", fhSized},
		{"GET", "/123456789012/vaults/v", "", "", fhCreds},
		{"PUT", "/-/vaults/other", "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/xx-fake-9/glacier/aws4_request, SignedHeaders=host, Signature=00\n", "", fhSized},
		{"PUT", "/-/vaults/v/multipart-uploads/{upload}", th("0123456789") + "Content-Range: bytes 0-9/*\nx-amz-content-sha256: " + linearHash([]byte("0123456789")) + "\n", "0123456789", fhCreds | fhChunked},
	}
	for _, s := range seeds {
		f.Add(s.method, s.target, "x-amz-glacier-version: 2012-06-01\n"+s.headers, []byte(s.body), s.mode)
	}
	f.Fuzz(func(t *testing.T, method, target, headers string, body []byte, mode uint8) {
		env := newFHEnv(t, mode&fhCreds != 0)
		target, headers = env.ids.Replace(target), env.ids.Replace(headers)
		body = []byte(env.ids.Replace(string(body)))
		raw := fhRequest(method, target, headers, body, mode)
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil || !fhValidHeaders(req) || (req.Host == "" && req.ProtoAtLeast(1, 1)) {
			return // net/http answers these itself, before any handler
		}
		if env.creds {
			fhSign(t, req, testRegion, linearHash(body))
		}
		w := httptest.NewRecorder()
		env.h.ServeHTTP(w, req)
		if errs := env.logs.errors(); len(errs) > 0 {
			t.Fatalf("%s %s: %d error(s) logged, the first: %+v", method, target, len(errs), errs[0])
		}
		var e struct{ Code, Message, Type string }
		if w.Code >= 400 {
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code == "" || e.Message == "" {
				t.Fatalf("%s %s: %d with a body that is not an error envelope: %q", method, target, w.Code, w.Body)
			}
		}
		if w.Code >= 500 && e.Code != "InsufficientCapacityException" {
			t.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body)
		}
		t.Logf("%s %s -> %d %.120s", method, target, w.Code, w.Body)
		_, _ = io.Copy(io.Discard, req.Body)
	})
}
