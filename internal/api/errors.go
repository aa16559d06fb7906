package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"permafrost/internal/glacier"
)

// errorRow is how one error code appears on the wire.
type errorRow struct {
	Status int
	Type   string
}

// errorTable maps every code the server emits to its HTTP status and type
// (spec 1.4). InsufficientCapacityException follows the developer guide
// (503) rather than the model (400): see docs/behaviour.md.
var errorTable = map[glacier.Code]errorRow{
	glacier.AccessDenied:               {http.StatusForbidden, "Client"},
	glacier.BadRequest:                 {http.StatusBadRequest, "Client"},
	glacier.ExpiredToken:               {http.StatusForbidden, "Client"},
	glacier.IncompleteSignature:        {http.StatusBadRequest, "Client"},
	glacier.InsufficientCapacity:       {http.StatusServiceUnavailable, "Server"},
	glacier.InvalidParameterValue:      {http.StatusBadRequest, "Client"},
	glacier.InvalidSignature:           {http.StatusForbidden, "Client"},
	glacier.LimitExceeded:              {http.StatusBadRequest, "Client"},
	glacier.MissingAuthenticationToken: {http.StatusBadRequest, "Client"},
	glacier.MissingParameterValue:      {http.StatusBadRequest, "Client"},
	glacier.NoLongerSupported:          {http.StatusBadRequest, "Client"},
	glacier.PolicyEnforced:             {http.StatusBadRequest, "Client"},
	glacier.RequestTimeout:             {http.StatusRequestTimeout, "Client"},
	glacier.ResourceNotFound:           {http.StatusNotFound, "Client"},
	glacier.Serialization:              {http.StatusBadRequest, "Client"},
	glacier.ServiceUnavailable:         {http.StatusInternalServerError, "Server"},
	glacier.Throttling:                 {http.StatusBadRequest, "Client"},
	glacier.UnrecognizedClient:         {http.StatusBadRequest, "Client"},
}

// wireError is the JSON error envelope.
type wireError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Type    string `json:"type"`
}

// errorResponse turns any error into its code, row and message. Errors that
// are not Glacier errors become a 500 with a generic message; the caller
// logs the detail.
func errorResponse(err error) (glacier.Code, errorRow, string, bool) {
	var se *statusError
	if errors.As(err, &se) {
		row := errorTable[se.err.Code]
		row.Status = se.status
		return se.err.Code, row, se.err.Message, true
	}
	var ge *glacier.Error
	if errors.As(err, &ge) {
		if row, ok := errorTable[ge.Code]; ok {
			return ge.Code, row, ge.Message, true
		}
	}
	return glacier.ServiceUnavailable, errorTable[glacier.ServiceUnavailable],
		"The service could not process the request because of an internal error.", false
}

// writeError writes err as a Glacier error response.
func writeError(w http.ResponseWriter, code glacier.Code, row errorRow, msg string) {
	body, _ := json.Marshal(wireError{Code: string(code), Message: msg, Type: row.Type})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(row.Status)
	_, _ = w.Write(body)
}

// statusError is a Glacier error sent with a status other than its code's
// row: UnrecognizedClientException is 400 for an unknown access key (spec
// 1.4) but 403 for an account id that is neither "-" nor 12 digits.
type statusError struct {
	status int
	err    *glacier.Error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

func withStatus(status int, err *glacier.Error) error { return &statusError{status, err} }
