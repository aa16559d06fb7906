package selectsql

import (
	"strconv"
	"strings"
)

// expr := or
func (p *parser) expr() (expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.accept("OR") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &logicExpr{l: l, r: r}
	}
	return l, nil
}

func (p *parser) and() (expr, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.accept("AND") {
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		l = &logicExpr{and: true, l: l, r: r}
	}
	return l, nil
}

func (p *parser) not() (expr, error) {
	if p.accept("NOT") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &notExpr{x}, nil
	}
	return p.predicate()
}

// The predicate levels follow the reference's precedence table, lowest
// first: IS [NOT] NULL|MISSING (postfix), = <> != (right-associative),
// < <= > >=, LIKE, BETWEEN, IN; then || and arithmetic.

// predicate := equality { IS [NOT] (NULL | MISSING) }
func (p *parser) predicate() (expr, error) {
	l, err := p.equality()
	if err != nil {
		return nil, err
	}
	for p.accept("IS") {
		x := &isExpr{x: l, not: p.accept("NOT")}
		switch {
		case p.accept("NULL"):
		case p.accept("MISSING"):
			x.missing = true
		default:
			return nil, p.errAt(ParseExpectedKeyword, p.peek(), "expected NULL or MISSING, found "+describe(p.peek()))
		}
		l = x
	}
	return l, nil
}

// equality := relational [ ( = | <> | != ) equality ]
func (p *parser) equality() (expr, error) {
	l, err := p.relational()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if !t.op("=") && !t.op("<>") && !t.op("!=") {
		return l, nil
	}
	p.i++
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	r, err := p.equality()
	if err != nil {
		return nil, err
	}
	op := t.text
	if op == "!=" {
		op = "<>"
	}
	return &cmpExpr{op: op, l: l, r: r}, nil
}

// relational := likeLevel { ( < | <= | > | >= ) likeLevel }
func (p *parser) relational() (expr, error) {
	l, err := p.likeLevel()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if !t.op("<") && !t.op("<=") && !t.op(">") && !t.op(">=") {
			return l, nil
		}
		p.i++
		r, err := p.likeLevel()
		if err != nil {
			return nil, err
		}
		l = &cmpExpr{op: t.text, l: l, r: r}
	}
}

// notBefore consumes NOT when the keyword kw follows it.
func (p *parser) notBefore(kw string) (not, ok bool) {
	if p.peek().is(kw) {
		p.i++
		return false, true
	}
	if p.peek().is("NOT") && p.toks[p.i+1].is(kw) {
		p.i += 2
		return true, true
	}
	return false, false
}

// likeLevel := betweenLevel { [NOT] LIKE betweenLevel [ ESCAPE betweenLevel ] }
func (p *parser) likeLevel() (expr, error) {
	l, err := p.betweenLevel()
	if err != nil {
		return nil, err
	}
	for {
		not, ok := p.notBefore("LIKE")
		if !ok {
			return l, nil
		}
		pat, err := p.betweenLevel()
		if err != nil {
			return nil, err
		}
		x := &likeExpr{x: l, pat: pat, not: not}
		if p.accept("ESCAPE") {
			if x.esc, err = p.betweenLevel(); err != nil {
				return nil, err
			}
		}
		if err := x.precompile(); err != nil {
			return nil, err
		}
		l = x
	}
}

// betweenLevel := inLevel { [NOT] BETWEEN inLevel AND inLevel }
func (p *parser) betweenLevel() (expr, error) {
	l, err := p.inLevel()
	if err != nil {
		return nil, err
	}
	for {
		not, ok := p.notBefore("BETWEEN")
		if !ok {
			return l, nil
		}
		lo, err := p.inLevel()
		if err != nil {
			return nil, err
		}
		if err := p.expectKeyword("AND"); err != nil {
			return nil, err
		}
		hi, err := p.inLevel()
		if err != nil {
			return nil, err
		}
		l = &betweenExpr{x: l, lo: lo, hi: hi, not: not}
	}
}

// inLevel := concat { [NOT] IN "(" expr { "," expr } ")" }
func (p *parser) inLevel() (expr, error) {
	l, err := p.concat()
	if err != nil {
		return nil, err
	}
	for {
		not, ok := p.notBefore("IN")
		if !ok {
			return l, nil
		}
		if err := p.expectOp("(", ParseExpectedTokenType); err != nil {
			return nil, err
		}
		x := &inExpr{x: l, not: not}
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			x.list = append(x.list, e)
			if !p.acceptOp(",") {
				break
			}
		}
		if err := p.expectOp(")", ParseExpectedTokenType); err != nil {
			return nil, err
		}
		l = x
	}
}

func (p *parser) concat() (expr, error) {
	l, err := p.additive()
	if err != nil {
		return nil, err
	}
	for p.acceptOp("||") {
		r, err := p.additive()
		if err != nil {
			return nil, err
		}
		l = &concatExpr{l, r}
	}
	return l, nil
}

func (p *parser) additive() (expr, error) {
	l, err := p.multiplicative()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if !t.op("+") && !t.op("-") {
			return l, nil
		}
		p.i++
		r, err := p.multiplicative()
		if err != nil {
			return nil, err
		}
		l = &arithExpr{op: t.text[0], l: l, r: r}
	}
}

func (p *parser) multiplicative() (expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if !t.op("*") && !t.op("/") && !t.op("%") {
			return l, nil
		}
		p.i++
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &arithExpr{op: t.text[0], l: l, r: r}
	}
}

