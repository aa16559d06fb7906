package api

import (
	"net/http"

	"permafrost/internal/glacier"
)

func init() {
	register(map[Op]handlerFunc{
		OpUploadArchive: uploadArchive,
		OpDeleteArchive: deleteArchive,
	})
}

// payload collects the body and checksum headers of an upload request.
func payload(r *http.Request) glacier.Payload {
	return glacier.Payload{
		Body:          r.Body,
		Size:          r.ContentLength,
		TreeHash:      r.Header.Get("x-amz-sha256-tree-hash"),
		ContentSHA256: r.Header.Get("x-amz-content-sha256"),
	}
}

// archiveCreated answers UploadArchive and CompleteMultipartUpload.
func archiveCreated(c *call, res glacier.ArchiveResult) {
	h := c.w.Header()
	h.Set("Location", c.location("vaults", c.Vault, "archives", res.ID))
	h.Set("x-amz-archive-id", res.ID)
	h.Set("x-amz-sha256-tree-hash", res.TreeHash)
	noContent(c.w, http.StatusCreated)
}

func uploadArchive(h *Handler, c *call) error {
	res, err := h.svc.UploadArchive(c.ref(), c.r.Header.Get("x-amz-archive-description"), payload(c.r))
	if err != nil {
		return err
	}
	archiveCreated(c, res)
	return nil
}

func deleteArchive(h *Handler, c *call) error {
	if err := h.svc.DeleteArchive(c.ref(), c.ID); err != nil {
		return err
	}
	noContent(c.w, http.StatusNoContent)
	return nil
}
