package logline

import (
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"
)

// line is a record of the fast path: a Record's fields, its attributes
// in a slice.
type line struct {
	time  time.Time
	level slog.Level
	msg   string
	attrs []slog.Attr
}

// appendText appends r as slog's TextHandler formats it, or reports false
// when r is not a record of the fast path (see the package comment).
func appendText(b []byte, r line) ([]byte, bool) {
	if r.time.IsZero() {
		return b, false
	}
	b = append(b, "time="...)
	b = appendRFC3339Millis(b, r.time.Round(0))
	b = append(b, " level="...)
	var ok bool
	if b, ok = appendTextString(b, r.level.String()); !ok {
		return b, false
	}
	b = append(b, " msg="...)
	if b, ok = appendTextString(b, r.msg); !ok {
		return b, false
	}
	b, ok = appendAttrs(b, r, ' ', '=', appendTextString, appendDuration)
	return append(b, '\n'), ok
}

// appendJSON appends r as slog's JSONHandler formats it, or reports false
// when r is not a record of the fast path.
func appendJSON(b []byte, r line) ([]byte, bool) {
	if y := r.time.Year(); r.time.IsZero() || y < 0 || y >= 10000 {
		return b, false // slog omits the zero time and reports other years as an error
	}
	b = append(b, `{"time":"`...)
	b = r.time.Round(0).AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":`...)
	var ok bool
	if b, ok = appendJSONString(b, r.level.String()); !ok {
		return b, false
	}
	b = append(b, `,"msg":`...)
	if b, ok = appendJSONString(b, r.msg); !ok {
		return b, false
	}
	b, ok = appendAttrs(b, r, ',', ':', appendJSONString, appendNanos)
	return append(b, "}\n"...), ok
}

// class holds, for each byte, how slog's handlers treat it in a string:
// jsonSafe bytes stand for themselves inside a JSON string (slog's safeSet:
// every byte from the space up, DEL included, but the quote and the
// backslash); textBare bytes leave a text value unquoted (the JSON-safe
// ones but the space and '=', and the backslash); nonASCII bytes start a
// rune whose rules (unicode's spaces and printables, JSON's U+2028) are
// slog's alone, so the record goes to slog.
var class = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = nonASCII
		case c >= 0x20 && c != '"' && c != '\\':
			t[c] = jsonSafe
			if c != ' ' && c != '=' {
				t[c] |= textBare
			}
		case c == '\\':
			t[c] = textBare
		}
	}
	return t
}()

const (
	jsonSafe = 1 << iota
	textBare
	nonASCII
)

// appendTextString appends s as slog's text handler does: bare unless it is
// empty or has a byte that is not textBare, quoted by strconv otherwise. It
// reports false for a string that is not ASCII.
func appendTextString(b []byte, s string) ([]byte, bool) {
	all := uint8(textBare)
	for i := 0; i < len(s); i++ {
		all &= class[s[i]]
	}
	if all == textBare && s != "" {
		return append(b, s...), true
	}
	for i := 0; i < len(s); i++ {
		if class[s[i]] == nonASCII {
			return b, false
		}
	}
	return strconv.AppendQuote(b, s), true
}

// appendJSONString appends s quoted and escaped as slog's JSON handler
// does, or reports false for a string that is not ASCII.
func appendJSONString(b []byte, s string) ([]byte, bool) {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if k := class[c]; k&jsonSafe != 0 {
			continue
		} else if k == nonASCII {
			return b, false
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\\', '"':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"'), true
}

// appendRFC3339Millis is slog's text time: RFC 3339 with exactly three
// digits of milliseconds (slog's own function of that name).
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	// RFC3339Nano trims trailing zeros, so a tenth of a millisecond is added
	// to make four digits, the fourth dropped.
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}

// appendDuration appends d.String(): slog's text form of a duration.
func appendDuration(b []byte, d time.Duration) []byte { return append(b, d.String()...) }

// appendAttrs appends r's attributes, each as sep key kv value, with
// strings written by str and durations by dur; it reports false at the
// first attribute the fast path does not take.
func appendAttrs(b []byte, r line, sep, kv byte, str func([]byte, string) ([]byte, bool), dur func([]byte, time.Duration) []byte) ([]byte, bool) {
	ok := true
	for _, a := range r.attrs {
		b = append(b, sep)
		if b, ok = str(b, a.Key); !ok {
			return b, false
		}
		b = append(b, kv)
		v := a.Value
		switch v.Kind() {
		case slog.KindString:
			b, ok = str(b, v.String())
		case slog.KindInt64:
			b = strconv.AppendInt(b, v.Int64(), 10)
		case slog.KindUint64:
			b = strconv.AppendUint(b, v.Uint64(), 10)
		case slog.KindBool:
			b = strconv.AppendBool(b, v.Bool())
		case slog.KindDuration:
			b = dur(b, v.Duration())
		default:
			ok = false
		}
		if !ok {
			return b, false
		}
	}
	return b, true
}

// appendNanos writes a duration as json.Marshal does: its nanoseconds.
func appendNanos(b []byte, d time.Duration) []byte { return strconv.AppendInt(b, int64(d), 10) }
