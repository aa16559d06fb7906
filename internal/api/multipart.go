package api

import (
	"net/http"
	"strconv"

	"permafrost/internal/glacier"
)

func init() {
	register(map[Op]handlerFunc{
		OpInitiateMultipartUpload: initiateUpload,
		OpUploadMultipartPart:     uploadPart,
		OpCompleteMultipartUpload: completeUpload,
		OpAbortMultipartUpload:    abortUpload,
		OpListParts:               listParts,
		OpListMultipartUploads:    listUploads,
	})
}

func initiateUpload(h *Handler, c *call) error {
	id, err := h.svc.InitiateMultipartUpload(c.r.Context(), c.ref(), header(c.r.Header, "X-Amz-Part-Size"), header(c.r.Header, "X-Amz-Archive-Description"))
	if err != nil {
		return err
	}
	hd := c.w.Header()
	hd.Set("Location", c.location("vaults", c.Vault, "multipart-uploads", id))
	setAWS(hd, "x-amz-multipart-upload-id", id)
	noContent(c.w, http.StatusCreated)
	return nil
}

func uploadPart(h *Handler, c *call) error {
	tree, err := h.svc.UploadMultipartPart(c.r.Context(), c.ref(), glacier.PartInput{
		UploadID:     c.ID,
		ContentRange: c.r.Header.Get("Content-Range"),
		Payload:      h.payload(c),
	})
	if err != nil {
		return err
	}
	setAWS(c.w.Header(), "x-amz-sha256-tree-hash", tree)
	noContent(c.w, http.StatusNoContent)
	return nil
}

func completeUpload(h *Handler, c *call) error {
	res, err := h.svc.CompleteMultipartUpload(c.r.Context(), c.ref(), glacier.CompleteInput{
		UploadID:    c.ID,
		ArchiveSize: header(c.r.Header, "X-Amz-Archive-Size"),
		TreeHash:    header(c.r.Header, "X-Amz-Sha256-Tree-Hash"),
	})
	if err != nil {
		return err
	}
	archiveCreated(c, res)
	return nil
}

func abortUpload(h *Handler, c *call) error {
	if err := h.svc.AbortMultipartUpload(c.r.Context(), c.ref(), c.ID); err != nil {
		return err
	}
	noContent(c.w, http.StatusNoContent)
	return nil
}

type partJSON struct {
	RangeInBytes   string `json:"RangeInBytes"`
	SHA256TreeHash string `json:"SHA256TreeHash"`
}

type listPartsJSON struct {
	ArchiveDescription *string    `json:"ArchiveDescription"`
	CreationDate       string     `json:"CreationDate"`
	Marker             *string    `json:"Marker"`
	MultipartUploadID  string     `json:"MultipartUploadId"`
	PartSizeInBytes    int64      `json:"PartSizeInBytes"`
	Parts              []partJSON `json:"Parts"`
	VaultARN           string     `json:"VaultARN"`
}

func listParts(h *Handler, c *call) error {
	q := c.r.URL.Query()
	out, err := h.svc.ListParts(c.r.Context(), c.ref(), c.ID, q.Get("limit"), q.Get("marker"))
	if err != nil {
		return err
	}
	resp := listPartsJSON{
		ArchiveDescription: strPtr(out.Upload.Description),
		CreationDate:       isoTime(out.Upload.Created),
		Marker:             strPtr(out.Marker),
		MultipartUploadID:  out.Upload.ID,
		PartSizeInBytes:    out.Upload.PartSize,
		Parts:              make([]partJSON, len(out.Parts)),
		VaultARN:           out.Upload.VaultARN,
	}
	for i, p := range out.Parts {
		resp.Parts[i] = partJSON{
			RangeInBytes:   strconv.FormatInt(p.Start, 10) + "-" + strconv.FormatInt(p.End, 10),
			SHA256TreeHash: p.TreeHash,
		}
	}
	writeJSON(c.w, http.StatusOK, resp)
	return nil
}

type uploadJSON struct {
	ArchiveDescription *string `json:"ArchiveDescription"`
	CreationDate       string  `json:"CreationDate"`
	MultipartUploadID  string  `json:"MultipartUploadId"`
	PartSizeInBytes    int64   `json:"PartSizeInBytes"`
	VaultARN           string  `json:"VaultARN"`
}

func listUploads(h *Handler, c *call) error {
	q := c.r.URL.Query()
	out, err := h.svc.ListMultipartUploads(c.r.Context(), c.ref(), q.Get("limit"), q.Get("marker"))
	if err != nil {
		return err
	}
	resp := struct {
		Marker      *string      `json:"Marker"`
		UploadsList []uploadJSON `json:"UploadsList"`
	}{Marker: strPtr(out.Marker), UploadsList: make([]uploadJSON, len(out.Uploads))}
	for i, u := range out.Uploads {
		resp.UploadsList[i] = uploadJSON{
			ArchiveDescription: strPtr(u.Description),
			CreationDate:       isoTime(u.Created),
			MultipartUploadID:  u.ID,
			PartSizeInBytes:    u.PartSize,
			VaultARN:           u.VaultARN,
		}
	}
	writeJSON(c.w, http.StatusOK, resp)
	return nil
}
