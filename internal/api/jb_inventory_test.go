package api_test

// Inventory retrieval: the JSON and CSV formats (spec 4.4) and the range
// inventory parameters StartDate, EndDate, Limit and Marker (spec 4.3).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/clock"
	"permafrost/internal/config"
	"permafrost/internal/testserver"
)

// jbInvEntry is one ArchiveList entry of a JSON inventory.
type jbInvEntry struct {
	ArchiveId          string
	ArchiveDescription string
	CreationDate       string
	Size               int64
	SHA256TreeHash     string
}

type jbInv struct {
	VaultARN      string
	InventoryDate string
	ArchiveList   []jbInvEntry
}

// jbJSONInventory runs a JSON inventory job with ip and returns the parsed
// output and the finished job's description.
func jbJSONInventory(t *testing.T, srv *testserver.Server, vault string, ip *types.InventoryRetrievalJobInput) (jbInv, *glacier.DescribeJobOutput) {
	t.Helper()
	id := jbInventoryJob(t, srv.Client, vault, "JSON", ip)
	d := jbWantSucceeded(t, srv, vault, id, "JSON inventory")
	out, b := jbOutput(t, srv.Client, vault, id, "")
	if ct := aws.ToString(out.ContentType); ct != "application/json" {
		t.Errorf("JSON inventory Content-Type = %q, want application/json", ct)
	}
	var inv jbInv
	if err := json.Unmarshal(b, &inv); err != nil {
		t.Fatalf("JSON inventory does not parse: %v: %s", err, b)
	}
	return inv, d
}

func jbInvIDs(inv jbInv) []string {
	var ids []string
	for _, e := range inv.ArchiveList {
		ids = append(ids, e.ArchiveId)
	}
	return ids
}

