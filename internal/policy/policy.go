package policy

import "fmt"

// Policy is a parsed and validated policy document. It is immutable after
// Parse and safe for concurrent use by multiple goroutines.
type Policy struct {
	version    string
	id         string
	statements []statement
}

// statement is one compiled Statement element.
type statement struct {
	sid          string
	deny         bool
	notPrincipal bool
	principal    principalSet
	notAction    bool
	actions      []pattern
	notResource  bool
	resources    []pattern
	conditions   []condition
}

// Accepted values of the top-level "Version" element.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Parse validates doc against the supported policy grammar (see the package
// documentation) and compiles it for evaluation. Errors name the offending
// element, e.g. `policy: Statement[1].Effect: must be "Allow" or "Deny"`.
func Parse(doc string) (*Policy, error) {
	p, err := parse(doc)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return p, nil
}

// stmtKey names the Statement element (also in error locations).
const stmtKey = "Statement"

func parse(doc string) (*Policy, error) {
	root, err := decodeDocument(doc)
	if err != nil {
		return nil, err
	}
	members, err := objectMembers(root, "document")
	if err != nil {
		return nil, err
	}
	p := &Policy{}
	var stmts *node
	for _, m := range members {
		switch m.key {
		case "Version":
			if p.version, err = jsonString(m.val, "Version"); err != nil {
				return nil, err
			}
			if p.version != Version2012 && p.version != Version2008 {
				return nil, fmt.Errorf("Version: must be %q or %q, got %q", Version2012, Version2008, p.version)
			}
		case "Id":
			if p.id, err = jsonString(m.val, "Id"); err != nil {
				return nil, err
			}
		case stmtKey:
			stmts = m.val
		default:
			return nil, fmt.Errorf("unknown top-level element %q", m.key)
		}
	}
	switch {
	case stmts == nil:
		return nil, fmt.Errorf("%s: required element is missing", stmtKey)
	case stmts.kind == kindObject:
		st, err := parseStatement(stmts, stmtKey)
		if err != nil {
			return nil, err
		}
		p.statements = []statement{st}
	case stmts.kind == kindArray:
		if len(stmts.elems) == 0 {
			return nil, fmt.Errorf("%s: must not be an empty array", stmtKey)
		}
		p.statements = make([]statement, len(stmts.elems))
		for i, e := range stmts.elems {
			if p.statements[i], err = parseStatement(e, fmt.Sprintf("%s[%d]", stmtKey, i)); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("%s: must be an object or an array of objects, got %s", stmtKey, kindName(stmts.kind))
	}
	return p, nil
}

// Version returns the document's "Version" element, or "" if it had none.
func (p *Policy) Version() string { return p.version }

// ID returns the document's "Id" element, or "" if it had none.
func (p *Policy) ID() string { return p.id }

// Len returns the number of statements in the policy.
func (p *Policy) Len() int { return len(p.statements) }

// parseStatement validates and compiles one Statement object; where is its
// location for error messages, e.g. "Statement[2]".
func parseStatement(raw *node, where string) (statement, error) {
	var st statement
	members, err := objectMembers(raw, where)
	if err != nil {
		return st, err
	}
	var (
		effect                      string
		principal, action, resource *node
		pKey, aKey, rKey            string
	)
	// pick records an element that has a Not... twin, rejecting both.
	pick := func(m member, dst **node, key *string) error {
		if *dst != nil {
			return fmt.Errorf("%s: must not contain both %q and %q", where, *key, m.key)
		}
		*dst, *key = m.val, m.key
		return nil
	}
	for _, m := range members {
		fw := where + "." + m.key
		switch m.key {
		case "Sid":
			if st.sid, err = jsonString(m.val, fw); err != nil {
				return st, err
			}
		case "Effect":
			if effect, err = jsonString(m.val, fw); err != nil {
				return st, err
			}
			if effect != "Allow" && effect != "Deny" {
				return st, fmt.Errorf("%s: must be \"Allow\" or \"Deny\", got %q", fw, effect)
			}
		case "Principal", "NotPrincipal":
			err = pick(m, &principal, &pKey)
		case "Action", "NotAction":
			err = pick(m, &action, &aKey)
		case "Resource", "NotResource":
			err = pick(m, &resource, &rKey)
		case "Condition":
			if st.conditions, err = parseConditions(m.val, fw); err != nil {
				return st, err
			}
		default:
			err = fmt.Errorf("%s: unknown element %q", where, m.key)
		}
		if err != nil {
			return st, err
		}
	}
	switch {
	case effect == "":
		return st, fmt.Errorf("%s: required element \"Effect\" is missing", where)
	case principal == nil:
		return st, fmt.Errorf("%s: one of \"Principal\" or \"NotPrincipal\" is required", where)
	case action == nil:
		return st, fmt.Errorf("%s: one of \"Action\" or \"NotAction\" is required", where)
	case resource == nil:
		return st, fmt.Errorf("%s: one of \"Resource\" or \"NotResource\" is required", where)
	}
	st.deny = effect == "Deny"
	st.notPrincipal = pKey == "NotPrincipal"
	st.notAction = aKey == "NotAction"
	st.notResource = rKey == "NotResource"
	if st.principal, err = parsePrincipal(principal, where+"."+pKey); err != nil {
		return st, err
	}
	if st.actions, err = parseActions(action, where+"."+aKey); err != nil {
		return st, err
	}
	if st.resources, err = parseResources(resource, where+"."+rKey); err != nil {
		return st, err
	}
	return st, nil
}
