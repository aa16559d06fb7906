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
	// the general shape: segments between '%', and whether the pattern
	// starts and ends with a segment rather than '%'
	segs                   [][]likeTok
	percent                bool
	anchorStart, anchorEnd bool
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
	var seg []likeTok
	for _, tok := range t {
		if tok.kind == '%' {
			lp.percent = true
			if seg != nil {
				lp.segs = append(lp.segs, seg)
			}
			seg = nil
			continue
		}
		seg = append(seg, tok)
	}
	if seg != nil {
		lp.segs = append(lp.segs, seg)
	}
	lp.anchorStart = len(t) > 0 && t[0].kind != '%'
	lp.anchorEnd = len(t) > 0 && t[len(t)-1].kind != '%'
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
	return lp.matchSegments(s)
}

// matchSegments matches the general shape: the pattern is segments of
// literals and '_' separated by '%'. Each segment has a fixed length in
// characters, so taking the leftmost match of every segment in turn is
// exact, and the work is at most len(s) times a segment's length (no
// backtracking over earlier '%').
func (lp *likePattern) matchSegments(s string) bool {
	segs := lp.segs
	if !lp.percent {
		return len(segs) == 1 && matchAt(segs[0], s, 0) == len(s)
	}
	pos, first, last := 0, 0, len(segs)
	if lp.anchorStart {
		if pos = matchAt(segs[0], s, 0); pos < 0 {
			return false
		}
		first = 1
	}
	if lp.anchorEnd {
		last--
	}
	for k := first; k < last; k++ {
		if pos = find(segs[k], s, pos); pos < 0 {
			return false
		}
	}
	if !lp.anchorEnd {
		return true
	}
	seg, start := segs[len(segs)-1], len(s)
	for n := segRunes(seg); n > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:start])
		if size == 0 {
			return false
		}
		start -= size
	}
	return start >= pos && matchAt(seg, s, start) == len(s)
}

// matchAt matches seg at s[i:], returning the end offset or -1.
func matchAt(seg []likeTok, s string, i int) int {
	for _, t := range seg {
		if t.kind == 'l' {
			if !strings.HasPrefix(s[i:], t.lit) {
				return -1
			}
			i += len(t.lit)
			continue
		}
		if i >= len(s) {
			return -1
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		i += n
	}
	return i
}

// find returns the end of seg's leftmost match at or after pos, or -1.
func find(seg []likeTok, s string, pos int) int {
	for pos <= len(s) {
		if seg[0].kind == 'l' {
			j := strings.Index(s[pos:], seg[0].lit)
			if j < 0 {
				return -1
			}
			pos += j
		}
		if e := matchAt(seg, s, pos); e >= 0 {
			return e
		}
		if pos == len(s) {
			return -1
		}
		_, n := utf8.DecodeRuneInString(s[pos:])
		pos += n
	}
	return -1
}

func segRunes(seg []likeTok) int {
	n := 0
	for _, t := range seg {
		if t.kind == 'l' {
			n += utf8.RuneCountInString(t.lit)
		} else {
			n++
		}
	}
	return n
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
	if x.K == KNull {
		return null, nil
	}
	if x.K != KString {
		return null, notEvaluable(x.K.String() + " LIKE")
	}
	return boolV(lp.match(x.S) != e.not), nil
}
