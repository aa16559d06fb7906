package sigv4

import (
	"strings"
	"time"
)

// AWS wire error codes returned in [Error.Code].
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	CodeIncompleteSignature        = "IncompleteSignatureException"
	CodeUnrecognizedClient         = "UnrecognizedClientException"
	CodeInvalidSignature           = "InvalidSignatureException"
	CodeAccessDenied               = "AccessDeniedException"
)

// Fixed messages, worded as AWS words them.
const (
	msgMissingToken      = "Missing Authentication Token"
	msgUnrecognized      = "The security token included in the request is invalid."
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgExpired           = "Request has expired"
)

// Error is an authentication failure. Code is the exact AWS wire error code
// (for example "InvalidSignatureException") and Message the human-readable
// text AWS would send with it.
type Error struct {
	Code    string
	Message string
}

// Error returns "Code: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

func incomplete(msg string) *Error { return &Error{Code: CodeIncompleteSignature, Message: msg} }

func invalidSig(msg string) *Error { return &Error{Code: CodeInvalidSignature, Message: msg} }

var (
	errMissingToken = &Error{Code: CodeMissingAuthenticationToken, Message: msgMissingToken}
	errUnrecognized = &Error{Code: CodeUnrecognizedClient, Message: msgUnrecognized}
	errMismatch     = &Error{Code: CodeInvalidSignature, Message: msgSignatureMismatch}
	errExpired      = &Error{Code: CodeAccessDenied, Message: msgExpired}
)

// clone returns a copy so that callers mutating a returned error cannot
// corrupt the shared sentinel values.
func (e *Error) clone() *Error { c := *e; return &c }

func isoBasic(t time.Time) string { return t.UTC().Format(amzDateLayout) }

// skewError reports a request time outside the allowed window around now.
func skewError(reqTime, now time.Time) *Error {
	if reqTime.Before(now) {
		return invalidSig("Signature expired: " + isoBasic(reqTime) + " is now earlier than " +
			isoBasic(now.Add(-maxSkew)) + " (" + isoBasic(now) + " - 15 min.)")
	}
	return notYetCurrent(reqTime, now)
}

func notYetCurrent(reqTime, now time.Time) *Error {
	return invalidSig("Signature not yet current: " + isoBasic(reqTime) + " is still later than " +
		isoBasic(now.Add(maxSkew)) + " (" + isoBasic(now) + " + 15 min.)")
}

// missingParams builds the AWS "requires 'X' parameter" message listing
// every missing Authorization component, followed by the header itself.
func missingParams(names []string, header string) *Error {
	var b strings.Builder
	for _, n := range names {
		b.WriteString("Authorization header requires '")
		b.WriteString(n)
		b.WriteString("' parameter. ")
	}
	b.WriteString("Authorization=")
	b.WriteString(header)
	return incomplete(b.String())
}

// missingQueryParams is the presigned-URL counterpart of missingParams.
func missingQueryParams(names []string) *Error {
	var b strings.Builder
	for _, n := range names {
		b.WriteString("AWS query-string parameters must include '")
		b.WriteString(n)
		b.WriteString("'. ")
	}
	b.WriteString("Re-examine the query-string parameters.")
	return incomplete(b.String())
}
