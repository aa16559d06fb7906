package sigv4

import (
	"net/http"
	"strings"
)

const (
	algorithm   = "AWS4-HMAC-SHA256"
	terminator  = "aws4_request"
	serviceName = "glacier"
)

// Authorization is a parsed SigV4 Authorization header.
type Authorization struct {
	AccessKeyID string
	// Date is the yyyymmdd date of the credential scope.
	Date    string
	Region  string
	Service string
	// SignedHeaders lists the signed header names in the order given,
	// lowercased.
	SignedHeaders []string
	// Signature is the hex signature exactly as given.
	Signature string
}

// authInfo is the allocation-free form of a parsed Authorization header or
// set of presign parameters, used on the verification hot path.
type authInfo struct {
	accessKeyID, date, region, service string
	signedHeaders                      string // raw ';'-separated list, validated
	signature                          [32]byte
}

// ParseAuthorization parses a SigV4 Authorization header of the form
//
//	AWS4-HMAC-SHA256 Credential=AKID/20120525/us-east-1/glacier/aws4_request, SignedHeaders=host;x-amz-date, Signature=<64 hex>
//
// The three components may come in any order, each exactly once, separated
// by commas optionally followed by spaces; nothing else is tolerated. The
// credential scope must have five non-empty '/'-separated parts, an 8-digit
// date and the aws4_request terminator; the signature must be 64 hex
// digits. Failures are *Error values with Code IncompleteSignatureException.
func ParseAuthorization(header string) (Authorization, error) {
	a, sigHex, err := parseAuthHeader(header)
	if err != nil {
		return Authorization{}, err
	}
	names := strings.Split(a.signedHeaders, ";")
	for i, n := range names {
		names[i] = strings.ToLower(n)
	}
	return Authorization{
		AccessKeyID:   a.accessKeyID,
		Date:          a.date,
		Region:        a.region,
		Service:       a.service,
		SignedHeaders: names,
		Signature:     sigHex,
	}, nil
}

// String formats a as an Authorization header value, the way the AWS SDKs
// do. ParseAuthorization(a.String()) yields a again for any a that
// ParseAuthorization returned.
func (a Authorization) String() string {
	return algorithm + " Credential=" + a.AccessKeyID + "/" + a.Date + "/" + a.Region + "/" +
		a.Service + "/" + terminator + ", SignedHeaders=" + strings.Join(a.SignedHeaders, ";") +
		", Signature=" + a.Signature
}

// parseAuthHeader does the work of ParseAuthorization without allocating on
// success; it also returns the signature's hex text.
func parseAuthHeader(h string) (authInfo, string, *Error) {
	var a authInfo
	rest, ok := strings.CutPrefix(h, algorithm)
	if !ok || (rest != "" && rest[0] != ' ') {
		return a, "", incomplete("Unsupported Authorization Type: only " + algorithm +
			" is accepted. Authorization=" + h)
	}
	rest = strings.TrimLeft(rest, " ")
	var cred, signed, sig string
	var have [3]bool
	for rest != "" {
		comp := rest
		if i := strings.IndexByte(rest, ','); i >= 0 {
			comp, rest = rest[:i], strings.TrimLeft(rest[i+1:], " ")
			if rest == "" {
				return a, "", incomplete("Authorization header has a trailing comma. Authorization=" + h)
			}
		} else {
			rest = ""
		}
		name, value, ok := strings.Cut(comp, "=")
		if !ok {
			return a, "", incomplete("'" + comp + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + h + "'.")
		}
		var slot int
		switch name {
		case "Credential":
			slot, cred = 0, value
		case "SignedHeaders":
			slot, signed = 1, value
		case "Signature":
			slot, sig = 2, value
		default:
			return a, "", incomplete("Authorization header has an unknown parameter '" + name + "'. Authorization=" + h)
		}
		if have[slot] {
			return a, "", incomplete("Authorization header has a repeated '" + name + "' parameter. Authorization=" + h)
		}
		have[slot] = true
		if value == "" || strings.IndexByte(value, ' ') >= 0 {
			return a, "", incomplete("Authorization header has a malformed '" + name + "' parameter: '" + value + "'. Authorization=" + h)
		}
	}
	if !have[0] || !have[1] || !have[2] {
		var missing []string
		for _, i := range [3]int{0, 2, 1} { // AWS lists Signature before SignedHeaders
			if !have[i] {
				missing = append(missing, [3]string{"Credential", "SignedHeaders", "Signature"}[i])
			}
		}
		return a, "", missingParams(missing, h)
	}
	if err := a.setScope(cred); err != nil {
		return a, "", err
	}
	if err := checkSignedHeaders(signed); err != nil {
		return a, "", err
	}
	a.signedHeaders = signed
	if err := a.setSignature(sig); err != nil {
		return a, "", err
	}
	return a, sig, nil
}

