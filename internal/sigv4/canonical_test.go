package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHMACMatchesCryptoHMAC(t *testing.T) {
	for _, klen := range []int{0, 1, 32, 63, 64, 65, 200} {
		for _, mlen := range []int{0, 1, 55, 56, 64, 255, 256, 257, 1000} {
			key := []byte(strings.Repeat("k", klen))
			msg := []byte(strings.Repeat("m", mlen))
			h := hmac.New(sha256.New, key)
			h.Write(msg)
			got := hmacSHA256(key, msg)
			if !hmac.Equal(got[:], h.Sum(nil)) {
				t.Errorf("key %d msg %d: mismatch", klen, mlen)
			}
		}
	}
}

// suiteVector is a case from the AWS SigV4 test suite (service "service").
type suiteVector struct {
	name, method, target string
	headers              map[string]string
	signed               string
	canonical            string // optional: expected canonical request
	want                 string
}

func TestSigV4SuiteVectors(t *testing.T) {
	const (
		secret  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
		amzDate = "20150830T123600Z"
	)
	vectors := []suiteVector{
		{
			name: "get-vanilla", method: "GET", target: "/", signed: "host;x-amz-date",
			canonical: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptySHA256,
			want:      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		},
		{
			name: "post-vanilla", method: "POST", target: "/", signed: "host;x-amz-date",
			want: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
		},
		{
			name: "get-vanilla-query-order-key-case", method: "GET", target: "/?Param2=value2&Param1=value1", signed: "host;x-amz-date",
			canonical: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptySHA256,
			want:      "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
		},
		{
			// The raw (unescaped) UTF-8 path of the suite arrives as-is in
			// RequestURI and is encoded exactly once.
			name: "get-utf8", method: "GET", target: "/ሴ", signed: "host;x-amz-date",
			want: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
		},
		{
			name: "get-unreserved", method: "GET", target: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", signed: "host;x-amz-date",
			want: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
		},
		{
			name: "post-header-key-sort", method: "POST", target: "/", signed: "host;my-header1;x-amz-date",
			headers: map[string]string{"My-Header1": "value1"},
			want:    "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
		},
	}
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			r := httptest.NewRequest(v.method, "http://example.amazonaws.com"+v.target, nil)
			r.RequestURI = v.target
			r.Host = "example.amazonaws.com"
			r.Header.Set("X-Amz-Date", amzDate)
			for k, val := range v.headers {
				r.Header.Set(k, val)
			}
			a := authInfo{accessKeyID: "AKIDEXAMPLE", date: amzDate[:8], region: "us-east-1", service: "service", signedHeaders: v.signed}
			cr := string(appendCanonicalRequest(nil, r, &a, r.URL.RawQuery, false, emptySHA256))
			if v.canonical != "" && cr != v.canonical {
				t.Errorf("canonical request:\n%q\nwant\n%q", cr, v.canonical)
			}
			got := signature(r, &a, []byte(amzDate), r.URL.RawQuery, false, emptySHA256, deriveKey(secret, a.date, a.region, a.service))
			if hex.EncodeToString(got[:]) != v.want {
				t.Errorf("signature %x, want %s\ncanonical:\n%s", got, v.want, cr)
			}
		})
	}
}

// TestGlacierDeveloperGuideExample checks the worked example from the
// Glacier developer guide ("Example Signature Calculation", Create Vault).
func TestGlacierDeveloperGuideExample(t *testing.T) {
	const header = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20120525/us-east-1/glacier/aws4_request, " +
		"SignedHeaders=host;x-amz-date;x-amz-glacier-version, " +
		"Signature=3ce5b2f2fffac9262b4da9256f8d086b4aaf42eba5f111c21681a65a127b7c2a"
	r := httptest.NewRequest("PUT", "/-/vaults/examplevault", nil)
	r.Host = "glacier.us-east-1.amazonaws.com"
	r.Header.Set("X-Amz-Date", "20120525T002453Z")
	r.Header.Set("X-Amz-Glacier-Version", "2012-06-01")
	r.Header.Set("Authorization", header)

	a, _, perr := parseAuthHeader(header)
	if perr != nil {
		t.Fatal(perr)
	}
	cr := appendCanonicalRequest(nil, r, &a, "", false, emptySHA256)
	wantCR := "PUT\n/-/vaults/examplevault\n\nhost:glacier.us-east-1.amazonaws.com\n" +
		"x-amz-date:20120525T002453Z\nx-amz-glacier-version:2012-06-01\n\n" +
		"host;x-amz-date;x-amz-glacier-version\n" + emptySHA256
	if string(cr) != wantCR {
		t.Fatalf("canonical request:\n%q\nwant\n%q", cr, wantCR)
	}
	sts := appendStringToSign(nil, &a, []byte("20120525T002453Z"), sha256.Sum256(cr))
	wantSTS := "AWS4-HMAC-SHA256\n20120525T002453Z\n20120525/us-east-1/glacier/aws4_request\n" +
		"5f1da1a2d0feb614dd03d71e87928b8e449ac87614479332aced3a701f916743"
	if string(sts) != wantSTS {
		t.Fatalf("string to sign:\n%q\nwant\n%q", sts, wantSTS)
	}

	res, cred, err := Verify(r, "", testCreds(t), mustTime(t, "20120525T002453Z"))
	wantCode(t, err, "")
	if res != (Result{AccessKeyID: testAKID, Region: "us-east-1"}) || cred.AccountID != testAccount {
		t.Fatalf("got %+v %+v", res, cred)
	}
}

