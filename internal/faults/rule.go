package faults

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
	"time"
)

// Operations are the 33 Glacier operations a rule may name, exactly as the
// API reference spells them (internal/api checks that they are its own).
var Operations = []string{
	"CreateVault", "DescribeVault", "ListVaults", "DeleteVault",
	"AddTagsToVault", "RemoveTagsFromVault", "ListTagsForVault",
	"SetVaultAccessPolicy", "GetVaultAccessPolicy", "DeleteVaultAccessPolicy",
	"SetVaultNotifications", "GetVaultNotifications", "DeleteVaultNotifications",
	"InitiateVaultLock", "GetVaultLock", "CompleteVaultLock", "AbortVaultLock",
	"GetDataRetrievalPolicy", "SetDataRetrievalPolicy",
	"PurchaseProvisionedCapacity", "ListProvisionedCapacity",
	"UploadArchive", "DeleteArchive",
	"InitiateMultipartUpload", "ListMultipartUploads", "UploadMultipartPart",
	"CompleteMultipartUpload", "AbortMultipartUpload", "ListParts",
	"InitiateJob", "ListJobs", "DescribeJob", "GetJobOutput",
}

var knownOp = func() map[string]bool {
	m := make(map[string]bool, len(Operations))
	for _, o := range Operations {
		m[o] = true
	}
	return m
}()

// Rule is one fault rule: which requests it matches, when it fires and
// what it does then.
type Rule struct {
	ID         string   `json:"id"`
	Operations []string `json:"operations"`
	// Filters: "" matches any. Archive is DeleteArchive's archive and
	// InitiateJob's ArchiveId, Job the job of DescribeJob and
	// GetJobOutput, Upload the upload of the multipart operations, Tier
	// an InitiateJob's tier.
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	Vault   string `json:"vault,omitempty"`
	Archive string `json:"archive,omitempty"`
	Job     string `json:"job,omitempty"`
	Upload  string `json:"upload,omitempty"`
	Tier    string `json:"tier,omitempty"`
	// Probability is the chance that a matching call fires (nil: 1).
	Probability *float64 `json:"probability,omitempty"`
	// Nth: the rule fires from the Nth matching call on (once, unless
	// Count says more). Count: it fires for that many calls, then is
	// spent. Neither: every matching call fires, until it expires.
	Nth     int64      `json:"nth,omitempty"`
	Count   int64      `json:"count,omitempty"`
	Expires *time.Time `json:"expires,omitempty"`
	Persist bool       `json:"persist,omitempty"`
	Effect  Effect     `json:"effect"`

	// Kept by the server.
	Created time.Time `json:"created"`
	Matched int64     `json:"matched"`
	Fired   int64     `json:"fired"`
	// Source is "localstack" for a rule set through the LocalStack chaos
	// endpoints, which replace their own rules only.
	Source string `json:"source,omitempty"`
}

// Effect is what a firing rule does. Error answers instead of the
// operation; the others act around it.
type Effect struct {
	Error   *ErrorEffect   `json:"error,omitempty"`
	Latency *LatencyEffect `json:"latency,omitempty"`
	Reset   *ResetEffect   `json:"reset,omitempty"`
	Job     *JobEffect     `json:"job,omitempty"`
	Corrupt *CorruptEffect `json:"corrupt,omitempty"`
}

// ErrorEffect is an error answer. A preset fills in the real service's
// code, status, type and message; any field given overrides it.
type ErrorEffect struct {
	Preset      string `json:"preset,omitempty"`
	Code        string `json:"code,omitempty"`
	Status      int    `json:"status,omitempty"`
	Type        string `json:"type,omitempty"`
	Message     string `json:"message,omitempty"`
	ConsumeBody bool   `json:"consumeBody,omitempty"`
}

// LatencyEffect delays the answer: Before before the operation runs,
// BetweenChunks before each ChunkBytes of the answer's body but the first.
type LatencyEffect struct {
	Before        Duration `json:"before,omitempty"`
	BetweenChunks Duration `json:"betweenChunks,omitempty"`
	ChunkBytes    int64    `json:"chunkBytes,omitempty"`
}

// ResetEffect cuts the connection: after reading AfterRequestBytes of the
// request body (the operation does not run; the connection is reset), or
// after sending AfterResponseBytes of the answer's body (the client gets
// fewer bytes than its Content-Length).
type ResetEffect struct {
	AfterRequestBytes  *int64 `json:"afterRequestBytes,omitempty"`
	AfterResponseBytes *int64 `json:"afterResponseBytes,omitempty"`
}

