package policy

// Request describes one API call for evaluation against a policy.
type Request struct {
	// Action is the IAM action, e.g. "glacier:DeleteArchive". It is
	// matched case-insensitively.
	Action string
	// Resource is the ARN of the vault, e.g.
	// "arn:aws:glacier:us-east-1:111122223333:vaults/examplevault". It is
	// matched case-sensitively.
	Resource string
	// PrincipalAccount is the caller's 12-digit account ID, or "" for an
	// anonymous caller (matched only by a "*" principal).
	PrincipalAccount string
	// Context holds the condition keys of the request and their values,
	// e.g. "glacier:ArchiveAgeInDays": {"12"}. Keys are matched against
	// policy condition keys ASCII case-insensitively (an exact-case entry
	// wins over differently cased duplicates); a key with no values counts
	// as absent. Evaluate only reads the map.
	Context map[string][]string
}

// Decision is the outcome of evaluating a policy for a request.
type Decision int

const (
	// NoMatch means no statement applied: the policy neither allows nor
	// denies the request.
	NoMatch Decision = iota
	// Allow means at least one Allow statement applied and no Deny did.
	Allow
	// Deny means at least one Deny statement applied; it overrides any
	// Allow.
	Deny
)

// String returns "NoMatch", "Allow" or "Deny".
func (d Decision) String() string {
	switch d {
	case NoMatch:
		return "NoMatch"
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "Decision(?)"
}

// Evaluate decides r against every statement of p: Deny if any Deny
// statement applies, otherwise Allow if any Allow statement applies,
// otherwise NoMatch. A nil policy yields NoMatch. Evaluate does not
// allocate.
func (p *Policy) Evaluate(r Request) Decision {
	if p == nil {
		return NoMatch
	}
	d := NoMatch
	for i := range p.statements {
		st := &p.statements[i]
		if !st.deny && d == Allow {
			continue // only a Deny can change the outcome now
		}
		if !st.applies(&r) {
			continue
		}
		if st.deny {
			return Deny
		}
		d = Allow
	}
	return d
}

// applies reports whether the statement covers r: its principal, action
// and resource elements all match (each inverted for its Not... form) and
// every condition holds.
func (st *statement) applies(r *Request) bool {
	if matchAny(st.actions, r.Action) == st.notAction {
		return false
	}
	if matchAny(st.resources, r.Resource) == st.notResource {
		return false
	}
	if st.principal.match(r.PrincipalAccount) == st.notPrincipal {
		return false
	}
	for i := range st.conditions {
		if !st.conditions[i].eval(r.Context) {
			return false
		}
	}
	return true
}
