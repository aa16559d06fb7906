package selectsql

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is a value's SQL type. MISSING (an absent field) and NULL are
// distinct, as in the reference.
type Kind uint8

// The kinds, in the order of the reference's data types page.
const (
	KMissing Kind = iota
	KNull
	KBool
	KInt
	KFloat
	KDecimal
	KString
	KTimestamp
)

var kindNames = [...]string{"MISSING", "NULL", "BOOL", "INT", "FLOAT", "DECIMAL", "STRING", "TIMESTAMP"}

func (k Kind) String() string { return kindNames[k] }

// Value is one SQL value. Strings read from CSV fields may alias the
// reader's buffer; they live only until the next record.
type Value struct {
	K  Kind
	tp tsPrec // timestamps: precision and whether the offset is known
	B  bool
	I  int64
	F  float64 // FLOAT and DECIMAL
	// S is a STRING's text, or a DECIMAL's digits as written (empty once
	// computed)
	S string
	T *time.Time // a pointer keeps Value small on the hot path
}

func tsV(t time.Time, p tsPrec) Value { return Value{K: KTimestamp, T: &t, tp: p} }

var (
	missing = Value{K: KMissing}
	null    = Value{K: KNull}
	vTrue   = Value{K: KBool, B: true}
	vFalse  = Value{K: KBool}
)

func boolV(b bool) Value {
	if b {
		return vTrue
	}
	return vFalse
}

func intV(i int64) Value     { return Value{K: KInt, I: i} }
func strV(s string) Value    { return Value{K: KString, S: s} }
func floatV(f float64) Value { return Value{K: KFloat, F: f} }

func (v Value) absent() bool { return v.K <= KNull }

func (v Value) numeric() bool { return v.K == KInt || v.K == KFloat || v.K == KDecimal }

func (v Value) float() float64 {
	if v.K == KInt {
		return float64(v.I)
	}
	return v.F
}

// parseNumber reads s (surrounding blanks ignored) as an INT when it is
// an integer, else as a DECIMAL (plain notation) or FLOAT (exponent).
func parseNumber(s string) (Value, bool) {
	if i, ok := smallInt(s); ok {
		return intV(i), true
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return Value{}, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return intV(i), true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return Value{}, false // no "Inf", "NaN", hex or underscores
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) {
		return Value{}, false
	}
	if strings.ContainsAny(s, "eE") {
		return floatV(f), true
	}
	// S keeps the decimal as written, so 1.10 prints as 1.10 (its scale)
	return Value{K: KDecimal, F: f, S: s}, true
}

// smallInt reads an optionally signed run of at most 18 digits, the
// common case of CSV numbers, without strconv's generality.
func smallInt(s string) (int64, bool) {
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + int64(d)
	}
	if neg {
		n = -n
	}
	return n, true
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// appendText appends v as it appears in CSV output: NULL and MISSING are
// empty, timestamps are in the Ion text form AWS prints.
func appendText(b []byte, v Value) []byte {
	switch v.K {
	case KBool:
		return strconv.AppendBool(b, v.B)
	case KInt:
		return strconv.AppendInt(b, v.I, 10)
	case KDecimal:
		if v.S != "" {
			return append(b, v.S...)
		}
		return appendFloat(b, v.F)
	case KFloat:
		return appendFloat(b, v.F)
	case KString:
		return append(b, v.S...)
	case KTimestamp:
		return appendTimestamp(b, *v.T, v.tp)
	}
	return b
}

func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	case math.IsNaN(f):
		return append(b, "NaN"...)
	}
	a := math.Abs(f)
	if a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(b, f, 'E', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

func (v Value) text() string { return string(appendText(nil, v)) }
