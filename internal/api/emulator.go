package api

import (
	"net/http"
	"strings"

	"permafrost/internal/glacier"
)

func (h *Handler) serveEmulator(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == EmulatorPrefix+"health" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return
	}
	if h.emulator != nil {
		h.emulator.ServeHTTP(w, r)
		return
	}
	code, row, _, _ := errorResponse(glacier.Errorf(glacier.ResourceNotFound, ""))
	writeError(w, code, row, "No emulator endpoint "+strings.TrimPrefix(r.URL.Path, EmulatorPrefix))
}
