package console

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"permafrost/internal/glacier"
)

// The vault page shows at most this many jobs, uploads and parts per
// upload; it says when there are more.
const (
	maxJobs    = 1000
	maxUploads = 1000
	maxParts   = 1000
)

type lockJSON struct {
	State      string `json:"state"`
	Policy     string `json:"policy"`
	Created    string `json:"created"`
	Expiration string `json:"expiration"`
}

type notifyJSON struct {
	Topic  string   `json:"topic"`
	Events []string `json:"events"`
}

type jobJSON struct {
	ID             string `json:"id"`
	Action         string `json:"action"`
	Description    string `json:"description"`
	Tier           string `json:"tier"`
	Status         string `json:"status"`
	StatusMessage  string `json:"statusMessage"`
	Created        string `json:"created"`
	Due            string `json:"due"`
	Completed      string `json:"completed"`
	ArchiveID      string `json:"archiveId"`
	Size           *int64 `json:"size"`
	Format         string `json:"format"`
	SNSTopic       string `json:"snsTopic"`
	SHA256TreeHash string `json:"treeHash"`
}

type partJSON struct {
	Start    int64  `json:"start"`
	End      int64  `json:"end"`
	TreeHash string `json:"treeHash"`
}

type uploadJSON struct {
	ID          string     `json:"id"`
	Description string     `json:"description"`
	PartSize    int64      `json:"partSize"`
	Created     string     `json:"created"`
	Parts       []partJSON `json:"parts"`
	MoreParts   bool       `json:"moreParts"`
}

type vaultPageJSON struct {
	Vault         vaultJSON    `json:"vault"`
	AccessPolicy  string       `json:"accessPolicy"`
	Lock          *lockJSON    `json:"lock"`
	Notifications *notifyJSON  `json:"notifications"`
	Jobs          []jobJSON    `json:"jobs"`
	MoreJobs      bool         `json:"moreJobs"`
	Uploads       []uploadJSON `json:"uploads"`
	MoreUploads   bool         `json:"moreUploads"`
	Now           string       `json:"now"`
}

// absent reports whether err is the ResourceNotFoundException of a
// setting the vault does not have (no policy, no lock, no notifications).
func absent(err error) bool {
	var ge *glacier.Error
	return errors.As(err, &ge) && ge.Code == glacier.ResourceNotFound
}

// vault gathers the vault page from the Service's own operations, as a
// client would: DescribeVault, ListTagsForVault, GetVaultAccessPolicy,
// GetVaultLock, GetVaultNotifications, ListJobs, ListMultipartUploads and
// ListParts.
func (h *Handler) vault(ctx context.Context, w http.ResponseWriter, ref glacier.VaultRef) error {
	info, err := h.svc.DescribeVault(ctx, ref)
	if err != nil {
		return err
	}
	tags, err := h.svc.ListTagsForVault(ctx, ref)
	if err != nil {
		return err
	}
	out := vaultPageJSON{Jobs: []jobJSON{}, Uploads: []uploadJSON{}}
	sum := glacier.VaultSummary{Scope: ref.Scope, VaultInfo: info, Tags: tags}
	if p, err := h.svc.GetVaultAccessPolicy(ctx, ref); err == nil {
		out.AccessPolicy = p
	} else if !absent(err) {
		return err
	}
	if l, err := h.svc.GetVaultLock(ctx, ref); err == nil {
		sum.LockState = l.State
		out.Lock = &lockJSON{State: l.State, Policy: l.Policy, Created: formatTime(l.Created), Expiration: optTime(l.Expiration)}
	} else if !absent(err) {
		return err
	}
	if n, err := h.svc.GetVaultNotifications(ctx, ref); err == nil {
		out.Notifications = &notifyJSON{Topic: n.Topic, Events: n.Events}
	} else if !absent(err) {
		return err
	}
	out.Vault = toVaultJSON(sum)
	if err := h.jobs(ctx, ref, &out); err != nil {
		return err
	}
	if err := h.uploads(ctx, ref, &out); err != nil {
		return err
	}
	out.Now = formatTime(h.emu.Now())
	writeJSON(w, out)
	return nil
}

func (h *Handler) jobs(ctx context.Context, ref glacier.VaultRef, out *vaultPageJSON) error {
	marker := ""
	for {
		page, err := h.svc.ListJobs(ctx, ref, glacier.ListJobsInput{Limit: strconv.Itoa(glacier.MaxListJobs), Marker: marker})
		if err != nil {
			return err
		}
		for _, j := range page.Jobs {
			if len(out.Jobs) == maxJobs {
				out.MoreJobs = true
				return nil
			}
			out.Jobs = append(out.Jobs, toJobJSON(j))
		}
		if marker = page.Marker; marker == "" {
			return nil
		}
	}
}

func toJobJSON(j glacier.JobInfo) jobJSON {
	out := jobJSON{ID: j.ID, Action: j.Action, Description: j.Description, Tier: j.Tier, Status: j.StatusCode,
		StatusMessage: j.StatusMessage, Created: formatTime(j.Created), Due: formatTime(j.Due),
		Completed: optTime(j.CompletionDate), ArchiveID: j.ArchiveID, SNSTopic: j.SNSTopic, SHA256TreeHash: j.SHA256TreeHash}
	if j.ArchiveSize != nil {
		out.Size = j.ArchiveSize
	} else if j.InventorySize != nil {
		out.Size = j.InventorySize
	}
	if j.Inventory != nil {
		out.Format = j.Inventory.Format
	}
	return out
}

func (h *Handler) uploads(ctx context.Context, ref glacier.VaultRef, out *vaultPageJSON) error {
	marker := ""
	for {
		page, err := h.svc.ListMultipartUploads(ctx, ref, strconv.Itoa(glacier.MaxListUploads), marker)
		if err != nil {
			return err
		}
		for _, u := range page.Uploads {
			if len(out.Uploads) == maxUploads {
				out.MoreUploads = true
				return nil
			}
			parts, err := h.svc.ListParts(ctx, ref, u.ID, strconv.Itoa(maxParts), "")
			if err != nil {
				if absent(err) {
					continue // completed or aborted meanwhile
				}
				return err
			}
			uj := uploadJSON{ID: u.ID, Description: u.Description, PartSize: u.PartSize, Created: formatTime(u.Created),
				Parts: make([]partJSON, len(parts.Parts)), MoreParts: parts.Marker != ""}
			for i, p := range parts.Parts {
				uj.Parts[i] = partJSON{Start: p.Start, End: p.End, TreeHash: p.TreeHash}
			}
			out.Uploads = append(out.Uploads, uj)
		}
		if marker = page.Marker; marker == "" {
			return nil
		}
	}
}

// jobOutput streams a finished job's output as a download.
func (h *Handler) jobOutput(ctx context.Context, w http.ResponseWriter, ref glacier.VaultRef, id string) error {
	o, err := h.svc.GetJobOutput(ctx, ref, id)
	if err != nil {
		return err
	}
	defer o.Close()
	name, ctype := id+".bin", "application/octet-stream"
	switch o.Kind {
	case glacier.FormatJSON:
		name, ctype = id+"-inventory.json", "application/json"
	case glacier.FormatCSV:
		name, ctype = id+"-inventory.csv", "text/csv"
	}
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("Content-Length", strconv.FormatInt(o.Size, 10))
	hd.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, err = o.WriteRange(w, 0, o.Size, make([]byte, 64<<10))
	if err != nil {
		h.log.Warn("console job output cut short", "job", id, "err", err)
	}
	return nil // the status is sent: an error can only end the download
}
