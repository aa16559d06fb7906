package selectsql

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// fixedNow is UTCNOW() in tests.
var fixedNow = time.Date(2024, 7, 1, 12, 30, 45, 123456789, time.UTC)

// evalOne evaluates "SELECT expr FROM ARCHIVE" over one empty record and
// returns the value's CSV text (NULL and MISSING are "<null>" and
// "<missing>", to tell them apart).
func evalOne(t *testing.T, x string) (string, error) {
	t.Helper()
	q, err := Parse("SELECT " + x + " FROM ARCHIVE")
	if err != nil {
		return "", err
	}
	q.now = fixedNow
	if err := q.bind(nil, false); err != nil {
		return "", err
	}
	v, err := q.items[0].x.eval(&row{})
	if err != nil {
		return "", err
	}
	switch v.K {
	case KNull:
		return "<null>", nil
	case KMissing:
		return "<missing>", nil
	}
	return v.text(), nil
}

// runCSV runs a query and returns the output; fails the test on error.
func runCSV(t *testing.T, query string, in CSVInput, out CSVOutput, data string) string {
	t.Helper()
	s, err := runCSVErr(query, in, out, data)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return s
}

func runCSVErr(query string, in CSVInput, out CSVOutput, data string) (string, error) {
	var b bytes.Buffer
	q, err := Parse(query)
	if err != nil {
		return "", err
	}
	_, err = q.Run(in, out, strings.NewReader(data), &b, Options{Now: fixedNow})
	return b.String(), err
}

// wantCode checks that err is an *Error with code and phase.
func wantCode(t *testing.T, what string, err error, code Code, phase Phase) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %v, want %s", what, err, code)
	}
	if e.Code != code || e.Phase != phase {
		t.Fatalf("%s: got %s (phase %d), want %s (phase %d): %v", what, e.Code, e.Phase, code, phase, err)
	}
	if e.Message() == "" || !strings.HasPrefix(e.Error(), string(code)+": "+e.Message()) {
		t.Fatalf("%s: message %q", what, e.Error())
	}
}
