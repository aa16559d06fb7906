package api

import (
	"net/http"
	"strings"
)

// ConsolePrefix is where the web console (internal/console) is served.
const ConsolePrefix = EmulatorPrefix + "console/"

// serveConsole hands /_permafrost/console and everything under it to the
// console, which authenticates its own users (a login form and a session
// cookie rather than a signature per request). It reports whether it did.
func (h *Handler) serveConsole(w http.ResponseWriter, r *http.Request) bool {
	if h.console == nil || !strings.HasPrefix(r.URL.Path+"/", ConsolePrefix) {
		return false
	}
	h.console.ServeHTTP(w, r)
	return true
}

// WriteError writes err as the Glacier error JSON {"code","message","type"}
// with its status; an error that is not a Glacier error is the generic
// 500 ServiceUnavailableException.
func WriteError(w http.ResponseWriter, err error) {
	code, row, msg, _ := errorResponse(err)
	writeError(w, code, row, msg)
}
