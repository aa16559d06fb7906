package faults

import (
	"strings"
	"time"
)

// LocalStack's chaos API shapes (/_localstack/chaos/faults and
// /_localstack/chaos/effects), mapped onto rules; README's "Fault
// injection" has the table.

// Source of the rules set through the LocalStack endpoints.
const (
	SourceLocalStack        = "localstack"
	SourceLocalStackEffects = "localstack-effects"
)

// LocalStackFault is one rule of LocalStack's fault list.
type LocalStackFault struct {
	Service     string           `json:"service,omitempty"`
	Region      string           `json:"region,omitempty"`
	Operation   string           `json:"operation,omitempty"`
	Probability *float64         `json:"probability,omitempty"`
	Error       *LocalStackError `json:"error,omitempty"`
}

// LocalStackError is a LocalStack fault's error.
type LocalStackError struct {
	StatusCode int    `json:"statusCode,omitempty"`
	Code       string `json:"code,omitempty"`
	Message    string `json:"message,omitempty"`
}

// LocalStackEffects is LocalStack's network effects document: latency in
// milliseconds on every call.
type LocalStackEffects struct {
	Latency int64 `json:"latency"`
}

// localStackDefault is LocalStack's error when a fault names none.
var localStackDefault = LocalStackError{StatusCode: 503, Code: "ServiceUnavailable"}

// ParseLocalStackFaults parses a LocalStack fault list into rules. A rule
// for another service than glacier is refused: nothing here could match
// it.
func ParseLocalStackFaults(body []byte) ([]Rule, error) {
	var in []LocalStackFault
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	if len(in) > MaxRules {
		return nil, refuse("At most %d rules.", MaxRules)
	}
	out := make([]Rule, 0, len(in))
	for _, f := range in {
		r, err := f.rule()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (f LocalStackFault) rule() (Rule, error) {
	if s := strings.ToLower(f.Service); s != "" && s != "glacier" {
		return Rule{}, refuse("Service %q: permafrost emulates only glacier.", f.Service)
	}
	le := localStackDefault
	if f.Error != nil {
		le = *f.Error
		if le.StatusCode == 0 {
			le.StatusCode = localStackDefault.StatusCode
		}
		if le.Code == "" {
			le.Code = localStackDefault.Code
		}
	}
	r := Rule{Region: f.Region, Probability: f.Probability, Source: SourceLocalStack,
		Effect: Effect{Error: &ErrorEffect{Code: le.Code, Status: le.StatusCode, Message: le.Message}}}
	if f.Operation != "" {
		r.Operations = []string{f.Operation}
	} else {
		r.Operations = append([]string(nil), Operations...)
	}
	return r, r.Validate()
}

// LocalStack returns the rule in LocalStack's shape (for one set through
// the LocalStack endpoints).
func (r *Rule) LocalStack() LocalStackFault {
	f := LocalStackFault{Service: "glacier", Region: r.Region, Probability: r.Probability}
	if len(r.Operations) == 1 {
		f.Operation = r.Operations[0]
	}
	if e := r.Effect.Error; e != nil {
		f.Error = &LocalStackError{StatusCode: e.Status, Code: e.Code, Message: e.Message}
	}
	return f
}

// SameAs reports whether r is the LocalStack fault f (LocalStack's DELETE
// removes the rules equal to those it is given).
func (r *Rule) SameAs(f LocalStackFault) bool {
	want, err := f.rule()
	if err != nil || r.Source != SourceLocalStack {
		return false
	}
	a, b := r.LocalStack(), want.LocalStack()
	samep := (a.Probability == nil) == (b.Probability == nil) && (a.Probability == nil || *a.Probability == *b.Probability)
	return a.Region == b.Region && a.Operation == b.Operation && samep && *a.Error == *b.Error
}

// ParseLocalStackEffects parses LocalStack's effects document into the
// rule that applies it (nil for no latency).
func ParseLocalStackEffects(body []byte) (*Rule, error) {
	var in LocalStackEffects
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	d := time.Duration(in.Latency) * time.Millisecond
	if in.Latency < 0 || d > MaxLatency {
		return nil, refuse("Invalid latency %d: milliseconds from 0 to %d.", in.Latency, MaxLatency.Milliseconds())
	}
	if d == 0 {
		return nil, nil
	}
	r := &Rule{Operations: append([]string(nil), Operations...), Source: SourceLocalStackEffects,
		Effect: Effect{Latency: &LatencyEffect{Before: Duration(d)}}}
	return r, r.Validate()
}
