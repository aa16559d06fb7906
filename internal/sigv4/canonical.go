package sigv4

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const upperHex = "0123456789ABCDEF"

// isUnreserved reports whether c is an RFC 3986 unreserved character, the
// only bytes SigV4 leaves unencoded.
func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func appendPctByte(dst []byte, c byte) []byte {
	return append(dst, '%', upperHex[c>>4], upperHex[c&15])
}

// wirePath returns the request path as the client sent it: the path part of
// RequestURI for server requests, otherwise what the Go client would put on
// the wire (Opaque, or URL.EscapedPath).
func wirePath(r *http.Request) string {
	p := ""
	if u := r.RequestURI; u != "" && u[0] == '/' {
		p, _, _ = strings.Cut(u, "?")
	} else if r.URL != nil {
		if o := r.URL.Opaque; o != "" {
			o, _, _ = strings.Cut(o, "?")
			o = strings.TrimPrefix(o, "//")
			if i := strings.IndexByte(o, '/'); i >= 0 {
				p = o[i:]
			}
		} else {
			p = r.URL.EscapedPath()
		}
	}
	if p == "" {
		return "/"
	}
	return p
}

// appendCanonicalURI URI-encodes the already-escaped wire path once more,
// keeping '/', as non-S3 services (and aws-sdk-go-v2 for glacier) do.
func appendCanonicalURI(dst []byte, path string) []byte {
	for i := 0; i < len(path); i++ {
		c := path[i]
		if isUnreserved(c) || c == '/' {
			dst = append(dst, c)
		} else {
			dst = appendPctByte(dst, c)
		}
	}
	return dst
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// appendQueryComponent decodes one raw query key or value ('+' is a space,
// %XX a byte; a '%' not followed by two hex digits is literal) and appends
// its RFC 3986 encoding.
func appendQueryComponent(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			dst = append(dst, "%20"...)
			continue
		case c == '%' && i+2 < len(s):
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				c = hi<<4 | lo
				i += 2
			}
		}
		if isUnreserved(c) {
			dst = append(dst, c)
		} else {
			dst = appendPctByte(dst, c)
		}
	}
	return dst
}

type querySpan struct{ ks, ke, ve int }

// appendCanonicalQuery appends the canonical query string for raw: every
// parameter (a missing '=' meaning an empty value) re-encoded and sorted by
// key then value. With presigned set, X-Amz-Signature is left out.
func appendCanonicalQuery(dst []byte, raw string, presigned bool) []byte {
	if raw == "" {
		return dst
	}
	var scratchArr [512]byte
	var spansArr [16]querySpan
	scratch, spans := scratchArr[:0], spansArr[:0]
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		ks := len(scratch)
		scratch = appendQueryComponent(scratch, k)
		ke := len(scratch)
		if presigned && string(scratch[ks:ke]) == "X-Amz-Signature" {
			scratch = scratch[:ks]
			continue
		}
		scratch = appendQueryComponent(scratch, v)
		spans = append(spans, querySpan{ks, ke, len(scratch)})
	}
	slices.SortFunc(spans, func(a, b querySpan) int {
		if c := bytes.Compare(scratch[a.ks:a.ke], scratch[b.ks:b.ke]); c != 0 {
			return c
		}
		return bytes.Compare(scratch[a.ke:a.ve], scratch[b.ke:b.ve])
	})
	for i, s := range spans {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, scratch[s.ks:s.ke]...)
		dst = append(dst, '=')
		dst = append(dst, scratch[s.ke:s.ve]...)
	}
	return dst
}

// appendCanonicalHeaders appends "name:value\n" for each signed header in
// the order given, names lowercased.
func appendCanonicalHeaders(dst []byte, r *http.Request, signed string) []byte {
	for signed != "" {
		var name string
		name, signed, _ = strings.Cut(signed, ";")
		start := len(dst)
		for i := 0; i < len(name); i++ {
			dst = append(dst, lower(name[i]))
		}
		lname := dst[start:]
		dst = append(dst, ':')
		switch {
		case string(lname) == "host":
			host := r.Host
			if host == "" && r.URL != nil {
				host = r.URL.Host
			}
			dst = appendHeaderValue(dst, host)
		default:
			vals := lookupHeader(r.Header, name)
			if vals == nil && string(lname) == "content-length" && r.ContentLength > 0 {
				dst = strconv.AppendInt(dst, r.ContentLength, 10)
			}
			for j, v := range vals {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = appendHeaderValue(dst, v)
			}
		}
		dst = append(dst, '\n')
	}
	return dst
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// lookupHeader finds name in h without allocating: first under its
// canonical MIME form (how net/http stores keys), then case-insensitively.
func lookupHeader(h http.Header, name string) []string {
	var buf [64]byte
	if len(name) <= len(buf) {
		upper := true
		for i := 0; i < len(name); i++ {
			c := lower(name[i])
			if upper && 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			buf[i] = c
			upper = c == '-'
		}
		if v, ok := h[string(buf[:len(name)])]; ok {
			return v
		}
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// appendHeaderValue trims v and collapses runs of spaces, as SigV4 requires.
func appendHeaderValue(dst []byte, v string) []byte {
	v = strings.TrimSpace(v)
	for {
		i := strings.Index(v, "  ")
		if i < 0 {
			return append(dst, v...)
		}
		dst = append(dst, v[:i+1]...)
		v = strings.TrimLeft(v[i+1:], " ")
	}
}

// hasSignedHeader reports whether the ';'-separated list contains name
// (compared case-insensitively).
func hasSignedHeader(signed, name string) bool {
	for signed != "" {
		var n string
		n, signed, _ = strings.Cut(signed, ";")
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}
