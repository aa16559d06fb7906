package api

import (
	"net/http"
)

func init() {
	register(map[Op]handlerFunc{
		OpInitiateVaultLock: initiateLock,
		OpGetVaultLock:      getLock,
		OpCompleteVaultLock: completeLock,
		OpAbortVaultLock:    abortLock,
	})
}

func initiateLock(h *Handler, c *call) error {
	p, err := policyFromBody(c)
	if err != nil {
		return err
	}
	id, err := h.svc.InitiateVaultLock(c.r.Context(), c.ref(), p)
	if err != nil {
		return err
	}
	setAWS(c.w.Header(), "x-amz-lock-id", id)
	noContent(c.w, http.StatusCreated)
	return nil
}

type lockJSON struct {
	Policy         string  `json:"Policy"`
	State          string  `json:"State"`
	ExpirationDate *string `json:"ExpirationDate"`
	CreationDate   string  `json:"CreationDate"`
}

func getLock(h *Handler, c *call) error {
	l, err := h.svc.GetVaultLock(c.r.Context(), c.ref())
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, lockJSON{
		Policy:         l.Policy,
		State:          l.State,
		ExpirationDate: isoTimePtr(l.Expiration),
		CreationDate:   isoTime(l.Created),
	})
	return nil
}

func completeLock(h *Handler, c *call) error {
	if err := h.svc.CompleteVaultLock(c.r.Context(), c.ref(), c.ID); err != nil {
		return err
	}
	noContent(c.w, http.StatusNoContent)
	return nil
}

func abortLock(h *Handler, c *call) error {
	if err := h.svc.AbortVaultLock(c.r.Context(), c.ref()); err != nil {
		return err
	}
	noContent(c.w, http.StatusNoContent)
	return nil
}
