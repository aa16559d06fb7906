package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"permafrost/internal/faults"
	"permafrost/internal/glacier"
	"permafrost/internal/logline"
	"permafrost/internal/sigv4"
)

// Options configure the HTTP handler.
type Options struct {
	Service *glacier.Service
	// Account is the account of every caller (until signatures are
	// verified) and Region the region of requests that carry none.
	Account string
	Region  string
	Logger  *slog.Logger
	// Emulator backs the /_permafrost/ endpoints; nil serves only health.
	Emulator Emulator
	// Credentials, when set, switches on SigV4 verification.
	Credentials *sigv4.Credentials
	// NewCustomers are accounts for which the API is no longer supported.
	NewCustomers []string
	// BodyIdleTimeout bounds the silence within a request body, and
	// WriteIdleTimeout the time one response write may wait for the
	// client to read (defaults one minute each; see limits.go).
	BodyIdleTimeout  time.Duration
	WriteIdleTimeout time.Duration
	// Observer, when set, is told of every request (metrics; observe.go),
	// and Metrics serves /_permafrost/metrics (nil: metrics are off).
	Observer Observer
	Metrics  http.Handler
	// Console serves ConsolePrefix (nil: not served).
	Console http.Handler
	// Faults, when set, are the fault rules (faults.go) and serve
	// /_permafrost/faults.
	Faults *faults.Engine
	// Probe, when set, is the health endpoint's check that the metadata
	// store answers (a cheap read; see health.go for its deadline and
	// cache). Without it health answers 200 once the handler serves.
	Probe func() error
}

// Handler serves the Glacier API.
type Handler struct {
	svc        *glacier.Service
	account    string
	region     string
	log        *slog.Logger
	ownLog     *logline.Handler // log's handler when it is internal/logline's (reqlog.go)
	emulator   Emulator
	creds      *sigv4.Credentials
	closedTo   map[string]bool
	readLimit  time.Duration // idle limits of bodies and of response writes
	writeLimit time.Duration
	obs        Observer
	metrics    http.Handler
	console    http.Handler
	health     *prober
	faults     *faults.Engine
}

// New returns the API handler.
func New(o Options) *Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &Handler{svc: o.Service, account: o.Account, region: o.Region, log: o.Logger, ownLog: ownLogger(o.Logger), emulator: o.Emulator, creds: o.Credentials,
		closedTo: map[string]bool{}, readLimit: o.BodyIdleTimeout, writeLimit: o.WriteIdleTimeout, console: o.Console,
		health: &prober{probe: o.Probe}, obs: o.Observer, metrics: o.Metrics, faults: o.Faults}
	if h.readLimit <= 0 {
		h.readLimit = time.Minute
	}
	if h.writeLimit <= 0 {
		h.writeLimit = time.Minute
	}
	for _, a := range o.NewCustomers {
		h.closedTo[a] = true
	}
	return h
}

// call is one request being served.
type call struct {
	route
	r      *http.Request
	w      http.ResponseWriter
	caller glacier.Caller
	scope  glacier.Scope    // the owner's account (numeric) and the region
	svc    *glacier.Service // admits read-whole bodies through its buffer budget
}

func (c *call) ref() glacier.VaultRef { return c.scope.Ref(c.Vault) }

// location builds a Location header value under the owner's numeric account.
func (c *call) location(parts ...string) string {
	if len(parts) == 0 {
		return "/" + c.scope.Account + "/"
	}
	n := 1 + len(c.scope.Account)
	for _, p := range parts {
		n += 1 + len(p)
	}
	var b strings.Builder // one allocation, of the exact size
	b.Grow(n)
	b.WriteString("/")
	b.WriteString(c.scope.Account)
	for _, p := range parts {
		b.WriteString("/")
		b.WriteString(p)
	}
	return b.String()
}

// EmulatorPrefix is reserved for permafrost's own endpoints.
const EmulatorPrefix = "/_permafrost/"

// Request IDs have the real service's shape: 47 characters of URL-safe
// base64, as in the x-amzn-RequestId of published Glacier transcripts
// (e.g. x-MLCr04NMP2khb9DcFzgfD5chucO40hpIQ1Dh7cnWk0-zA in
// vsespb/mt-aws-glacier#44). They are a random per-process prefix of 36
// characters and a scrambled counter of 11: unique, and far cheaper than
// reading crypto/rand on every request.
const requestIDLen = 47

var (
	requestPrefix = func() string {
		var b [27]byte
		_, _ = rand.Read(b[:])
		return base64.RawURLEncoding.EncodeToString(b[:]) // 36 characters
	}()
	requestSeq atomic.Uint64
)

