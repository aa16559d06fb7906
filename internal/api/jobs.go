package api

import (
	"encoding/json"
	"net/http"
	"time"

	"permafrost/internal/glacier"
)

func init() {
	register(map[Op]handlerFunc{
		OpInitiateJob:  initiateJob,
		OpDescribeJob:  describeJob,
		OpListJobs:     listJobs,
		OpGetJobOutput: getJobOutput,
	})
}

type inventoryParamsJSON struct {
	StartDate *string `json:"StartDate"`
	EndDate   *string `json:"EndDate"`
	Limit     *string `json:"Limit"`
	Marker    *string `json:"Marker"`
}

// jobParamsJSON is InitiateJob's body: the JobParameters object itself.
// The documentation's {"jobParameters": {...}} wrapper is accepted too.
type jobParamsJSON struct {
	Type                         *string                   `json:"Type"`
	ArchiveID                    *string                   `json:"ArchiveId"`
	Description                  *string                   `json:"Description"`
	Format                       *string                   `json:"Format"`
	SNSTopic                     *string                   `json:"SNSTopic"`
	RetrievalByteRange           *string                   `json:"RetrievalByteRange"`
	Tier                         *string                   `json:"Tier"`
	InventoryRetrievalParameters *inventoryParamsJSON      `json:"InventoryRetrievalParameters"`
	SelectParameters             *glacier.SelectParameters `json:"SelectParameters"`
	OutputLocation               *glacier.OutputLocation   `json:"OutputLocation"`
	Wrapped                      *jobParamsJSON            `json:"jobParameters"`
}

// params turns a decoded body into the domain's parameters, unwrapping
// the documentation's {"jobParameters": {...}} form.
func (in *jobParamsJSON) params() glacier.JobParams {
	if in.Wrapped != nil {
		return in.Wrapped.params()
	}
	p := glacier.JobParams{
		ArchiveID: in.ArchiveID, Description: in.Description, Format: in.Format, SNSTopic: in.SNSTopic,
		RetrievalByteRange: in.RetrievalByteRange, Tier: in.Tier,
		HasSelect: in.SelectParameters != nil || in.OutputLocation != nil,
		Select:    in.SelectParameters, Output: in.OutputLocation,
	}
	if in.Type != nil {
		p.Type = *in.Type
	}
	if ip := in.InventoryRetrievalParameters; ip != nil {
		p.Inventory = &glacier.InventoryParams{StartDate: ip.StartDate, EndDate: ip.EndDate, Limit: ip.Limit, Marker: ip.Marker}
	}
	return p
}

func initiateJob(h *Handler, c *call) error {
	var in jobParamsJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p := in.params()
	if h.faults != nil && h.faults.Active() {
		q := faultRequest(c)
		if p.ArchiveID != nil {
			q.Archive = *p.ArchiveID
		}
		if p.Tier != nil {
			q.Tier = *p.Tier
		} else if p.Type != "inventory-retrieval" {
			q.Tier = glacier.TierStandard
		}
		done, job := h.injectFault(c, q)
		if done {
			return nil
		}
		if job != nil {
			p.Fault = &glacier.JobFault{Fail: job.Fail, Late: time.Duration(job.Late)}
		}
	}
	res, err := h.svc.InitiateJob(c.r.Context(), c.ref(), p)
	if err != nil {
		return err
	}
	hd := c.w.Header()
	hd.Set("Location", c.location("vaults", c.Vault, "jobs", res.ID))
	setAWS(hd, "x-amz-job-id", res.ID)
	if res.OutputPath != "" {
		setAWS(hd, "x-amz-job-output-path", res.OutputPath)
	}
	noContent(c.w, http.StatusAccepted)
	return nil
}

type inventoryInfoJSON struct {
	Format    string  `json:"Format"`
	StartDate *string `json:"StartDate"`
	EndDate   *string `json:"EndDate"`
	Limit     *string `json:"Limit"`
	Marker    *string `json:"Marker"`
}

