package selectsql

import (
	"strings"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tQuotedIdent
	tString
	tNumber
	tTimestamp
	tOp // punctuation and operators; text in tok.text
)

type token struct {
	kind tokKind
	text string // identifier (as written), unquoted literal, or operator
	pos  int    // 0-based byte offset
}

// keyword reports whether t is the unquoted keyword kw (case-insensitive).
func (t token) is(kw string) bool {
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

func (t token) op(o string) bool { return t.kind == tOp && t.text == o }

// lex splits the expression into tokens. It is strict: an unknown
// character or an unterminated literal is an error with its position.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, token{tIdent, src[i:j], i})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			if j < len(src) && src[j] == '.' {
				j++
				for j < len(src) && src[j] >= '0' && src[j] <= '9' {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && src[k] >= '0' && src[k] <= '9' {
					for k < len(src) && src[k] >= '0' && src[k] <= '9' {
						k++
					}
					j = k
				}
			}
			if j < len(src) && isIdentStart(src[j]) {
				return nil, parseErr(LexerInvalidLiteral, i, "malformed number "+src[i:j+1])
			}
			toks = append(toks, token{tNumber, src[i:j], i})
			i = j
		case c == '\'' || c == '"':
			s, n, ok := quoted(src[i:], c)
			if !ok {
				return nil, parseErr(LexerInvalidLiteral, i, "unterminated quoted text")
			}
			k := tString
			if c == '"' {
				k = tQuotedIdent
			}
			toks = append(toks, token{k, s, i})
			i += n
		case c == '`':
			j := strings.IndexByte(src[i+1:], '`')
			if j < 0 {
				return nil, parseErr(LexerInvalidLiteral, i, "unterminated timestamp literal")
			}
			toks = append(toks, token{tTimestamp, src[i+1 : i+1+j], i})
			i += j + 2
		default:
			op := ""
			for _, o := range []string{"<>", "!=", "<=", ">=", "||"} {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" && strings.IndexByte("(),.*+-/%=<>[]", c) >= 0 {
				op = src[i : i+1]
			}
			if op == "" {
				return nil, parseErr(LexerInvalidChar, i, "character "+quoteRune(src[i:]))
			}
			toks = append(toks, token{tOp, op, i})
			i += len(op)
		}
	}
	return append(toks, token{tEOF, "", len(src)}), nil
}

func quoteRune(s string) string {
	for _, r := range s {
		return "'" + string(r) + "'"
	}
	return "''"
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// quoted reads a literal opened by q at s[0]; a doubled q stands for one.
func quoted(s string, q byte) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] == q {
			if i+1 < len(s) && s[i+1] == q {
				b.WriteByte(q)
				i++
				continue
			}
			return b.String(), i + 1, true
		}
		b.WriteByte(s[i])
	}
	return "", 0, false
}
