package sigv4

import (
	"strconv"
	"strings"
	"time"
)

// hasPresignParams reports whether the query carries any of the parameters
// that mark a presigned request.
func hasPresignParams(raw string) bool {
	if !strings.Contains(raw, "X-Amz-") {
		return false
	}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, _, _ := strings.Cut(pair, "=")
		switch k {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature":
			return true
		}
	}
	return false
}

// parsePresign extracts and validates the presign parameters.
func parsePresign(raw string) (a authInfo, amz [16]byte, t time.Time, expires time.Duration, err *Error) {
	names := [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"}
	var vals [len(names)]string
	var missing []string
	for i, n := range names {
		v, ok := rawQueryValue(raw, n)
		if !ok || v == "" {
			missing = append(missing, n)
		}
		vals[i] = v
	}
	if missing != nil {
		return a, amz, t, 0, missingQueryParams(missing)
	}
	if vals[0] != algorithm {
		return a, amz, t, 0, incomplete("X-Amz-Algorithm only supports \"" + algorithm + "\"")
	}
	if err = a.setScope(vals[1]); err != nil {
		return a, amz, t, 0, err
	}
	var ok bool
	if t, ok = parseAmzDate(vals[2]); !ok {
		return a, amz, t, 0, badDate(vals[2])
	}
	copy(amz[:], vals[2])
	if err = checkSignedHeaders(vals[3]); err != nil {
		return a, amz, t, 0, err
	}
	a.signedHeaders = vals[3]
	if err = a.setSignature(vals[4]); err != nil {
		return a, amz, t, 0, err
	}
	expires = defaultPresign
	if v, ok := rawQueryValue(raw, "X-Amz-Expires"); ok {
		n, perr := strconv.ParseInt(v, 10, 64)
		switch {
		case perr != nil:
			return a, amz, t, 0, incomplete("X-Amz-Expires should be a number")
		case n < 0:
			return a, amz, t, 0, incomplete("X-Amz-Expires must be non-negative")
		case n > int64(maxPresignLife/time.Second):
			return a, amz, t, 0, incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		expires = time.Duration(n) * time.Second
	}
	return a, amz, t, expires, nil
}

// rawQueryValue returns the decoded value of the first parameter whose raw
// key is exactly key.
func rawQueryValue(raw, key string) (string, bool) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k != key {
			continue
		}
		if strings.ContainsAny(v, "%+") {
			return decodeQuery(v), true
		}
		return v, true
	}
	return "", false
}

// decodeQuery decodes a raw query component the way appendQueryComponent
// reads it ('+' is a space, a malformed escape is literal).
func decodeQuery(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '+' {
			c = ' '
		} else if c == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				c = hi<<4 | lo
				i += 2
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}
