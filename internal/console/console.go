// Package console serves the web console at /_permafrost/console/: pages
// that show the emulator's state in Glacier's own terms (vaults, archives
// with their tree hashes, jobs with tiers and due times, multipart uploads
// with their parts, lock states, notifications) and move its clock.
//
// The pages are plain HTML, CSS and JavaScript embedded in the binary
// (static/); they need no network beyond the server. They call a small
// JSON API under api/ that reads through the same glacier.Service as the
// Glacier API, so they show what a client would see, and that changes
// state only through the actions a user confirms in the page (advance the
// clock, take inventories, delete a vault, abort an upload), performed by
// the Service, whose errors are Glacier's.
//
// With --credentials only administrators (keys marked admin) get in: the
// login form sends the access key and secret once, and the console sets a
// session cookie (HttpOnly, SameSite=Strict) holding the key ID, an expiry
// and an HMAC under a key drawn at start. Every state-changing request is
// a POST that must also carry the session's CSRF token in a header (see
// auth.go). Without --credentials everyone is trusted, as on the other
// /_permafrost/ endpoints.
package console

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"permafrost/internal/api"
	"permafrost/internal/glacier"
	"permafrost/internal/sigv4"
)

//go:embed static
var static embed.FS

// Emulator is the part of the server the console moves.
type Emulator interface {
	Now() time.Time
	AdvanceClock(ctx context.Context, d time.Duration) (time.Time, error)
	TakeInventories(ctx context.Context) (int, error)
}

// Options configure the console.
type Options struct {
	Service  *glacier.Service
	Emulator Emulator
	// Credentials, when set, admits only administrators.
	Credentials *sigv4.Credentials
	Logger      *slog.Logger
	// Publishing says that notifications are delivered to SNS
	// (--sns-endpoint); else they are only kept.
	Publishing bool
}

// Handler serves the console under api.ConsolePrefix.
type Handler struct {
	svc      *glacier.Service
	emu      Emulator
	creds    *sigv4.Credentials
	log      *slog.Logger
	sessions *sessions
	files    http.Handler
	publish  bool
}

// New returns the console handler. It reads (or, the first time, creates)
// the store's session secret.
func New(o Options) (*Handler, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree always has static/
	}
	key, err := o.Service.Secret(context.Background(), sessionSecret) // at start: no request to cancel it
	if err != nil {
		return nil, fmt.Errorf("console: reading the session secret: %w", err)
	}
	return &Handler{svc: o.Service, emu: o.Emulator, creds: o.Credentials, log: o.Logger,
		sessions: &sessions{key: key}, files: http.FileServerFS(sub), publish: o.Publishing}, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path+"/" == api.ConsolePrefix {
		http.Redirect(w, r, api.ConsolePrefix, http.StatusMovedPermanently)
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, api.ConsolePrefix)
	if strings.HasPrefix(rest, "api/") {
		h.serveAPI(w, r, rest[len("api/"):])
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		api.WriteError(w, glacier.Errorf(glacier.ResourceNotFound, "No console page %s %s", r.Method, rest))
		return
	}
	// The pages hold no data (the API does), so they are served to all;
	// they send a visitor without a session to the login page.
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-cache")
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/" + rest
	h.files.ServeHTTP(w, r2)
}