// JobEffect applies to the job an InitiateJob creates: it ends Failed with
// Fail as its StatusMessage, and/or completes Late after its usual time.
type JobEffect struct {
	Fail string   `json:"fail,omitempty"`
	Late Duration `json:"late,omitempty"`
}

// CorruptEffect flips (XOR 0xFF) Bytes bytes of a GetJobOutput body from
// Offset (counted from the first byte sent); the headers stay those of
// the true bytes.
type CorruptEffect struct {
	Offset int64 `json:"offset,omitempty"`
	Bytes  int64 `json:"bytes,omitempty"`
}

// Duration is a time.Duration written as a Go duration string ("250ms").
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"250ms\" or \"2h\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q: give a Go duration such as \"250ms\" or \"2h\"", s)
	}
	*d = Duration(v)
	return nil
}

// Preset is a real service error a rule may name.
type Preset struct {
	Status  int
	Type    string
	Message string
}

// Presets are the errors with the status, type and message the real
// service sends (docs/glacier-api.md 1.4; InsufficientCapacityException
// is 503 as the developer guide says, like the emulator's own).
var Presets = map[string]Preset{
	"ThrottlingException":           {400, "Client", "Rate exceeded"},
	"RequestTimeoutException":       {408, "Client", "Request timed out."},
	"ServiceUnavailableException":   {500, "Server", "Service is unavailable. Try your call again."},
	"InsufficientCapacityException": {503, "Server", "There is not enough capacity to process this Expedited retrieval. Purchase provisioned capacity or retry later."},
	"LimitExceededException":        {400, "Client", "The request exceeds a limit of the service."},
	"PolicyEnforcedException":       {400, "Client", "InitiateJob request denied by current data retrieval policy."},
}

// Limits of a rule's values.
const (
	MaxLatency    = 10 * time.Minute
	MaxLate       = 876000 * time.Hour
	MaxTTL        = 100 * 365 * 24 * 3600 // seconds
	MaxCorrupt    = 1 << 20
	MaxMessage    = 1024
	MaxRules      = 100
	DefaultChunk  = 64 << 10
	maxRuleSize   = 64 << 10
	maxFilterSize = 256
)

// ParseError is a rule refused, with the reason to tell its sender.
type ParseError struct{ Reason string }

func (e *ParseError) Error() string { return e.Reason }

func refuse(format string, a ...any) error { return &ParseError{Reason: fmt.Sprintf(format, a...)} }

