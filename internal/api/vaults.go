package api

import (
	"net/http"

	"permafrost/internal/glacier"
)

func init() {
	register(map[Op]handlerFunc{
		OpCreateVault:   createVault,
		OpDescribeVault: describeVault,
		OpListVaults:    listVaults,
		OpDeleteVault:   deleteVault,
	})
}

type vaultJSON struct {
	CreationDate      string  `json:"CreationDate"`
	LastInventoryDate *string `json:"LastInventoryDate"`
	NumberOfArchives  int64   `json:"NumberOfArchives"`
	SizeInBytes       int64   `json:"SizeInBytes"`
	VaultARN          string  `json:"VaultARN"`
	VaultName         string  `json:"VaultName"`
}

func toVaultJSON(v glacier.VaultInfo) vaultJSON {
	return vaultJSON{
		CreationDate:      isoTime(v.Created),
		LastInventoryDate: isoTimePtr(v.LastInventory),
		NumberOfArchives:  v.NumberOfArchives,
		SizeInBytes:       v.SizeInBytes,
		VaultARN:          v.ARN,
		VaultName:         v.Name,
	}
}

func createVault(h *Handler, c *call) error {
	if err := h.svc.CreateVault(c.r.Context(), c.ref()); err != nil {
		return err
	}
	c.w.Header().Set("Location", c.location("vaults", c.Vault))
	noContent(c.w, http.StatusCreated)
	return nil
}

func describeVault(h *Handler, c *call) error {
	v, err := h.svc.DescribeVault(c.r.Context(), c.ref())
	if err != nil {
		return err
	}
	vj := toVaultJSON(v)
	writeJSON(c.w, http.StatusOK, &vj)
	return nil
}

type listVaultsJSON struct {
	Marker    *string     `json:"Marker"`
	VaultList []vaultJSON `json:"VaultList"`
}

func listVaults(h *Handler, c *call) error {
	q := c.r.URL.Query()
	out, err := h.svc.ListVaults(c.r.Context(), c.scope, glacier.ListVaultsInput{Limit: q.Get("limit"), Marker: q.Get("marker")})
	if err != nil {
		return err
	}
	resp := listVaultsJSON{Marker: strPtr(out.Marker), VaultList: make([]vaultJSON, len(out.Vaults))}
	for i, v := range out.Vaults {
		resp.VaultList[i] = toVaultJSON(v)
	}
	writeJSON(c.w, http.StatusOK, &resp)
	return nil
}

func deleteVault(h *Handler, c *call) error {
	if err := h.svc.DeleteVault(c.r.Context(), c.ref()); err != nil {
		return err
	}
	noContent(c.w, http.StatusNoContent)
	return nil
}