func newRequestID() string {
	var b [requestIDLen]byte
	n := copy(b[:], requestPrefix)
	// An odd multiplier is a bijection on uint64: still unique, but the
	// IDs look opaque, as the service's do.
	v := requestSeq.Add(1) * 0x9E3779B97F4A7C15
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := len(b) - 1; i >= n; i-- {
		b[i] = digits[v&63]
		v >>= 6
	}
	return string(b[:])
}

// exchange holds what one request's handling shares with the calls it
// makes, allocated once instead of piece by piece.
type exchange struct {
	sw  statusWriter
	c   call
	rid [1]string // the x-amzn-RequestId header's value
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := newRequestID()
	ex := &exchange{sw: statusWriter{ResponseWriter: w, status: http.StatusOK}, rid: [1]string{id}}
	w.Header()["x-amzn-RequestId"] = ex.rid[:]
	sw := &ex.sw
	defer h.guard(sw, r)()
	var op Op
	var vault string
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("panic serving request", "request_id", id, "panic", p)
			if !sw.wrote {
				code, row, msg, _ := errorResponse(nil)
				writeError(sw, code, row, msg)
			}
		}
		if !sw.wrote && r.Context().Err() != nil {
			// Whatever gave up when the client went away (the store, a
			// hash, a fault rule's pause), nothing may follow.
			dropUnanswered(sw)
		}
		now := time.Now()
		d := now.Sub(start)
		if h.obs != nil {
			h.obs.Request(opLabel(op, r), sw.status, d, sw.received(), sw.n)
		}
		h.logRequest(r.Context(), now, requestLine{id: id, method: r.Method, path: r.URL.Path, op: op, vault: vault,
			status: sw.status, bytes: sw.n, duration: d})
	}()
	if strings.HasPrefix(r.URL.Path, EmulatorPrefix) || strings.HasPrefix(r.URL.Path, LocalStackChaosPrefix) {
		h.serveEmulator(sw, r)
		return
	}
	rt, rerr := match(r.Method, r.URL.EscapedPath(), r.URL.RawQuery)
	op, vault = rt.Op, rt.Vault
	if h.obs != nil && (op == OpUploadArchive || op == OpUploadMultipartPart) {
		h.obs.BodyInFlight(1)
		defer h.obs.BodyInFlight(-1)
	}
	ex.c = call{route: rt, r: r, w: sw, svc: h.svc}
	c := &ex.c
	if err := h.serve(c, rerr); err != nil {
		if clientGone(r, err) {
			// Nobody is left to answer (the deferred check closes the
			// connection); not a server fault either.
			h.log.Info("client went away", "request_id", id, "op", string(op), "err", err)
			return
		}
		code, row, msg, known := errorResponse(err)
		if !known {
			h.log.Error("internal error", "request_id", id, "op", string(op), "err", err)
		}
		if sw.wrote {
			return // the body had started; nothing more can be said
		}
		writeError(sw, code, row, msg)
	}
}

// statusClientClosed is the status logged for a request whose client went
// away before it was answered (nginx's 499); it is never sent.
const statusClientClosed = 499

// dropUnanswered closes the connection of a request whose client went
// away before anything was written. Returning without a word would let
// net/http send an implicit "200 OK" with no body, which a client that
// only half-closed its side (and still reads) would take for success.
// Hijacking before the header is written sends nothing.
func dropUnanswered(sw *statusWriter) {
	sw.status = statusClientClosed
	closeConn(sw, false, false)
	sw.wrote = true // also where the connection cannot be taken (a test's recorder)
}

// clientGone reports whether err is r's own context ending: the client
// disconnected while the request was being served.
func clientGone(r *http.Request, err error) bool {
	return r.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}

func (h *Handler) serve(c *call, rerr routeError) error {
	switch rerr {
	case routeNoResource:
		return glacier.Errorf(glacier.ResourceNotFound, "No resource matches %s %s", c.r.Method, c.r.URL.Path)
	case routeBadOperation:
		return glacier.Errorf(glacier.InvalidParameterValue, "Invalid value for the operation parameter: %q. Valid values are add and remove.", c.r.URL.Query().Get("operation"))
	case routeBadMethod:
		return glacier.Errorf(glacier.BadRequest, "The method %s is not allowed for %s", c.r.Method, c.r.URL.Path)
	}
	if header(c.r.Header, "X-Amz-Glacier-Version") == "" {
		return glacier.Errorf(glacier.MissingParameterValue, "Required parameter missing: API version")
	}
	if err := h.identify(c); err != nil {
		return err
	}
	// One atomic load when there are no rules. InitiateJob's rules are
	// matched in its handler, once its body says the archive and tier.
	if h.faults != nil && h.faults.Active() && c.Op != OpInitiateJob {
		if done, _ := h.injectFault(c, faultRequest(c)); done {
			return nil
		}
	}
	if c.Vault != "" && c.Op != OpCreateVault {
		req := glacier.AccessRequest{Caller: c.caller, Action: string(c.Op), Vault: c.ref()}
		if c.Op == OpDeleteArchive {
			req.ArchiveID = c.ID
		}
		// The operation authorizes the request in each of its own
		// transactions (glacier.WithAccess): decision and change commit
		// together. A separate check comes first where the operation does
		// work before its first transaction (a body streamed into a blob,
		// a select job's object written to S3) and for another account's
		// requests, which must be refused before any validation of theirs
		// can tell them about the vault.
		if preAuthorize[c.Op] || c.caller.Account != c.scope.Account {
			if err := h.svc.Authorize(c.r.Context(), req); err != nil {
				return err
			}
		}
		c.r = c.r.WithContext(glacier.WithAccess(c.r.Context(), req))
	}
	return handlers[c.Op](h, c)
}

