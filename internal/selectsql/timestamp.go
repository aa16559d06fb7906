package selectsql

import (
	"strconv"
	"time"
)

// tsPrec is a timestamp's precision (the Ion timestamp model the
// reference uses: `2007T` is a year, `2007-02-23T12:14Z` a minute) in the
// low bits, and tsLocal when the offset is unknown (-00:00): a
// timestamp without a time, or with a time and no offset.
type tsPrec uint8

const (
	precYear tsPrec = iota + 1
	precMonth
	precDay
	precMinute
	precSecond
	precFrac        // fractional seconds; digits in the bits above
	tsLocal  tsPrec = 0x80
)

func (p tsPrec) unit() tsPrec { return p & 0x07 }

func (p tsPrec) fracDigits() int { return int(p>>3) & 0x0f }

func withFrac(digits int) tsPrec { return precFrac | tsPrec(digits)<<3 }

// parseTimestamp reads the Ion timestamp forms: YYYYT, YYYY-MMT,
// YYYY-MM-DD[T], YYYY-MM-DDThh:mm[:ss[.f...]](Z|+hh:mm|-hh:mm). A time
// without an offset is taken as UTC with an unknown offset.
func parseTimestamp(s string) (time.Time, tsPrec, bool) {
	num := func(i, n int) (int, bool) {
		if i+n > len(s) {
			return 0, false
		}
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok := num(0, 4)
	if !ok {
		return time.Time{}, 0, false
	}
	mo, d, h, mi, sec, nsec := 1, 1, 0, 0, 0, 0
	prec := precYear
	i := 4
	done := func() (time.Time, tsPrec, bool) {
		if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) {
			return time.Time{}, 0, false
		}
		return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), prec | tsLocal, true
	}
	if s[i:] == "T" {
		return done()
	}
	if i >= len(s) || s[i] != '-' {
		return time.Time{}, 0, false
	}
	if mo, ok = num(i+1, 2); !ok {
		return time.Time{}, 0, false
	}
	prec, i = precMonth, i+3
	if s[i:] == "T" {
		return done()
	}
	if i >= len(s) || s[i] != '-' {
		return time.Time{}, 0, false
	}
	if d, ok = num(i+1, 2); !ok {
		return time.Time{}, 0, false
	}
	prec, i = precDay, i+3
	if s[i:] == "" || s[i:] == "T" {
		return done()
	}
	if s[i] != 'T' {
		return time.Time{}, 0, false
	}
	if h, ok = num(i+1, 2); !ok || i+3 >= len(s) || s[i+3] != ':' {
		return time.Time{}, 0, false
	}
	if mi, ok = num(i+4, 2); !ok || h > 23 || mi > 59 {
		return time.Time{}, 0, false
	}
	prec, i = precMinute, i+6
	if i < len(s) && s[i] == ':' {
		if sec, ok = num(i+1, 2); !ok || sec > 59 {
			return time.Time{}, 0, false
		}
		prec, i = precSecond, i+3
		if i < len(s) && s[i] == '.' {
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			digits := j - i - 1
			if digits == 0 {
				return time.Time{}, 0, false
			}
			frac := s[i+1 : j]
			if len(frac) > 9 {
				frac = frac[:9]
			}
			n, _ := strconv.Atoi(frac)
			for k := len(frac); k < 9; k++ {
				n *= 10
			}
			nsec = n
			if digits > 9 {
				digits = 9
			}
			prec, i = withFrac(digits), j
		}
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) {
		return time.Time{}, 0, false
	}
	loc := time.UTC
	switch {
	case i == len(s):
		prec |= tsLocal
	case s[i:] == "Z":
	case s[i] == '+' || s[i] == '-':
		oh, ok1 := num(i+1, 2)
		om, ok2 := num(i+4, 2)
		if !ok1 || !ok2 || s[i+3] != ':' || len(s) != i+6 || oh > 23 || om > 59 {
			return time.Time{}, 0, false
		}
		off := oh*3600 + om*60
		if s[i] == '-' {
			off = -off
		}
		if off == 0 && s[i] == '-' {
			prec |= tsLocal
		} else if off != 0 {
			loc = time.FixedZone("", off)
		}
	default:
		return time.Time{}, 0, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, nsec, loc), prec, true
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// appendTimestamp prints t in the Ion form of its precision.
func appendTimestamp(b []byte, t time.Time, p tsPrec) []byte {
	pad := func(b []byte, v, n int) []byte {
		s := strconv.Itoa(v)
		for i := len(s); i < n; i++ {
			b = append(b, '0')
		}
		return append(b, s...)
	}
	b = pad(b, t.Year(), 4)
	u := p.unit()
	if u == precYear {
		return append(b, 'T')
	}
	b = pad(append(b, '-'), int(t.Month()), 2)
	if u == precMonth {
		return append(b, 'T')
	}
	b = pad(append(b, '-'), t.Day(), 2)
	if u == precDay {
		return append(b, 'T')
	}
	b = pad(append(b, 'T'), t.Hour(), 2)
	b = pad(append(b, ':'), t.Minute(), 2)
	if u >= precSecond {
		b = pad(append(b, ':'), t.Second(), 2)
	}
	if u == precFrac {
		if n := p.fracDigits(); n > 0 {
			ns := t.Nanosecond()
			for k := n; k < 9; k++ {
				ns /= 10
			}
			b = pad(append(b, '.'), ns, n)
		}
	}
	if p&tsLocal != 0 {
		return append(b, "-00:00"...)
	}
	_, off := t.Zone()
	if off == 0 {
		return append(b, 'Z')
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	b = pad(append(b, sign), off/3600, 2)
	return pad(append(b, ':'), off%3600/60, 2)
}
