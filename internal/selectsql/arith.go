package selectsql

import (
	"math"
)

// notEvaluable is AWS's answer to an operator applied to values of the
// wrong type, such as a CSV field (a string) compared with or added to a
// number without CAST.
func notEvaluable(detail string) error { return evalErr(ExternalEvalException, detail) }

func negate(v Value) (Value, error) {
	switch v.K {
	case KInt:
		if v.I == math.MinInt64 {
			return v, evalErr(IntegerOverflow, "")
		}
		return intV(-v.I), nil
	case KFloat, KDecimal:
		v.F, v.S = -v.F, ""
		return v, nil
	}
	return v, nil
}

func (e *unaryExpr) eval(r *row) (Value, error) {
	x, err := e.x.eval(r)
	if err != nil || x.absent() {
		return x, err
	}
	if !x.numeric() {
		return null, notEvaluable("unary minus on " + x.K.String())
	}
	if e.neg {
		return negate(x)
	}
	return x, nil
}

func (e *arithExpr) eval(r *row) (Value, error) {
	l, err := e.l.eval(r)
	if err != nil {
		return l, err
	}
	rv, err := e.r.eval(r)
	if err != nil {
		return rv, err
	}
	switch {
	case l.K == KInt && rv.K == KInt:
		return arith(e.op, l, rv)
	case l.K == KMissing || rv.K == KMissing:
		return missing, nil
	case l.K == KNull || rv.K == KNull:
		return null, nil
	}
	if !l.numeric() || !rv.numeric() {
		return null, notEvaluable("arithmetic on " + l.K.String() + " and " + rv.K.String() + " (CSV fields are strings until CAST)")
	}
	return arith(e.op, l, rv)
}

func arith(op byte, a, b Value) (Value, error) {
	if a.K == KInt && b.K == KInt {
		x, y := a.I, b.I
		switch op {
		case '+':
			s := x + y
			if (s > x) != (y > 0) {
				return null, evalErr(IntegerOverflow, "")
			}
			return intV(s), nil
		case '-':
			s := x - y
			if (s < x) != (y > 0) {
				return null, evalErr(IntegerOverflow, "")
			}
			return intV(s), nil
		case '*':
			if x == 0 || y == 0 {
				return intV(0), nil
			}
			p := x * y
			if p/y != x || x == -1 && y == math.MinInt64 || y == -1 && x == math.MinInt64 {
				return null, evalErr(IntegerOverflow, "")
			}
			return intV(p), nil
		case '/', '%':
			if y == 0 {
				return null, nil
			}
			if x == math.MinInt64 && y == -1 {
				if op == '%' {
					return intV(0), nil
				}
				return null, evalErr(IntegerOverflow, "")
			}
			if op == '/' {
				return intV(x / y), nil
			}
			return intV(x % y), nil
		}
	}
	k := KDecimal
	if a.K == KFloat || b.K == KFloat {
		k = KFloat
	}
	x, y := a.float(), b.float()
	var f float64
	switch op {
	case '+':
		f = x + y
	case '-':
		f = x - y
	case '*':
		f = x * y
	case '/':
		if y == 0 {
			return null, nil
		}
		f = x / y
	case '%':
		if y == 0 {
			return null, nil
		}
		f = math.Mod(x, y)
	}
	return Value{K: k, F: f}, nil
}
