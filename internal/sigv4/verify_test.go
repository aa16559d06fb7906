package sigv4

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// glacierRequest is the developer-guide Create Vault request, unsigned.
func glacierRequest() *http.Request {
	r := httptest.NewRequest("PUT", "/-/vaults/examplevault", nil)
	r.Host = "glacier.us-east-1.amazonaws.com"
	r.Header.Set("X-Amz-Glacier-Version", "2012-06-01")
	return r
}

const guideDate = "20120525T002453Z"

func TestVerifyHeaderRules(t *testing.T) {
	creds := testCreds(t)
	now := mustTime(t, guideDate)
	cases := []struct {
		name  string
		build func() *http.Request
		now   time.Time
		code  string
		msg   string
	}{
		{name: "no authentication", build: glacierRequest, code: CodeMissingAuthenticationToken, msg: msgMissingToken},
		{name: "empty authorization", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("Authorization", "")
			return r
		}, code: CodeMissingAuthenticationToken},
		{name: "unrelated X-Amz query", build: func() *http.Request {
			r := glacierRequest()
			r.URL.RawQuery = "X-Amz-Foo=1"
			return r
		}, code: CodeMissingAuthenticationToken},
		{name: "other algorithm", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("Authorization", "AWS AKID:sig")
			return r
		}, code: CodeIncompleteSignature},
		{name: "x-amz-date signed", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("X-Amz-Date", guideDate)
			refSign(r, []string{"host", "x-amz-date", "x-amz-glacier-version"}, guideDate, "us-east-1", "glacier", testAKID, testSecret, emptySHA256)
			return r
		}},
		{name: "signed headers in odd order", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("X-Amz-Date", guideDate)
			refSign(r, []string{"x-amz-glacier-version", "host", "x-amz-date"}, guideDate, "us-east-1", "glacier", testAKID, testSecret, emptySHA256)
			return r
		}},
		{name: "Date header RFC1123", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("Date", "Fri, 25 May 2012 00:24:53 GMT")
			refSign(r, []string{"date", "host", "x-amz-glacier-version"}, guideDate, "us-east-1", "glacier", testAKID, testSecret, emptySHA256)
			return r
		}},
		{name: "Date header ISO basic", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("Date", guideDate)
			refSign(r, []string{"date", "host"}, guideDate, "us-east-1", "glacier", testAKID, testSecret, emptySHA256)
			return r
		}},
		{name: "Date header unsigned", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("Date", "Fri, 25 May 2012 00:24:53 GMT")
			refSign(r, []string{"host"}, guideDate, "us-east-1", "glacier", testAKID, testSecret, emptySHA256)
			return r
		}, code: CodeIncompleteSignature, msg: "'Date' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "Date header garbage", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("Date", "yesterday")
			refSign(r, []string{"date", "host"}, guideDate, "us-east-1", "glacier", testAKID, testSecret, emptySHA256)
			return r
		}, code: CodeIncompleteSignature, msg: "Date must be in ISO-8601 'basic format'. Got 'yesterday'."},
		{name: "x-amz-date unsigned", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("X-Amz-Date", guideDate)
			refSign(r, []string{"host"}, guideDate, "us-east-1", "glacier", testAKID, testSecret, emptySHA256)
			return r
		}, code: CodeIncompleteSignature, msg: "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "x-amz-date malformed", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("X-Amz-Date", "2012-05-25T00:24:53Z")
			refSign(r, []string{"host", "x-amz-date"}, guideDate, "us-east-1", "glacier", testAKID, testSecret, emptySHA256)
			return r
		}, code: CodeIncompleteSignature, msg: "Date must be in ISO-8601 'basic format'. Got '2012-05-25T00:24:53Z'."},
		{name: "host unsigned", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("X-Amz-Date", guideDate)
			refSign(r, []string{"x-amz-date"}, guideDate, "us-east-1", "glacier", testAKID, testSecret, emptySHA256)
			return r
		}, code: CodeIncompleteSignature, msg: "'Host' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "other service", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("X-Amz-Date", guideDate)
			refSign(r, []string{"host", "x-amz-date"}, guideDate, "us-east-1", "s3", testAKID, testSecret, emptySHA256)
			return r
		}, code: CodeInvalidSignature, msg: "Credential should be scoped to correct service: 'glacier'."},
		{name: "expired, AWS wording", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("X-Amz-Date", guideDate)
			refSign(r, []string{"host", "x-amz-date"}, guideDate, "us-east-1", "glacier", testAKID, testSecret, emptySHA256)
			return r
		}, now: mustTime(t, "20120525T005453Z"), code: CodeInvalidSignature,
			msg: "Signature expired: 20120525T002453Z is now earlier than 20120525T003953Z (20120525T005453Z - 15 min.)"},
		{name: "future, AWS wording", build: func() *http.Request {
			r := glacierRequest()
			r.Header.Set("X-Amz-Date", guideDate)
			refSign(r, []string{"host", "x-amz-date"}, guideDate, "us-east-1", "glacier", testAKID, testSecret, emptySHA256)
			return r
		}, now: mustTime(t, "20120524T235453Z"), code: CodeInvalidSignature,
			msg: "Signature not yet current: 20120525T002453Z is still later than 20120525T000953Z (20120524T235453Z + 15 min.)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			at := now
			if !c.now.IsZero() {
				at = c.now
			}
			_, _, err := Verify(c.build(), "", creds, at)
			if e := wantCode(t, err, c.code); e != nil && !strings.HasPrefix(e.Message, c.msg) {
				t.Fatalf("message %q, want prefix %q", e.Message, c.msg)
			}
		})
	}
}

