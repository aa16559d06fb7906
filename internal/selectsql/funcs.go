package selectsql

import (
	"strings"
	"time"
	"unicode/utf8"
)

const (
	trimBoth = iota
	trimLeading
	trimTrailing
)

type funcSpec struct {
	min, max int // argument counts; max -1 for any
	fn       func(c *callExpr, v []Value) (Value, error)
}

var funcs = map[string]funcSpec{
	"CHAR_LENGTH":      {1, 1, fnCharLength},
	"CHARACTER_LENGTH": {1, 1, fnCharLength},
	"LOWER":            {1, 1, fnCase(strings.ToLower)},
	"UPPER":            {1, 1, fnCase(strings.ToUpper)},
	"SUBSTRING":        {2, 3, fnSubstring},
	"TRIM":             {1, 2, fnTrim},
	"COALESCE":         {1, -1, fnCoalesce},
	"NULLIF":           {2, 2, fnNullif},
	"DATE_ADD":         {2, 2, fnDateAdd},
	"DATE_DIFF":        {2, 2, fnDateDiff},
	"EXTRACT":          {1, 1, fnExtract},
	"TO_STRING":        {2, 2, fnToString},
	"TO_TIMESTAMP":     {1, 1, fnToTimestamp},
	"UTCNOW":           {0, 0, fnUtcnow},
}

var aggregates = map[string]bool{"COUNT": true, "SUM": true, "AVG": true, "MIN": true, "MAX": true}

var dateParts = map[string]bool{"YEAR": true, "MONTH": true, "DAY": true, "HOUR": true, "MINUTE": true, "SECOND": true}

