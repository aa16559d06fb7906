package policy

import (
	"fmt"
	"strings"
)

// principalSet is a compiled Principal or NotPrincipal element. Callers
// are identified only by account, so every AWS principal reduces to the
// account it belongs to.
type principalSet struct {
	any      bool     // "*" or {"AWS": "*"}
	accounts []string // 12-digit account IDs
}

// match reports whether a caller from account acct is in the set. An
// anonymous caller (acct == "") is matched only by "*".
func (ps *principalSet) match(acct string) bool {
	if ps.any {
		return true
	}
	if acct == "" {
		return false
	}
	for _, a := range ps.accounts {
		if a == acct {
			return true
		}
	}
	return false
}

// parsePrincipal accepts "*" or an object whose keys are principal types.
// "AWS" values are "*", account IDs, or IAM/STS principal ARNs. "Service",
// "Federated" and "CanonicalUser" values are syntax-checked as non-empty
// strings and kept out of the set: such principals never match a caller.
func parsePrincipal(raw *node, where string) (principalSet, error) {
	var ps principalSet
	if raw.kind == kindString {
		if s := raw.str; s != "*" {
			return ps, fmt.Errorf("%s: a string principal must be \"*\", got %q (use {\"AWS\": ...})", where, s)
		}
		ps.any = true
		return ps, nil
	}
	members, err := objectMembers(raw, where)
	if err != nil {
		return ps, fmt.Errorf("%w (want \"*\" or {\"AWS\": ...})", err)
	}
	if len(members) == 0 {
		return ps, fmt.Errorf("%s: must name at least one principal", where)
	}
	for _, m := range members {
		mw := where + "." + m.key
		vals, err := stringList(m.val, mw)
		if err != nil {
			return ps, err
		}
		switch m.key {
		case "AWS":
			for i, v := range vals {
				acct, ok := awsPrincipalAccount(v)
				if !ok {
					return ps, fmt.Errorf("%s: value %d (%q) is not \"*\", a 12-digit account ID or an IAM principal ARN", mw, i, v)
				}
				if acct == "*" {
					ps.any = true
				} else {
					ps.accounts = append(ps.accounts, acct)
				}
			}
		case "Service", "Federated", "CanonicalUser":
			// Valid syntax, but the emulator never authenticates such
			// callers, so they contribute nothing to the set.
		default:
			return ps, fmt.Errorf("%s: unknown principal type %q", where, m.key)
		}
	}
	return ps, nil
}

// awsPrincipalAccount returns the account an "AWS" principal value stands
// for ("*" for the wildcard), or false if v is not a valid value.
func awsPrincipalAccount(v string) (string, bool) {
	if v == "*" || isAccountID(v) {
		return v, true
	}
	// arn:<partition>:<iam|sts>::<account>:<resource>
	f := strings.SplitN(v, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[3] != "" || !isAccountID(f[4]) {
		return "", false
	}
	switch f[1] {
	case "aws", "aws-cn", "aws-us-gov":
	default:
		return "", false
	}
	res := f[5]
	if strings.ContainsAny(res, "*?") {
		return "", false
	}
	ok := false
	switch f[2] {
	case "iam":
		ok = res == "root" || hasNamedPrefix(res, "user/", "role/", "assumed-role/", "federated-user/")
	case "sts":
		ok = hasNamedPrefix(res, "assumed-role/", "federated-user/")
	}
	return f[4], ok
}

// hasNamedPrefix reports whether s is one of prefixes followed by a
// non-empty name.
func hasNamedPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if len(s) > len(p) && strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseActions accepts "*" or "<service>:<name>" patterns. The service
// prefix is letters, digits and '-'; the name is letters, digits and the
// wildcards '*' and '?'. Matching is case-insensitive.
func parseActions(raw *node, where string) ([]pattern, error) {
	return parsePatterns(raw, where, `"<service>:<action>"`, true, func(v string) bool {
		svc, name, ok := strings.Cut(v, ":")
		return ok && validChars(svc, "-") && validChars(name, "*?")
	})
}

// parsePatterns compiles the string list raw (case-insensitively when
// fold) after checking that every value other than "*" is valid; form
// names the valid values in the error.
func parsePatterns(raw *node, where, form string, fold bool, valid func(string) bool) ([]pattern, error) {
	vals, err := stringList(raw, where)
	if err != nil {
		return nil, err
	}
	out := make([]pattern, 0, len(vals))
	for _, v := range vals {
		if v != "*" && !valid(v) {
			return nil, fmt.Errorf("%s: %q is not \"*\" or %s", where, v, form)
		}
		out = append(out, compilePattern(v, fold))
	}
	return out, nil
}

// validChars reports whether s is non-empty and consists of ASCII letters,
// digits and bytes from extra.
func validChars(s, extra string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// parseResources accepts "*" or ARN patterns with six colon-separated
// fields (arn:partition:service:region:account:resource, where the
// resource part may itself contain colons) and non-empty partition and
// service. Matching is case-sensitive.
func parseResources(raw *node, where string) ([]pattern, error) {
	return parsePatterns(raw, where, "an ARN (arn:partition:service:region:account:resource)", false, func(v string) bool {
		f := strings.SplitN(v, ":", 6)
		return len(f) == 6 && f[0] == "arn" && f[1] != "" && f[2] != ""
	})
}
