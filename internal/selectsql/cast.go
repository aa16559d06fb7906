package selectsql

import (
	"math"
	"strings"
)

func (e *castExpr) eval(r *row) (Value, error) {
	x, err := e.x.eval(r)
	if err != nil || x.absent() {
		return x, err
	}
	if x.K == KString && e.to == KInt {
		if i, ok := smallInt(x.S); ok {
			return intV(i), nil // the common case, without castTo's generality
		}
	}
	return castTo(x, e.to)
}

func castFailed(v Value, to Kind) error {
	return evalErr(CastFailed, "cannot read "+quoteDetail(v.text())+" as "+to.String())
}

func quoteDetail(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return "'" + s + "'"
}

// castTo implements CAST for present values: strings are parsed, numbers
// convert among themselves (FLOAT and DECIMAL to INT truncate toward
// zero), booleans are 1/0, and a timestamp converts only to a string.
func castTo(v Value, to Kind) (Value, error) {
	if v.K == to && to != KString {
		return v, nil
	}
	switch to {
	case KString:
		if v.K == KString {
			return strV(v.S), nil
		}
		return strV(v.text()), nil
	case KBool:
		switch v.K {
		case KInt:
			return boolV(v.I != 0), nil
		case KFloat, KDecimal:
			return boolV(v.F != 0), nil
		case KString:
			switch s := strings.TrimSpace(v.S); {
			case strings.EqualFold(s, "true"):
				return vTrue, nil
			case strings.EqualFold(s, "false"):
				return vFalse, nil
			}
			return null, castFailed(v, to)
		}
	case KInt, KFloat, KDecimal:
		n := v
		switch v.K {
		case KBool:
			n = intV(0)
			if v.B {
				n = intV(1)
			}
		case KString:
			var ok bool
			if n, ok = parseNumber(v.S); !ok {
				return null, castFailed(v, to)
			}
		case KTimestamp:
			return null, evalErr(InvalidCast, "TIMESTAMP to "+to.String())
		}
		if n.K == to {
			return n, nil
		}
		switch to {
		case KInt:
			if n.K == KInt {
				return n, nil
			}
			f := math.Trunc(n.F)
			if math.IsNaN(f) || f < -9.223372036854775808e18 || f >= 9.223372036854775808e18 {
				return null, evalErr(IntegerOverflow, "")
			}
			return intV(int64(f)), nil
		default:
			return Value{K: to, F: n.float()}, nil
		}
	case KTimestamp:
		if v.K == KString {
			t, p, ok := parseTimestamp(strings.TrimSpace(v.S))
			if !ok {
				return null, castFailed(v, to)
			}
			return tsV(t, p), nil
		}
	}
	return null, evalErr(InvalidCast, v.K.String()+" to "+to.String())
}
