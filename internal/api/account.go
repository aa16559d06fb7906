package api

import (
	"net/http"

	"permafrost/internal/glacier"
)

func init() {
	register(map[Op]handlerFunc{
		OpGetDataRetrievalPolicy:      getRetrievalPolicy,
		OpSetDataRetrievalPolicy:      setRetrievalPolicy,
		OpPurchaseProvisionedCapacity: purchaseCapacity,
		OpListProvisionedCapacity:     listCapacity,
	})
}

type retrievalRuleJSON struct {
	Strategy     *string `json:"Strategy"`
	BytesPerHour *int64  `json:"BytesPerHour,omitempty"`
}

type retrievalRulesJSON struct {
	Rules []retrievalRuleJSON `json:"Rules"`
}

type retrievalPolicyJSON struct {
	Policy *retrievalRulesJSON `json:"Policy"`
}

func getRetrievalPolicy(h *Handler, c *call) error {
	p, err := h.svc.GetDataRetrievalPolicy(c.r.Context(), c.scope)
	if err != nil {
		return err
	}
	out := retrievalPolicyJSON{Policy: &retrievalRulesJSON{Rules: make([]retrievalRuleJSON, len(p.Rules))}}
	for i, r := range p.Rules {
		s := r.Strategy
		out.Policy.Rules[i] = retrievalRuleJSON{Strategy: &s, BytesPerHour: r.BytesPerHour}
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

func setRetrievalPolicy(h *Handler, c *call) error {
	var in retrievalPolicyJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	var p glacier.RetrievalPolicy
	if in.Policy != nil {
		for _, r := range in.Policy.Rules {
			rule := glacier.RetrievalRule{BytesPerHour: r.BytesPerHour}
			if r.Strategy != nil {
				rule.Strategy = *r.Strategy
			}
			p.Rules = append(p.Rules, rule)
		}
	}
	if err := h.svc.SetDataRetrievalPolicy(c.r.Context(), c.scope, p); err != nil {
		return err
	}
	noContent(c.w, http.StatusNoContent)
	return nil
}

func purchaseCapacity(h *Handler, c *call) error {
	id, err := h.svc.PurchaseProvisionedCapacity(c.r.Context(), c.scope)
	if err != nil {
		return err
	}
	setAWS(c.w.Header(), "x-amz-capacity-id", id)
	noContent(c.w, http.StatusCreated)
	return nil
}

type capacityJSON struct {
	CapacityID     string `json:"CapacityId"`
	StartDate      string `json:"StartDate"`
	ExpirationDate string `json:"ExpirationDate"`
}

func listCapacity(h *Handler, c *call) error {
	cs, err := h.svc.ListProvisionedCapacity(c.r.Context(), c.scope)
	if err != nil {
		return err
	}
	out := struct {
		List []capacityJSON `json:"ProvisionedCapacityList"`
	}{List: make([]capacityJSON, len(cs))}
	for i, cp := range cs {
		out.List[i] = capacityJSON{
			CapacityID:     cp.ID,
			StartDate:      isoTime(cp.Start),
			ExpirationDate: isoTime(cp.Expiration), // whole seconds, set by the domain
		}
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}
