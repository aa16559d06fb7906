package api

import (
	"net/http"
)

func init() {
	register(map[Op]handlerFunc{
		OpAddTagsToVault:      addTags,
		OpRemoveTagsFromVault: removeTags,
		OpListTagsForVault:    listTags,
	})
}

type tagsJSON struct {
	Tags map[string]string `json:"Tags"`
}

type tagKeysJSON struct {
	TagKeys []string `json:"TagKeys"`
}

func addTags(h *Handler, c *call) error {
	var in tagsJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := h.svc.AddTagsToVault(c.r.Context(), c.ref(), in.Tags); err != nil {
		return err
	}
	noContent(c.w, http.StatusNoContent)
	return nil
}

func removeTags(h *Handler, c *call) error {
	var in tagKeysJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := h.svc.RemoveTagsFromVault(c.r.Context(), c.ref(), in.TagKeys); err != nil {
		return err
	}
	noContent(c.w, http.StatusNoContent)
	return nil
}

func listTags(h *Handler, c *call) error {
	tags, err := h.svc.ListTagsForVault(c.r.Context(), c.ref())
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, tagsJSON{Tags: tags})
	return nil
}