// setScope parses "AKID/yyyymmdd/region/service/aws4_request".
func (a *authInfo) setScope(cred string) *Error {
	var parts [5]string
	rest := cred
	for i := 0; i < 4; i++ {
		var ok bool
		parts[i], rest, ok = strings.Cut(rest, "/")
		if !ok || parts[i] == "" {
			return badScope(cred)
		}
	}
	parts[4] = rest
	if rest == "" || strings.IndexByte(rest, '/') >= 0 {
		return badScope(cred)
	}
	if !isDigits(parts[1], 8) {
		return incomplete("Invalid credential date \"" + parts[1] + "\". Date is not the required format: yyyyMMdd.")
	}
	if parts[4] != terminator {
		return incomplete("Credential should be scoped with a valid terminator: '" + terminator + "', not '" + parts[4] + "'.")
	}
	a.accessKeyID, a.date, a.region, a.service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

func badScope(cred string) *Error {
	return incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + cred + "'")
}

func badSignature(sig string) *Error {
	return incomplete("Signature must be 64 hexadecimal characters, got '" + sig + "'.")
}

func (a *authInfo) setSignature(sig string) *Error {
	if len(sig) != 2*len(a.signature) {
		return badSignature(sig)
	}
	for i := range a.signature {
		hi, ok1 := unhex(sig[2*i])
		lo, ok2 := unhex(sig[2*i+1])
		if !ok1 || !ok2 {
			return badSignature(sig)
		}
		a.signature[i] = hi<<4 | lo
	}
	return nil
}

// checkSignedHeaders requires a ';'-separated list of non-empty HTTP
// header names (RFC 9110 token characters).
func checkSignedHeaders(s string) *Error {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ';' {
			if i == start {
				return incomplete("SignedHeaders must be a ';'-separated list of header names, got '" + s + "'.")
			}
			start = i + 1
			continue
		}
		if !isTokenChar(s[i]) {
			return incomplete("SignedHeaders must be a ';'-separated list of header names, got '" + s + "'.")
		}
	}
	return nil
}

func isTokenChar(c byte) bool { return tokenChars[c] }

// tokenChars marks the RFC 9110 tchar bytes allowed in header names.
var tokenChars = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", byte(c)) >= 0
	}
	return t
}()

// RegionOf returns the region of the request's credential scope, taken
// from the Authorization header or else the X-Amz-Credential query
// parameter, or "" when there is none. It does not validate anything.
func RegionOf(r *http.Request) string {
	cred := credentialOf(r)
	for range 2 {
		_, cred, _ = strings.Cut(cred, "/")
	}
	region, _, _ := strings.Cut(cred, "/")
	return region
}

// AccessKeyOf returns the access key id of the request's credential scope,
// from the Authorization header or else the X-Amz-Credential query
// parameter, or "" when there is none. It does not validate anything.
func AccessKeyOf(r *http.Request) string {
	cred := credentialOf(r)
	if i := strings.IndexByte(cred, '/'); i >= 0 {
		return cred[:i]
	}
	return ""
}

// credentialOf finds the raw credential string cheaply.
func credentialOf(r *http.Request) string {
	if h := r.Header["Authorization"]; len(h) > 0 {
		const key = "Credential="
		s := h[0]
		for off := 0; ; {
			i := strings.Index(s[off:], key)
			if i < 0 {
				break
			}
			i += off
			if i > 0 && s[i-1] != ' ' && s[i-1] != ',' {
				off = i + len(key)
				continue
			}
			v := s[i+len(key):]
			if j := strings.IndexAny(v, ", "); j >= 0 {
				v = v[:j]
			}
			return v
		}
	}
	if r.URL != nil {
		if v, ok := rawQueryValue(r.URL.RawQuery, "X-Amz-Credential"); ok {
			return v
		}
	}
	return ""
}
