package glacier

import (
	"errors"
	"fmt"
)

// Code is a Glacier error code, spelled exactly as on the wire.
type Code string

// The error codes of the Glacier API (spec 1.4) plus the signature errors
// shared by every AWS service.
const (
	AccessDenied               Code = "AccessDeniedException"
	BadRequest                 Code = "BadRequest"
	ExpiredToken               Code = "ExpiredTokenException"
	IncompleteSignature        Code = "IncompleteSignatureException"
	InsufficientCapacity       Code = "InsufficientCapacityException"
	InvalidParameterValue      Code = "InvalidParameterValueException"
	InvalidSignature           Code = "InvalidSignatureException"
	LimitExceeded              Code = "LimitExceededException"
	MissingAuthenticationToken Code = "MissingAuthenticationTokenException"
	MissingParameterValue      Code = "MissingParameterValueException"
	NoLongerSupported          Code = "NoLongerSupportedException"
	PolicyEnforced             Code = "PolicyEnforcedException"
	RequestTimeout             Code = "RequestTimeoutException"
	ResourceNotFound           Code = "ResourceNotFoundException"
	Serialization              Code = "SerializationException"
	ServiceUnavailable         Code = "ServiceUnavailableException"
	Throttling                 Code = "ThrottlingException"
	UnrecognizedClient         Code = "UnrecognizedClientException"
)

// AllCodes lists every code the server may emit; the api error table must
// have a row for each.
var AllCodes = []Code{
	AccessDenied, BadRequest, ExpiredToken, IncompleteSignature,
	InsufficientCapacity, InvalidParameterValue, InvalidSignature,
	LimitExceeded, MissingAuthenticationToken, MissingParameterValue,
	NoLongerSupported, PolicyEnforced, RequestTimeout, ResourceNotFound,
	Serialization, ServiceUnavailable, Throttling, UnrecognizedClient,
}

// Error is a Glacier error with its wire code and message.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf builds an *Error.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode extracts the code of err, or "" when err is not a Glacier error.
func ErrorCode(err error) Code {
	var ge *Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	return ""
}

// ErrNotFound is returned by stores when a record does not exist. The
// service turns it into the operation's ResourceNotFoundException.
var ErrNotFound = errors.New("not found")

// ErrMaybeCommitted is wrapped by a store's write error when the store could
// not prove the write undone: it is not visible now, but may become visible
// after a restart. Whatever such a write would have referred to (a blob)
// must be kept; Recover removes it at the next start if it is unreferenced.
var ErrMaybeCommitted = errors.New("the failed write may still be applied at the next start")

func invalid(format string, args ...any) *Error {
	return Errorf(InvalidParameterValue, format, args...)
}

func vaultNotFound(ref VaultRef) *Error {
	return Errorf(ResourceNotFound, "Vault not found for ARN: %s", ref.ARN())
}
