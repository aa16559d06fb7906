package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"permafrost/internal/glacier"
)

// maxJSONBody bounds the JSON bodies of control-plane requests. The largest
// legitimate one is a 20 KB policy, escaped inside a JSON string.
const maxJSONBody = 1 << 20

// readBody reads a control-plane request body, refusing one over
// maxJSONBody before reading it when its length is declared. Upload bodies
// never come here: they stream. The memory is admitted through the
// service's buffer budget first (glacier.Service.AdmitBody), so that slow
// senders queue rather than each holding a body's worth of memory.
func readBody(c *call) ([]byte, error) {
	r := c.r
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > maxJSONBody {
		return nil, glacier.Errorf(glacier.InvalidParameterValue, "The request body exceeds the maximum size of %d bytes.", maxJSONBody)
	}
	size := r.ContentLength
	if size < 0 {
		size = maxJSONBody + 1 // chunked: at most this much is read
	}
	if c.svc != nil {
		release, err := c.svc.AdmitBody(r.Context(), size)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	var body []byte
	var err error
	if r.ContentLength > 0 {
		body = make([]byte, r.ContentLength)
		var n int
		n, err = io.ReadFull(r.Body, body)
		body = body[:n]
	} else {
		body, err = io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	}
	if err != nil {
		return nil, glacier.Errorf(glacier.RequestTimeout, "The request body could not be read: %v", err)
	}
	if len(body) > maxJSONBody {
		return nil, glacier.Errorf(glacier.InvalidParameterValue, "The request body exceeds the maximum size of %d bytes.", maxJSONBody)
	}
	return body, nil
}

// decodeJSON reads the request body as JSON into v, whatever the
// Content-Type. An empty body leaves v at its zero value. A member named
// twice in one object is refused (checkDuplicates).
func decodeJSON(c *call, v any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeJSONBytes(body, v)
}

// decodeJSONBytes is decodeJSON over a buffer; it is what the fuzz target
// exercises.
func decodeJSONBytes(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return serializationError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return glacier.Errorf(glacier.Serialization, "Unexpected content after the JSON document.")
	}
	return checkDuplicates(body, reflect.TypeOf(v))
}

func serializationError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "the request body"
		}
		return glacier.Errorf(glacier.Serialization, "Invalid type for %s: expected %s, found a JSON %s.", field, te.Type.String(), te.Value)
	case errors.As(err, &se):
		return glacier.Errorf(glacier.Serialization, "The request body is not valid JSON: %s (at offset %d).", se.Error(), se.Offset)
	default:
		return glacier.Errorf(glacier.Serialization, "The request body is not valid JSON: %s.", err.Error())
	}
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if a, ok := v.(jsonAppender); ok {
		buf := jsonBufs.Get().(*[]byte)
		*buf = a.appendJSON((*buf)[:0])
		writeBody(w, status, *buf)
		if cap(*buf) <= maxPooledJSON {
			jsonBufs.Put(buf)
		}
		return
	}
	body, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("api: encoding response: %v", err)) // a programming error
	}
	writeBody(w, status, body)
}

// jsonContentType is every JSON answer's Content-Type value, shared: a
// header's values are replaced (Set) or copied (Clone), never written in
// place.
var jsonContentType = []string{"application/json"}

// writeBody writes body, which is JSON, with the given status.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	// The keys are canonical already: assigned, not Set, they skip
	// net/textproto's canonicalization.
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// noContent answers 204 (or another empty status) with headers already set.
func noContent(w http.ResponseWriter, status int) {
	w.WriteHeader(status)
}

func isoTime(t time.Time) string { return glacier.FormatTime(t) }

func isoTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := glacier.FormatTime(*t)
	return &s
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// setAWS sets a response header under exactly the name given, bypassing
// Go's canonical form: Glacier sends its own headers in lower case
// (x-amz-archive-id, not X-Amz-Archive-Id). net/http writes map keys as
// they are; clients compare header names without regard to case.
func setAWS(h http.Header, name, value string) {
	h[name] = []string{value}
}

// header returns the first value of the header named by canonicalKey,
// which must be in canonical form: a map index instead of Header.Get,
// whose canonicalization of an x-amz- name allocates on every request.
// Received headers are stored under canonical keys.
func header(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}
