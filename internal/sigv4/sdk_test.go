package sigv4

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/logging"
)

// signTime is a fixed signing time; "now" in these tests is relative to it.
var signTime = time.Date(2024, 3, 9, 23, 50, 7, 0, time.UTC)

// newSDKSigner returns the real aws-sdk-go-v2 signer, configured to hand
// back the canonical request it built.
func newSDKSigner(canonical *string) *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) {
		o.LogSigning = true
		o.Logger = logging.LoggerFunc(func(_ logging.Classification, format string, v ...any) {
			if len(v) > 0 {
				if s, ok := v[0].(string); ok {
					*canonical = s
				}
			}
		})
	})
}

type sdkCase struct {
	name, method, url, region string
	body                      string
	headers                   map[string]string
	host                      string // optional Host override
}

// sdkSign builds a Glacier-like request (as the glacier client does: API
// version and content-sha256 headers) and signs it with the SDK.
func sdkSign(t testing.TB, c sdkCase, akid, secret string, at time.Time) (*http.Request, string) {
	t.Helper()
	r, err := http.NewRequest(c.method, c.url, bytes.NewReader([]byte(c.body)))
	if err != nil {
		t.Fatal(err)
	}
	if c.body == "" {
		r.Body, r.GetBody, r.ContentLength = http.NoBody, nil, 0
	}
	if c.host != "" {
		r.Host = c.host
	}
	hash := sha256Hex([]byte(c.body))
	r.Header.Set("X-Amz-Glacier-Version", "2012-06-01")
	r.Header.Set("X-Amz-Content-Sha256", hash)
	r.Header.Set("User-Agent", "aws-sdk-go-v2/test") // unsigned by the SDK
	for k, v := range c.headers {
		r.Header.Set(k, v)
	}
	region := c.region
	if region == "" {
		region = "us-east-1"
	}
	var canonical string
	err = newSDKSigner(&canonical).SignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}, r, hash, "glacier", region, at)
	if err != nil {
		t.Fatal(err)
	}
	return r, canonical
}

const testHost = "http://glacier.us-east-1.amazonaws.com"

var sdkCases = []sdkCase{
	{name: "DescribeVault", method: "GET", url: testHost + "/-/vaults/my-vault"},
	{name: "dotted vault eu-west-1", method: "GET", url: "http://glacier.eu-west-1.amazonaws.com/-/vaults/my.vault.2024", region: "eu-west-1"},
	{name: "explicit account", method: "GET", url: testHost + "/012345678901/vaults/Vault_1-a.b"},
	{name: "DeleteArchive", method: "DELETE", url: testHost + "/-/vaults/v/archives/NkbByEejwEggmBz2fTHgJrg0XBoDfjP4q6iu87-TjhqG6eGoOY9Z8i1_AUyUsuhPAdTqLHy8pTl5nfCFJmDl2yEZONi5L26Omw12vcs01MNGntHEQL8MBfGlqrEXAMPLEArchiveId"},
	{name: "ListJobs query", method: "GET", url: testHost + "/-/vaults/v/jobs?completed=true&limit=10&marker=abc-DEF_123&statuscode=InProgress"},
	{name: "AddTags operation=add", method: "POST", url: testHost + "/-/vaults/v/tags?operation=add", body: `{"Tags":{"k":"v"}}`},
	{name: "UploadArchive", method: "POST", url: testHost + "/-/vaults/v/archives", body: strings.Repeat("archive data ", 100),
		headers: map[string]string{"X-Amz-Archive-Description": "my   archive  description", "X-Amz-Sha256-Tree-Hash": strings.Repeat("ab", 32)}},
	{name: "UploadPart range", method: "PUT", url: testHost + "/-/vaults/v/multipart-uploads/UPLOAD-ID_x", body: "part",
		headers: map[string]string{"Content-Range": "bytes 0-3/*", "Content-Type": "application/octet-stream"}},
	{name: "query with specials", method: "GET", url: testHost + "/-/vaults/v/jobs?" + url.Values{"marker": {"a b+c/d=e&f~"}, "limit": {"5"}}.Encode()},
	{name: "escaped space in path", method: "GET", url: testHost + "/-/vaults/my%20vault"},
	{name: "escaped slash in path", method: "GET", url: testHost + "/-/vaults/a%2Fb"},
	{name: "non-ascii path", method: "GET", url: testHost + "/-/vaults/%C3%BC-%E2%82%AC"},
	{name: "host override", method: "GET", url: testHost + "/-/vaults/v", host: "glacier.us-east-1.amazonaws.com"},
}

// TestSDKCanonicalRequestMatches compares our canonical request with the one
// the SDK logged while signing, byte for byte.
func TestSDKCanonicalRequestMatches(t *testing.T) {
	for _, c := range sdkCases {
		t.Run(c.name, func(t *testing.T) {
			r, sdkCR := sdkSign(t, c, testAKID, testSecret, signTime)
			a, _, err := parseAuthHeader(r.Header.Get("Authorization"))
			if err != nil {
				t.Fatal(err)
			}
			ours := string(appendCanonicalRequest(nil, r, &a, r.URL.RawQuery, false, sha256Hex([]byte(c.body))))
			if ours != sdkCR {
				t.Fatalf("canonical request differs\nours:\n%s\nsdk:\n%s", ours, sdkCR)
			}
		})
	}
}

// TestSDKRoundTripDirect verifies SDK-signed client requests in process.
func TestSDKRoundTripDirect(t *testing.T) {
	creds := testCreds(t)
	for _, c := range sdkCases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := sdkSign(t, c, testAKID, testSecret, signTime)
			res, cred, err := Verify(r, sha256Hex([]byte(c.body)), creds, signTime.Add(3*time.Minute))
			wantCode(t, err, "")
			region := c.region
			if region == "" {
				region = "us-east-1"
			}
			if res != (Result{AccessKeyID: testAKID, Region: region}) || cred.AccountID != testAccount {
				t.Fatalf("got %+v %+v", res, cred)
			}
		})
	}
}

// verifyServer runs Verify inside a real HTTP server, so the request is
// seen exactly as it arrives on the wire.
func verifyServer(t *testing.T, creds *Credentials, now time.Time, presigned bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hash := ""
		if !presigned {
			hash = sha256Hex(body)
		}
		res, _, err := Verify(r, hash, creds, now)
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		io.WriteString(w, res.AccessKeyID+" "+res.Region)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, r *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestSDKRoundTripOverHTTP(t *testing.T) {
	srv := verifyServer(t, testCreds(t), signTime.Add(-time.Minute), false)
	for _, c := range sdkCases {
		t.Run(c.name, func(t *testing.T) {
			u, _ := url.Parse(c.url)
			c.url = srv.URL + u.RequestURI()
			r, _ := sdkSign(t, c, testAKID, testSecret, signTime)
			if code, body := send(t, r); code != 200 {
				t.Fatalf("status %d: %s", code, body)
			}
		})
	}
}
