package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"permafrost/internal/glacier"
)

// The built-in store of select jobs' objects (without --s3-endpoint),
// read-only: GET /_permafrost/s3/{bucket}/{key} is an object,
// GET /_permafrost/s3/{bucket}?prefix=P lists a bucket's objects.

// keptListJSON is the listing's JSON.
type keptListJSON struct {
	Bucket   string           `json:"Bucket"`
	Prefix   string           `json:"Prefix"`
	Contents []keptObjectJSON `json:"Contents"`
}

type keptObjectJSON struct {
	Key          string `json:"Key"`
	Size         int64  `json:"Size"`
	LastModified string `json:"LastModified"`
}

// serveKept answers path (after "s3/"); account is whose objects the
// caller may read ("" for all).
func (h *Handler) serveKept(w http.ResponseWriter, r *http.Request, path, account string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		emulatorError(w, glacier.Errorf(glacier.ResourceNotFound, "No emulator endpoint %s s3/%s", r.Method, path))
		return
	}
	if !h.svc.KeepsSelectObjects() {
		emulatorError(w, glacier.Errorf(glacier.ResourceNotFound, "Select jobs write their objects to the S3 service of --s3-endpoint; permafrost keeps none."))
		return
	}
	bucket, key, hasKey := strings.Cut(path, "/")
	if bucket == "" || hasKey && key == "" {
		emulatorError(w, glacier.Errorf(glacier.InvalidParameterValue, "Give a bucket (s3/{bucket}?prefix=...) or an object (s3/{bucket}/{key})."))
		return
	}
	if !hasKey {
		prefix := r.URL.Query().Get("prefix")
		objs, err := h.svc.ListKeptObjects(r.Context(), bucket, prefix, account)
		if err != nil {
			h.log.Error("listing kept objects", "err", err)
			emulatorError(w, err)
			return
		}
		out := keptListJSON{Bucket: bucket, Prefix: prefix, Contents: make([]keptObjectJSON, len(objs))}
		for i, o := range objs {
			out.Contents[i] = keptObjectJSON{Key: o.Key, Size: o.Size, LastModified: o.Modified.UTC().Format(time.RFC3339Nano)}
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	o, body, err := h.svc.OpenKeptObject(r.Context(), bucket, key, account)
	if errors.Is(err, glacier.ErrNotFound) {
		emulatorError(w, glacier.Errorf(glacier.ResourceNotFound, "No object %s in bucket %s.", key, bucket))
		return
	}
	if err != nil {
		h.log.Error("opening a kept object", "err", err)
		emulatorError(w, err)
		return
	}
	defer body.Close()
	hd := w.Header()
	ct := "text/plain"
	if strings.HasSuffix(key, ".csv") {
		ct = "text/csv"
	}
	hd.Set("Content-Type", ct)
	hd.Set("Content-Length", strconv.FormatInt(o.Size, 10))
	hd.Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		if _, err := io.Copy(w, body); err != nil {
			h.log.Warn("sending a kept object", "key", key, "err", err)
		}
	}
}
