package sigv4

import "errors"

// IsSignatureMismatch reports whether err is Verify's answer to a signature
// that does not match the request: the only one that can depend on the
// payload hash. Every other failure (no or malformed signature, unknown
// key, wrong scope, request time out of range) is decided by the request
// line and headers alone, so a server can refuse it before reading the
// body.
func IsSignatureMismatch(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == CodeInvalidSignature && e.Message == msgSignatureMismatch
}

// MismatchError is the error Verify gives a signature that does not match
// the request, for a caller that knows it cannot match.
func MismatchError() *Error { return errMismatch.clone() }
