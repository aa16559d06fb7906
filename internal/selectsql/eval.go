package selectsql

import (
	"math"
	"strings"
	"unsafe"
)

func (e *litExpr) eval(*row) (Value, error) { return e.v, nil }

func (e *colExpr) eval(r *row) (Value, error) {
	if e.index < 0 || e.index >= len(r.fields) {
		return missing, nil
	}
	f := r.fields[e.index]
	if len(f) == 0 {
		return Value{K: KString}, nil
	}
	// The field aliases the reader's buffer; the value does not outlive
	// the record (see row), so no copy is made.
	return Value{K: KString, S: unsafe.String(&f[0], len(f))}, nil
}

// truth is a value as a condition: 1 true, 0 false, -1 unknown (NULL or
// MISSING); any other type is a type error, as for the other operators.
func truth(v Value) (int, error) {
	switch {
	case v.K == KBool && v.B:
		return 1, nil
	case v.K == KBool:
		return 0, nil
	case v.absent():
		return -1, nil
	}
	return -1, notEvaluable(v.K.String() + " used as a condition")
}

func fromTruth(t int) Value {
	if t < 0 {
		return null
	}
	return boolV(t == 1)
}

func (e *notExpr) eval(r *row) (Value, error) {
	v, err := e.x.eval(r)
	if err != nil {
		return v, err
	}
	t, err := truth(v)
	if err != nil || t < 0 {
		return null, err
	}
	return boolV(t == 0), nil
}

func (e *logicExpr) eval(r *row) (Value, error) {
	l, err := e.l.eval(r)
	if err != nil {
		return l, err
	}
	lt, err := truth(l)
	if err != nil {
		return null, err
	}
	if e.and && lt == 0 || !e.and && lt == 1 {
		return l, nil // short circuit: the right side is not evaluated
	}
	rv, err := e.r.eval(r)
	if err != nil {
		return rv, err
	}
	rt, err := truth(rv)
	if err != nil {
		return null, err
	}
	if e.and {
		switch {
		case rt == 0:
			return vFalse, nil
		case lt == 1 && rt == 1:
			return vTrue, nil
		}
		return null, nil
	}
	switch {
	case rt == 1:
		return vTrue, nil
	case lt == 0 && rt == 0:
		return vFalse, nil
	}
	return null, nil
}

// compare orders two present values; ok is false when their types do
// not compare (a string and a number, say: no implicit conversion, "all
// input data is treated as a string. It must be cast").
func compare(a, b Value) (int, bool) {
	switch {
	case a.K == KInt && b.K == KInt:
		return cmp3(a.I < b.I, a.I > b.I), true
	case a.numeric() && b.numeric():
		x, y := a.float(), b.float()
		if math.IsNaN(x) || math.IsNaN(y) {
			return 0, false
		}
		return cmp3(x < y, x > y), true
	case a.K == KString && b.K == KString:
		return strings.Compare(a.S, b.S), true
	case a.K == KBool && b.K == KBool:
		return cmp3(!a.B && b.B, a.B && !b.B), true
	case a.K == KTimestamp && b.K == KTimestamp:
		return a.T.Compare(*b.T), true
	}
	return 0, false
}

func cmp3(lt, gt bool) int {
	switch {
	case lt:
		return -1
	case gt:
		return 1
	}
	return 0
}

// equal is SQL '=' with three-valued logic.
func equal(a, b Value) int {
	if a.K == KMissing || b.K == KMissing || a.K == KNull || b.K == KNull {
		return -1
	}
	c, ok := compare(a, b)
	if !ok {
		return 0 // values of different types are never equal
	}
	if c == 0 {
		return 1
	}
	return 0
}

