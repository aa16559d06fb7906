package sigv4

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

const (
	sig64     = "3ce5b2f2fffac9262b4da9256f8d086b4aaf42eba5f111c21681a65a127b7c2a"
	goodCred  = "Credential=AKIAIOSFODNN7EXAMPLE/20120525/us-east-1/glacier/aws4_request"
	goodSH    = "SignedHeaders=host;x-amz-date;x-amz-glacier-version"
	goodSig   = "Signature=" + sig64
	goodAuthz = "AWS4-HMAC-SHA256 " + goodCred + ", " + goodSH + ", " + goodSig
)

func TestParseAuthorizationValid(t *testing.T) {
	want := Authorization{
		AccessKeyID:   "AKIAIOSFODNN7EXAMPLE",
		Date:          "20120525",
		Region:        "us-east-1",
		Service:       "glacier",
		SignedHeaders: []string{"host", "x-amz-date", "x-amz-glacier-version"},
		Signature:     sig64,
	}
	for _, h := range []string{
		goodAuthz,
		"AWS4-HMAC-SHA256 " + goodCred + "," + goodSH + "," + goodSig,                                        // no spaces after commas
		"AWS4-HMAC-SHA256 " + goodCred + ",   " + goodSH + ",  " + goodSig,                                   // several spaces
		"AWS4-HMAC-SHA256   " + goodCred + ", " + goodSH + ", " + goodSig,                                    // several after algorithm
		"AWS4-HMAC-SHA256 " + goodSig + ", " + goodCred + ", " + goodSH,                                      // any order
		"AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=Host;X-Amz-Date;x-amz-GLACIER-version, " + goodSig, // lowercased
	} {
		got, err := ParseAuthorization(h)
		if err != nil {
			t.Errorf("%q: %v", h, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", h, got, want)
		}
	}
	got, _ := ParseAuthorization(goodAuthz)
	if s := got.String(); s != goodAuthz {
		t.Errorf("String() = %q", s)
	}
	up, err := ParseAuthorization(strings.ToUpper(goodAuthz[:len(goodAuthz)-64]) + strings.ToUpper(sig64))
	if err == nil {
		t.Errorf("uppercased component names accepted: %+v", up)
	}
	up, err = ParseAuthorization(goodAuthz[:len(goodAuthz)-64] + strings.ToUpper(sig64))
	if err != nil || up.Signature != strings.ToUpper(sig64) {
		t.Errorf("uppercase hex signature: %+v %v", up, err)
	}
}

func TestParseAuthorizationMalformed(t *testing.T) {
	for _, c := range []struct{ header, msg string }{
		{"", "Unsupported Authorization Type"},
		{"AWS4-HMAC-SHA256", "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256"},
		{"AWS4-HMAC-SHA256 ", "Authorization header requires 'Credential' parameter."},
		{"AWS4-HMAC-SHA1 " + goodCred + ", " + goodSH + ", " + goodSig, "Unsupported Authorization Type"},
		{"AWS4-HMAC-SHA256X " + goodCred, "Unsupported Authorization Type"},
		{"AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", "Unsupported Authorization Type"},
		{"Bearer token", "Unsupported Authorization Type"},
		{"aws4-hmac-sha256 " + goodCred + ", " + goodSH + ", " + goodSig, "Unsupported Authorization Type"},
		{"AWS4-HMAC-SHA256 " + goodCred + ", " + goodSH, "Authorization header requires 'Signature' parameter. Authorization="},
		{"AWS4-HMAC-SHA256 " + goodSH + ", " + goodSig, "Authorization header requires 'Credential' parameter. Authorization="},
		{"AWS4-HMAC-SHA256 " + goodCred + ", " + goodSig, "Authorization header requires 'SignedHeaders' parameter. Authorization="},
		{"AWS4-HMAC-SHA256 " + goodCred + ", " + goodSH + ", " + goodSig + ",", "trailing comma"},
		{"AWS4-HMAC-SHA256 " + goodCred + ", " + goodSH + ", " + goodSig + ", ", "trailing comma"},
		{"AWS4-HMAC-SHA256 " + goodCred + " , " + goodSH + ", " + goodSig, "malformed 'Credential'"},
		{"AWS4-HMAC-SHA256 " + goodCred + ", " + goodSH + ", " + goodSig + " ", "malformed 'Signature'"},
		{"AWS4-HMAC-SHA256 " + goodCred + ",, " + goodSH + ", " + goodSig, "not a valid key=value pair"},
		{"AWS4-HMAC-SHA256 " + goodCred + ", " + goodSH + ", Signature " + sig64, "not a valid key=value pair"},
		{"AWS4-HMAC-SHA256 " + goodCred + ", " + goodSH + ", Signature=", "malformed 'Signature'"},
		{"AWS4-HMAC-SHA256 " + goodCred + ", " + goodSH + ", " + goodSig + ", Foo=bar", "unknown parameter 'Foo'"},
		{"AWS4-HMAC-SHA256 credential=AKID/20120525/us-east-1/glacier/aws4_request, " + goodSH + ", " + goodSig, "unknown parameter 'credential'"},
		{"AWS4-HMAC-SHA256 " + goodCred + ", " + goodCred + ", " + goodSH + ", " + goodSig, "repeated 'Credential'"},
		{"AWS4-HMAC-SHA256\t" + goodCred + ", " + goodSH + ", " + goodSig, "Unsupported Authorization Type"},
		{"AWS4-HMAC-SHA256 Credential=AKID/20120525/us-east-1/glacier, " + goodSH + ", " + goodSig, "exactly 5 slash-delimited elements"},
		{"AWS4-HMAC-SHA256 Credential=AKID/20120525/us-east-1/glacier/aws4_request/x, " + goodSH + ", " + goodSig, "exactly 5 slash-delimited elements"},
		{"AWS4-HMAC-SHA256 Credential=/20120525/us-east-1/glacier/aws4_request, " + goodSH + ", " + goodSig, "exactly 5 slash-delimited elements"},
		{"AWS4-HMAC-SHA256 Credential=AKID/20120525//glacier/aws4_request, " + goodSH + ", " + goodSig, "exactly 5 slash-delimited elements"},
		{"AWS4-HMAC-SHA256 Credential=AKID/20120525/us-east-1//aws4_request, " + goodSH + ", " + goodSig, "exactly 5 slash-delimited elements"},
		{"AWS4-HMAC-SHA256 Credential=AKID/20120525/us-east-1/glacier/, " + goodSH + ", " + goodSig, "exactly 5 slash-delimited elements"},
		{"AWS4-HMAC-SHA256 Credential=AKID/2012-05-25/us-east-1/glacier/aws4_request, " + goodSH + ", " + goodSig, "Invalid credential date \"2012-05-25\""},
		{"AWS4-HMAC-SHA256 Credential=AKID/20120525T0/us-east-1/glacier/aws4_request, " + goodSH + ", " + goodSig, "Invalid credential date"},
		{"AWS4-HMAC-SHA256 Credential=AKID/20120525/us-east-1/glacier/aws5_request, " + goodSH + ", " + goodSig, "valid terminator: 'aws4_request', not 'aws5_request'."},
		{"AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host;;x-amz-date, " + goodSig, "SignedHeaders must be"},
		{"AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host;, " + goodSig, "SignedHeaders must be"},
		{"AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=;host, " + goodSig, "SignedHeaders must be"},
		{"AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host:x, " + goodSig, "SignedHeaders must be"},
		{"AWS4-HMAC-SHA256 " + goodCred + ", " + goodSH + ", Signature=" + sig64[:63], "Signature must be 64 hexadecimal characters"},
		{"AWS4-HMAC-SHA256 " + goodCred + ", " + goodSH + ", Signature=" + sig64 + "0", "Signature must be 64 hexadecimal characters"},
		{"AWS4-HMAC-SHA256 " + goodCred + ", " + goodSH + ", Signature=" + sig64[:63] + "g", "Signature must be 64 hexadecimal characters"},
	} {
		_, err := ParseAuthorization(c.header)
		if err == nil {
			t.Errorf("%q: accepted", c.header)
			continue
		}
		e := wantCode(t, err, CodeIncompleteSignature)
		if !strings.Contains(e.Message, c.msg) {
			t.Errorf("%q: message %q does not contain %q", c.header, e.Message, c.msg)
		}
	}
}

func TestRegionAndAccessKeyOf(t *testing.T) {
	for _, c := range []struct {
		name, authz, query, region, akid string
	}{
		{name: "header", authz: goodAuthz, region: "us-east-1", akid: "AKIAIOSFODNN7EXAMPLE"},
		{name: "header, credential last", authz: "AWS4-HMAC-SHA256 " + goodSH + "," + goodSig + ",Credential=K/20120525/eu-west-1/glacier/aws4_request", region: "eu-west-1", akid: "K"},
		{name: "header wins over query", authz: goodAuthz, query: "X-Amz-Credential=Q%2F20120525%2Fap-south-1%2Fglacier%2Faws4_request", region: "us-east-1", akid: "AKIAIOSFODNN7EXAMPLE"},
		{name: "query", query: "a=b&X-Amz-Credential=Q%2F20120525%2Fap-south-1%2Fglacier%2Faws4_request&c", region: "ap-south-1", akid: "Q"},
		{name: "query unescaped", query: "X-Amz-Credential=Q/20120525/ap-south-1/glacier/aws4_request", region: "ap-south-1", akid: "Q"},
		{name: "header without credential falls back", authz: "AWS4-HMAC-SHA256 " + goodSig, query: "X-Amz-Credential=Q/d/r/s/t", region: "r", akid: "Q"},
		{name: "XCredential is not Credential", authz: "AWS4-HMAC-SHA256 XCredential=A/d/r/s/t"},
		{name: "short scope", authz: "AWS4-HMAC-SHA256 Credential=AKID/20120525", akid: "AKID"},
		{name: "no slash", authz: "AWS4-HMAC-SHA256 Credential=AKID"},
		{name: "nothing"},
	} {
		r := httptest.NewRequest("GET", "/?"+c.query, nil)
		if c.authz != "" {
			r.Header.Set("Authorization", c.authz)
		}
		if got := RegionOf(r); got != c.region {
			t.Errorf("%s: RegionOf = %q, want %q", c.name, got, c.region)
		}
		if got := AccessKeyOf(r); got != c.akid {
			t.Errorf("%s: AccessKeyOf = %q, want %q", c.name, got, c.akid)
		}
	}
	r := &http.Request{Header: http.Header{}}
	if RegionOf(r) != "" || AccessKeyOf(r) != "" {
		t.Error("bare request")
	}
}