func TestJobInventoryJSONAndCSV(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	descs := []string{"plain", `desc, with "quote"`, `back\slash`, ""}
	var ids []string
	var bodies [][]byte
	before := jbClock(t, srv)
	for i, d := range descs {
		b := jbData(1000*(i+1), uint64(i))
		bodies = append(bodies, b)
		ids = append(ids, jbUpload(t, c, "V", b, d))
	}
	after := jbClock(t, srv)

	// JSON.
	jobID := jbInventoryJob(t, c, "V", "", nil)
	d := jbWantSucceeded(t, srv, "V", jobID, "inventory")
	out, raw := jbOutput(t, c, "V", jobID, "")
	if ct := aws.ToString(out.ContentType); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if out.Checksum != nil {
		t.Errorf("inventory output has x-amz-sha256-tree-hash %q, want none", *out.Checksum)
	}
	if d.InventorySizeInBytes == nil || *d.InventorySizeInBytes != int64(len(raw)) {
		t.Errorf("InventorySizeInBytes = %v, want the output length %d", d.InventorySizeInBytes, len(raw))
	}
	if v := jbRawJob(t, srv, "V", jobID)["Tier"]; string(v) != "null" {
		t.Errorf("inventory job Tier = %s, want null", v)
	}
	var inv jbInv
	if err := json.Unmarshal(raw, &inv); err != nil {
		t.Fatalf("inventory is not JSON: %v: %s", err, raw)
	}
	if inv.VaultARN != vaultARN(testRegion, testAccount, "V") {
		t.Errorf("VaultARN = %q", inv.VaultARN)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$`).MatchString(inv.InventoryDate) {
		t.Errorf("InventoryDate = %q, want an ISO 8601 UTC date", inv.InventoryDate)
	}
	if len(inv.ArchiveList) != len(ids) {
		t.Fatalf("ArchiveList has %d entries, want %d: %s", len(inv.ArchiveList), len(ids), raw)
	}
	byID := map[string]jbInvEntry{}
	for _, e := range inv.ArchiveList {
		byID[e.ArchiveId] = e
	}
	for i, id := range ids {
		e, ok := byID[id]
		if !ok {
			t.Errorf("archive %d is not in the inventory", i)
			continue
		}
		if e.ArchiveDescription != descs[i] || e.Size != int64(len(bodies[i])) || e.SHA256TreeHash != treeHash(bodies[i]) {
			t.Errorf("entry %d = %+v, want description %q size %d hash %s", i, e, descs[i], len(bodies[i]), treeHash(bodies[i]))
		}
		created, err := time.Parse(time.RFC3339, e.CreationDate)
		if err != nil || !isoSeconds.MatchString(e.CreationDate) {
			t.Errorf("entry %d CreationDate = %q, want ISO 8601 in whole seconds, as real inventories", i, e.CreationDate)
		} else if created.Before(before.Truncate(time.Second)) || created.After(after) {
			t.Errorf("entry %d CreationDate %v not between %v and %v", i, created, before, after)
		}
	}
	if !slices.Equal(jbInvIDs(inv), ids) {
		t.Errorf("ArchiveList order = %v, want upload order %v", jbInvIDs(inv), ids)
	}

	// A download range of an inventory: 206, no checksum.
	out, part := jbOutput(t, c, "V", jobID, "bytes=0-9")
	if out.Status != http.StatusPartialContent || string(part) != string(raw[:10]) || out.Checksum != nil {
		t.Errorf("inventory bytes=0-9: status %d %q checksum %v", out.Status, part, out.Checksum)
	}
	if got, want := aws.ToString(out.ContentRange), fmt.Sprintf("bytes 0-9/%d", len(raw)); got != want {
		t.Errorf("inventory Content-Range = %q, want %q", got, want)
	}

	// CSV.
	csvJob := jbInventoryJob(t, c, "V", "CSV", nil)
	dc := jbWantSucceeded(t, srv, "V", csvJob, "CSV inventory")
	if aws.ToString(dc.InventoryRetrievalParameters.Format) != "CSV" {
		t.Errorf("CSV job InventoryRetrievalParameters.Format = %q", aws.ToString(dc.InventoryRetrievalParameters.Format))
	}
	out, csv := jbOutput(t, c, "V", csvJob, "")
	if ct := aws.ToString(out.ContentType); ct != "text/csv" {
		t.Errorf("CSV Content-Type = %q, want text/csv", ct)
	}
	if out.Checksum != nil {
		t.Errorf("CSV inventory has x-amz-sha256-tree-hash %q, want none", *out.Checksum)
	}
	if dc.InventorySizeInBytes == nil || *dc.InventorySizeInBytes != int64(len(csv)) {
		t.Errorf("CSV InventorySizeInBytes = %v, want %d", dc.InventorySizeInBytes, len(csv))
	}
	lines := strings.Split(strings.TrimSuffix(strings.ReplaceAll(string(csv), "\r\n", "\n"), "\n"), "\n")
	if lines[0] != "ArchiveId,ArchiveDescription,CreationDate,Size,SHA256TreeHash" {
		t.Errorf("CSV header = %q", lines[0])
	}
	if len(lines) != 1+len(ids) {
		t.Fatalf("CSV has %d lines, want %d:\n%s", len(lines), 1+len(ids), csv)
	}
	for i, id := range ids {
		e := byID[id]
		want := fmt.Sprintf("%s,%s,%s,%d,%s", id, `"`+strings.ReplaceAll(descs[i], `"`, `\"`)+`"`, e.CreationDate, e.Size, e.SHA256TreeHash)
		alt := fmt.Sprintf("%s,%s,%s,%d,%s", id, descs[i], e.CreationDate, e.Size, e.SHA256TreeHash) // unquoted is allowed when no , or "
		if got := lines[1+i]; got != want && (strings.ContainsAny(descs[i], `,"`) || got != alt) {
			t.Errorf("CSV line %d = %q, want %q", 1+i, got, want)
		}
	}
	if !strings.Contains(string(csv), `"desc, with \"quote\""`) {
		t.Errorf("CSV does not quote the description with a comma and quotes as \"desc, with \\\"quote\\\"\":\n%s", csv)
	}
}

