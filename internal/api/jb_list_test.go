package api_test

// ListJobs: initiation order, the statuscode and completed filters, limit
// and marker paging, the SDK paginator (spec 2.4, 4.5, 7.4).

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
)

func TestJobListOrderAndFilters(t *testing.T) {
	srv := jbNew(t, jbWithDelays)
	c := srv.Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("listed"), "")
	// Initiation order: Standard, Expedited, Bulk, Expedited, inventory.
	all := []string{
		jbArchiveJob(t, c, "V", id, "Standard"),
		jbArchiveJob(t, c, "V", id, "Expedited"),
		jbArchiveJob(t, c, "V", id, "Bulk"),
		jbArchiveJob(t, c, "V", id, "Expedited"),
		jbInventoryJob(t, c, "V", "", nil),
	}
	if got := jbJobIDs(t, c, "V", "", ""); !slices.Equal(got, all) {
		t.Fatalf("ListJobs = %v, want initiation order %v", got, all)
	}
	if got := jbJobIDs(t, c, "V", "Succeeded", ""); len(got) != 0 {
		t.Errorf("statuscode=Succeeded before any completion = %v, want none", got)
	}

	srv.Advance(2 * time.Minute) // the Expedited jobs complete
	done := []string{all[1], all[3]}
	pending := []string{all[0], all[2], all[4]}
	for _, tc := range []struct {
		status, completed string
		want              []string
	}{
		{"", "", all},
		{"Succeeded", "", done},
		{"InProgress", "", pending},
		{"Failed", "", nil},
		{"", "true", done},
		{"", "false", pending},
		{"Succeeded", "true", done},
		{"InProgress", "false", pending},
		{"InProgress", "true", nil},
		{"Succeeded", "false", nil},
	} {
		if got := jbJobIDs(t, c, "V", tc.status, tc.completed); !slices.Equal(got, tc.want) {
			t.Errorf("ListJobs statuscode=%q completed=%q = %v, want %v", tc.status, tc.completed, got, tc.want)
		}
	}

	// The items are full job descriptions, like DescribeJob's.
	out, err := c.ListJobs(t.Context(), &glacier.ListJobsInput{VaultName: aws.String("V"), Statuscode: aws.String("Succeeded")})
	mustOK(t, "ListJobs", err)
	for _, j := range out.JobList {
		if j.StatusCode != types.StatusCodeSucceeded || !j.Completed || aws.ToString(j.Tier) != "Expedited" ||
			aws.ToString(j.ArchiveId) != id || j.CompletionDate == nil || aws.ToString(j.VaultARN) != vaultARN(testRegion, testAccount, "V") {
			t.Errorf("ListJobs item %+v is not the completed Expedited job", j)
		}
	}
	if out.Marker != nil {
		t.Errorf("ListJobs single page Marker = %q, want nil", *out.Marker)
	}

	// Raw: every key of every item, and "Marker": null.
	r := rawRequest(t, srv, http.MethodGet, "/-/vaults/V/jobs", nil)
	var page struct {
		JobList []map[string]json.RawMessage
		Marker  *json.RawMessage
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &page) != nil {
		t.Fatalf("raw ListJobs: HTTP %d %s", r.Status, r.Body)
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(r.Body, &raw)
	if m, ok := raw["Marker"]; !ok || string(m) != "null" {
		t.Errorf("raw ListJobs Marker = %s (present %v), want null", m, ok)
	}
	if len(page.JobList) != len(all) {
		t.Fatalf("raw ListJobs: %d items, want %d", len(page.JobList), len(all))
	}
	for _, item := range page.JobList {
		for _, k := range jbJobKeys {
			if _, ok := item[k]; !ok {
				t.Errorf("ListJobs item has no %q key", k)
			}
		}
	}

	// After 4h the Standard job and the inventory are done; Bulk is not.
	srv.Advance(4 * time.Hour)
	if got, want := jbJobIDs(t, c, "V", "InProgress", ""), []string{all[2]}; !slices.Equal(got, want) {
		t.Errorf("InProgress after 4h = %v, want %v", got, want)
	}
}

func TestJobListBadFilters(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	list := func(in glacier.ListJobsInput) error {
		in.VaultName = aws.String("V")
		_, err := c.ListJobs(t.Context(), &in)
		return err
	}
	wantAPIError(t, list(glacier.ListJobsInput{Statuscode: aws.String("finished")}), 400, jbInvalid, "The job status code is not valid: finished")
	wantAPIError(t, list(glacier.ListJobsInput{Statuscode: aws.String("succeeded")}), 400, jbInvalid, "The job status code is not valid: succeeded")
	wantAPIError(t, list(glacier.ListJobsInput{Completed: aws.String("yes")}), 400, jbInvalid, "")
	for _, l := range []int32{0, -1} {
		if !wantAPIError(t, list(glacier.ListJobsInput{Limit: aws.Int32(l)}), 400, jbInvalid, "") {
			t.Logf("... for limit %d", l)
		}
	}
	wantAPIError(t, list(glacier.ListJobsInput{Marker: aws.String("not-a-marker")}), 400, jbInvalid, "")
	_, err := c.ListJobs(t.Context(), &glacier.ListJobsInput{VaultName: aws.String("nope")})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+vaultARN(testRegion, testAccount, "nope"))
	if err := list(glacier.ListJobsInput{Limit: aws.Int32(50)}); err != nil {
		t.Errorf("limit 50: %v", err)
	}
}

