package api

import (
	"net/http"

	"permafrost/internal/glacier"
)

func init() {
	register(map[Op]handlerFunc{
		OpSetVaultAccessPolicy:     setAccessPolicy,
		OpGetVaultAccessPolicy:     getAccessPolicy,
		OpDeleteVaultAccessPolicy:  deleteAccessPolicy,
		OpSetVaultNotifications:    setNotifications,
		OpGetVaultNotifications:    getNotifications,
		OpDeleteVaultNotifications: deleteNotifications,
	})
}

type policyJSON struct {
	Policy *string `json:"Policy"`
}

// policyFromBody reads {"Policy": "..."}; a missing Policy is an error.
func policyFromBody(c *call) (string, error) {
	var in policyJSON
	if err := decodeJSON(c, &in); err != nil {
		return "", err
	}
	if in.Policy == nil {
		return "", glacier.Errorf(glacier.MissingParameterValue, "Required parameter missing: Policy")
	}
	return *in.Policy, nil
}

func setAccessPolicy(h *Handler, c *call) error {
	p, err := policyFromBody(c)
	if err != nil {
		return err
	}
	if err := h.svc.SetVaultAccessPolicy(c.r.Context(), c.ref(), p); err != nil {
		return err
	}
	noContent(c.w, http.StatusNoContent)
	return nil
}

func getAccessPolicy(h *Handler, c *call) error {
	p, err := h.svc.GetVaultAccessPolicy(c.r.Context(), c.ref())
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, policyJSON{Policy: &p})
	return nil
}

func deleteAccessPolicy(h *Handler, c *call) error {
	if err := h.svc.DeleteVaultAccessPolicy(c.r.Context(), c.ref()); err != nil {
		return err
	}
	noContent(c.w, http.StatusNoContent)
	return nil
}

type notificationsJSON struct {
	SNSTopic *string  `json:"SNSTopic"`
	Events   []string `json:"Events"`
}

func setNotifications(h *Handler, c *call) error {
	var in notificationsJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	n := glacier.Notifications{Events: in.Events}
	if in.SNSTopic != nil {
		n.Topic = *in.SNSTopic
	}
	if err := h.svc.SetVaultNotifications(c.r.Context(), c.ref(), n); err != nil {
		return err
	}
	noContent(c.w, http.StatusNoContent)
	return nil
}

func getNotifications(h *Handler, c *call) error {
	n, err := h.svc.GetVaultNotifications(c.r.Context(), c.ref())
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, notificationsJSON{SNSTopic: &n.Topic, Events: n.Events})
	return nil
}

func deleteNotifications(h *Handler, c *call) error {
	if err := h.svc.DeleteVaultNotifications(c.r.Context(), c.ref()); err != nil {
		return err
	}
	noContent(c.w, http.StatusNoContent)
	return nil
}
