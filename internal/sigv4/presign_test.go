package sigv4

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const presignURL = "http://glacier.eu-west-1.amazonaws.com/-/vaults/my.vault/jobs/HkF9p6o7yjhFx-K3CGl6fuSm6VzW9T7esGQfco8nUXVYwS0jlb5gq1JZ55yHgt5vP54ZShjoQzQVVh7vEXAMPLEjobID/output"

func presignedRequest(t testing.TB, u string, h http.Header) *http.Request {
	t.Helper()
	r, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		if k != "Host" {
			r.Header[k] = v
		}
	}
	return r
}

func TestPresignRoundTrip(t *testing.T) {
	creds := testCreds(t)
	u, h := presign(t, presignURL+"?limit=5", 3600, unsignedPayload, signTime)
	if !strings.Contains(u, "X-Amz-Signature=") || !strings.Contains(u, "X-Amz-Glacier-Version=") {
		t.Fatalf("unexpected presigned URL %s", u)
	}
	r := presignedRequest(t, u, h)
	res, cred, err := Verify(r, "", creds, signTime.Add(10*time.Minute))
	wantCode(t, err, "")
	if res != (Result{AccessKeyID: testAKID, Region: "eu-west-1", Presigned: true}) || cred.AccessKeyID != testAKID {
		t.Fatalf("got %+v %+v", res, cred)
	}
	if got := RegionOf(r); got != "eu-west-1" {
		t.Errorf("RegionOf = %q", got)
	}
	if got := AccessKeyOf(r); got != testAKID {
		t.Errorf("AccessKeyOf = %q", got)
	}

	// And over the wire.
	srv := verifyServer(t, creds, signTime, true)
	pu, _ := url.Parse(u)
	u2, h2 := presign(t, srv.URL+pu.Path+"?limit=5", 3600, unsignedPayload, signTime)
	resp, err := http.DefaultClient.Do(presignedRequest(t, u2, h2))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != testAKID+" eu-west-1" {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
}

func TestPresignSignedPayloadHash(t *testing.T) {
	u, h := presign(t, presignURL, 60, emptySHA256, signTime)
	r := presignedRequest(t, u, h)
	_, _, err := Verify(r, emptySHA256, testCreds(t), signTime)
	wantCode(t, err, "")
	_, _, err = Verify(r, "", testCreds(t), signTime) // "" means UNSIGNED-PAYLOAD
	wantCode(t, err, CodeInvalidSignature)
}

func TestPresignFailures(t *testing.T) {
	creds := testCreds(t)
	setQuery := func(k, v string) func(*http.Request) {
		return func(r *http.Request) {
			q := r.URL.Query()
			if v == "" {
				q.Del(k)
			} else {
				q.Set(k, v)
			}
			r.URL.RawQuery = q.Encode()
		}
	}
	cases := []struct {
		name    string
		expires int
		mutate  func(*http.Request)
		now     time.Duration // relative to signTime
		code    string
		msg     string
	}{
		{name: "ok", expires: 3600, now: 59 * time.Minute},
		{name: "expiry boundary", expires: 3600, now: time.Hour},
		{name: "expired", expires: 3600, now: time.Hour + time.Second, code: CodeAccessDenied, msg: msgExpired},
		{name: "default expiry ok", now: 15 * time.Minute},
		{name: "default expiry passed", now: 15*time.Minute + time.Second, code: CodeAccessDenied, msg: msgExpired},
		{name: "skew boundary", expires: 60, now: -15 * time.Minute},
		{name: "not yet current", expires: 60, now: -15*time.Minute - time.Second, code: CodeInvalidSignature, msg: "Signature not yet current: 20240309T235007Z is still later than "},
		{name: "query tampered", expires: 60, mutate: setQuery("limit", "6"), code: CodeInvalidSignature, msg: msgSignatureMismatch},
		{name: "query added", expires: 60, mutate: setQuery("marker", "x"), code: CodeInvalidSignature},
		{name: "expires extended", expires: 60, mutate: setQuery("X-Amz-Expires", "86400"), code: CodeInvalidSignature},
		{name: "expires too long", expires: 60, mutate: setQuery("X-Amz-Expires", "604801"), code: CodeIncompleteSignature},
		{name: "expires garbage", expires: 60, mutate: setQuery("X-Amz-Expires", "soon"), code: CodeIncompleteSignature},
		{name: "expires negative", expires: 60, mutate: setQuery("X-Amz-Expires", "-1"), code: CodeIncompleteSignature},
		{name: "signature removed", expires: 60, mutate: setQuery("X-Amz-Signature", ""), code: CodeIncompleteSignature,
			msg: "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters."},
		{name: "signature only left", expires: 60, mutate: func(r *http.Request) {
			r.URL.RawQuery = "X-Amz-Signature=" + r.URL.Query().Get("X-Amz-Signature")
		}, code: CodeIncompleteSignature, msg: "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Credential'. "},
		{name: "bad algorithm", expires: 60, mutate: setQuery("X-Amz-Algorithm", "AWS4-HMAC-SHA1"), code: CodeIncompleteSignature},
		{name: "bad date", expires: 60, mutate: setQuery("X-Amz-Date", "2024-03-09T23:50:07Z"), code: CodeIncompleteSignature},
		{name: "bad credential", expires: 60, mutate: setQuery("X-Amz-Credential", "AKID/20240309/eu-west-1/glacier"), code: CodeIncompleteSignature},
		{name: "host unsigned", expires: 60, mutate: setQuery("X-Amz-SignedHeaders", "x-amz-date"), code: CodeIncompleteSignature},
		{name: "credential other day", expires: 60, mutate: setQuery("X-Amz-Credential", testAKID+"/20240308/eu-west-1/glacier/aws4_request"), code: CodeInvalidSignature},
		{name: "path tampered", expires: 60, mutate: func(r *http.Request) { r.URL.Path += "x" }, code: CodeInvalidSignature},
		{name: "host tampered", expires: 60, mutate: func(r *http.Request) { r.Host = "127.0.0.1" }, code: CodeInvalidSignature},
		{name: "header form wins", expires: 60, mutate: func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }, code: CodeIncompleteSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, h := presign(t, presignURL+"?limit=5", c.expires, unsignedPayload, signTime)
			r := presignedRequest(t, u, h)
			if c.mutate != nil {
				c.mutate(r)
			}
			res, _, err := Verify(r, "", creds, signTime.Add(c.now))
			if e := wantCode(t, err, c.code); e != nil && !strings.HasPrefix(e.Message, c.msg) {
				t.Fatalf("message %q, want prefix %q", e.Message, c.msg)
			}
			if c.code == "" && !res.Presigned {
				t.Fatal("Presigned not set")
			}
		})
	}
}

// A presigned request signed with UNSIGNED-PAYLOAD (S3-style presigners) is
// valid whatever body hash the server vouches for; one signed with the
// body's hash (as SDKs presign non-S3 services) needs that hash.
func TestPresignedUnsignedPayloadWithAnyVouchedHash(t *testing.T) {
	u, h := presign(t, presignURL, 60, unsignedPayload, signTime)
	r := presignedRequest(t, u, h)
	for _, vouched := range []string{emptySHA256, "", unsignedPayload} {
		_, _, err := Verify(r, vouched, testCreds(t), signTime)
		wantCode(t, err, "")
	}
	u, h = presign(t, presignURL, 60, emptySHA256, signTime)
	_, _, err := Verify(presignedRequest(t, u, h), sha256Hex([]byte("other body")), testCreds(t), signTime)
	wantCode(t, err, CodeInvalidSignature)
}
