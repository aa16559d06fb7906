package glacier

import (
	"time"

	"permafrost/internal/isotime"
)

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
const TimeFormat = isotime.Millis

// FormatTime renders t in TimeFormat, in UTC.
func FormatTime(t time.Time) string {
	var buf [len(TimeFormat)]byte
	return string(isotime.AppendMillis(buf[:0], t))
}
