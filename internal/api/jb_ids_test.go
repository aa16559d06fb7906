package api_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
)

// TestIDsOpaqueOrderKept: archive, job and upload IDs are random in every
// position (so sorting them gives no order), yet inventories list archives
// in upload order, ListJobs lists jobs in initiation order and
// ListMultipartUploads uploads oldest first, across pages whose markers
// are the IDs themselves.
func TestIDsOpaqueOrderKept(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	const n = 24
	var archives, jobs, uploads []string
	for i := range n {
		archives = append(archives, jbUpload(t, c, "V", []byte{byte(i)}, ""))
	}
	for _, a := range archives {
		jobs = append(jobs, jbArchiveJob(t, c, "V", a, ""))
		uploads = append(uploads, dpInitiate(t, c, "V", miB))
	}
	for name, ids := range map[string][]string{"archive": archives, "job": jobs, "upload": uploads} {
		if slices.IsSorted(ids) {
			t.Errorf("%s IDs sort in creation order: they leak time", name)
		}
		firsts := map[byte]bool{}
		for _, id := range ids {
			firsts[id[0]] = true
		}
		if len(firsts) < 8 {
			t.Errorf("%d %s IDs begin with only %d distinct characters", n, name, len(firsts))
		}
	}

	// Inventory pages of 5, each continued from the last one's Marker.
	var listed []string
	var marker *string
	for range n {
		inv, d := jbJSONInventory(t, srv, "V", &types.InventoryRetrievalJobInput{Limit: aws.String("5"), Marker: marker})
		listed = append(listed, jbInvIDs(inv)...)
		if marker = d.InventoryRetrievalParameters.Marker; marker == nil {
			break
		}
	}
	if !slices.Equal(listed, archives) {
		t.Errorf("inventory order = %v, want upload order %v", listed, archives)
	}

	var gotJobs []string
	p := glacier.NewListJobsPaginator(c, &glacier.ListJobsInput{VaultName: aws.String("V"), Limit: aws.Int32(5)})
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		mustOK(t, "ListJobs", err)
		for _, j := range out.JobList {
			if j.Action == types.ActionCodeArchiveRetrieval {
				gotJobs = append(gotJobs, aws.ToString(j.JobId))
			}
		}
	}
	if !slices.Equal(gotJobs, jobs) {
		t.Errorf("ListJobs order = %v, want initiation order %v", gotJobs, jobs)
	}

	var gotUploads []string
	pu := glacier.NewListMultipartUploadsPaginator(c, &glacier.ListMultipartUploadsInput{VaultName: aws.String("V"), Limit: aws.Int32(5)})
	for pu.HasMorePages() {
		out, err := pu.NextPage(t.Context())
		mustOK(t, "ListMultipartUploads", err)
		for _, u := range out.UploadsList {
			gotUploads = append(gotUploads, aws.ToString(u.MultipartUploadId))
		}
	}
	if !slices.Equal(gotUploads, uploads) {
		t.Errorf("ListMultipartUploads order = %v, want oldest first %v", gotUploads, uploads)
	}
}