// preAuthorize are the operations that work before their first store
// transaction, and so are authorized before they start as well.
// (UploadArchive orders its authorization itself: glacier's
// Service.UploadArchive.)
var preAuthorize = map[Op]bool{OpUploadMultipartPart: true, OpInitiateJob: true}

// identify establishes the caller and the scope of the request.
func (h *Handler) identify(c *call) error {
	id, err := h.authenticate(c)
	if err != nil {
		return err
	}
	account, region := id.account, id.region
	if h.closedTo[account] {
		// The service closed to new customers in December 2025 (spec 8).
		return glacier.Errorf(glacier.NoLongerSupported, "This API is no longer supported for new accounts. Please use Amazon S3 Glacier storage classes instead.")
	}
	c.caller = glacier.Caller{Account: account}
	if region == "" { // no credential scope; authenticate refuses unknown ones
		region = h.region
	}
	owner := c.Account
	switch {
	case owner == "-" || owner == c.caller.Account:
		owner = c.caller.Account
	case !glacier.ValidAccountID(owner):
		// The real service's answer to an account id that cannot be one
		// (the aws-sdk-js Glacier feature test asks ListVaults for
		// "abcmnoxyz" and expects this code and message).
		return withStatus(http.StatusForbidden, glacier.Errorf(glacier.UnrecognizedClient, "No account found for the given parameters"))
	case accountMustMatch[c.Op]:
		return glacier.Errorf(glacier.AccessDenied, "Access denied: the account ID %s in the request does not match the caller's account.", owner)
	}
	c.scope = glacier.Scope{Account: owner, Region: region}
	return nil
}

type handlerFunc func(h *Handler, c *call) error

var handlers = map[Op]handlerFunc{}

// register adds the handlers of one resource file.
func register(m map[Op]handlerFunc) {
	for op, f := range m {
		handlers[op] = f
	}
}

// statusWriter records the status and size for the request log, and
// applies the idle limits (limits.go) as it writes. It keeps io.ReaderFrom
// so streamed downloads still reach sendfile.
type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
	wrote  bool

	rc        *http.ResponseController // &ctl once guarded, else nil
	ctl       http.ResponseController
	writeIdle time.Duration
	deadline  time.Time   // the write deadline last set
	body      *idleReader // the request body, until the header is written
	in        *idleReader // the request body, for its count of bytes read
}

// received is how many body bytes the request's handler read.
func (s *statusWriter) received() int64 {
	if s.in == nil {
		return 0
	}
	return s.in.got
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
		s.beforeHeader()
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if !s.wrote {
		s.wrote = true
		s.beforeHeader()
	}
	var n int
	for len(p) > 0 {
		s.extend()
		k, err := s.ResponseWriter.Write(p[:min(len(p), writeChunk)])
		n += k
		s.n += int64(k)
		if err != nil {
			return n, err
		}
		p = p[k:]
	}
	return n, nil
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// ReadFrom lets io.Copy reach net/http's own ReadFrom, which sends files
// with sendfile.
// It sends writeChunk bytes at a time, each under a fresh write deadline;
// a limited file stays a limited file, which sendfile still takes.
func (s *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if !s.wrote {
		s.wrote = true
		s.beforeHeader()
	}
	rf, ok := s.ResponseWriter.(io.ReaderFrom)
	if !ok {
		n, err := io.Copy(struct{ io.Writer }{s}, r)
		return n, err
	}
	lr, limited := r.(*io.LimitedReader)
	var total int64
	for {
		var part io.LimitedReader
		if limited {
			part = io.LimitedReader{R: lr.R, N: min(lr.N, writeChunk)}
		} else {
			part = io.LimitedReader{R: r, N: writeChunk}
		}
		want := part.N
		s.extend()
		n, err := rf.ReadFrom(&part)
		total += n
		s.n += n
		if limited {
			lr.N -= n
		}
		if err != nil || n < want || (limited && lr.N == 0) {
			return total, err
		}
	}
}