func TestJobInventoryEmptyVault(t *testing.T) {
	srv := jbNew(t)
	createVault(t, srv.Client, "V")
	inv, d := jbJSONInventory(t, srv, "V", nil)
	if len(inv.ArchiveList) != 0 || inv.VaultARN != vaultARN(testRegion, testAccount, "V") {
		t.Errorf("inventory of an empty vault = %+v", inv)
	}
	if d.InventoryRetrievalParameters == nil || d.InventoryRetrievalParameters.Marker != nil {
		t.Errorf("InventoryRetrievalParameters = %+v, want no marker", d.InventoryRetrievalParameters)
	}
}

func TestJobInventoryDateFilters(t *testing.T) {
	// A frozen base clock makes creation dates whole seconds, so that the
	// boundaries can be hit exactly.
	t0 := time.Now().UTC().Truncate(time.Second)
	cfg := config.Default()
	cfg.Memory = true
	srv, _ := jbStart(t, cfg, clock.NewFake(t0))
	c := srv.Client
	createVault(t, c, "V")
	var ids []string
	for i := range 3 { // at t0, t0+1h, t0+2h
		if i > 0 {
			srv.Advance(time.Hour)
		}
		ids = append(ids, jbUpload(t, c, "V", []byte{byte(i)}, fmt.Sprint("archive ", i)))
	}
	all, _ := jbJSONInventory(t, srv, "V", nil)
	for i, e := range all.ArchiveList {
		if want := t0.Add(time.Duration(i) * time.Hour).Format("2006-01-02T15:04:05Z"); e.CreationDate != want {
			t.Errorf("archive %d CreationDate = %q, want %q", i, e.CreationDate, want)
		}
	}
	at := func(h int, extra time.Duration) string {
		return t0.Add(time.Duration(h)*time.Hour + extra).Format(time.RFC3339)
	}
	for _, tc := range []struct {
		start, end string
		want       []string
	}{
		{at(1, 0), "", ids[1:]},             // StartDate is inclusive
		{at(1, time.Second), "", ids[2:]},   // just after B
		{at(0, -time.Second), "", ids},      // before everything
		{"", at(1, 0), ids[:1]},             // EndDate is exclusive
		{"", at(1, time.Second), ids[:2]},   // just after B
		{"", at(0, 0), nil},                 // nothing before the first
		{at(1, 0), at(2, 0), ids[1:2]},      // [B, C)
		{at(0, 0), at(2, time.Second), ids}, // everything
		{at(3, 0), "", nil},                 // after everything
		{t0.Add(time.Hour).In(time.FixedZone("", 2*3600)).Format(time.RFC3339), "", ids[1:]}, // another zone
	} {
		ip := &types.InventoryRetrievalJobInput{}
		if tc.start != "" {
			ip.StartDate = aws.String(tc.start)
		}
		if tc.end != "" {
			ip.EndDate = aws.String(tc.end)
		}
		inv, d := jbJSONInventory(t, srv, "V", ip)
		if got := jbInvIDs(inv); !slices.Equal(got, tc.want) {
			t.Errorf("StartDate %q EndDate %q: %d archives %v, want %d", tc.start, tc.end, len(got), got, len(tc.want))
		}
		p := d.InventoryRetrievalParameters
		if p == nil {
			t.Errorf("StartDate %q EndDate %q: no InventoryRetrievalParameters", tc.start, tc.end)
			continue
		}
		if tc.start != "" && strings.HasSuffix(tc.start, "Z") && aws.ToString(p.StartDate) != tc.start {
			t.Errorf("reported StartDate = %q, want %q", aws.ToString(p.StartDate), tc.start)
		}
		if tc.end != "" && aws.ToString(p.EndDate) != tc.end {
			t.Errorf("reported EndDate = %q, want %q", aws.ToString(p.EndDate), tc.end)
		}
		if (tc.start == "") != (p.StartDate == nil) || (tc.end == "") != (p.EndDate == nil) {
			t.Errorf("reported StartDate %v EndDate %v for %q %q", p.StartDate, p.EndDate, tc.start, tc.end)
		}
	}

	// Limit combines with the dates.
	inv, d := jbJSONInventory(t, srv, "V", &types.InventoryRetrievalJobInput{StartDate: aws.String(at(1, 0)), Limit: aws.String("1")})
	if got := jbInvIDs(inv); !slices.Equal(got, ids[1:2]) || d.InventoryRetrievalParameters.Marker == nil {
		t.Fatalf("StartDate B, Limit 1: %v marker %v, want B and a marker", got, d.InventoryRetrievalParameters.Marker)
	}
	inv, d = jbJSONInventory(t, srv, "V", &types.InventoryRetrievalJobInput{StartDate: aws.String(at(1, 0)), Limit: aws.String("1"),
		Marker: d.InventoryRetrievalParameters.Marker})
	if got := jbInvIDs(inv); !slices.Equal(got, ids[2:]) || d.InventoryRetrievalParameters.Marker != nil {
		t.Errorf("StartDate B, Limit 1, page 2: %v marker %v, want C and none", got, d.InventoryRetrievalParameters.Marker)
	}
}

