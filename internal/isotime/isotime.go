// Package isotime writes the ISO 8601 instants of Glacier's wire formats
// (UTC, with or without milliseconds) as time.AppendFormat would, in a
// fraction of its time for the years 0 to 9999: every answer carries a
// date or two, and an inventory one per archive.
package isotime

import "time"

// The two layouts: Millis for the API's dates, Seconds for an
// inventory's CreationDate.
const (
	Millis  = "2006-01-02T15:04:05.000Z"
	Seconds = "2006-01-02T15:04:05Z"
)

// AppendMillis appends t, in UTC, in the Millis layout.
func AppendMillis(b []byte, t time.Time) []byte { return appendTime(b, t, true) }

// AppendSeconds appends t, in UTC, in the Seconds layout.
func AppendSeconds(b []byte, t time.Time) []byte { return appendTime(b, t, false) }

func appendTime(b []byte, t time.Time, millis bool) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		if millis {
			return t.AppendFormat(b, Millis)
		}
		return t.AppendFormat(b, Seconds)
	}
	hour, minute, sec := t.Clock()
	d2 := func(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
	b = d2(d2(b, year/100), year%100)
	b = d2(append(b, '-'), int(month))
	b = d2(append(b, '-'), day)
	b = d2(append(b, 'T'), hour)
	b = d2(append(b, ':'), minute)
	b = d2(append(b, ':'), sec)
	if millis {
		ms := t.Nanosecond() / 1e6 // truncated, as the layout's .000 is
		b = d2(append(b, '.', byte('0'+ms/100)), ms%100)
	}
	return append(b, 'Z')
}
