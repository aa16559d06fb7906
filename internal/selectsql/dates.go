package selectsql

import (
	"strconv"
	"time"
)

// tsArg checks a timestamp argument (a CSV field needs CAST or
// TO_TIMESTAMP first).
func tsArg(c *callExpr, v Value) (Value, error) {
	if v.K != KTimestamp {
		return v, argType(c, "a timestamp")
	}
	return v, nil
}

func anyAbsent(v []Value) bool {
	for _, a := range v {
		if a.absent() {
			return true
		}
	}
	return false
}

// fnDateAdd: DATE_ADD(part, quantity, timestamp). The result keeps the
// timestamp's precision, made finer when the part needs it
// (DATE_ADD(hour, 1, `2017T`) is `2017-01-01T01:00-00:00`). Months and
// years that land past the end of a month clamp to its last day.
func fnDateAdd(c *callExpr, v []Value) (Value, error) {
	if anyAbsent(v) {
		return null, nil
	}
	q, err := intArg(c, v[0])
	if err != nil {
		return null, err
	}
	ts, err := tsArg(c, v[1])
	if err != nil {
		return null, err
	}
	const maxYears = 10000
	t, unit := *ts.T, ts.tp.unit()
	switch c.part {
	case "YEAR", "MONTH":
		months := q
		if c.part == "YEAR" {
			if q > maxYears || q < -maxYears {
				return null, evalErr(IllegalSQLFunctionArgument, "timestamp out of range")
			}
			months = q * 12
		}
		if months > maxYears*12 || months < -maxYears*12 {
			return null, evalErr(IllegalSQLFunctionArgument, "timestamp out of range")
		}
		y, m := t.Year(), int(t.Month())-1+int(months)
		y += m / 12
		if m %= 12; m < 0 {
			m += 12
			y--
		}
		d := t.Day()
		if dm := daysIn(y, m+1); d > dm {
			d = dm
		}
		t = time.Date(y, time.Month(m+1), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
		if c.part == "MONTH" && unit < precMonth {
			unit = precMonth
		}
	default:
		per := map[string]time.Duration{"DAY": 24 * time.Hour, "HOUR": time.Hour, "MINUTE": time.Minute, "SECOND": time.Second}[c.part]
		if q > maxYears*366*int64(24*time.Hour/per) || q < -maxYears*366*int64(24*time.Hour/per) {
			return null, evalErr(IllegalSQLFunctionArgument, "timestamp out of range")
		}
		if c.part == "DAY" {
			t = t.AddDate(0, 0, int(q))
		} else {
			t = t.Add(time.Duration(q) * per)
		}
		need := map[string]tsPrec{"DAY": precDay, "HOUR": precMinute, "MINUTE": precMinute, "SECOND": precSecond}[c.part]
		if unit < need {
			unit = need
		}
	}
	if t.Year() < 1 || t.Year() > 9999 {
		return null, evalErr(IllegalSQLFunctionArgument, "timestamp out of range")
	}
	p := ts.tp&tsLocal | unit
	if unit == precFrac {
		p = ts.tp
	}
	return tsV(t, p), nil
}

// fnDateDiff: DATE_DIFF(part, a, b) counts whole parts from a to b:
// calendar years and months, else elapsed time truncated toward zero.
func fnDateDiff(c *callExpr, v []Value) (Value, error) {
	if anyAbsent(v) {
		return null, nil
	}
	a, err := tsArg(c, v[0])
	if err != nil {
		return null, err
	}
	b, err := tsArg(c, v[1])
	if err != nil {
		return null, err
	}
	x, y := a.T.UTC(), b.T.UTC()
	switch c.part {
	case "YEAR", "MONTH":
		months := int64(y.Year()-x.Year())*12 + int64(y.Month()-x.Month())
		// a partial month does not count: compare the rest of the dates
		rest := func(t time.Time) time.Duration {
			return time.Duration(t.Day())*24*time.Hour + time.Duration(t.Hour())*time.Hour +
				time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
		}
		if months > 0 && rest(y) < rest(x) {
			months--
		} else if months < 0 && rest(y) > rest(x) {
			months++
		}
		if c.part == "YEAR" {
			return intV(months / 12), nil
		}
		return intV(months), nil
	}
	per := map[string]time.Duration{"DAY": 24 * time.Hour, "HOUR": time.Hour, "MINUTE": time.Minute, "SECOND": time.Second}[c.part]
	return intV(int64(y.Sub(x) / per)), nil
}

func fnExtract(c *callExpr, v []Value) (Value, error) {
	if v[0].absent() {
		return null, nil
	}
	ts, err := tsArg(c, v[0])
	if err != nil {
		return null, err
	}
	t := *ts.T
	_, off := t.Zone()
	switch c.part {
	case "YEAR":
		return intV(int64(t.Year())), nil
	case "MONTH":
		return intV(int64(t.Month())), nil
	case "DAY":
		return intV(int64(t.Day())), nil
	case "HOUR":
		return intV(int64(t.Hour())), nil
	case "MINUTE":
		return intV(int64(t.Minute())), nil
	case "SECOND":
		return intV(int64(t.Second())), nil
	case "TIMEZONE_HOUR":
		return intV(int64(off / 3600)), nil
	}
	return intV(int64(off % 3600 / 60)), nil
}

// fnToString formats a timestamp with the reference's pattern letters
// (y M d a h H m s S n X x, repeated for width; text in '...').
func fnToString(c *callExpr, v []Value) (Value, error) {
	if anyAbsent(v) {
		return null, nil
	}
	ts, err := tsArg(c, v[0])
	if err != nil {
		return null, err
	}
	if v[1].K != KString {
		return null, argType(c, "a format string")
	}
	s, err := formatTimestamp(*ts.T, v[1].S)
	if err != nil {
		return null, err
	}
	return strV(s), nil
}

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

func formatTimestamp(t time.Time, pat string) (string, error) {
	var b []byte
	num := func(v, width int) {
		s := strconv.Itoa(v)
		for i := len(s); i < width; i++ {
			b = append(b, '0')
		}
		b = append(b, s...)
	}
	for i := 0; i < len(pat); {
		ch := pat[i]
		if ch == '\'' {
			j := i + 1
			if j < len(pat) && pat[j] == '\'' {
				b = append(b, '\'')
				i += 2
				continue
			}
			for ; j < len(pat); j++ {
				if pat[j] == '\'' {
					if j+1 < len(pat) && pat[j+1] == '\'' {
						b = append(b, '\'')
						j++
						continue
					}
					break
				}
				b = append(b, pat[j])
			}
			if j >= len(pat) {
				return "", evalErr(InvalidTimestampFormatPattern, "unterminated quoted text in the pattern")
			}
			i = j + 1
			continue
		}
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z') {
			b = append(b, ch)
			i++
			continue
		}
		n := 1
		for i+n < len(pat) && pat[i+n] == ch {
			n++
		}
		i += n
		switch ch {
		case 'y':
			if n == 2 {
				num(t.Year()%100, 2)
			} else {
				num(t.Year(), n)
			}
		case 'M':
			switch {
			case n <= 2:
				num(int(t.Month()), n)
			case n == 3:
				b = append(b, monthNames[t.Month()-1][:3]...)
			case n == 4:
				b = append(b, monthNames[t.Month()-1]...)
			default:
				b = append(b, monthNames[t.Month()-1][0])
			}
		case 'd':
			num(t.Day(), n)
		case 'a':
			if t.Hour() < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			num(h, n)
		case 'H':
			num(t.Hour(), n)
		case 'm':
			num(t.Minute(), n)
		case 's':
			num(t.Second(), n)
		case 'S':
			ns := strconv.Itoa(1000000000 + t.Nanosecond())[1:]
			for len(ns) < n {
				ns += "0"
			}
			b = append(b, ns[:n]...)
		case 'n':
			num(t.Nanosecond(), n)
		case 'X', 'x':
			if n > 5 {
				return "", evalErr(InvalidTimestampFormatSymbol, "too many offset letters")
			}
			b = appendOffset(b, t, ch == 'X', n)
		default:
			return "", evalErr(InvalidTimestampFormatSymbol, "pattern letter "+string(ch))
		}
		if len(b) > 1<<16 {
			return "", evalErr(InvalidTimestampFormatPattern, "formatted text too long")
		}
	}
	return string(b), nil
}

// appendOffset writes the UTC offset the way the reference's X/x letters
// do: X +HH[mm], XX +HHmm, XXX +HH:mm, XXXX +HHmm[ss], XXXXX +HH:mm[:ss];
// X prints Z for a zero offset, x prints +00.
func appendOffset(b []byte, t time.Time, z bool, n int) []byte {
	_, off := t.Zone()
	if off == 0 && z {
		return append(b, 'Z')
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m, s := off/3600, off%3600/60, off%60
	two := func(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
	b = two(append(b, sign), h)
	colon := n == 3 || n == 5
	if n == 1 && m == 0 {
		return b
	}
	if colon {
		b = append(b, ':')
	}
	b = two(b, m)
	if n >= 4 && s != 0 {
		if colon {
			b = append(b, ':')
		}
		b = two(b, s)
	}
	return b
}
