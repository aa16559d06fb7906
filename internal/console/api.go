package console

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"permafrost/internal/api"
	"permafrost/internal/clock"
	"permafrost/internal/glacier"
)

// serveAPI answers the JSON API the pages call. session and login are
// open; everything else needs a session, and a POST also the CSRF token.
func (h *Handler) serveAPI(w http.ResponseWriter, r *http.Request, path string) {
	post := r.Method == http.MethodPost
	if !post && r.Method != http.MethodGet {
		api.WriteError(w, glacier.Errorf(glacier.ResourceNotFound, "No console endpoint %s %s", r.Method, path))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case path == "login" && post:
		h.login(w, r)
		return
	case path == "logout" && post:
		h.logout(w)
		return
	}
	u := h.session(r)
	if path == "session" && !post {
		out := sessionJSON{Credentials: h.creds != nil}
		if u != nil {
			out.LoggedIn, out.User, out.Csrf = true, u.KeyID, u.csrf
			out.Now = formatTime(h.emu.Now())
		}
		writeJSON(w, out)
		return
	}
	if u == nil {
		api.WriteError(w, errLoginRequired)
		return
	}
	if post && !u.checkCSRF(r) {
		api.WriteError(w, errCSRF)
		return
	}
	q := r.URL.Query()
	var err error
	switch {
	case path == "vaults" && !post:
		err = h.vaults(r.Context(), w, q.Get("offset"), q.Get("limit"))
	case path == "vault" && !post:
		err = h.vault(r.Context(), w, vaultRef(q))
	case path == "archives" && !post:
		err = h.archives(r.Context(), w, vaultRef(q), q.Get("cursor"), q.Get("limit"))
	case path == "job-output" && !post:
		err = h.jobOutput(r.Context(), w, vaultRef(q), q.Get("job"))
	case path == "notifications" && !post:
		err = h.notifications(r.Context(), w)
	case path == "clock" && !post:
		writeJSON(w, clockJSON{Now: formatTime(h.emu.Now()), Real: formatTime(time.Now()), DailyInventory: h.svc.DailyInventory()})
	case path == "clock/advance" && post:
		err = h.advance(r.Context(), w, q.Get("by"))
	case path == "inventory" && post:
		var n int
		if n, err = h.emu.TakeInventories(r.Context()); err == nil {
			writeJSON(w, map[string]any{"inventories": n, "now": formatTime(h.emu.Now())})
		}
	case path == "vault/delete" && post:
		if err = h.svc.DeleteVault(r.Context(), vaultRef(q)); err == nil {
			writeJSON(w, map[string]bool{"deleted": true})
		}
	case path == "upload/abort" && post:
		if err = h.svc.AbortMultipartUpload(r.Context(), vaultRef(q), q.Get("upload")); err == nil {
			writeJSON(w, map[string]bool{"aborted": true})
		}
	default:
		err = glacier.Errorf(glacier.ResourceNotFound, "No console endpoint %s %s", r.Method, path)
	}
	if err != nil {
		var ge *glacier.Error
		if !errors.As(err, &ge) {
			h.log.Error("console request", "path", path, "err", err)
		}
		api.WriteError(w, err)
	}
}

func vaultRef(q map[string][]string) glacier.VaultRef {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	return glacier.VaultRef{Scope: glacier.Scope{Account: get("account"), Region: get("region")}, Name: get("name")}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func formatTime(t time.Time) string { return glacier.FormatTime(t) }

func optTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return formatTime(*t)
}

type clockJSON struct {
	Now  string `json:"now"`
	Real string `json:"real,omitempty"`
	// DailyInventory: inventories are taken daily (else live).
	DailyInventory bool `json:"dailyInventory"`
}

// advanceRule is what the message of a refused advance asks for, as on
// /_permafrost/clock/advance.
const advanceRule = "give a positive Go duration of at most 876000h (100 years), such as 36h or 90m"

func (h *Handler) advance(ctx context.Context, w http.ResponseWriter, by string) error {
	d, err := time.ParseDuration(by)
	if err != nil {
		return glacier.Errorf(glacier.InvalidParameterValue, "Invalid duration %q: %s.", by, advanceRule)
	}
	now, err := h.emu.AdvanceClock(ctx, d)
	var ae *clock.AdvanceError
	if errors.As(err, &ae) {
		return glacier.Errorf(glacier.InvalidParameterValue, "Invalid duration %q: %s.", by, ae.Reason)
	}
	if err != nil {
		return err
	}
	writeJSON(w, clockJSON{Now: formatTime(now)})
	return nil
}

// Pages of vaults and archives.
const (
	defaultPage = 50
	maxPage     = 1000
)

