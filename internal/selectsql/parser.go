package selectsql

import (
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of expressions, so that a hostile
// expression cannot exhaust the stack of the parser or the evaluator.
const maxDepth = 100

type parser struct {
	toks  []token
	i     int
	depth int
	q     *Query
}

// Parse parses a Glacier Select expression. Every error is an *Error
// with Phase Parse and the position of the offending token.
func Parse(src string) (*Query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, q: &Query{}}
	if err := p.query(); err != nil {
		return nil, err
	}
	for _, c := range p.q.cols {
		if c.qualifier == "" {
			continue
		}
		if !strings.EqualFold(c.qualifier, p.q.alias) && !(p.q.alias == "" && strings.EqualFold(c.qualifier, p.q.table)) {
			return nil, parseErr(InvalidTableAlias, c.pos-1, "no table named "+c.qualifier)
		}
	}
	return p.q, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) accept(kw string) bool {
	if p.peek().is(kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) acceptOp(o string) bool {
	if p.peek().op(o) {
		p.i++
		return true
	}
	return false
}

func (p *parser) errAt(code Code, t token, detail string) error {
	if detail == "" {
		detail = "found " + describe(t)
	}
	return parseErr(code, t.pos, detail)
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tString:
		return "'" + t.text + "'"
	case tQuotedIdent:
		return `"` + t.text + `"`
	}
	return t.text
}

func (p *parser) expectKeyword(kw string) error {
	if !p.accept(kw) {
		return p.errAt(ParseExpectedKeyword, p.peek(), "expected "+kw+", found "+describe(p.peek()))
	}
	return nil
}

func (p *parser) expectOp(o string, code Code) error {
	if !p.acceptOp(o) {
		return p.errAt(code, p.peek(), "expected "+o+", found "+describe(p.peek()))
	}
	return nil
}

func (p *parser) query() error {
	if err := p.expectKeyword("SELECT"); err != nil {
		return err
	}
	if p.acceptOp("*") {
		p.q.star = true
		if p.peek().op(",") {
			return p.errAt(ParseAsteriskIsNotAlone, p.peek(), "")
		}
	} else {
		if p.peek().is("FROM") || p.peek().kind == tEOF {
			return p.errAt(ParseEmptySelect, p.peek(), "")
		}
		for {
			if p.peek().op("*") {
				return p.errAt(ParseAsteriskIsNotAlone, p.peek(), "")
			}
			x, err := p.expr()
			if err != nil {
				return err
			}
			it := selItem{x: x}
			if p.accept("AS") {
				t := p.next()
				if t.kind != tQuotedIdent && (t.kind != tIdent || reserved[strings.ToUpper(t.text)]) {
					return p.errAt(ParseExpectedIdentForAlias, t, "")
				}
				it.alias = t.text
			} else if t := p.peek(); t.kind == tQuotedIdent || t.kind == tIdent && !reserved[strings.ToUpper(t.text)] {
				it.alias = t.text
				p.i++
			}
			p.q.items = append(p.q.items, it)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if !p.accept("FROM") {
		return p.errAt(ParseSelectMissingFrom, p.peek(), "expected FROM, found "+describe(p.peek()))
	}
	t := p.next()
	// S3Object is Amazon S3 Select's table; S3 Glacier Select has ARCHIVE
	// and OBJECT only (the reference's FROM clause).
	if t.kind != tIdent || !(strings.EqualFold(t.text, "ARCHIVE") || strings.EqualFold(t.text, "OBJECT")) {
		return p.errAt(ParseUnexpectedToken, t, "expected ARCHIVE or OBJECT, found "+describe(t))
	}
	p.q.table = t.text
	if p.peek().op("[") || p.peek().op(".") {
		return p.errAt(UnsupportedSQLStructure, p.peek(), "JSON paths in FROM apply to JSON input only")
	}
	if p.accept("AS") {
		t := p.next()
		if t.kind != tQuotedIdent && (t.kind != tIdent || reserved[strings.ToUpper(t.text)]) {
			return p.errAt(ParseExpectedIdentForAlias, t, "")
		}
		p.q.alias = t.text
	} else if t := p.peek(); t.kind == tQuotedIdent || t.kind == tIdent && !reserved[strings.ToUpper(t.text)] {
		p.q.alias = t.text
		p.i++
	}
	if p.accept("WHERE") {
		w, err := p.expr()
		if err != nil {
			return err
		}
		p.q.where = w
	}
	t = p.peek()
	switch {
	case t.kind == tEOF:
		return nil
	case t.is("LIMIT"):
		return p.errAt(UnsupportedSQLOperation, t, "LIMIT is supported by Amazon S3 Select only, not by S3 Glacier Select")
	case t.is("GROUP"), t.is("ORDER"), t.is("HAVING"), t.is("JOIN"), t.is("UNION"), t.is("INNER"),
		t.is("LEFT"), t.is("RIGHT"), t.is("CROSS"), t.is("INTERSECT"), t.is("EXCEPT"), t.op(","):
		return p.errAt(UnsupportedSQLStructure, t, "found "+describe(t))
	case t.kind == tIdent && reserved[strings.ToUpper(t.text)]:
		return p.errAt(ParseUnexpectedKeyword, t, "")
	}
	return p.errAt(ParseUnexpectedToken, t, "")
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errAt(ParseUnsupportedSyntax, p.peek(), "expression nested more than "+strconv.Itoa(maxDepth)+" levels deep")
	}
	return nil
}

func (p *parser) leave() { p.depth-- }
