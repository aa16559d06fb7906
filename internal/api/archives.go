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
// The body fails with a deadline error when the client sends nothing for
// the body idle timeout (limits.go), which the domain reports as
// RequestTimeoutException, so a stalled upload never holds the server.
func (h *Handler) payload(c *call) glacier.Payload {
	return glacier.Payload{
		Body:          c.r.Body,
		Size:          c.r.ContentLength,
		TreeHash:      header(c.r.Header, "X-Amz-Sha256-Tree-Hash"),
		ContentSHA256: header(c.r.Header, "X-Amz-Content-Sha256"),
	}
}

// archiveCreated answers UploadArchive and CompleteMultipartUpload.
func archiveCreated(c *call, res glacier.ArchiveResult) {
	h := c.w.Header()
	h.Set("Location", c.location("vaults", c.Vault, "archives", res.ID))
	setAWS(h, "x-amz-archive-id", res.ID)
	setAWS(h, "x-amz-sha256-tree-hash", res.TreeHash)
	noContent(c.w, http.StatusCreated)
}

func uploadArchive(h *Handler, c *call) error {
	res, err := h.svc.UploadArchive(c.r.Context(), c.ref(), header(c.r.Header, "X-Amz-Archive-Description"), h.payload(c))
	if err != nil {
		return err
	}
	archiveCreated(c, res)
	return nil
}

func deleteArchive(h *Handler, c *call) error {
	if err := h.svc.DeleteArchive(c.r.Context(), c.ref(), c.ID); err != nil {
		return err
	}
	noContent(c.w, http.StatusNoContent)
	return nil
}