func pageSize(s string) (int, error) {
	if s == "" {
		return defaultPage, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxPage {
		return 0, glacier.Errorf(glacier.InvalidParameterValue, "Invalid limit %q: give a number from 1 to %d.", s, maxPage)
	}
	return n, nil
}

type vaultJSON struct {
	Account       string            `json:"account"`
	Region        string            `json:"region"`
	Name          string            `json:"name"`
	ARN           string            `json:"arn"`
	Created       string            `json:"created"`
	LastInventory string            `json:"lastInventory"`
	Archives      int64             `json:"archives"`
	Size          int64             `json:"size"`
	LockState     string            `json:"lockState"`
	Tags          map[string]string `json:"tags"`
}

func toVaultJSON(v glacier.VaultSummary) vaultJSON {
	return vaultJSON{Account: v.Account, Region: v.Region, Name: v.Name, ARN: v.ARN, Created: formatTime(v.Created),
		LastInventory: optTime(v.LastInventory), Archives: v.NumberOfArchives, Size: v.SizeInBytes,
		LockState: v.LockState, Tags: v.Tags}
}

func (h *Handler) vaults(ctx context.Context, w http.ResponseWriter, offset, limit string) error {
	n, err := pageSize(limit)
	if err != nil {
		return err
	}
	off := 0
	if offset != "" {
		if off, err = strconv.Atoi(offset); err != nil || off < 0 {
			return glacier.Errorf(glacier.InvalidParameterValue, "Invalid offset %q: give a number of vaults to skip.", offset)
		}
	}
	vs, total, err := h.svc.BrowseVaults(ctx, off, n)
	if err != nil {
		return err
	}
	out := struct {
		Total  int         `json:"total"`
		Offset int         `json:"offset"`
		Limit  int         `json:"limit"`
		Vaults []vaultJSON `json:"vaults"`
	}{Total: total, Offset: off, Limit: n, Vaults: make([]vaultJSON, len(vs))}
	for i, v := range vs {
		out.Vaults[i] = toVaultJSON(v)
	}
	writeJSON(w, out)
	return nil
}

type archiveJSON struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Created     string `json:"created"`
	Size        int64  `json:"size"`
	TreeHash    string `json:"treeHash"`
}

// Archive cursors are opaque to the page: base64url of
// "UNIXNANO:ARCHIVEID".
func encodeCursor(c glacier.ArchiveCursor) string {
	if c.ID == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Created.UnixNano(), 10) + ":" + c.ID))
}

func decodeCursor(s string) (glacier.ArchiveCursor, error) {
	if s == "" {
		return glacier.ArchiveCursor{}, nil
	}
	bad := glacier.Errorf(glacier.InvalidParameterValue, "Invalid cursor: %s", s)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return glacier.ArchiveCursor{}, bad
	}
	ns, id, ok := strings.Cut(string(b), ":")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || id == "" {
		return glacier.ArchiveCursor{}, bad
	}
	return glacier.ArchiveCursor{Created: time.Unix(0, n).UTC(), ID: id}, nil
}

func (h *Handler) archives(ctx context.Context, w http.ResponseWriter, ref glacier.VaultRef, cursor, limit string) error {
	n, err := pageSize(limit)
	if err != nil {
		return err
	}
	from, err := decodeCursor(cursor)
	if err != nil {
		return err
	}
	as, next, err := h.svc.BrowseArchives(ctx, ref, from, n)
	if err != nil {
		return err
	}
	out := struct {
		Archives []archiveJSON `json:"archives"`
		Next     string        `json:"next"`
	}{Archives: make([]archiveJSON, len(as)), Next: encodeCursor(next)}
	for i, a := range as {
		out.Archives[i] = archiveJSON{ID: a.ID, Description: a.Description, Created: formatTime(a.Created), Size: a.Size, TreeHash: a.TreeHash}
	}
	writeJSON(w, out)
	return nil
}

type notificationJSON struct {
	Topic     string `json:"topic"`
	Time      string `json:"time"`
	Message   string `json:"message"`
	Delivered bool   `json:"delivered"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"lastError"`
}

// notifications lists every notification sent, newest first.
func (h *Handler) notifications(ctx context.Context, w http.ResponseWriter) error {
	ns, err := h.svc.Notifications(ctx)
	if err != nil {
		return err
	}
	out := struct {
		Publishing    bool               `json:"publishing"`
		Notifications []notificationJSON `json:"notifications"`
	}{Publishing: h.publish, Notifications: make([]notificationJSON, len(ns))}
	for i, n := range ns {
		out.Notifications[len(ns)-1-i] = notificationJSON{Topic: n.Topic, Time: formatTime(n.Time), Message: n.Message,
			Delivered: n.Delivered, Attempts: n.Attempts, LastError: n.LastError}
	}
	writeJSON(w, out)
	return nil
}