// jobJSON is a GlacierJobDescription: every member is always present, null
// where it does not apply (spec 4.1).
type jobJSON struct {
	Action                       string                    `json:"Action"`
	ArchiveID                    *string                   `json:"ArchiveId"`
	ArchiveSHA256TreeHash        *string                   `json:"ArchiveSHA256TreeHash"`
	ArchiveSizeInBytes           *int64                    `json:"ArchiveSizeInBytes"`
	Completed                    bool                      `json:"Completed"`
	CompletionDate               *string                   `json:"CompletionDate"`
	CreationDate                 string                    `json:"CreationDate"`
	InventoryRetrievalParameters *inventoryInfoJSON        `json:"InventoryRetrievalParameters"`
	InventorySizeInBytes         *int64                    `json:"InventorySizeInBytes"`
	JobDescription               *string                   `json:"JobDescription"`
	JobID                        string                    `json:"JobId"`
	JobOutputPath                *string                   `json:"JobOutputPath"`
	OutputLocation               *glacier.OutputLocation   `json:"OutputLocation"`
	RetrievalByteRange           *string                   `json:"RetrievalByteRange"`
	SHA256TreeHash               *string                   `json:"SHA256TreeHash"`
	SNSTopic                     *string                   `json:"SNSTopic"`
	SelectParameters             *glacier.SelectParameters `json:"SelectParameters"`
	StatusCode                   string                    `json:"StatusCode"`
	StatusMessage                *string                   `json:"StatusMessage"`
	Tier                         *string                   `json:"Tier"`
	VaultARN                     string                    `json:"VaultARN"`
}

func toJobJSON(j glacier.JobInfo) jobJSON {
	out := jobJSON{
		Action:                j.Action,
		ArchiveID:             strPtr(j.ArchiveID),
		ArchiveSHA256TreeHash: strPtr(j.ArchiveTreeHash),
		ArchiveSizeInBytes:    j.ArchiveSize,
		Completed:             j.Completed,
		CompletionDate:        isoTimePtr(j.CompletionDate),
		CreationDate:          isoTime(j.Created),
		InventorySizeInBytes:  j.InventorySize,
		JobDescription:        strPtr(j.Description),
		JobID:                 j.ID,
		RetrievalByteRange:    strPtr(j.RetrievalByteRange),
		SHA256TreeHash:        strPtr(j.SHA256TreeHash),
		SNSTopic:              strPtr(j.SNSTopic),
		StatusCode:            j.StatusCode,
		StatusMessage:         strPtr(j.StatusMessage),
		Tier:                  strPtr(j.Tier),
		VaultARN:              j.VaultARN,
	}
	if sj := j.Select; sj != nil {
		out.SelectParameters, out.OutputLocation = &sj.Params, &sj.Location
		out.JobOutputPath = strPtr(sj.OutputPath)
	}
	if inv := j.Inventory; inv != nil {
		out.InventoryRetrievalParameters = &inventoryInfoJSON{
			Format: inv.Format, StartDate: strPtr(inv.StartDate), EndDate: strPtr(inv.EndDate),
			Limit: strPtr(inv.Limit), Marker: strPtr(inv.Marker),
		}
	}
	return out
}

// MarshalJob renders a job description as DescribeJob does; it is also the
// message of completion notifications.
func MarshalJob(j glacier.JobInfo) ([]byte, error) { return json.Marshal(toJobJSON(j)) }

func describeJob(h *Handler, c *call) error {
	j, err := h.svc.DescribeJob(c.r.Context(), c.ref(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, toJobJSON(j))
	return nil
}

func listJobs(h *Handler, c *call) error {
	q := c.r.URL.Query()
	out, err := h.svc.ListJobs(c.r.Context(), c.ref(), glacier.ListJobsInput{
		Limit: q.Get("limit"), Marker: q.Get("marker"), StatusCode: q.Get("statuscode"), Completed: q.Get("completed"),
	})
	if err != nil {
		return err
	}
	resp := struct {
		JobList []jobJSON `json:"JobList"`
		Marker  *string   `json:"Marker"`
	}{JobList: make([]jobJSON, len(out.Jobs)), Marker: strPtr(out.Marker)}
	for i, j := range out.Jobs {
		resp.JobList[i] = toJobJSON(j)
	}
	writeJSON(c.w, http.StatusOK, resp)
	return nil
}
