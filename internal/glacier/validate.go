package glacier

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the service (spec 7).
const (
	MaxVaults           = 1000
	MaxVaultNameLen     = 255
	MaxTagsPerVault     = 50
	MaxTagsPerRequest   = 10
	MaxTagKeyLen        = 128
	MaxTagValueLen      = 255
	MaxPolicyBytes      = 20 * 1024
	MaxDescriptionLen   = 1024
	MaxCapacityUnits    = 2
	DefaultListVaults   = 10
	MaxListVaults       = 10
	DefaultListLimit    = 50
	MaxListParts        = 1000
	MaxListUploads      = 1000
	MaxListJobs         = 50
	MaxRetrievalPerHour = 1<<63 - 1
)

// ValidVaultName reports whether name follows the vault naming rules:
// 1-255 characters from a-z, A-Z, 0-9, '_', '-' and '.'.
func ValidVaultName(name string) bool {
	if len(name) == 0 || len(name) > MaxVaultNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// ValidDescription reports whether d is a valid archive or job description:
// at most 1,024 printable ASCII characters (0x20-0x7E).
func ValidDescription(d string) bool {
	if len(d) > MaxDescriptionLen {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < 0x20 || d[i] > 0x7e {
			return false
		}
	}
	return true
}

// tagText reports whether s uses only the characters allowed in tag keys
// and values: Unicode letters, digits, spaces and _ . / = + - @.
func tagText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' || strings.ContainsRune("_./=+-@", r) {
			continue
		}
		return false
	}
	return true
}

func validateTagKey(k string) error {
	n := utf8.RuneCountInString(k)
	switch {
	case n < 1 || n > MaxTagKeyLen:
		return invalid("Tag key length must be between 1 and %d characters: %q", MaxTagKeyLen, k)
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return invalid("Tag keys must not start with the reserved prefix aws: %q", k)
	case !tagText(k):
		return invalid("Tag key contains invalid characters: %q", k)
	}
	return nil
}

func validateTagValue(k, v string) error {
	if utf8.RuneCountInString(v) > MaxTagValueLen {
		return invalid("Tag value for key %q must be at most %d characters", k, MaxTagValueLen)
	}
	if !tagText(v) {
		return invalid("Tag value for key %q contains invalid characters", k)
	}
	return nil
}
