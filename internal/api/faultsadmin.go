package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"permafrost/internal/faults"
	"permafrost/internal/glacier"
)

// LocalStackChaosPrefix is where LocalStack serves its chaos API; its
// faults and effects documents are accepted there too (README, "Fault
// injection").
const LocalStackChaosPrefix = "/_localstack/chaos/"

// isFaultsPath reports whether path (under EmulatorPrefix, or
// "chaos/..." for the LocalStack paths) is a fault endpoint.
func isFaultsPath(path string) bool {
	return path == "faults" || strings.HasPrefix(path, "faults/") || strings.HasPrefix(path, "chaos/")
}

type faultsDeleted struct {
	Deleted int `json:"deleted"`
}

// serveFaults answers the fault endpoints (serveEmulator has checked that
// the caller may):
//
//	GET    /_permafrost/faults        the rules
//	POST   /_permafrost/faults        add one rule; answers it with its id
//	DELETE /_permafrost/faults        remove every rule
//	GET    /_permafrost/faults/{id}   one rule
//	DELETE /_permafrost/faults/{id}   remove one rule
//	GET    /_permafrost/faults/log    what fired, oldest first
//
// and LocalStack's /_localstack/chaos/faults and /_localstack/chaos/effects.
func (h *Handler) serveFaults(w http.ResponseWriter, r *http.Request, path string) {
	if h.faults == nil {
		emulatorError(w, glacier.Errorf(glacier.ResourceNotFound, "No emulator endpoint %s: fault rules are off", path))
		return
	}
	if rest, ok := strings.CutPrefix(path, "chaos/"); ok {
		h.serveChaos(w, r, rest)
		return
	}
	id, one := strings.CutPrefix(path, "faults/")
	var err error
	switch {
	case path == "faults" && r.Method == http.MethodGet:
		var rs []faults.Rule
		if rs, err = h.faults.List(r.Context()); err == nil {
			writeJSON(w, http.StatusOK, nonNil(rs))
		}
	case path == "faults" && r.Method == http.MethodPost:
		var body []byte
		if body, err = readBody(&call{r: r, svc: h.svc}); err != nil {
			break
		}
		var rule faults.Rule
		if rule, err = faults.ParseRule(body, time.Now()); err != nil {
			break
		}
		var added []faults.Rule
		if added, err = h.faults.Add(r.Context(), rule); err == nil {
			writeJSON(w, http.StatusCreated, added[0])
		}
	case path == "faults" && r.Method == http.MethodDelete:
		var n int
		if n, err = h.faults.Delete(r.Context(), func(*faults.Rule) bool { return true }); err == nil {
			writeJSON(w, http.StatusOK, faultsDeleted{n})
		}
	case id == "log" && r.Method == http.MethodGet:
		var es []faults.Entry
		if es, err = h.faults.Log(r.Context()); err == nil {
			writeJSON(w, http.StatusOK, nonNil(es))
		}
	case one && r.Method == http.MethodGet:
		var rs []faults.Rule
		if rs, err = h.faults.List(r.Context()); err != nil {
			break
		}
		for _, rule := range rs {
			if rule.ID == id {
				writeJSON(w, http.StatusOK, rule)
				return
			}
		}
		err = glacier.Errorf(glacier.ResourceNotFound, "No fault rule %s", id)
	case one && r.Method == http.MethodDelete:
		var n int
		if n, err = h.faults.Delete(r.Context(), func(rule *faults.Rule) bool { return rule.ID == id }); err == nil {
			if n == 0 {
				err = glacier.Errorf(glacier.ResourceNotFound, "No fault rule %s", id)
				break
			}
			writeJSON(w, http.StatusOK, faultsDeleted{n})
		}
	default:
		err = glacier.Errorf(glacier.ResourceNotFound, "No emulator endpoint %s %s", r.Method, path)
	}
	if err != nil {
		h.faultsError(w, err)
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (h *Handler) faultsError(w http.ResponseWriter, err error) {
	var pe *faults.ParseError
	switch {
	case errors.As(err, &pe):
		err = glacier.Errorf(glacier.InvalidParameterValue, "%s", pe.Reason)
	case errors.Is(err, faults.ErrExists), errors.Is(err, faults.ErrTooMany):
		err = glacier.Errorf(glacier.InvalidParameterValue, "Fault rule refused: %s.", err)
	default:
		var ge *glacier.Error
		if !errors.As(err, &ge) {
			h.log.Error("fault rules", "err", err)
		}
	}
	emulatorError(w, err)
}

// serveChaos answers LocalStack's chaos API: GET lists, POST replaces,
// PATCH adds to and DELETE removes from the rules set through it (DELETE
// with no body removes them all); effects GET and POST {"latency": ms}.
func (h *Handler) serveChaos(w http.ResponseWriter, r *http.Request, path string) {
	fromLocalStack := func(rule *faults.Rule) bool { return rule.Source == faults.SourceLocalStack }
	var body []byte
	var err error
	if r.Method != http.MethodGet {
		if body, err = readBody(&call{r: r, svc: h.svc}); err != nil {
			h.faultsError(w, err)
			return
		}
	}
	list := func() {
		rs, err := h.faults.List(r.Context())
		if err != nil {
			h.faultsError(w, err)
			return
		}
		out := []faults.LocalStackFault{}
		for i := range rs {
			if fromLocalStack(&rs[i]) {
				out = append(out, rs[i].LocalStack())
			}
		}
		writeJSON(w, http.StatusOK, out)
	}
	switch {
	case path == "faults" && r.Method == http.MethodGet:
		list()
		return
	case path == "faults" && (r.Method == http.MethodPost || r.Method == http.MethodPatch):
		var add []faults.Rule
		if add, err = faults.ParseLocalStackFaults(body); err != nil {
			break
		}
		drop := fromLocalStack
		if r.Method == http.MethodPatch {
			drop = func(*faults.Rule) bool { return false }
		}
		if _, err = h.faults.Replace(r.Context(), drop, add); err == nil {
			list()
			return
		}
	case path == "faults" && r.Method == http.MethodDelete:
		var gone []faults.LocalStackFault
		if len(body) > 0 {
			if err = json.Unmarshal(body, &gone); err != nil {
				err = glacier.Errorf(glacier.InvalidParameterValue, "Invalid fault list: %s", err)
				break
			}
		}
		if _, err = h.faults.Delete(r.Context(), func(rule *faults.Rule) bool {
			if !fromLocalStack(rule) {
				return false
			}
			if len(body) == 0 {
				return true
			}
			for _, f := range gone {
				if rule.SameAs(f) {
					return true
				}
			}
			return false
		}); err == nil {
			list()
			return
		}
	case path == "effects" && r.Method == http.MethodGet:
		var rs []faults.Rule
		if rs, err = h.faults.List(r.Context()); err != nil {
			break
		}
		out := faults.LocalStackEffects{}
		for _, rule := range rs {
			if rule.Source == faults.SourceLocalStackEffects && rule.Effect.Latency != nil {
				out.Latency = time.Duration(rule.Effect.Latency.Before).Milliseconds()
			}
		}
		writeJSON(w, http.StatusOK, out)
		return
	case path == "effects" && r.Method == http.MethodPost:
		var rule *faults.Rule
		if rule, err = faults.ParseLocalStackEffects(body); err != nil {
			break
		}
		var add []faults.Rule
		if rule != nil {
			add = []faults.Rule{*rule}
		}
		if _, err = h.faults.Replace(r.Context(), func(r *faults.Rule) bool { return r.Source == faults.SourceLocalStackEffects }, add); err == nil {
			out := faults.LocalStackEffects{}
			if rule != nil {
				out.Latency = time.Duration(rule.Effect.Latency.Before).Milliseconds()
			}
			writeJSON(w, http.StatusOK, out)
			return
		}
	default:
		err = glacier.Errorf(glacier.ResourceNotFound, "No emulator endpoint %s %s%s", r.Method, LocalStackChaosPrefix, path)
	}
	h.faultsError(w, err)
}