func (p *parser) unary() (expr, error) {
	t := p.peek()
	if t.op("-") && p.toks[p.i+1].kind == tNumber {
		n := p.toks[p.i+1]
		if v, ok := parseNumber("-" + n.text); ok {
			p.i += 2 // so that the most negative INT is a literal
			return &litExpr{v}, nil
		}
	}
	if t.op("-") || t.op("+") {
		p.i++
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		if l, ok := x.(*litExpr); ok && t.text == "-" && l.v.numeric() {
			v, err := negate(l.v)
			if err != nil {
				return nil, parseErr(IntegerOverflow, t.pos, "")
			}
			return &litExpr{v}, nil
		}
		return &unaryExpr{neg: t.text == "-", x: x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (expr, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return &litExpr{strV(t.text)}, nil
	case tNumber:
		v, ok := parseNumber(t.text)
		if !ok {
			return nil, p.errAt(LexerInvalidLiteral, t, "")
		}
		return &litExpr{v}, nil
	case tTimestamp:
		tm, prec, ok := parseTimestamp(t.text)
		if !ok {
			return nil, p.errAt(LexerInvalidLiteral, t, "invalid timestamp `"+t.text+"`")
		}
		return &litExpr{tsV(tm, prec)}, nil
	case tQuotedIdent:
		return p.column(t, true)
	case tOp:
		if t.text == "(" {
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(")", ParseExpectedTokenType); err != nil {
				return nil, err
			}
			return x, nil
		}
		if t.text == "*" {
			return nil, p.errAt(ParseAsteriskIsNotAlone, t, "")
		}
		return nil, p.errAt(ParseExpectedExpression, t, "")
	case tEOF:
		return nil, p.errAt(ParseExpectedExpression, t, "")
	}
	up := strings.ToUpper(t.text)
	switch up {
	case "TRUE":
		return &litExpr{vTrue}, nil
	case "FALSE":
		return &litExpr{vFalse}, nil
	case "NULL":
		return &litExpr{null}, nil
	case "MISSING":
		return &litExpr{missing}, nil
	case "CASE":
		return p.caseExpr()
	case "CAST":
		return p.cast(t)
	}
	if p.peek().op("(") {
		return p.call(t, up)
	}
	if reserved[up] {
		return nil, p.errAt(ParseUnexpectedKeyword, t, "")
	}
	return p.column(t, false)
}

// column parses name, alias.name, _N and alias._N.
func (p *parser) column(t token, quoted bool) (expr, error) {
	c := &colExpr{pos: t.pos + 1, name: t.text, quoted: quoted, named: true, index: -1}
	if p.acceptOp(".") {
		n := p.next()
		if n.kind != tIdent && n.kind != tQuotedIdent {
			return nil, p.errAt(ParseExpectedTokenType, n, "expected a column name after '.', found "+describe(n))
		}
		if n.kind == tIdent && reserved[strings.ToUpper(n.text)] {
			// the reference: s.CAST is a parse error, s."CAST" a column
			return nil, p.errAt(ParseUnexpectedKeyword, n, "")
		}
		c.qualifier, c.name, c.quoted = t.text, n.text, n.kind == tQuotedIdent
		if p.peek().op(".") || p.peek().op("[") {
			return nil, p.errAt(ParseUnsupportedSyntax, p.peek(), "nested paths apply to JSON input only")
		}
	}
	if !c.quoted && len(c.name) > 1 && c.name[0] == '_' {
		if n, err := strconv.Atoi(c.name[1:]); err == nil && strings.TrimLeft(c.name[1:], "0123456789") == "" {
			if n < 1 {
				return nil, parseErr(InvalidColumnIndex, t.pos, "column _"+c.name[1:])
			}
			c.index, c.named = n-1, false
		}
	}
	p.q.cols = append(p.q.cols, c)
	return c, nil
}

func (p *parser) caseExpr() (expr, error) {
	x := &caseExpr{}
	if t := p.peek(); !t.is("WHEN") && !t.is("ELSE") && !t.is("END") {
		op, err := p.expr()
		if err != nil {
			return nil, err
		}
		x.operand = op
	}
	for p.accept("WHEN") {
		c, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.expectKeyword("THEN"); err != nil {
			return nil, err
		}
		r, err := p.expr()
		if err != nil {
			return nil, err
		}
		x.whens = append(x.whens, whenClause{c, r})
	}
	if len(x.whens) == 0 {
		return nil, p.errAt(ParseExpectedWhenClause, p.peek(), "")
	}
	if p.accept("ELSE") {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		x.els = e
	}
	if err := p.expectKeyword("END"); err != nil {
		return nil, err
	}
	return x, nil
}

var typeNames = map[string]Kind{
	"BOOL": KBool, "BOOLEAN": KBool, "INT": KInt, "INTEGER": KInt,
	"STRING": KString, "FLOAT": KFloat, "DECIMAL": KDecimal, "NUMERIC": KDecimal,
	"TIMESTAMP": KTimestamp,
}

func (p *parser) cast(t token) (expr, error) {
	if err := p.expectOp("(", ParseExpectedLeftParenAfterCast); err != nil {
		return nil, err
	}
	x, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.expectKeyword("AS"); err != nil {
		return nil, err
	}
	tn := p.next()
	k, ok := typeNames[strings.ToUpper(tn.text)]
	if tn.kind != tIdent || !ok {
		return nil, p.errAt(ParseExpectedTypeName, tn, "")
	}
	if (k == KDecimal || k == KString) && p.acceptOp("(") {
		for n := 0; ; n++ {
			a := p.next()
			if a.kind != tNumber || n > 1 || strings.ContainsAny(a.text, ".eE") {
				return nil, p.errAt(ParseInvalidTypeParam, a, "")
			}
			if !p.acceptOp(",") {
				break
			}
		}
		if err := p.expectOp(")", ParseExpectedTokenType); err != nil {
			return nil, err
		}
	}
	if err := p.expectOp(")", ParseExpectedRightParenBuiltin); err != nil {
		return nil, err
	}
	return &castExpr{x: x, to: k}, nil
}
