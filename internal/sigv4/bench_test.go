package sigv4

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// BenchmarkVerify verifies a typical SDK-signed DescribeVault GET, as it
// arrives at the server.
func BenchmarkVerify(b *testing.B) {
	creds := testCreds(b)
	c, _ := sdkSign(b, sdkCase{method: "GET", url: testHost + "/-/vaults/my-vault"}, testAKID, testSecret, signTime)
	r := serverSide(c)
	now := signTime.Add(time.Second)
	if _, _, err := Verify(r, emptySHA256, creds, now); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Verify(r, emptySHA256, creds, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyPresigned covers the presigned form with a query string.
func BenchmarkVerifyPresigned(b *testing.B) {
	creds := testCreds(b)
	u, h := presign(b, presignURL+"?limit=5", 3600, unsignedPayload, signTime)
	r := serverSide(presignedRequest(b, u, h))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Verify(r, "", creds, signTime); err != nil {
			b.Fatal(err)
		}
	}
}

// serverSide turns a client request into what a server handler would see.
func serverSide(c *http.Request) *http.Request {
	r := &http.Request{
		Method:     c.Method,
		URL:        &url.URL{Path: c.URL.Path, RawPath: c.URL.RawPath, RawQuery: c.URL.RawQuery},
		RequestURI: c.URL.RequestURI(),
		Host:       c.Host,
		Header:     c.Header.Clone(),
	}
	if r.Host == "" {
		r.Host = c.URL.Host
	}
	return r
}