func TestJobInventoryLimitAndMarker(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	var ids []string
	for i := range 5 {
		ids = append(ids, jbUpload(t, c, "V", []byte(fmt.Sprint("archive ", i)), ""))
	}
	inv, d := jbJSONInventory(t, srv, "V", &types.InventoryRetrievalJobInput{Limit: aws.String("2")})
	p := d.InventoryRetrievalParameters
	if got := jbInvIDs(inv); !slices.Equal(got, ids[:2]) {
		t.Errorf("Limit 2: %v, want the first two %v", got, ids[:2])
	}
	if p == nil || aws.ToString(p.Limit) != "2" || aws.ToString(p.Format) != "JSON" {
		t.Fatalf("Limit 2: InventoryRetrievalParameters = %+v, want Limit 2 and Format JSON", p)
	}
	if aws.ToString(p.Marker) == "" {
		t.Fatal("Limit 2 over 5 archives: no continuation Marker in DescribeJob")
	}
	marker := p.Marker

	// The rest in one job: Marker null at the end.
	inv, d = jbJSONInventory(t, srv, "V", &types.InventoryRetrievalJobInput{Marker: marker})
	if got := jbInvIDs(inv); !slices.Equal(got, ids[2:]) {
		t.Errorf("from the marker: %v, want the last three %v", got, ids[2:])
	}
	if d.InventoryRetrievalParameters.Marker != nil {
		t.Errorf("after the last page Marker = %q, want null", *d.InventoryRetrievalParameters.Marker)
	}
	m := jbRawJob(t, srv, "V", aws.ToString(d.JobId))
	var ip map[string]json.RawMessage
	_ = json.Unmarshal(m["InventoryRetrievalParameters"], &ip)
	if string(ip["Marker"]) != "null" || string(ip["Limit"]) != "null" {
		t.Errorf("raw InventoryRetrievalParameters = %s, want Marker and Limit null", m["InventoryRetrievalParameters"])
	}

	// Pages of two, then of one: 2, 2, 1.
	var got []string
	var sizes []int
	marker = nil
	for range 5 {
		inv, d = jbJSONInventory(t, srv, "V", &types.InventoryRetrievalJobInput{Limit: aws.String("2"), Marker: marker})
		got = append(got, jbInvIDs(inv)...)
		sizes = append(sizes, len(inv.ArchiveList))
		if marker = d.InventoryRetrievalParameters.Marker; marker == nil {
			break
		}
	}
	if !slices.Equal(got, ids) || !slices.Equal(sizes, []int{2, 2, 1}) {
		t.Errorf("pages of 2: %v in %v, want every archive in [2 2 1]", got, sizes)
	}

	// A limit equal to or above the count: everything, no marker.
	for _, l := range []string{"5", "10"} {
		inv, d = jbJSONInventory(t, srv, "V", &types.InventoryRetrievalJobInput{Limit: aws.String(l)})
		if len(inv.ArchiveList) != 5 || d.InventoryRetrievalParameters.Marker != nil {
			t.Errorf("Limit %s: %d entries, marker %v, want 5 and none", l, len(inv.ArchiveList), d.InventoryRetrievalParameters.Marker)
		}
	}

	// The marker still works when the archive it names has been deleted.
	_, d = jbJSONInventory(t, srv, "V", &types.InventoryRetrievalJobInput{Limit: aws.String("2")})
	marker = d.InventoryRetrievalParameters.Marker
	_, err := c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(ids[2])})
	mustOK(t, "DeleteArchive", err)
	inv, d = jbJSONInventory(t, srv, "V", &types.InventoryRetrievalJobInput{Marker: marker})
	if got := jbInvIDs(inv); !slices.Equal(got, ids[3:]) || d.InventoryRetrievalParameters.Marker != nil {
		t.Errorf("marker of a deleted archive: %v marker %v, want %v and none", got, d.InventoryRetrievalParameters.Marker, ids[3:])
	}

	// CSV honours Limit too.
	id := jbInventoryJob(t, c, "V", "CSV", &types.InventoryRetrievalJobInput{Limit: aws.String("2")})
	_, csv := jbOutput(t, c, "V", id, "")
	if n := strings.Count(string(csv), "\n"); n != 3 { // header and two archives
		t.Errorf("CSV with Limit 2: %d lines, want 3:\n%s", n, csv)
	}
	if jbDescribe(t, c, "V", id).InventoryRetrievalParameters.Marker == nil {
		t.Error("CSV with Limit 2: no marker")
	}
}