// call parses NAME( ... ) for the built-in functions, with the special
// argument forms of SUBSTRING, TRIM, EXTRACT, DATE_ADD and DATE_DIFF.
func (p *parser) call(t token, name string) (expr, error) {
	if aggregates[name] {
		return nil, p.errAt(UnsupportedSQLOperation, t, "aggregate function "+name+" is supported by Amazon S3 Select only, not by S3 Glacier Select")
	}
	spec, ok := funcs[name]
	if !ok {
		return nil, p.errAt(UnsupportedFunction, t, "unknown function "+t.text)
	}
	p.i++ // (
	c := &callExpr{name: name, q: p.q, fn: spec.fn}
	arg := func() error {
		x, err := p.expr()
		if err == nil {
			c.args = append(c.args, x)
		}
		return err
	}
	part := func(extract bool) error {
		pt := p.next()
		up := strings.ToUpper(pt.text)
		if pt.kind != tIdent || !dateParts[up] && !(extract && (up == "TIMEZONE_HOUR" || up == "TIMEZONE_MINUTE")) {
			return p.errAt(ParseExpectedDatePart, pt, "")
		}
		c.part = up
		return nil
	}
	var err error
	switch name {
	case "EXTRACT":
		if err = part(true); err == nil {
			if err = p.expectKeyword("FROM"); err == nil {
				err = arg()
			}
		}
	case "DATE_ADD", "DATE_DIFF":
		if err = part(false); err == nil {
			for err == nil && p.acceptOp(",") {
				err = arg()
			}
		}
	case "TRIM":
		switch {
		case p.accept("LEADING"):
			c.trim = trimLeading
		case p.accept("TRAILING"):
			c.trim = trimTrailing
		case p.accept("BOTH"):
		}
		explicit := p.toks[p.i-1].is("LEADING") || p.toks[p.i-1].is("TRAILING") || p.toks[p.i-1].is("BOTH")
		if explicit && p.accept("FROM") {
			err = arg()
			break
		}
		if err = arg(); err == nil && p.accept("FROM") {
			err = arg() // TRIM([where] chars FROM s): chars first
		} else if err == nil && explicit {
			err = p.errAt(ParseExpectedKeyword, p.peek(), "expected FROM, found "+describe(p.peek()))
		}
	case "SUBSTRING":
		if err = arg(); err != nil {
			break
		}
		if p.accept("FROM") {
			if err = arg(); err == nil && p.accept("FOR") {
				err = arg()
			}
			break
		}
		for err == nil && p.acceptOp(",") {
			err = arg()
		}
	default:
		if !p.peek().op(")") {
			for err = arg(); err == nil && p.acceptOp(","); {
				err = arg()
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if !p.acceptOp(")") {
		n := p.peek()
		if n.kind == tEOF {
			return nil, p.errAt(ParseExpectedRightParenBuiltin, n, "")
		}
		return nil, p.errAt(ParseExpectedArgumentDelimiter, n, "")
	}
	if len(c.args) < spec.min || spec.max >= 0 && len(c.args) > spec.max {
		return nil, p.errAt(EvaluatorInvalidArguments, t, name+" takes a different number of arguments")
	}
	c.vals = make([]Value, len(c.args))
	return c, nil
}

func (c *callExpr) eval(r *row) (Value, error) {
	for i, a := range c.args {
		v, err := a.eval(r)
		if err != nil {
			return v, err
		}
		c.vals[i] = v
	}
	return c.fn(c, c.vals)
}

func argType(c *callExpr, want string) error {
	return evalErr(IncorrectSQLFunctionArgumentType, c.name+" expects "+want)
}

func fnCharLength(c *callExpr, v []Value) (Value, error) {
	if v[0].absent() {
		return null, nil
	}
	if v[0].K != KString {
		return null, argType(c, "a string")
	}
	return intV(int64(utf8.RuneCountInString(v[0].S))), nil
}

func fnCase(f func(string) string) func(c *callExpr, v []Value) (Value, error) {
	return func(c *callExpr, v []Value) (Value, error) {
		if v[0].absent() {
			return null, nil
		}
		if v[0].K != KString {
			return null, argType(c, "a string")
		}
		return strV(f(v[0].S)), nil
	}
}

// intArg reads an integer argument (a CSV field needs CAST first).
func intArg(c *callExpr, v Value) (int64, error) {
	n := v
	if !n.numeric() {
		return 0, argType(c, "an integer")
	}
	if n.K != KInt {
		t, err := castTo(n, KInt)
		if err != nil {
			return 0, err
		}
		n = t
	}
	return n.I, nil
}

// fnSubstring: SUBSTRING(s, start[, length]) counts characters from 1;
// "If start is < 1, it is set to 1" (the reference), before the length
// applies.
func fnSubstring(c *callExpr, v []Value) (Value, error) {
	for _, a := range v {
		if a.absent() {
			return null, nil
		}
	}
	if v[0].K != KString {
		return null, argType(c, "a string")
	}
	start, err := intArg(c, v[1])
	if err != nil {
		return null, err
	}
	s := v[0].S
	n := int64(utf8.RuneCountInString(s))
	if start < 1 {
		start = 1
	}
	end := n + 1
	if len(v) == 3 {
		l, err := intArg(c, v[2])
		if err != nil {
			return null, err
		}
		if l < 0 {
			return null, evalErr(IllegalSQLFunctionArgument, "SUBSTRING length is negative")
		}
		if start <= n+1 && l < n+1-start {
			end = start + l
		}
	}
	if end <= start {
		return strV(""), nil
	}
	var b strings.Builder
	i := int64(1)
	for _, r := range s {
		if i >= end {
			break
		}
		if i >= start {
			b.WriteRune(r)
		}
		i++
	}
	return strV(b.String()), nil
}

// fnTrim: TRIM([LEADING|TRAILING|BOTH] [chars] FROM s); chars default to
// the space character only.
func fnTrim(c *callExpr, v []Value) (Value, error) {
	s, chars := v[len(v)-1], strV(" ")
	if len(v) == 2 {
		chars = v[0]
	}
	if s.absent() || chars.absent() {
		return null, nil
	}
	if s.K != KString || chars.K != KString {
		return null, argType(c, "strings")
	}
	switch c.trim {
	case trimLeading:
		return strV(strings.TrimLeft(s.S, chars.S)), nil
	case trimTrailing:
		return strV(strings.TrimRight(s.S, chars.S)), nil
	}
	return strV(strings.Trim(s.S, chars.S)), nil
}

func fnCoalesce(_ *callExpr, v []Value) (Value, error) {
	for _, a := range v {
		if !a.absent() {
			return a, nil
		}
	}
	return null, nil
}

func fnNullif(_ *callExpr, v []Value) (Value, error) {
	if v[0].absent() || equal(v[0], v[1]) == 1 {
		return null, nil
	}
	return v[0], nil
}

func fnToTimestamp(c *callExpr, v []Value) (Value, error) {
	if v[0].absent() {
		return null, nil
	}
	if v[0].K != KString {
		return null, argType(c, "a string")
	}
	t, p, ok := parseTimestamp(strings.TrimSpace(v[0].S))
	if !ok {
		return null, evalErr(ValueParseFailure, "cannot read "+quoteDetail(v[0].S)+" as a timestamp")
	}
	return tsV(t, p), nil
}

func fnUtcnow(c *callExpr, _ []Value) (Value, error) {
	now := c.q.now
	if now.IsZero() {
		now = time.Now()
	}
	return tsV(now.UTC().Truncate(time.Millisecond), withFrac(3)), nil
}
