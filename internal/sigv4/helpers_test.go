package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

const (
	testAKID    = "AKIAIOSFODNN7EXAMPLE"
	testSecret  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testAccount = "012345678901"
)

func mustCreds(t testing.TB, text string) *Credentials {
	t.Helper()
	c, err := ParseCredentials(strings.NewReader(text))
	if err != nil {
		t.Fatalf("ParseCredentials: %v", err)
	}
	return c
}

func testCreds(t testing.TB) *Credentials {
	return mustCreds(t, testAKID+" "+testSecret+" "+testAccount+"\n"+
		"AKIDOTHER otherSecret 111122223333\n")
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// wantCode asserts err is an *Error with the given code.
func wantCode(t testing.TB, err error, code string) *Error {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want *Error with code %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("code %s (%s), want %s", e.Code, e.Message, code)
	}
	return e
}

// refSign is an independent, deliberately naive SigV4 signer used to build
// requests the SDK cannot (Date-only, odd header orders). It signs the named
// headers in the order given and sets the Authorization header.
func refSign(r *http.Request, signed []string, amzDate, region, service, akid, secret, payloadHash string) {
	var cr strings.Builder
	cr.WriteString(r.Method + "\n")
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	var p strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c == '/' || strings.IndexByte("-._~", c) >= 0 || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			p.WriteByte(c)
		} else {
			p.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	cr.WriteString(p.String() + "\n")
	q, _ := url.ParseQuery(r.URL.RawQuery)
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			enc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
			pairs = append(pairs, enc(k)+"="+enc(v))
		}
	}
	sort.Strings(pairs)
	cr.WriteString(strings.Join(pairs, "&") + "\n")
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
			if v == "" {
				v = r.URL.Host
			}
		}
		cr.WriteString(h + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	cr.WriteString("\n" + strings.Join(signed, ";") + "\n" + payloadHash)
	scope := amzDate[:8] + "/" + region + "/" + service + "/aws4_request"
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex([]byte(cr.String()))
	mac := func(k []byte, m string) []byte { h := hmac.New(sha256.New, k); h.Write([]byte(m)); return h.Sum(nil) }
	k := mac([]byte("AWS4"+secret), amzDate[:8])
	k = mac(k, region)
	k = mac(k, service)
	k = mac(k, "aws4_request")
	sig := hex.EncodeToString(mac(k, sts))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+akid+"/"+scope+", SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(amzDateLayout, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
