package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"permafrost/internal/api"
	"permafrost/internal/glacier"
	"permafrost/internal/sigv4"
)

// Sessions. The cookie is KEYID.EXPIRY.MAC, MAC the HMAC-SHA256 of
// "session|KEYID|EXPIRY" under a secret kept in the store
// (glacier.Service.Secret), so that every replica over the store accepts
// the sessions and CSRF tokens any of them issued, across restarts. EXPIRY is wall-clock Unix seconds, never the
// emulated clock, which the console itself moves by years. The CSRF token
// is the HMAC of "csrf|" and the cookie: the page reads it from
// api/session and sends it in the X-Permafrost-CSRF header of every POST;
// another site can neither read it nor, the cookie being SameSite=Strict,
// send the cookie.
const (
	cookieName = "permafrost_console"
	csrfHeader = "X-Permafrost-CSRF"
	sessionTTL = 12 * time.Hour
)

type sessions struct{ key []byte }

// sessionSecret is the name of the stored secret sessions are signed with.
const sessionSecret = "console-sessions"

func (s *sessions) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	_, _ = io.WriteString(m, strings.Join(parts, "|"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *sessions) issue(keyID string, now time.Time) string {
	exp := strconv.FormatInt(now.Add(sessionTTL).Unix(), 10)
	return keyID + "." + exp + "." + s.mac("session", keyID, exp)
}

// check returns the key ID of a valid, unexpired cookie value.
func (s *sessions) check(v string, now time.Time) (string, bool) {
	f := strings.Split(v, ".")
	if len(f) != 3 {
		return "", false
	}
	exp, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || now.Unix() >= exp {
		return "", false
	}
	if !hmac.Equal([]byte(f[2]), []byte(s.mac("session", f[0], f[1]))) {
		return "", false
	}
	return f[0], true
}

func (s *sessions) csrf(cookie string) string { return s.mac("csrf", cookie) }

// user is who a request comes from.
type user struct {
	KeyID string // "" without --credentials
	csrf  string
}

// session returns the request's user, or nil when --credentials is set
// and the request has no valid administrator session.
func (h *Handler) session(r *http.Request) *user {
	if h.creds == nil {
		return &user{csrf: h.sessions.csrf("open")}
	}
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	id, ok := h.sessions.check(c.Value, time.Now())
	if !ok {
		return nil
	}
	if cred, ok := h.creds.Lookup(id); !ok || !cred.Admin {
		return nil
	}
	return &user{KeyID: id, csrf: h.sessions.csrf(c.Value)}
}

// checkCSRF reports whether a state-changing request carries the token.
func (u *user) checkCSRF(r *http.Request) bool {
	got := r.Header.Get(csrfHeader)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(u.csrf)) == 1
}

var (
	errLoginRequired = glacier.Errorf(glacier.AccessDenied, "Log in to the console with an administrator's access key and secret access key.")
	errCSRF          = glacier.Errorf(glacier.AccessDenied, "This request changes the emulator's state and must carry the page's %s header; reload the console and try again.", csrfHeader)
	errBadLogin      = glacier.Errorf(glacier.AccessDenied, "The access key ID or the secret access key is wrong.")
)

type loginJSON struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// login checks an access key and secret and, for an administrator, sets
// the session cookie. The body must be JSON (a cross-site form cannot send
// that without a preflight the server never grants).
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if h.creds == nil {
		writeJSON(w, sessionJSON{LoggedIn: true, Csrf: h.sessions.csrf("open")})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		api.WriteError(w, glacier.Errorf(glacier.InvalidParameterValue, "The login must be sent as application/json."))
		return
	}
	var in loginJSON
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&in); err != nil {
		api.WriteError(w, glacier.Errorf(glacier.InvalidParameterValue, "The login is not valid JSON: %v", err))
		return
	}
	cred, ok := h.creds.Lookup(in.AccessKeyID)
	// Compare even for an unknown key, so that timing does not tell.
	want := cred.SecretAccessKey
	if !ok {
		want = "\x00unknown"
	}
	good := subtle.ConstantTimeCompare([]byte(in.SecretAccessKey), []byte(want)) == 1 && ok
	if !good {
		h.log.Info("console login refused", "access_key", in.AccessKeyID)
		api.WriteError(w, errBadLogin)
		return
	}
	if !cred.Admin {
		api.WriteError(w, glacier.Errorf(glacier.AccessDenied,
			"The console is for administrators of the emulator (keys marked %s in the credentials file); the key of account %s is not one.",
			sigv4.AdminMarker, cred.AccountID))
		return
	}
	v := h.sessions.issue(cred.AccessKeyID, time.Now())
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: v, Path: api.ConsolePrefix,
		MaxAge: int(sessionTTL / time.Second), HttpOnly: true, SameSite: http.SameSiteStrictMode})
	writeJSON(w, sessionJSON{Credentials: true, LoggedIn: true, User: cred.AccessKeyID, Csrf: h.sessions.csrf(v)})
}

func (h *Handler) logout(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: api.ConsolePrefix,
		MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	writeJSON(w, map[string]bool{"loggedOut": true})
}

type sessionJSON struct {
	Credentials bool   `json:"credentials"` // the server checks credentials
	LoggedIn    bool   `json:"loggedIn"`
	User        string `json:"user"`
	Csrf        string `json:"csrf"`
	Now         string `json:"now,omitempty"`
}
