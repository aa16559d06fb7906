package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"permafrost/internal/clock"
	"permafrost/internal/glacier"
	"permafrost/internal/sigv4"
)

// Emulator is what the /_permafrost/ endpoints control.
type Emulator interface {
	// Now is the server's clock.
	Now() time.Time
	// AdvanceClock moves the server's clock forward by d. It refuses an
	// advance that is not positive, is longer than clock.MaxAdvance or
	// would take the offset past clock.MaxOffset with a *clock.AdvanceError,
	// leaving the clock as it was.
	AdvanceClock(ctx context.Context, d time.Duration) (time.Time, error)
	// Notifications returns every job-completion message, oldest first.
	Notifications(ctx context.Context) ([]glacier.Notification, error)
	// TakeInventories takes every vault's inventory now, as AWS's daily
	// run would (only vaults written since their last inventory change),
	// and returns how many it took; with live inventories it does nothing.
	TakeInventories(ctx context.Context) (int, error)
}

// advanceRule is what the message of a refused advance asks for.
const advanceRule = "give a positive Go duration of at most 876000h (100 years), such as 36h or 90m"

type clockJSON struct {
	Now string `json:"now"`
}

type inventoryJSON struct {
	Inventories int    `json:"inventories"`
	Now         string `json:"now"`
}

type notificationJSON struct {
	Topic   string `json:"topic"`
	Message string `json:"message"`
	Time    string `json:"time"`
}

func emulatorError(w http.ResponseWriter, err error) {
	code, row, msg, _ := errorResponse(err)
	writeError(w, code, row, msg)
}

// serveEmulator answers the /_permafrost/ endpoints. Health is open to
// all. With credentials, every other request must be signed as API
// requests are (the same verification and errors); an administrator's
// signature may do everything, any other may only read its own account's
// notifications. Without credentials every caller may do everything.
func (h *Handler) serveEmulator(w http.ResponseWriter, r *http.Request) {
	if h.serveConsole(w, r) {
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, EmulatorPrefix)
	if !ok { // LocalStackChaosPrefix
		path = "chaos/" + strings.TrimPrefix(r.URL.Path, LocalStackChaosPrefix)
	}
	if path == "health" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		h.serveHealth(w)
		return
	}
	if path == "metrics" {
		h.serveMetrics(w, r)
		return
	}
	var who *identity // nil: signatures are not verified, everyone is trusted
	if h.creds != nil {
		id, err := h.authenticate(&call{r: r, w: w, svc: h.svc})
		if err != nil {
			emulatorError(w, err)
			return
		}
		readsNotes := path == "notifications" && r.Method == http.MethodGet
		readsKept := strings.HasPrefix(path, "s3/") && (r.Method == http.MethodGet || r.Method == http.MethodHead)
		if !id.admin && !readsNotes && !readsKept {
			emulatorError(w, glacier.Errorf(glacier.AccessDenied,
				"Access denied: %s %s%s is for administrators of the emulator (keys marked %s in the credentials file); account %s's key is not one.",
				r.Method, EmulatorPrefix, path, sigv4.AdminMarker, id.account))
			return
		}
		who = &id
	}
	if kept, ok := strings.CutPrefix(path, "s3/"); ok {
		account := ""
		if who != nil && !who.admin {
			account = who.account
		}
		h.serveKept(w, r, kept, account)
		return
	}
	switch {
	case isFaultsPath(path):
		h.serveFaults(w, r, path)
	case h.emulator == nil:
		emulatorError(w, glacier.Errorf(glacier.ResourceNotFound, "No emulator endpoint %s", path))
	case path == "clock" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, clockJSON{Now: h.emulator.Now().Format(time.RFC3339Nano)})
	case path == "clock/advance" && r.Method == http.MethodPost:
		by := r.URL.Query().Get("by")
		d, err := time.ParseDuration(by)
		if err != nil {
			emulatorError(w, glacier.Errorf(glacier.InvalidParameterValue, "Invalid duration %q: %s.", by, advanceRule))
			return
		}
		now, err := h.emulator.AdvanceClock(r.Context(), d)
		var ae *clock.AdvanceError
		if errors.As(err, &ae) {
			emulatorError(w, glacier.Errorf(glacier.InvalidParameterValue, "Invalid duration %q: %s.", by, ae.Reason))
			return
		}
		if err != nil {
			h.log.Error("advancing the clock", "err", err)
			emulatorError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, clockJSON{Now: now.Format(time.RFC3339Nano)})
	case path == "inventory" && r.Method == http.MethodPost:
		n, err := h.emulator.TakeInventories(r.Context())
		if err != nil {
			h.log.Error("taking inventories", "err", err)
			emulatorError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, inventoryJSON{Inventories: n, Now: h.emulator.Now().Format(time.RFC3339Nano)})
	case path == "notifications" && r.Method == http.MethodGet:
		ns, err := h.emulator.Notifications(r.Context())
		if err != nil {
			h.log.Error("reading notifications", "err", err)
			emulatorError(w, err)
			return
		}
		out := make([]notificationJSON, 0, len(ns))
		for _, n := range ns {
			if who != nil && !who.admin && notificationAccount(n) != who.account {
				continue
			}
			out = append(out, notificationJSON{Topic: n.Topic, Message: n.Message, Time: n.Time.Format(time.RFC3339Nano)})
		}
		writeJSON(w, http.StatusOK, out)
	default:
		emulatorError(w, glacier.Errorf(glacier.ResourceNotFound, "No emulator endpoint %s %s", r.Method, path))
	}
}

// notificationAccount is the account a notification belongs to: that of
// the vault whose job it is about (not the topic's, which the job's
// initiator chose).
func notificationAccount(n glacier.Notification) string {
	if n.Account != "" {
		return n.Account
	}
	// Logged before notifications recorded their account: the message is
	// the job description MarshalJob rendered, whose VaultARN is
	// arn:aws:glacier:REGION:ACCOUNT:vaults/NAME.
	var m struct{ VaultARN string }
	if json.Unmarshal([]byte(n.Message), &m) != nil {
		return ""
	}
	f := strings.SplitN(m.VaultARN, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[2] != "glacier" || !glacier.ValidAccountID(f[4]) {
		return ""
	}
	return f[4]
}
