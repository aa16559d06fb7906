package glacier

// hexMatches reports whether s is sum in hex digits of either case:
// strings.EqualFold(hex.EncodeToString(sum), s) without making the string
// (no rune outside ASCII folds to a hex digit, so byte lengths must agree).
func hexMatches(sum []byte, s string) bool {
	const digits = "0123456789abcdef"
	if len(s) != 2*len(sum) {
		return false
	}
	for i, b := range sum {
		if lowerASCII(s[2*i]) != digits[b>>4] || lowerASCII(s[2*i+1]) != digits[b&15] {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