func TestErrorsAreNotShared(t *testing.T) {
	_, _, err := Verify(glacierRequest(), "", nil, time.Now())
	e := wantCode(t, err, CodeMissingAuthenticationToken)
	e.Message = "mutated"
	_, _, err = Verify(glacierRequest(), "", nil, time.Now())
	e = wantCode(t, err, CodeMissingAuthenticationToken)
	if e.Message != msgMissingToken {
		t.Fatalf("sentinel was mutated: %q", e.Message)
	}
	if got := e.Error(); got != "MissingAuthenticationTokenException: Missing Authentication Token" {
		t.Errorf("Error() = %q", got)
	}
}

func TestSigningKeyCache(t *testing.T) {
	c := testCreds(t)
	cred, _ := c.Lookup(testAKID)
	want := deriveKey(testSecret, "20120525", "us-east-1", "glacier")
	for range 2 {
		if got := c.signingKey(&cred, "20120525", "us-east-1"); got != want {
			t.Fatal("signing key mismatch")
		}
	}
	for i := range maxCachedKeys + 5 {
		c.signingKey(&cred, "20120525", "region-"+strconv.Itoa(i))
	}
	if n := len(c.keys); n > maxCachedKeys {
		t.Fatalf("cache grew to %d", n)
	}
	var zero Credentials
	if _, ok := zero.Lookup(testAKID); ok || zero.Len() != 0 {
		t.Fatal("zero Credentials not empty")
	}
}

func TestParseAmzDate(t *testing.T) {
	for _, s := range []string{"20120525T002453Z", "20240229T235959Z", "00010101T000000Z"} {
		got, ok := parseAmzDate(s)
		want, err := time.Parse(amzDateLayout, s)
		if !ok || err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v, want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "20120525T002453", "20120525 002453Z", "2012052aT002453Z", "20230229T000000Z",
		"20121301T000000Z", "20120500T000000Z", "20120525T240000Z", "20120525T006000Z", "20120525T000060Z", "+0120525T002453Z"} {
		if _, ok := parseAmzDate(s); ok {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestVerifyConcurrent(t *testing.T) {
	creds := testCreds(t)
	done := make(chan error)
	for i := range 8 {
		go func() {
			var err error
			for j := range 50 {
				c := sdkCases[(i+j)%len(sdkCases)]
				r, _ := sdkSign(t, c, testAKID, testSecret, signTime)
				if _, _, err = Verify(r, sha256Hex([]byte(c.body)), creds, signTime); err != nil {
					break
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
