package glacier

import (
	"strconv"
	"strings"
)

// ParseContentRange parses an UploadMultipartPart Content-Range header,
// "bytes S-E/*" (spec 3.2), into its inclusive byte offsets.
func ParseContentRange(h string) (start, end int64, ok bool) {
	rest, ok1 := strings.CutPrefix(h, "bytes ")
	rest, ok2 := strings.CutSuffix(rest, "/*")
	first, last, ok3 := strings.Cut(rest, "-")
	if !ok1 || !ok2 || !ok3 {
		return 0, 0, false
	}
	start, ok1 = parseDecimal(first)
	end, ok2 = parseDecimal(last)
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
