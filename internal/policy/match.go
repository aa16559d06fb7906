package policy

import (
	"strings"
	"unicode/utf8"
)

// patternKind selects the matching strategy chosen at compile time.
type patternKind uint8

const (
	patAny    patternKind = iota // "*": matches everything
	patExact                     // no wildcard: whole-string comparison
	patPrefix                    // a single trailing '*': prefix comparison
	patGlob                      // general '*' and '?' matching
)

// pattern is a precompiled IAM wildcard pattern: '*' matches any run of
// characters (including none) and '?' matches exactly one character. When
// fold is set, matching is ASCII case-insensitive and lit is stored in
// lower case.
type pattern struct {
	kind patternKind
	fold bool
	lit  string // exact text, prefix (without the '*'), or the glob itself
}

// compilePattern precompiles s. Matching never allocates.
func compilePattern(s string, fold bool) pattern {
	if fold {
		s = asciiLower(s)
	}
	switch i := strings.IndexAny(s, "*?"); {
	case s == "*":
		return pattern{kind: patAny, fold: fold}
	case i < 0:
		return pattern{kind: patExact, fold: fold, lit: s}
	case i == len(s)-1 && s[i] == '*':
		return pattern{kind: patPrefix, fold: fold, lit: s[:i]}
	default:
		return pattern{kind: patGlob, fold: fold, lit: s}
	}
}

// match reports whether s matches the pattern.
func (p *pattern) match(s string) bool {
	switch p.kind {
	case patAny:
		return true
	case patExact:
		if p.fold {
			return asciiEqualFold(s, p.lit)
		}
		return s == p.lit
	case patPrefix:
		if len(s) < len(p.lit) {
			return false
		}
		if p.fold {
			return asciiEqualFold(s[:len(p.lit)], p.lit)
		}
		return s[:len(p.lit)] == p.lit
	}
	return globMatch(p.lit, s, p.fold)
}

// matchAny reports whether s matches any of ps.
func matchAny(ps []pattern, s string) bool {
	for i := range ps {
		if ps[i].match(s) {
			return true
		}
	}
	return false
}

// globMatch is the classic iterative wildcard matcher: on a mismatch it
// backtracks to the most recent '*' and lets it absorb one more character.
// Only the latest star needs remembering, so it runs in O(len(pat)*len(s))
// worst case with no recursion and no allocation. '?' and star
// backtracking advance by whole UTF-8 sequences, so '?' is one character.
func globMatch(pat, s string, fold bool) bool {
	pi, si := 0, 0
	starPi, starSi := -1, 0
	for si < len(s) {
		if pi < len(pat) {
			switch c := pat[pi]; c {
			case '*':
				starPi, starSi = pi, si
				pi++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[si:])
				pi++
				si += n
				continue
			default:
				b := s[si]
				if fold {
					b = lowerByte(b)
				}
				if b == c {
					pi++
					si++
					continue
				}
			}
		}
		if starPi < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starSi:])
		starSi += n
		pi, si = starPi+1, starSi
	}
	for pi < len(pat) && pat[pi] == '*' {
		pi++
	}
	return pi == len(pat)
}

func lowerByte(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}

// asciiLower lower-cases ASCII letters only, leaving other bytes intact so
// that byte offsets stay aligned with the original.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerByte(b[j])
			}
			return string(b)
		}
	}
	return s
}

// asciiEqualFold reports whether a and b are equal under ASCII case folding.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] && lowerByte(a[i]) != lowerByte(b[i]) {
			return false
		}
	}
	return true
}
