package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// opKind is the comparison a condition performs, with negation and
// IfExists held separately on the condition.
type opKind uint8

const (
	opStringEquals opKind = iota
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opBool
)

// operators maps each supported base operator name (without "IfExists")
// to its comparison and whether it is the negated form.
var operators = map[string]struct {
	kind   opKind
	negate bool
}{
	"StringEquals":             {opStringEquals, false},
	"StringNotEquals":          {opStringEquals, true},
	"StringLike":               {opStringLike, false},
	"StringNotLike":            {opStringLike, true},
	"NumericEquals":            {opNumericEquals, false},
	"NumericNotEquals":         {opNumericEquals, true},
	"NumericLessThan":          {opNumericLessThan, false},
	"NumericLessThanEquals":    {opNumericLessThanEquals, false},
	"NumericGreaterThan":       {opNumericGreaterThan, false},
	"NumericGreaterThanEquals": {opNumericGreaterThanEquals, false},
	"Bool":                     {opBool, false},
}

// condition is one compiled (operator, key, values) triple. A Condition
// element with several operators, or an operator with several keys, yields
// several conditions, all of which must hold.
type condition struct {
	kind     opKind
	negate   bool
	ifExists bool
	key      string    // as written; compared ASCII case-insensitively
	strs     []string  // StringEquals values; Bool values ("true"/"false")
	globs    []pattern // StringLike values
	nums     []float64 // Numeric values
}

// parseConditions validates and compiles a Condition element.
func parseConditions(raw *node, where string) ([]condition, error) {
	ops, err := objectMembers(raw, where)
	if err != nil {
		return nil, err
	}
	var out []condition
	for _, op := range ops {
		ow := where + "." + op.key
		name := op.key
		if strings.HasPrefix(name, "ForAnyValue:") || strings.HasPrefix(name, "ForAllValues:") {
			return nil, fmt.Errorf("%s: set operators (ForAnyValue:/ForAllValues:) are not supported", ow)
		}
		base, ifExists := strings.CutSuffix(name, "IfExists")
		info, ok := operators[base]
		if !ok {
			return nil, fmt.Errorf("%s: unsupported condition operator %q", where, name)
		}
		keys, err := objectMembers(op.val, ow)
		if err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			return nil, fmt.Errorf("%s: must contain at least one condition key", ow)
		}
		for i, k := range keys {
			kw := ow + "." + k.key
			if svc, rest, ok := strings.Cut(k.key, ":"); !ok || svc == "" || rest == "" {
				return nil, fmt.Errorf("%s: condition key %q is not of the form \"<prefix>:<name>\"", ow, k.key)
			}
			for _, prev := range keys[:i] {
				if asciiEqualFold(prev.key, k.key) {
					return nil, fmt.Errorf("%s: condition keys %q and %q differ only in case", ow, prev.key, k.key)
				}
			}
			c := condition{kind: info.kind, negate: info.negate, ifExists: ifExists, key: k.key}
			if err := c.setValues(k.val, kw); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// setValues decodes the policy values for c: a scalar or a non-empty array
// of scalars (string, number or boolean), converted as the operator needs.
func (c *condition) setValues(raw *node, where string) error {
	elems := []*node{raw}
	isArray := raw.kind == kindArray
	if isArray {
		if len(raw.elems) == 0 {
			return fmt.Errorf("%s: must not be an empty array", where)
		}
		elems = raw.elems
	}
	at := func(i int) string { // the element's location, for errors
		if isArray {
			return fmt.Sprintf("%s[%d]", where, i)
		}
		return where
	}
	for i, e := range elems {
		switch e.kind {
		case kindString, kindNumber, kindBool:
		default:
			return fmt.Errorf("%s: condition value must be a string, number or boolean, got %s", at(i), kindName(e.kind))
		}
		text := e.str
		switch c.kind {
		case opStringEquals:
			c.strs = append(c.strs, text)
		case opStringLike:
			c.globs = append(c.globs, compilePattern(text, false))
		case opBool:
			if !asciiEqualFold(text, "true") && !asciiEqualFold(text, "false") {
				return fmt.Errorf("%s: Bool value must be true or false, got %q", at(i), text)
			}
			c.strs = append(c.strs, asciiLower(text))
		default:
			n, ok := parseNumber(text)
			if !ok {
				return fmt.Errorf("%s: numeric condition value %q is not a finite decimal number", at(i), text)
			}
			c.nums = append(c.nums, n)
		}
	}
	return nil
}

// parseNumber accepts an optionally signed decimal with optional fraction
// and exponent (no hex, NaN, Inf or underscores) that fits in a float64.
func parseNumber(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() bool {
		start := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if !digits() {
		return 0, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return 0, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// eval reports whether the condition holds for the request context.
//
// The context entry whose key is exactly c.key is used if it has values;
// otherwise every entry whose key equals c.key ASCII case-insensitively
// and has values takes part. The positive comparison holds if any request
// value matches any policy value. Negated operators hold exactly when the
// positive one does not, so an absent key makes them true; IfExists makes
// an absent key true for every operator.
func (c *condition) eval(ctx map[string][]string) bool {
	found, matched := false, false
	if vs := ctx[c.key]; len(vs) > 0 {
		found, matched = true, c.matchValues(vs)
	} else {
		for k, vs := range ctx {
			if len(vs) == 0 || !asciiEqualFold(k, c.key) {
				continue
			}
			found = true
			if c.matchValues(vs) {
				matched = true
				break
			}
		}
	}
	if !found {
		return c.ifExists || c.negate
	}
	return matched != c.negate
}

// matchValues reports whether any request value matches any policy value
// under the positive form of the operator.
func (c *condition) matchValues(vs []string) bool {
	for _, v := range vs {
		if c.matchValue(v) {
			return true
		}
	}
	return false
}

func (c *condition) matchValue(v string) bool {
	switch c.kind {
	case opStringEquals:
		for _, s := range c.strs {
			if s == v {
				return true
			}
		}
		return false
	case opStringLike:
		return matchAny(c.globs, v)
	case opBool:
		for _, s := range c.strs {
			if asciiEqualFold(v, s) {
				return true
			}
		}
		return false
	}
	x, ok := parseNumber(v)
	if !ok {
		return false
	}
	for _, n := range c.nums {
		if numericHolds(c.kind, x, n) {
			return true
		}
	}
	return false
}

// numericHolds compares request value x with policy value n.
func numericHolds(k opKind, x, n float64) bool {
	switch k {
	case opNumericEquals:
		return x == n
	case opNumericLessThan:
		return x < n
	case opNumericLessThanEquals:
		return x <= n
	case opNumericGreaterThan:
		return x > n
	case opNumericGreaterThanEquals:
		return x >= n
	}
	return false
}
