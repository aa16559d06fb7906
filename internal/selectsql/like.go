package selectsql

import (
	"strings"
	"unicode/utf8"
)

type likeTok struct {
	kind byte   // 'l' literal run, '_' one character, '%' any run
	lit  string // for 'l'
}

// likePattern is a compiled LIKE pattern. Simple shapes (a literal, a
// prefix, a suffix, a substring) are matched with one strings call.
type likePattern struct {
	toks  []likeTok
	shape byte // '=', 'p' prefix, 's' suffix, 'c' contains, 0 general
	lit   string
}

func compileLike(pat, esc string, hasEsc bool) (*likePattern, error) {
	var escR rune = -1
	if hasEsc {
		if utf8.RuneCountInString(esc) != 1 {
			return nil, evalErr(LikeInvalidInputs, "the ESCAPE argument must be one character")
		}
		escR, _ = utf8.DecodeRuneInString(esc)
	}
	lp := &likePattern{}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			lp.toks = append(lp.toks, likeTok{kind: 'l', lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(pat); {
		r, n := utf8.DecodeRuneInString(pat[i:])
		i += n
		switch {
		case r == escR:
			if i >= len(pat) {
				return nil, evalErr(LikeInvalidInputs, "the pattern ends with the escape character")
			}
			r2, n2 := utf8.DecodeRuneInString(pat[i:])
			if r2 != '%' && r2 != '_' && r2 != escR {
				return nil, evalErr(LikeInvalidInputs, "the escape character must precede %, _ or itself")
			}
			i += n2
			lit.WriteRune(r2)
		case r == '%':
			flush()
			if k := len(lp.toks); k == 0 || lp.toks[k-1].kind != '%' {
				lp.toks = append(lp.toks, likeTok{kind: '%'})
			}
		case r == '_':
			flush()
			lp.toks = append(lp.toks, likeTok{kind: '_'})
		default:
			lit.WriteRune(r)
		}
	}
	flush()
	t := lp.toks
	switch {
	case len(t) == 0:
		lp.shape = '='
	case len(t) == 1 && t[0].kind == 'l':
		lp.shape, lp.lit = '=', t[0].lit
	case len(t) == 2 && t[0].kind == 'l' && t[1].kind == '%':
		lp.shape, lp.lit = 'p', t[0].lit
	case len(t) == 2 && t[0].kind == '%' && t[1].kind == 'l':
		lp.shape, lp.lit = 's', t[1].lit
	case len(t) == 3 && t[0].kind == '%' && t[1].kind == 'l' && t[2].kind == '%':
		lp.shape, lp.lit = 'c', t[1].lit
	}
	return lp, nil
}

func (lp *likePattern) match(s string) bool {
	switch lp.shape {
	case '=':
		return s == lp.lit
	case 'p':
		return strings.HasPrefix(s, lp.lit)
	case 's':
		return strings.HasSuffix(s, lp.lit)
	case 'c':
		return strings.Contains(s, lp.lit)
	}
	// Greedy matching that backtracks only to the last '%': linear in
	// practice, at worst len(pattern)*len(s).
	p := lp.toks
	pi, si, starP, starS := 0, 0, -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch t := p[pi]; t.kind {
			case '_':
				_, n := utf8.DecodeRuneInString(s[si:])
				si += n
				pi++
				continue
			case 'l':
				if strings.HasPrefix(s[si:], t.lit) {
					si += len(t.lit)
					pi++
					continue
				}
			case '%':
				starP, starS = pi, si
				pi++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi].kind == '%' {
		pi++
	}
	return pi == len(p)
}

// precompile compiles the pattern once when it and the escape are
// literals; a bad literal pattern is a parse-time error.
func (e *likeExpr) precompile() error {
	pl, ok := e.pat.(*litExpr)
	if !ok || pl.v.K != KString {
		return nil
	}
	esc, hasEsc := "", e.esc != nil
	if hasEsc {
		el, ok := e.esc.(*litExpr)
		if !ok || el.v.K != KString {
			return nil
		}
		esc = el.v.S
	}
	lp, err := compileLike(pl.v.S, esc, hasEsc)
	if err != nil {
		err.(*Error).Phase = PhaseParse
		return err
	}
	e.fixed = lp
	return nil
}

func (e *likeExpr) eval(r *row) (Value, error) {
	x, err := e.x.eval(r)
	if err != nil {
		return x, err
	}
	lp := e.fixed
	if lp == nil {
		pv, err := e.pat.eval(r)
		if err != nil {
			return pv, err
		}
		esc, hasEsc := Value{}, e.esc != nil
		if hasEsc {
			if esc, err = e.esc.eval(r); err != nil {
				return esc, err
			}
		}
		if pv.absent() || hasEsc && esc.absent() {
			return null, nil
		}
		if pv.K != KString || hasEsc && esc.K != KString {
			return null, evalErr(LikeInvalidInputs, "LIKE pattern and ESCAPE must be strings")
		}
		if lp, err = compileLike(pv.S, esc.S, hasEsc); err != nil {
			return null, err
		}
	}
	if x.K == KMissing {
		return missing, nil
	}
	if x.K != KString {
		return null, nil
	}
	return boolV(lp.match(x.S) != e.not), nil
}
