package sigv4

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
)

const (
	amzDateLayout   = "20060102T150405Z"
	maxSkew         = 15 * time.Minute
	maxPresignLife  = 7 * 24 * time.Hour
	defaultPresign  = 15 * time.Minute
	emptySHA256     = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

// Result describes a successfully verified request.
type Result struct {
	AccessKeyID string
	Region      string
	// Presigned is true for the query-string (presigned URL) form.
	Presigned bool
}

// Verify checks r's SigV4 signature, in either the Authorization-header or
// the presigned query-string form, against creds at time now.
//
// payloadHash is the hex SHA-256 of the body that the caller vouches for; it
// becomes the last line of the canonical request. An empty payloadHash means
// the SHA-256 of an empty body for the header form and "UNSIGNED-PAYLOAD" for
// presigned requests; a presigned request signed with UNSIGNED-PAYLOAD is
// accepted whatever payloadHash is given.
//
// Rules, in the order they are checked (each failure is an *Error):
//   - No Authorization header and no presign parameters:
//     MissingAuthenticationTokenException. The header wins if both appear.
//   - Malformed header or parameters, a missing or malformed X-Amz-Date
//     (or Date) header, or host / the dating header not among the signed
//     headers: IncompleteSignatureException.
//   - Scope service other than glacier, or scope date different from the
//     request date: InvalidSignatureException.
//   - Unknown access key: UnrecognizedClientException.
//   - Header form: request time (X-Amz-Date, else Date in ISO 8601 basic or
//     an HTTP date format) more than 15 minutes from now:
//     InvalidSignatureException "Signature expired: ..." or "Signature not
//     yet current: ...". Presigned form: now more than 15 minutes before
//     X-Amz-Date gives the latter; now after X-Amz-Date + X-Amz-Expires
//     (default 900 s, at most 604800 s) gives AccessDeniedException "Request
//     has expired".
//   - Signature mismatch: InvalidSignatureException.
func Verify(r *http.Request, payloadHash string, creds *Credentials, now time.Time) (Result, Credential, error) {
	res, cred, err := verify(r, payloadHash, creds, now)
	if err != nil {
		return Result{}, Credential{}, err
	}
	return res, cred, nil
}

func verify(r *http.Request, payloadHash string, creds *Credentials, now time.Time) (Result, Credential, *Error) {
	var (
		a         authInfo
		amzDate   [16]byte
		reqTime   time.Time
		expires   time.Duration
		presigned bool
		err       *Error
	)
	rawQuery := ""
	if r.URL != nil {
		rawQuery = r.URL.RawQuery
	}
	if h := r.Header["Authorization"]; len(h) > 0 && h[0] != "" {
		if a, _, err = parseAuthHeader(h[0]); err != nil {
			return Result{}, Credential{}, err
		}
		if amzDate, reqTime, err = headerTime(r, a.signedHeaders, h[0]); err != nil {
			return Result{}, Credential{}, err
		}
		if payloadHash == "" {
			payloadHash = emptySHA256
		}
	} else if hasPresignParams(rawQuery) {
		presigned = true
		if a, amzDate, reqTime, expires, err = parsePresign(rawQuery); err != nil {
			return Result{}, Credential{}, err
		}
		if payloadHash == "" {
			payloadHash = unsignedPayload
		}
	} else {
		return Result{}, Credential{}, errMissingToken.clone()
	}

	if !hasSignedHeader(a.signedHeaders, "host") {
		return Result{}, Credential{}, incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if a.service != serviceName {
		return Result{}, Credential{}, invalidSig("Credential should be scoped to correct service: '" + serviceName + "'. ")
	}
	if a.date != string(amzDate[:8]) {
		return Result{}, Credential{}, invalidSig("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			a.date + "' != '" + string(amzDate[:8]) + "', from '" + string(amzDate[:]) + "'.")
	}
	cred, ok := creds.Lookup(a.accessKeyID)
	if !ok {
		return Result{}, Credential{}, errUnrecognized.clone()
	}
	if presigned {
		if now.Before(reqTime.Add(-maxSkew)) {
			return Result{}, Credential{}, notYetCurrent(reqTime, now)
		}
		if now.After(reqTime.Add(expires)) {
			return Result{}, Credential{}, errExpired.clone()
		}
	} else if d := now.Sub(reqTime); d > maxSkew || d < -maxSkew {
		return Result{}, Credential{}, skewError(reqTime, now)
	}

	key := creds.signingKey(&cred, a.date, a.region)
	want := signature(r, &a, amzDate[:], rawQuery, presigned, payloadHash, key)
	if subtle.ConstantTimeCompare(want[:], a.signature[:]) != 1 {
		// SDKs presign requests to services other than S3 with the body's
		// hash, S3-style presigners with UNSIGNED-PAYLOAD: both are valid.
		if !presigned || payloadHash == unsignedPayload {
			return Result{}, Credential{}, errMismatch.clone()
		}
		want = signature(r, &a, amzDate[:], rawQuery, presigned, unsignedPayload, key)
		if subtle.ConstantTimeCompare(want[:], a.signature[:]) != 1 {
			return Result{}, Credential{}, errMismatch.clone()
		}
	}
	return Result{AccessKeyID: a.accessKeyID, Region: a.region, Presigned: presigned}, cred, nil
}

// signature computes the expected signature of r.
func signature(r *http.Request, a *authInfo, amzDate []byte, rawQuery string, presigned bool, payloadHash string, key [32]byte) [32]byte {
	var crArr [1024]byte
	crHash := sha256.Sum256(appendCanonicalRequest(crArr[:0], r, a, rawQuery, presigned, payloadHash))
	var stsArr [256]byte
	return hmacSHA256(key[:], appendStringToSign(stsArr[:0], a, amzDate, crHash))
}

// appendCanonicalRequest appends the SigV4 canonical request for r.
func appendCanonicalRequest(cr []byte, r *http.Request, a *authInfo, rawQuery string, presigned bool, payloadHash string) []byte {
	cr = append(cr, r.Method...)
	cr = append(cr, '\n')
	cr = appendCanonicalURI(cr, wirePath(r))
	cr = append(cr, '\n')
	cr = appendCanonicalQuery(cr, rawQuery, presigned)
	cr = append(cr, '\n')
	cr = appendCanonicalHeaders(cr, r, a.signedHeaders)
	cr = append(cr, '\n')
	for i := 0; i < len(a.signedHeaders); i++ {
		cr = append(cr, lower(a.signedHeaders[i]))
	}
	cr = append(cr, '\n')
	return append(cr, payloadHash...)
}

// appendStringToSign appends the SigV4 string to sign.
func appendStringToSign(sts []byte, a *authInfo, amzDate []byte, crHash [32]byte) []byte {
	sts = append(sts, algorithm+"\n"...)
	sts = append(sts, amzDate...)
	sts = append(sts, '\n')
	sts = append(sts, a.date...)
	sts = append(sts, '/')
	sts = append(sts, a.region...)
	sts = append(sts, '/')
	sts = append(sts, a.service...)
	sts = append(sts, "/"+terminator+"\n"...)
	return appendHex(sts, crHash[:])
}

func appendHex(dst, b []byte) []byte {
	const digits = "0123456789abcdef"
	for _, c := range b {
		dst = append(dst, digits[c>>4], digits[c&15])
	}
	return dst
}

// parseAmzDate parses ISO 8601 basic format, yyyymmddThhmmssZ, strictly
// (calendar-valid dates and times only).
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != len(amzDateLayout) || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	n := func(i, j int) int {
		v := 0
		for ; i < j; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d, h, mi, sec := n(0, 4), n(4, 6), n(6, 8), n(9, 11), n(11, 13), n(13, 15)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // e.g. 20230230 normalised into March
		return time.Time{}, false
	}
	return t, true
}

func formatAmzDate(t time.Time) (out [16]byte) {
	t.UTC().AppendFormat(out[:0], amzDateLayout)
	return out
}

func badDate(s string) *Error {
	return incomplete("Date must be in ISO-8601 'basic format'. Got '" + s + "'. See http://en.wikipedia.org/wiki/ISO_8601")
}

// headerTime finds the request time of a header-signed request: X-Amz-Date,
// else Date (ISO 8601 basic or any HTTP date format). The header used must
// be signed.
func headerTime(r *http.Request, signed, authz string) ([16]byte, time.Time, *Error) {
	var amz [16]byte
	if v := r.Header["X-Amz-Date"]; len(v) > 0 {
		s := strings.TrimSpace(v[0])
		t, ok := parseAmzDate(s)
		if !ok {
			return amz, t, badDate(s)
		}
		if !hasSignedHeader(signed, "x-amz-date") {
			return amz, t, incomplete("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
		}
		copy(amz[:], s)
		return amz, t, nil
	}
	if v := r.Header["Date"]; len(v) > 0 {
		s := strings.TrimSpace(v[0])
		t, ok := parseAmzDate(s)
		if !ok {
			var err error
			if t, err = http.ParseTime(s); err != nil {
				return amz, t, badDate(s)
			}
		}
		if !hasSignedHeader(signed, "date") {
			return amz, t, incomplete("'Date' must be a 'SignedHeader' in the AWS Authorization.")
		}
		return formatAmzDate(t), t, nil
	}
	return amz, time.Time{}, incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + authz)
}