func (e *cmpExpr) eval(r *row) (Value, error) {
	l, err := e.l.eval(r)
	if err != nil {
		return l, err
	}
	rv, err := e.r.eval(r)
	if err != nil {
		return rv, err
	}
	if l.K == KInt && rv.K == KInt {
		return boolV(cmpOp(e.op, cmp3(l.I < rv.I, l.I > rv.I))), nil
	}
	if l.K == KMissing || rv.K == KMissing {
		return missing, nil
	}
	if l.K == KNull || rv.K == KNull {
		return null, nil
	}
	c, ok := compare(l, rv)
	if !ok {
		switch e.op {
		case "=":
			return vFalse, nil // values of different types are not equal
		case "<>":
			return vTrue, nil
		}
		return null, notEvaluable(l.K.String() + " " + e.op + " " + rv.K.String() + " (CSV fields are strings until CAST)")
	}
	return boolV(cmpOp(e.op, c)), nil
}

// cmpOp applies a comparison operator to an ordering.
func cmpOp(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "<>":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

func (e *betweenExpr) eval(r *row) (Value, error) {
	x, err := e.x.eval(r)
	if err != nil {
		return x, err
	}
	lo, err := e.lo.eval(r)
	if err != nil {
		return lo, err
	}
	hi, err := e.hi.eval(r)
	if err != nil {
		return hi, err
	}
	ge, err := order(x, lo, func(c int) bool { return c >= 0 })
	if err != nil {
		return null, err
	}
	le, err := order(x, hi, func(c int) bool { return c <= 0 })
	if err != nil {
		return null, err
	}
	t := and3(ge, le)
	if e.not && t >= 0 {
		t = 1 - t
	}
	return fromTruth(t), nil
}

func order(a, b Value, f func(int) bool) (int, error) {
	if a.absent() || b.absent() {
		return -1, nil
	}
	c, ok := compare(a, b)
	if !ok {
		return -1, notEvaluable(a.K.String() + " BETWEEN " + b.K.String())
	}
	if f(c) {
		return 1, nil
	}
	return 0, nil
}

func and3(a, b int) int {
	switch {
	case a == 0 || b == 0:
		return 0
	case a == 1 && b == 1:
		return 1
	}
	return -1
}

func (e *inExpr) eval(r *row) (Value, error) {
	x, err := e.x.eval(r)
	if err != nil {
		return x, err
	}
	t := 0
	for _, it := range e.list {
		v, err := it.eval(r)
		if err != nil {
			return v, err
		}
		switch equal(x, v) {
		case 1:
			t = 1
		case -1:
			t = -1
		}
		if t == 1 {
			break
		}
	}
	if e.not && t >= 0 {
		t = 1 - t
	}
	return fromTruth(t), nil
}

func (e *isExpr) eval(r *row) (Value, error) {
	x, err := e.x.eval(r)
	if err != nil {
		return x, err
	}
	b := x.K == KMissing || !e.missing && x.K == KNull
	return boolV(b != e.not), nil
}

func (e *concatExpr) eval(r *row) (Value, error) {
	l, err := e.l.eval(r)
	if err != nil {
		return l, err
	}
	rv, err := e.r.eval(r)
	if err != nil {
		return rv, err
	}
	switch {
	case l.K == KMissing || rv.K == KMissing:
		return missing, nil
	case l.K == KNull || rv.K == KNull:
		return null, nil
	}
	b := appendText(make([]byte, 0, 32), l)
	if b = appendText(b, rv); len(b) > MaxRecordSize {
		// bounds the memory of a long chain of || over long fields
		return null, evalErr(OverMaxRecordSize, "concatenation longer than 1 MiB")
	}
	return strV(string(b)), nil
}

func (e *caseExpr) eval(r *row) (Value, error) {
	var op Value
	if e.operand != nil {
		v, err := e.operand.eval(r)
		if err != nil {
			return v, err
		}
		op = v
	}
	for _, w := range e.whens {
		c, err := w.cond.eval(r)
		if err != nil {
			return c, err
		}
		var hit bool
		if e.operand != nil {
			hit = equal(op, c) == 1
		} else {
			t, err := truth(c)
			if err != nil {
				return null, err
			}
			hit = t == 1
		}
		if hit {
			return w.result.eval(r)
		}
	}
	if e.els != nil {
		return e.els.eval(r)
	}
	return null, nil
}

// stringBytes views s as bytes without copying; the writer only reads it.
func stringBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