var (
	idRE   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	codeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9.]{0,63}$`)
)

// ruleInput is what a client posts: a Rule without the server's fields,
// and with ttl.
type ruleInput struct {
	ID          string     `json:"id"`
	Operations  []string   `json:"operations"`
	Account     string     `json:"account"`
	Region      string     `json:"region"`
	Vault       string     `json:"vault"`
	Archive     string     `json:"archive"`
	Job         string     `json:"job"`
	Upload      string     `json:"upload"`
	Tier        string     `json:"tier"`
	Probability *float64   `json:"probability"`
	Nth         *int64     `json:"nth"`
	Count       *int64     `json:"count"`
	Expires     *time.Time `json:"expires"`
	TTL         *float64   `json:"ttl"`
	Persist     bool       `json:"persist"`
	Effect      *Effect    `json:"effect"`
}

// decodeStrict decodes one JSON value into v, refusing unknown fields and
// anything after the value.
func decodeStrict(body []byte, v any) error {
	if len(body) > maxRuleSize {
		return refuse("The rule is larger than %d bytes.", maxRuleSize)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return refuse("Invalid fault rule: %s.", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return refuse("Invalid fault rule: unexpected data after the JSON object.")
	}
	return nil
}

// ParseRule parses and validates one rule as posted to /_permafrost/faults;
// now resolves a ttl. The rule returned has no ID unless the client gave
// one. Every refusal is a *ParseError.
func ParseRule(body []byte, now time.Time) (Rule, error) {
	var in ruleInput
	if err := decodeStrict(body, &in); err != nil {
		return Rule{}, err
	}
	r := Rule{ID: in.ID, Operations: in.Operations, Account: in.Account, Region: in.Region, Vault: in.Vault,
		Archive: in.Archive, Job: in.Job, Upload: in.Upload, Tier: in.Tier, Probability: in.Probability,
		Expires: in.Expires, Persist: in.Persist}
	if in.Nth != nil {
		r.Nth = *in.Nth
		if r.Nth < 1 {
			return Rule{}, refuse("Invalid nth %d: give a call number of at least 1.", r.Nth)
		}
	}
	if in.Count != nil {
		r.Count = *in.Count
		if r.Count < 1 {
			return Rule{}, refuse("Invalid count %d: give a number of calls of at least 1.", r.Count)
		}
	}
	if in.TTL != nil {
		if in.Expires != nil {
			return Rule{}, refuse("Give expires or ttl, not both.")
		}
		if t := *in.TTL; !(t > 0 && t <= MaxTTL) {
			return Rule{}, refuse("Invalid ttl %v: give a number of seconds above 0 and at most %d.", t, MaxTTL)
		}
		e := now.Add(time.Duration(*in.TTL * float64(time.Second))).UTC()
		r.Expires = &e
	}
	if in.Effect == nil {
		return Rule{}, refuse("Required field missing: effect.")
	}
	r.Effect = *in.Effect
	return r, r.Validate()
}

// Validate checks a rule's fields and their combination.
func (r *Rule) Validate() error {
	if r.ID != "" && !idRE.MatchString(r.ID) {
		return refuse("Invalid id %q: give 1 to 64 of A-Z a-z 0-9 _ -.", r.ID)
	}
	if r.ID == "log" {
		return refuse("Invalid id \"log\": /_permafrost/faults/log is the log of fired faults.")
	}
	if len(r.Operations) == 0 {
		return refuse("Required field missing: operations (one or more of the 33 Glacier operation names, such as UploadArchive).")
	}
	seen := map[string]bool{}
	for _, o := range r.Operations {
		if !knownOp[o] {
			return refuse("Unknown operation %q: give Glacier operation names as the API reference spells them, such as UploadArchive or GetJobOutput.", o)
		}
		if seen[o] {
			return refuse("Operation %s is named twice.", o)
		}
		seen[o] = true
	}
	for name, v := range map[string]string{"account": r.Account, "region": r.Region, "vault": r.Vault, "archive": r.Archive, "job": r.Job, "upload": r.Upload} {
		if len(v) > maxFilterSize {
			return refuse("Invalid %s: at most %d characters.", name, maxFilterSize)
		}
	}
	onlyInitiateJob := len(r.Operations) == 1 && r.Operations[0] == "InitiateJob"
	onlyOutput := len(r.Operations) == 1 && r.Operations[0] == "GetJobOutput"
	switch r.Tier {
	case "", "Expedited", "Standard", "Bulk":
	default:
		return refuse("Invalid tier %q: Expedited, Standard or Bulk.", r.Tier)
	}
	if r.Tier != "" && !onlyInitiateJob {
		return refuse("A tier filter is for rules on InitiateJob alone.")
	}
	if p := r.Probability; p != nil && (math.IsNaN(*p) || *p < 0 || *p > 1) {
		return refuse("Invalid probability %v: give a number from 0 to 1.", *p)
	}
	if r.Nth < 0 || r.Count < 0 {
		return refuse("nth and count must be positive.")
	}
	return r.Effect.validate(onlyInitiateJob, onlyOutput)
}

func (e *Effect) validate(onlyInitiateJob, onlyOutput bool) error {
	if e.Error == nil && e.Latency == nil && e.Reset == nil && e.Job == nil && e.Corrupt == nil {
		return refuse("The effect names nothing to do: give error, latency, reset, job or corrupt.")
	}
	if e.Error != nil {
		if e.Job != nil || e.Corrupt != nil || e.Reset != nil {
			return refuse("An error effect answers instead of the operation: it cannot be combined with job, corrupt or reset (latency may delay it).")
		}
		if err := e.Error.validate(); err != nil {
			return err
		}
	}
	if l := e.Latency; l != nil {
		if l.Before < 0 || time.Duration(l.Before) > MaxLatency || l.BetweenChunks < 0 || time.Duration(l.BetweenChunks) > MaxLatency {
			return refuse("Invalid latency: each delay is from 0 to %v.", MaxLatency)
		}
		if l.Before == 0 && l.BetweenChunks == 0 {
			return refuse("The latency effect needs before or betweenChunks.")
		}
		if l.ChunkBytes < 0 || l.ChunkBytes > 1<<30 {
			return refuse("Invalid chunkBytes %d: from 1 to 1073741824 (default %d).", l.ChunkBytes, DefaultChunk)
		}
	}
	if rs := e.Reset; rs != nil {
		if (rs.AfterRequestBytes == nil) == (rs.AfterResponseBytes == nil) {
			return refuse("The reset effect needs exactly one of afterRequestBytes and afterResponseBytes.")
		}
		if n := rs.AfterRequestBytes; n != nil && *n < 0 {
			return refuse("Invalid afterRequestBytes %d.", *n)
		}
		if n := rs.AfterResponseBytes; n != nil && *n < 0 {
			return refuse("Invalid afterResponseBytes %d.", *n)
		}
	}
	if j := e.Job; j != nil {
		if !onlyInitiateJob {
			return refuse("A job effect is for rules on InitiateJob alone.")
		}
		if j.Fail == "" && j.Late == 0 {
			return refuse("The job effect needs fail (a StatusMessage) or late (a duration).")
		}
		if len(j.Fail) > MaxMessage || j.Late < 0 || time.Duration(j.Late) > MaxLate {
			return refuse("Invalid job effect: fail is at most %d characters, late from 0 to %v.", MaxMessage, MaxLate)
		}
	}
	if c := e.Corrupt; c != nil {
		if !onlyOutput {
			return refuse("A corrupt effect is for rules on GetJobOutput alone.")
		}
		if c.Offset < 0 || c.Bytes < 0 || c.Bytes > MaxCorrupt {
			return refuse("Invalid corrupt effect: offset from 0, bytes from 1 to %d (default 1).", MaxCorrupt)
		}
	}
	return nil
}

func (e *ErrorEffect) validate() error {
	if e.Preset != "" {
		if _, ok := Presets[e.Preset]; !ok {
			return refuse("Unknown preset %q: ThrottlingException, RequestTimeoutException, ServiceUnavailableException, InsufficientCapacityException, LimitExceededException or PolicyEnforcedException.", e.Preset)
		}
	} else if e.Code == "" {
		return refuse("The error effect needs a preset or a code.")
	}
	if e.Code != "" && !codeRE.MatchString(e.Code) {
		return refuse("Invalid error code %q: a name such as ThrottlingException.", e.Code)
	}
	if e.Status != 0 && (e.Status < 400 || e.Status > 599) {
		return refuse("Invalid status %d: an error status is from 400 to 599.", e.Status)
	}
	switch e.Type {
	case "", "Client", "Server":
	default:
		return refuse("Invalid type %q: Client or Server.", e.Type)
	}
	if len(e.Message) > MaxMessage {
		return refuse("Invalid message: at most %d characters.", MaxMessage)
	}
	return nil
}

// Resolved returns the error's code, status, type and message, from its
// preset and its own fields. A code with neither preset nor status is a
// 400 (statusOf may know better: it is asked for codes without a preset).
func (e *ErrorEffect) Resolved(statusOf func(code string) (int, string, bool)) (code string, status int, typ, msg string) {
	code, status, typ, msg = e.Preset, 0, "", ""
	if p, ok := Presets[e.Preset]; ok {
		status, typ, msg = p.Status, p.Type, p.Message
	}
	if e.Code != "" {
		code = e.Code
		if e.Preset == "" && statusOf != nil {
			if s, t, ok := statusOf(code); ok {
				status, typ = s, t
			}
		}
	}
	if e.Status != 0 {
		status = e.Status
	}
	if status == 0 {
		status = 400
	}
	if e.Type != "" {
		typ = e.Type
	}
	if typ == "" {
		typ = "Client"
		if status >= 500 {
			typ = "Server"
		}
	}
	if e.Message != "" {
		msg = e.Message
	}
	if msg == "" {
		msg = "Fault injected by permafrost: " + code
	}
	return code, status, typ, msg
}

// limit is how many times the rule fires in all (0: no limit).
func (r *Rule) limit() int64 {
	if r.Count > 0 {
		return r.Count
	}
	if r.Nth > 0 {
		return 1
	}
	return 0
}

// Spent reports whether the rule has fired as often as it may.
func (r *Rule) Spent() bool { l := r.limit(); return l > 0 && r.Fired >= l }

// Expired reports whether the rule's expiry has passed at now.
func (r *Rule) Expired(now time.Time) bool { return r.Expires != nil && !now.Before(*r.Expires) }
