package api

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"permafrost/internal/glacier"
)

// parseRange parses a GetJobOutput Range header against an output of size
// bytes. It accepts one range, "bytes=S-E", "bytes=S-" or "bytes=-N".
// malformed means the header cannot be understood; unsatisfiable means it
// can, but selects nothing of the output.
func parseRange(h string, size int64) (start, end int64, malformed, unsatisfiable bool) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	first, last, dash := strings.Cut(spec, "-")
	if !ok || !dash {
		return 0, 0, true, false
	}
	if first == "" { // the last N bytes
		n, ok := decimal(last)
		if !ok {
			return 0, 0, true, false
		}
		if n == 0 || size == 0 {
			return 0, 0, false, true
		}
		return max(0, size-n), size - 1, false, false
	}
	s, ok := decimal(first)
	if !ok {
		return 0, 0, true, false
	}
	e := size - 1
	if last != "" {
		if e, ok = decimal(last); !ok || e < s {
			return 0, 0, true, false
		}
	}
	if s >= size {
		return 0, 0, false, true
	}
	return s, min(e, size-1), false, false
}

func decimal(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0 && s[0] != '+'
}

var outputBufs = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

func getJobOutput(h *Handler, c *call) error {
	o, err := h.svc.GetJobOutput(c.r.Context(), c.ref(), c.ID)
	if err != nil {
		return err
	}
	defer o.Close()
	start, end, status := int64(0), o.Size-1, http.StatusOK
	if rh := c.r.Header.Get("Range"); rh != "" {
		var malformed, unsatisfiable bool
		start, end, malformed, unsatisfiable = parseRange(rh, o.Size)
		switch {
		case malformed:
			return glacier.Errorf(glacier.InvalidParameterValue, "Invalid Range header: %q. The expected form is bytes=<first>-<last>.", rh)
		case unsatisfiable:
			c.w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(o.Size, 10))
			code := glacier.InvalidParameterValue
			writeError(c.w, code, errorRow{Status: http.StatusRequestedRangeNotSatisfiable, Type: "Client"},
				"The requested range is not satisfiable: "+rh+" for an output of "+strconv.FormatInt(o.Size, 10)+" bytes.")
			return nil
		}
		status = http.StatusPartialContent
	}
	n := end - start + 1
	hd := c.w.Header()
	switch o.Kind {
	case glacier.FormatJSON:
		hd.Set("Content-Type", "application/json")
	case glacier.FormatCSV:
		hd.Set("Content-Type", "text/csv")
	default:
		hd.Set("Content-Type", "application/octet-stream")
		if o.ArchiveDescription != "" {
			setAWS(hd, "x-amz-archive-description", o.ArchiveDescription)
		}
		sum, err := o.TreeHash(c.r.Context(), start, end)
		if err != nil {
			return err
		}
		if sum != "" {
			setAWS(hd, "x-amz-sha256-tree-hash", sum)
		}
	}
	hd.Set("Accept-Ranges", "bytes")
	hd.Set("Content-Length", strconv.FormatInt(n, 10))
	if status == http.StatusPartialContent {
		hd.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(o.Size, 10))
	}
	c.w.WriteHeader(status)
	if n == 0 {
		return nil
	}
	bufp := outputBufs.Get().(*[]byte)
	defer outputBufs.Put(bufp)
	if _, err := o.WriteRange(c.w, start, n, *bufp); err != nil {
		h.log.Warn("job output interrupted", "job", c.ID, "err", err)
	}
	return nil
}