func TestJobListPaging(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("paged"), "")
	var all []string
	for range 7 {
		all = append(all, jbArchiveJob(t, c, "V", id, ""))
	}

	// limit=3 and the marker: pages of 3, 3, 1, then Marker nil.
	var got []string
	var sizes []int
	var marker *string
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("ListJobs paging does not end")
		}
		out, err := c.ListJobs(t.Context(), &glacier.ListJobsInput{VaultName: aws.String("V"), Limit: aws.Int32(3), Marker: marker})
		mustOK(t, "ListJobs", err)
		if len(out.JobList) > 3 {
			t.Errorf("page of %d items with limit 3", len(out.JobList))
		}
		sizes = append(sizes, len(out.JobList))
		for _, j := range out.JobList {
			got = append(got, aws.ToString(j.JobId))
		}
		if out.Marker == nil {
			break
		}
		if *out.Marker == "" {
			t.Fatal("ListJobs Marker is an empty string, want a marker or null")
		}
		marker = out.Marker
	}
	if !slices.Equal(got, all) {
		t.Errorf("paged ListJobs = %v, want %v", got, all)
	}
	if !slices.Equal(sizes, []int{3, 3, 1}) {
		t.Errorf("page sizes = %v, want [3 3 1]", sizes)
	}

	// A page that ends exactly at the last job has no marker after it, or
	// a marker to an empty page; either way paging ends with Marker nil.
	out, err := c.ListJobs(t.Context(), &glacier.ListJobsInput{VaultName: aws.String("V"), Limit: aws.Int32(7)})
	mustOK(t, "ListJobs limit 7", err)
	if len(out.JobList) != 7 {
		t.Errorf("limit 7: %d jobs", len(out.JobList))
	}
	if out.Marker != nil {
		next, err := c.ListJobs(t.Context(), &glacier.ListJobsInput{VaultName: aws.String("V"), Marker: out.Marker})
		mustOK(t, "ListJobs after the last page", err)
		if len(next.JobList) != 0 || next.Marker != nil {
			t.Errorf("page after the last: %d jobs, Marker %v", len(next.JobList), next.Marker)
		}
	}

	// The SDK paginator with a page size of 2 visits every job once.
	p := glacier.NewListJobsPaginator(c, &glacier.ListJobsInput{VaultName: aws.String("V")},
		func(o *glacier.ListJobsPaginatorOptions) { o.Limit = 2 })
	got, sizes = nil, nil
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		mustOK(t, "paginator", err)
		sizes = append(sizes, len(out.JobList))
		for _, j := range out.JobList {
			got = append(got, aws.ToString(j.JobId))
		}
	}
	if !slices.Equal(got, all) || !slices.Equal(sizes, []int{2, 2, 2, 1}) {
		t.Errorf("paginator: %v in pages %v, want %v in [2 2 2 1]", got, sizes, all)
	}

	// Paging with a filter: only matching jobs count against the limit.
	inv := jbInventoryJob(t, c, "V", "", nil)
	_ = inv
	out, err = c.ListJobs(t.Context(), &glacier.ListJobsInput{VaultName: aws.String("V"), Limit: aws.Int32(50), Statuscode: aws.String("Succeeded")})
	mustOK(t, "ListJobs Succeeded", err)
	if len(out.JobList) != 8 || out.Marker != nil {
		t.Errorf("ListJobs Succeeded: %d jobs, Marker %v, want 8 and nil", len(out.JobList), out.Marker)
	}
}

func TestJobListDefaultLimit(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	for range 52 {
		jbInventoryJob(t, c, "V", "", nil)
	}
	out, err := c.ListJobs(t.Context(), &glacier.ListJobsInput{VaultName: aws.String("V")})
	mustOK(t, "ListJobs", err)
	if len(out.JobList) != 50 || out.Marker == nil {
		t.Fatalf("ListJobs without limit: %d jobs, Marker %v, want 50 and a marker", len(out.JobList), out.Marker)
	}
	// A limit above the maximum of 50 is out of range (spec 9.3: the
	// service's answer is unknown); no page may hold more than 50 anyway.
	if big, err := c.ListJobs(t.Context(), &glacier.ListJobsInput{VaultName: aws.String("V"), Limit: aws.Int32(51)}); err == nil && len(big.JobList) > 50 {
		t.Errorf("ListJobs limit 51: %d jobs, want at most 50", len(big.JobList))
	}
	rest, err := c.ListJobs(t.Context(), &glacier.ListJobsInput{VaultName: aws.String("V"), Marker: out.Marker})
	mustOK(t, "ListJobs page 2", err)
	if len(rest.JobList) != 2 || rest.Marker != nil {
		t.Errorf("page 2: %d jobs, Marker %v, want 2 and nil", len(rest.JobList), rest.Marker)
	}
	if aws.ToString(rest.JobList[0].JobId) == aws.ToString(out.JobList[49].JobId) {
		t.Error("page 2 repeats the last job of page 1")
	}
}
