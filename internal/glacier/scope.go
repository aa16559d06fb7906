package glacier

import "time"

// Scope is the partition every piece of state belongs to: one account in
// one region.
type Scope struct {
	Account string
	Region  string
}

// VaultRef names a vault within a scope.
type VaultRef struct {
	Scope
	Name string
}

// Ref returns the reference of vault name in s.
func (s Scope) Ref(name string) VaultRef { return VaultRef{Scope: s, Name: name} }

// ARN returns the vault's ARN.
func (v VaultRef) ARN() string {
	return "arn:aws:glacier:" + v.Region + ":" + v.Account + ":vaults/" + v.Name
}

// Caller identifies who makes a request: the account its credentials belong
// to. Access decisions compare it with the owner of the resource.
type Caller struct {
	Account string
}

// TimeFormat is the ISO 8601 form, with milliseconds, of every date Glacier
// returns in JSON (spec 1.5).
const TimeFormat = "2006-01-02T15:04:05.000Z"

// FormatTime renders t in TimeFormat, in UTC.
func FormatTime(t time.Time) string {
	var buf [len(TimeFormat)]byte
	return string(AppendTime(buf[:0], t))
}

// AppendTime appends t in TimeFormat, in UTC, exactly as AppendFormat
// would (FuzzAppendTime compares them), in a fraction of its time for the
// years 0 to 9999: every answer carries a date or two.
func AppendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, TimeFormat)
	}
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / 1e6 // truncated, as the layout's .000 is
	d2 := func(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
	b = d2(d2(b, year/100), year%100)
	b = d2(append(b, '-'), int(month))
	b = d2(append(b, '-'), day)
	b = d2(append(b, 'T'), hour)
	b = d2(append(b, ':'), minute)
	b = d2(append(b, ':'), sec)
	b = append(b, '.', byte('0'+ms/100))
	b = d2(b, ms%100)
	return append(b, 'Z')
}
