package selectsql

import (
	"math"
)

// number reads v as a number for arithmetic: raw CSV strings are parsed;
// ok is false for anything else that is not a number.
func number(v Value) (Value, bool) {
	if v.K == KString && v.raw {
		return parseNumber(v.S)
	}
	return v, v.numeric()
}

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
	n, ok := number(x)
	if !ok {
		return missing, nil
	}
	if e.neg {
		return negate(n)
	}
	return n, nil
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
	a, ok1 := number(l)
	b, ok2 := number(rv)
	if !ok1 || !ok2 {
		return missing, nil
	}
	return arith(e.op, a, b)
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
