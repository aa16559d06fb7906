package sigv4

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestSDKTampering(t *testing.T) {
	base := sdkCase{method: "POST", url: testHost + "/-/vaults/v/tags?operation=add&limit=10", body: `{"Tags":{"a":"b"}}`}
	bodyHash := sha256Hex([]byte(base.body))
	creds := testCreds(t)
	now := signTime.Add(time.Minute)

	cases := []struct {
		name   string
		mutate func(r *http.Request)
		hash   string
		creds  *Credentials
		now    time.Time
		code   string
		msg    string // optional message prefix
	}{
		{name: "untouched", mutate: func(*http.Request) {}},
		{name: "unsigned header added", mutate: func(r *http.Request) { r.Header.Set("X-Forwarded-For", "1.2.3.4") }},
		{name: "user agent changed", mutate: func(r *http.Request) { r.Header.Set("User-Agent", "curl") }},
		{name: "method", mutate: func(r *http.Request) { r.Method = "PUT" }, code: CodeInvalidSignature, msg: msgSignatureMismatch},
		{name: "path", mutate: func(r *http.Request) { r.URL.Path = "/-/vaults/w/tags" }, code: CodeInvalidSignature},
		{name: "account in path", mutate: func(r *http.Request) { r.URL.Path = "/012345678901/vaults/v/tags" }, code: CodeInvalidSignature},
		{name: "signed header value", mutate: func(r *http.Request) { r.Header.Set("X-Amz-Glacier-Version", "2012-06-02") }, code: CodeInvalidSignature},
		{name: "signed header removed", mutate: func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") }, code: CodeInvalidSignature},
		{name: "host", mutate: func(r *http.Request) { r.Host = "evil.example.com" }, code: CodeInvalidSignature},
		{name: "query value", mutate: func(r *http.Request) { r.URL.RawQuery = "operation=remove&limit=10" }, code: CodeInvalidSignature},
		{name: "query added", mutate: func(r *http.Request) { r.URL.RawQuery += "&marker=x" }, code: CodeInvalidSignature},
		{name: "query reordered", mutate: func(r *http.Request) { r.URL.RawQuery = "limit=10&operation=add" }},
		{name: "payload hash", mutate: func(*http.Request) {}, hash: sha256Hex([]byte("other")), code: CodeInvalidSignature},
		{name: "wrong secret", mutate: func(*http.Request) {}, creds: mustCreds(t, testAKID+" wrongSecret "+testAccount), code: CodeInvalidSignature},
		{name: "unknown key", mutate: func(*http.Request) {}, creds: mustCreds(t, "AKIDOTHER s 111122223333"), code: CodeUnrecognizedClient, msg: msgUnrecognized},
		{name: "nil credentials", mutate: func(*http.Request) {}, creds: (*Credentials)(nil), code: CodeUnrecognizedClient},
		{name: "x-amz-date moved 1s", mutate: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", signTime.Add(time.Second).Format(amzDateLayout))
		}, code: CodeInvalidSignature, msg: msgSignatureMismatch},
		{name: "x-amz-date other day", mutate: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", signTime.Add(time.Hour).Format(amzDateLayout))
		}, now: signTime.Add(time.Hour), code: CodeInvalidSignature, msg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240309' != '20240310', from '20240310T005007Z'."},
		{name: "region in scope", mutate: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/us-east-1/", "/us-west-2/", 1))
		}, code: CodeInvalidSignature, msg: msgSignatureMismatch},
		{name: "service in scope", mutate: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/glacier/", "/s3/", 1))
		}, code: CodeInvalidSignature, msg: "Credential should be scoped to correct service: 'glacier'. "},
		{name: "signature flipped", mutate: func(r *http.Request) {
			h := r.Header.Get("Authorization")
			last := h[len(h)-1]
			flip := byte('0')
			if last == '0' {
				flip = '1'
			}
			r.Header.Set("Authorization", h[:len(h)-1]+string(flip))
		}, code: CodeInvalidSignature},
		{name: "signature uppercase hex", mutate: func(r *http.Request) {
			h := r.Header.Get("Authorization")
			i := strings.LastIndex(h, "=")
			r.Header.Set("Authorization", h[:i+1]+strings.ToUpper(h[i+1:]))
		}},
		{name: "too old", mutate: func(*http.Request) {}, now: signTime.Add(15*time.Minute + time.Second), code: CodeInvalidSignature,
			msg: "Signature expired: 20240309T235007Z is now earlier than 20240309T235008Z (20240310T000508Z - 15 min.)"},
		{name: "too new", mutate: func(*http.Request) {}, now: signTime.Add(-15*time.Minute - time.Second), code: CodeInvalidSignature,
			msg: "Signature not yet current: 20240309T235007Z is still later than 20240309T235006Z (20240309T233506Z + 15 min.)"},
		{name: "skew boundary old", mutate: func(*http.Request) {}, now: signTime.Add(15 * time.Minute)},
		{name: "skew boundary new", mutate: func(*http.Request) {}, now: signTime.Add(-15 * time.Minute)},
		{name: "authorization removed", mutate: func(r *http.Request) { r.Header.Del("Authorization") }, code: CodeMissingAuthenticationToken, msg: msgMissingToken},
		{name: "x-amz-date removed", mutate: func(r *http.Request) { r.Header.Del("X-Amz-Date") }, code: CodeIncompleteSignature,
			msg: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := sdkSign(t, base, testAKID, testSecret, signTime)
			c.mutate(r)
			hash, cr, at := bodyHash, creds, now
			if c.hash != "" {
				hash = c.hash
			}
			if c.creds != nil || c.name == "nil credentials" {
				cr = c.creds
			}
			if !c.now.IsZero() {
				at = c.now
			}
			_, _, err := Verify(r, hash, cr, at)
			if e := wantCode(t, err, c.code); e != nil && !strings.HasPrefix(e.Message, c.msg) {
				t.Fatalf("message %q, want prefix %q", e.Message, c.msg)
			}
		})
	}
}

// presign presigns a GET with the SDK; expires <= 0 leaves X-Amz-Expires out.
func presign(t testing.TB, rawURL string, expires int, payloadHash string, at time.Time) (string, http.Header) {
	t.Helper()
	r, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("X-Amz-Glacier-Version", "2012-06-01") // hoisted into the query
	if expires > 0 {
		q := r.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(expires))
		r.URL.RawQuery = q.Encode()
	}
	var canonical string
	u, h, err := newSDKSigner(&canonical).PresignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}, r, payloadHash, "glacier", "eu-west-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return u, h
}
