package glacier

import "strconv"

// ParseContentRange parses an UploadMultipartPart Content-Range header,
// "bytes S-E/*" (spec 3.2), into its inclusive byte offsets.
func ParseContentRange(h string) (start, end int64, ok bool) {
	const prefix = "bytes "
	if len(h) < len(prefix) || h[:len(prefix)] != prefix {
		return 0, 0, false
	}
	rest := h[len(prefix):]
	if len(rest) < 2 || rest[len(rest)-2:] != "/*" {
		return 0, 0, false
	}
	rest = rest[:len(rest)-2]
	dash := -1
	for i := 0; i < len(rest); i++ {
		if rest[i] == '-' {
			dash = i
			break
		}
	}
	if dash <= 0 {
		return 0, 0, false
	}
	start, ok1 := parseDecimal(rest[:dash])
	end, ok2 := parseDecimal(rest[dash+1:])
	if !ok1 || !ok2 || end < start {
		return 0, 0, false
	}
	return start, end, true
}

// parseDecimal accepts only plain non-negative decimal integers that fit in
// an int64 (no sign, no spaces).
func parseDecimal(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