func TestJobInventoryBadParameters(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	for name, ip := range map[string]types.InventoryRetrievalJobInput{
		"Limit 0":          {Limit: aws.String("0")},
		"Limit abc":        {Limit: aws.String("abc")},
		"Limit -1":         {Limit: aws.String("-1")},
		"Limit 1.5":        {Limit: aws.String("1.5")},
		"StartDate month":  {StartDate: aws.String("2024-13-01T00:00:00Z")},
		"StartDate words":  {StartDate: aws.String("yesterday")},
		"StartDate day":    {StartDate: aws.String("2024-01-01")},
		"StartDate no TZD": {StartDate: aws.String("2024-01-01T00:00:00")},
		"EndDate garbage":  {EndDate: aws.String("2024-01-01T25:00:00Z")},
		"EndDate epoch":    {EndDate: aws.String("1700000000")},
		"Start = End":      {StartDate: aws.String("2024-01-01T00:00:00Z"), EndDate: aws.String("2024-01-01T00:00:00Z")},
		"Start > End":      {StartDate: aws.String("2024-01-02T00:00:00Z"), EndDate: aws.String("2024-01-01T00:00:00Z")},
		"Start > End zone": {StartDate: aws.String("2024-01-01T01:00:00Z"), EndDate: aws.String("2024-01-01T01:30:00+01:00")},
	} {
		_, err := jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("inventory-retrieval"), InventoryRetrievalParameters: &ip})
		if !wantAPIError(t, err, 400, jbInvalid, "") {
			t.Logf("... for %s", name)
		}
	}
	// Accepted: each date alone, both in order, a limit of 1.
	for _, ip := range []types.InventoryRetrievalJobInput{
		{StartDate: aws.String("2024-01-01T00:00:00Z")},
		{EndDate: aws.String("2024-01-01T00:00:00Z")},
		{StartDate: aws.String("2024-01-01T00:00:00Z"), EndDate: aws.String("2024-01-01T00:00:01Z")},
		{Limit: aws.String("1")},
	} {
		if _, err := jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("inventory-retrieval"), InventoryRetrievalParameters: &ip}); err != nil {
			t.Errorf("InventoryRetrievalParameters %+v: %v, want accepted", ip, err)
		}
	}
}