func TestCanonicalURI(t *testing.T) {
	for _, c := range []struct{ wire, want string }{
		{"", "/"},
		{"/", "/"},
		{"/-/vaults/my-vault", "/-/vaults/my-vault"},
		{"/-/vaults/my.vault_1~x", "/-/vaults/my.vault_1~x"},
		{"/-/vaults/a%20b", "/-/vaults/a%2520b"},
		{"/-/vaults/a%2Fb", "/-/vaults/a%252Fb"},
		{"/-/vaults/a:b@c!$&'()*+,;=", "/-/vaults/a%3Ab%40c%21%24%26%27%28%29%2A%2B%2C%3B%3D"},
		{"/./../x//y", "/./../x//y"},
	} {
		if got := string(appendCanonicalURI(nil, c.wire)); got != c.want && !(c.wire == "" && got == "") {
			t.Errorf("%q: got %q want %q", c.wire, got, c.want)
		}
	}
}

func TestWirePath(t *testing.T) {
	r := httptest.NewRequest("GET", "/-/vaults/a%2Fb?x=1", nil)
	if got := wirePath(r); got != "/-/vaults/a%2Fb" {
		t.Errorf("server request: %q", got)
	}
	r, _ = http.NewRequest("GET", "http://h/-/vaults/a%20b?x=1", nil)
	if got := wirePath(r); got != "/-/vaults/a%20b" {
		t.Errorf("client request: %q", got)
	}
	r, _ = http.NewRequest("GET", "http://h", nil)
	if got := wirePath(r); got != "/" {
		t.Errorf("empty path: %q", got)
	}
	r.URL.Opaque = "//h/-/vaults/x%2Fy"
	if got := wirePath(r); got != "/-/vaults/x%2Fy" {
		t.Errorf("opaque: %q", got)
	}
}

func TestCanonicalQuery(t *testing.T) {
	for _, c := range []struct {
		raw       string
		presigned bool
		want      string
	}{
		{"", false, ""},
		{"limit=10&marker=abc", false, "limit=10&marker=abc"},
		{"marker=abc&limit=10", false, "limit=10&marker=abc"},
		{"operation=add", false, "operation=add"},
		{"operation", false, "operation="},
		{"a=2&a=1&a=10", false, "a=1&a=10&a=2"},
		{"k=a+b&k2=a%20b", false, "k=a%20b&k2=a%20b"},
		{"k=a%2bb", false, "k=a%2Bb"},
		{"k=a/b&k=a-b", false, "k=a%2Fb&k=a-b"}, // sorted after encoding
		{"%7E=~&b=%zz&c=%4", false, "b=%25zz&c=%254&~=~"},
		{"&&x=1&", false, "x=1"},
		{"k=\u00e9", false, "k=%C3%A9"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", true, "X-Amz-Date=1"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", false, "X-Amz-Date=1&X-Amz-Signature=abc"},
	} {
		if got := string(appendCanonicalQuery(nil, c.raw, c.presigned)); got != c.want {
			t.Errorf("%q presigned=%v: got %q want %q", c.raw, c.presigned, got, c.want)
		}
	}
	// Many parameters: more than the on-stack arrays hold.
	var b strings.Builder
	for i := 99; i >= 0; i-- {
		b.WriteString("p" + strings.Repeat("x", i%7) + "=" + strings.Repeat("v", 20) + "&")
	}
	got := string(appendCanonicalQuery(nil, b.String(), false))
	if strings.Count(got, "&") != 99 || !strings.HasPrefix(got, "p=") {
		t.Errorf("large query canonicalised badly: %.80q", got)
	}
}

func TestCanonicalHeaders(t *testing.T) {
	r := httptest.NewRequest("PUT", "/x", strings.NewReader("hello"))
	r.Host = "glacier.example:8080"
	r.Header.Set("X-Amz-Meta", "  a   b\t c  ")
	r.Header.Add("X-Multi", "one")
	r.Header.Add("X-Multi", " two ")
	r.Header["x-lower"] = []string{"raw map key"}
	r.Header.Del("Content-Length")
	r.ContentLength = 5
	got := string(appendCanonicalHeaders(nil, r, "Host;content-length;x-amz-meta;x-multi;x-lower;x-absent"))
	want := "host:glacier.example:8080\ncontent-length:5\nx-amz-meta:a b\t c\nx-multi:one,two\nx-lower:raw map key\nx-absent:\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
