package api

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"permafrost/internal/glacier"
	"permafrost/internal/sigv4"
)

// Observer is told of every request the handler answers (internal/metrics
// implements it). Its methods must be cheap and safe for concurrent use.
type Observer interface {
	// Request reports one answered request: its operation label (see
	// opLabel), status (499 when the client went away), duration and the
	// body bytes read and written.
	Request(op string, status int, d time.Duration, received, sent int64)
	// BodyInFlight moves the count of upload bodies being served by delta.
	BodyInFlight(delta int)
}

// opLabel is a request's operation for metrics: the Glacier operation,
// "emulator" for the /_permafrost/ endpoints, "unknown" for a request that
// matched none. The set is bounded whatever clients send.
func opLabel(op Op, r *http.Request) string {
	switch {
	case op != "":
		return string(op)
	case strings.HasPrefix(r.URL.Path, EmulatorPrefix), strings.HasPrefix(r.URL.Path, LocalStackChaosPrefix):
		return "emulator"
	default:
		return "unknown"
	}
}

// serveMetrics answers GET /_permafrost/metrics. Without credentials it is
// open, like the other emulator endpoints. With them it is for
// administrators, like every emulator endpoint but health, and since a
// Prometheus scraper cannot sign SigV4 it also takes HTTP basic
// authentication with an administrator's access key ID as the user and its
// secret access key as the password (the secret then travels in clear over
// loopback, where permafrost listens).
func (h *Handler) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		emulatorError(w, glacier.Errorf(glacier.ResourceNotFound, "No emulator endpoint %s metrics", r.Method))
		return
	}
	if h.metrics == nil {
		emulatorError(w, glacier.Errorf(glacier.ResourceNotFound, "No emulator endpoint metrics: metrics are off (--metrics=false)"))
		return
	}
	if h.creds != nil {
		if err := h.metricsAdmin(w, r); err != nil {
			emulatorError(w, err)
			return
		}
	}
	h.metrics.ServeHTTP(w, r)
}

// metricsAdmin checks that a metrics request comes from an administrator,
// by basic authentication or by a SigV4 signature.
func (h *Handler) metricsAdmin(w http.ResponseWriter, r *http.Request) error {
	var account string
	var admin bool
	if user, pass, ok := r.BasicAuth(); ok {
		cred, found := h.creds.Lookup(user)
		if !found || subtle.ConstantTimeCompare([]byte(pass), []byte(cred.SecretAccessKey)) != 1 {
			return withStatus(http.StatusForbidden, glacier.Errorf(glacier.UnrecognizedClient,
				"The basic authentication of this request names no access key of the credentials file with that secret."))
		}
		account, admin = cred.AccountID, cred.Admin
	} else {
		id, err := h.authenticate(&call{r: r, w: w, svc: h.svc})
		if err != nil {
			return err
		}
		account, admin = id.account, id.admin
	}
	if !admin {
		return glacier.Errorf(glacier.AccessDenied,
			"Access denied: GET %smetrics is for administrators of the emulator (keys marked %s in the credentials file); account %s's key is not one.",
			EmulatorPrefix, sigv4.AdminMarker, account)
	}
	return nil
}
