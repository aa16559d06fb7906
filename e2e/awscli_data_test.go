package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"permafrost/internal/treehash"
)

// cliArchivesAndJobs: UploadArchive, DeleteArchive, the multipart
// operations, InitiateJob, DescribeJob, ListJobs and GetJobOutput.
func cliArchivesAndJobs(t *testing.T, c *awsCLI) {
	const v = "cli-data"
	c.ok(t, "create-vault", "--vault-name", v)

	type archive struct {
		id   string
		data []byte
		desc string
	}
	small := &archive{data: payload(1, 1), desc: "cli one byte"}
	big := &archive{data: payload(2, 3*mib+5), desc: "cli three MiB and five bytes"}
	multi := &archive{data: payload(3, 3*mib+12345), desc: "cli multipart"}

	t.Run("UploadArchive", func(t *testing.T) {
		for _, a := range []*archive{small, big} {
			body := writeFile(t, c.dir, fmt.Sprintf("upload-%d.bin", len(a.data)), a.data)
			// No --checksum: botocore computes the tree hash itself.
			out := c.ok(t, "upload-archive", "--vault-name", v, "--body", body, "--archive-description", a.desc)
			a.id = out.str("archiveId")
			wantEq(t, "upload-archive checksum", out.str("checksum"), treeHash(a.data))
			wantEq(t, "upload-archive location", out.str("location"), "/"+accountID+"/vaults/"+v+"/archives/"+a.id)
			if len(a.id) != 138 {
				t.Errorf("archive ID %q has %d characters, want 138", a.id, len(a.id))
			}
		}
		// A checksum given by the caller that does not match is refused.
		body := writeFile(t, c.dir, "mismatch.bin", []byte("permafrost"))
		stderr := c.fails(t, "InvalidParameterValueException", "upload-archive", "--vault-name", v, "--body", body,
			"--checksum", treeHash([]byte("something else")))
		if !strings.Contains(stderr, "Checksum mismatch") {
			t.Errorf("tree-hash mismatch message: %q", stderr)
		}
		c.fails(t, "ResourceNotFoundException", "upload-archive", "--vault-name", "cli-data-missing", "--body", body)
	})
	t.Run("Multipart", func(t *testing.T) {
		const partSize = mib
		data := multi.data
		ini := c.ok(t, "initiate-multipart-upload", "--vault-name", v, "--part-size", fmt.Sprint(partSize),
			"--archive-description", multi.desc)
		uploadID := ini.str("uploadId")
		wantEq(t, "initiate-multipart-upload location", ini.str("location"), "/"+accountID+"/vaults/"+v+"/multipart-uploads/"+uploadID)

		// Parts go up in reverse order, each with the test's own tree hash.
		var partHashes []treehash.Hash
		for start := 0; start < len(data); start += partSize {
			partHashes = append(partHashes, treehash.Sum(data[start:min(start+partSize, len(data))]))
		}
		// The parts are uploaded concurrently, in no particular order.
		if !t.Run("UploadParts", func(t *testing.T) {
			for i := range partHashes {
				t.Run(fmt.Sprint("part", i), func(t *testing.T) {
					t.Parallel()
					start := i * partSize
					end := min(start+partSize, len(data)) - 1
					body := writeFile(t, c.dir, fmt.Sprintf("part-%d.bin", i), data[start:end+1])
					out := c.ok(t, "upload-multipart-part", "--vault-name", v, "--upload-id", uploadID,
						"--range", fmt.Sprintf("bytes %d-%d/*", start, end), "--checksum", partHashes[i].String(), "--body", body)
					wantEq(t, fmt.Sprintf("part %d checksum", i), out.str("checksum"), partHashes[i].String())
				})
			}
		}) {
			t.FailNow()
		}
		// A part whose checksum does not match its body is refused.
		body := writeFile(t, c.dir, "part-bad.bin", data[:partSize])
		c.fails(t, "InvalidParameterValueException", "upload-multipart-part", "--vault-name", v, "--upload-id", uploadID,
			"--range", fmt.Sprintf("bytes 0-%d/*", partSize-1), "--checksum", partHashes[1].String(), "--body", body)

		// --no-paginate shows one page with its metadata; the CLI's own
		// pagination (limit 1, one marker per part) keeps only Parts.
		for _, args := range [][]string{{"--no-paginate"}, {"--page-size", "1"}} {
			lp := c.ok(t, "list-parts", append([]string{"--vault-name", v, "--upload-id", uploadID}, args...)...)
			if args[0] == "--no-paginate" {
				wantEq(t, "list-parts MultipartUploadId", lp.str("MultipartUploadId"), uploadID)
				wantEq(t, "list-parts VaultARN", lp.str("VaultARN"), vaultARN(v))
				wantEq(t, "list-parts ArchiveDescription", lp.str("ArchiveDescription"), multi.desc)
				wantEq(t, "list-parts PartSizeInBytes", lp.num("PartSizeInBytes"), partSize)
				if !isoMillis.MatchString(lp.str("CreationDate")) {
					t.Errorf("list-parts CreationDate %q", lp.str("CreationDate"))
				}
				if _, ok := lp["Marker"]; ok {
					t.Errorf("list-parts of all parts has a Marker: %v", lp["Marker"])
				}
			}
			parts := lp.list("Parts")
			if len(parts) != len(partHashes) {
				t.Fatalf("list-parts %v: %d parts, want %d: %v", args, len(parts), len(partHashes), lp)
			}
			for i, p := range parts {
				start := i * partSize
				end := min(start+partSize, len(data)) - 1
				wantEq(t, fmt.Sprintf("part %d RangeInBytes", i), p.str("RangeInBytes"), fmt.Sprintf("%d-%d", start, end))
				wantEq(t, fmt.Sprintf("part %d SHA256TreeHash", i), p.str("SHA256TreeHash"), partHashes[i].String())
			}
		}
		uploads := c.ok(t, "list-multipart-uploads", "--vault-name", v).list("UploadsList")
		if len(uploads) != 1 || uploads[0].str("MultipartUploadId") != uploadID ||
			uploads[0].num("PartSizeInBytes") != partSize || uploads[0].str("ArchiveDescription") != multi.desc ||
			uploads[0].str("VaultARN") != vaultARN(v) || !isoMillis.MatchString(uploads[0].str("CreationDate")) {
			t.Errorf("list-multipart-uploads: %v", uploads)
		}

		whole := treehash.Combine(partHashes).String()
		wantEq(t, "combined part hashes", whole, treeHash(data))
		size := fmt.Sprint(len(data))
		stderr := c.fails(t, "InvalidParameterValueException", "complete-multipart-upload", "--vault-name", v,
			"--upload-id", uploadID, "--archive-size", size, "--checksum", treeHash([]byte("wrong")))
		if !strings.Contains(stderr, "Invalid x-amz-sha256-tree-hash") {
			t.Errorf("complete with a wrong tree hash: %q", stderr)
		}
		// The failed complete leaves the upload in place.
		c.ok(t, "list-parts", "--vault-name", v, "--upload-id", uploadID)
		done := c.ok(t, "complete-multipart-upload", "--vault-name", v, "--upload-id", uploadID,
			"--archive-size", size, "--checksum", whole)
		multi.id = done.str("archiveId")
		wantEq(t, "complete-multipart-upload checksum", done.str("checksum"), whole)
		wantEq(t, "complete-multipart-upload location", done.str("location"), "/"+accountID+"/vaults/"+v+"/archives/"+multi.id)
		c.fails(t, "ResourceNotFoundException", "list-parts", "--vault-name", v, "--upload-id", uploadID)

		// Another upload, aborted.
		c.fails(t, "InvalidParameterValueException", "initiate-multipart-upload", "--vault-name", v, "--part-size", "3145728")
		other := c.ok(t, "initiate-multipart-upload", "--vault-name", v, "--part-size", fmt.Sprint(2*mib)).str("uploadId")
		c.ok(t, "abort-multipart-upload", "--vault-name", v, "--upload-id", other)
		if left := c.ok(t, "list-multipart-uploads", "--vault-name", v).list("UploadsList"); len(left) != 0 {
			t.Errorf("list-multipart-uploads after complete and abort: %v", left)
		}
		c.fails(t, "ResourceNotFoundException", "list-parts", "--vault-name", v, "--upload-id", other)
	})
	if t.Failed() {
		t.FailNow()
	}
	sizes := []int{len(small.data), len(big.data), len(multi.data)}
	t.Run("Inventory", func(t *testing.T) {
		// Right after the uploads: fast shows them, aws the vault's
		// figures before its first inventory.
		if c.aws {
			c.vaultFigures(t, "describe-vault before the first inventory", v, false)
		} else {
			c.vaultFigures(t, "describe-vault after the uploads", v, true, sizes...)
		}
		c.takeInventory(t)
		c.vaultFigures(t, "describe-vault after the inventory", v, true, sizes...)
		want := float64(len(small.data) + len(big.data) + len(multi.data))
		if c.aws {
			want += 3 * awsOverhead
		}
		found := false
		for _, lv := range c.ok(t, "list-vaults").list("VaultList") {
			if lv.str("VaultName") == v {
				found = true
				wantEq(t, "list-vaults NumberOfArchives", lv.num("NumberOfArchives"), 3)
				wantEq(t, "list-vaults SizeInBytes", lv.num("SizeInBytes"), want)
			}
		}
		if !found {
			t.Errorf("list-vaults does not list %s", v)
		}
	})
	t.Run("Jobs", func(t *testing.T) { cliJobs(t, c, v, small.id, big.id, multi.id, small.data, big.data, multi.data) })
	t.Run("DeleteArchive", func(t *testing.T) {
		stderr := c.fails(t, "InvalidParameterValueException", "delete-vault", "--vault-name", v)
		if !strings.Contains(stderr, "Vault not empty or recently written to: "+vaultARN(v)) {
			t.Errorf("delete-vault of a vault with archives: %q", stderr)
		}
		for _, a := range []*archive{small, big, multi} {
			if out := c.ok(t, "delete-archive", "--vault-name", v, "--archive-id", a.id); len(out) != 0 {
				t.Errorf("delete-archive printed %v", out)
			}
		}
		// Deleting a deleted archive is not an error.
		c.ok(t, "delete-archive", "--vault-name", v, "--archive-id", small.id)
		// aws: the figures stay those of the last inventory until the next.
		if c.aws {
			c.vaultFigures(t, "describe-vault after the deletions, before the next inventory", v, true, sizes...)
		} else {
			c.vaultFigures(t, "describe-vault after the deletions", v, true)
		}
		// A retrieval of a just-deleted archive is accepted and fails (at
		// once under fast, when due under aws); an id that never existed is
		// not found.
		job := c.ok(t, "initiate-job", "--vault-name", v,
			"--job-parameters", jsonArg(t, map[string]string{"Type": "archive-retrieval", "ArchiveId": big.id})).str("jobId")
		if c.aws {
			if d := c.ok(t, "describe-job", "--vault-name", v, "--job-id", job); d.str("StatusCode") != "InProgress" {
				t.Errorf("job of a deleted archive, just initiated under --profile aws: StatusCode %q, want InProgress", d.str("StatusCode"))
			}
		}
		if d := c.waitJob(t, v, job); d.str("StatusCode") != "Failed" || d.str("StatusMessage") == "" {
			t.Errorf("job of a deleted archive: StatusCode %q StatusMessage %q, want Failed with a message", d.str("StatusCode"), d.str("StatusMessage"))
		}
		c.fails(t, "InvalidParameterValueException", "get-job-output", "--vault-name", v, "--job-id", job, filepath.Join(t.TempDir(), "out"))
		never := "A" + big.id[1:]
		if never == big.id {
			never = "B" + big.id[1:]
		}
		c.fails(t, "ResourceNotFoundException", "initiate-job", "--vault-name", v,
			"--job-parameters", jsonArg(t, map[string]string{"Type": "archive-retrieval", "ArchiveId": never}))
		if c.aws {
			// Every archive deleted, but not yet in an inventory.
			stderr := c.fails(t, "InvalidParameterValueException", "delete-vault", "--vault-name", v)
			if !strings.Contains(stderr, "Vault not empty or recently written to: "+vaultARN(v)) {
				t.Errorf("delete-vault of an emptied vault before its next inventory: %q", stderr)
			}
		}
		c.takeInventory(t)
		c.vaultFigures(t, "describe-vault of the emptied vault after the inventory", v, true)
		c.ok(t, "delete-vault", "--vault-name", v)
		c.fails(t, "ResourceNotFoundException", "describe-vault", "--vault-name", v)
	})
}

// cliJobs: InitiateJob (archive, ranged archive, inventory in JSON and
// CSV), DescribeJob, ListJobs and GetJobOutput, whole and ranged.
func cliJobs(t *testing.T, c *awsCLI, v, smallID, bigID, multiID string, small, big, multi []byte) {
	initiate := func(t *testing.T, params map[string]any) string {
		t.Helper()
		out := c.ok(t, "initiate-job", "--vault-name", v, "--job-parameters", jsonArg(t, params))
		id := out.str("jobId")
		wantEq(t, "initiate-job location", out.str("location"), "/"+accountID+"/vaults/"+v+"/jobs/"+id)
		if id == "" {
			t.Fatalf("initiate-job %v: no jobId: %v", params, out)
		}
		return id
	}
	var outputs atomic.Int64
	// output runs get-job-output into a file and returns its JSON and bytes.
	output := func(t *testing.T, jobID string, args ...string) (obj, []byte) {
		t.Helper()
		file := filepath.Join(c.dir, fmt.Sprintf("output-%d", outputs.Add(1)))
		out := c.ok(t, "get-job-output", append(append([]string{"--vault-name", v, "--job-id", jobID}, args...), file)...)
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return out, b
	}
	// The retrievals run in parallel; ListJobs then sees all of them.
	var mu sync.Mutex
	var jobIDs []string
	record := func(id string) {
		mu.Lock()
		defer mu.Unlock()
		jobIDs = append(jobIDs, id)
	}
	t.Run("retrievals", func(t *testing.T) {
		cliRetrievals(t, c, v, initiate, output, record, smallID, bigID, multiID, small, big, multi)
	})
	t.Run("ListJobs", func(t *testing.T) {
		for _, args := range [][]string{nil, {"--page-size", "2"}, {"--statuscode", "Succeeded"}, {"--completed", "true"}} {
			list := c.ok(t, "list-jobs", append([]string{"--vault-name", v}, args...)...).list("JobList")
			var got []string
			prev := ""
			for _, j := range list {
				got = append(got, j.str("JobId"))
				if j.str("CreationDate") < prev {
					t.Errorf("list-jobs %v: not in initiation order", args)
				}
				prev = j.str("CreationDate")
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(jobIDs))
			if !slices.Equal(got, want) {
				t.Errorf("list-jobs %v:\n got %v\nwant %v", args, got, want)
			}
		}
		if l := c.ok(t, "list-jobs", "--vault-name", v, "--completed", "false").list("JobList"); len(l) != 0 {
			t.Errorf("list-jobs --completed false: %v", l)
		}
		if l := c.ok(t, "list-jobs", "--vault-name", v, "--statuscode", "InProgress").list("JobList"); len(l) != 0 {
			t.Errorf("list-jobs --statuscode InProgress: %v", l)
		}
		stderr := c.fails(t, "InvalidParameterValueException", "list-jobs", "--vault-name", v, "--statuscode", "finished")
		if !strings.Contains(stderr, "The job status code is not valid: finished") {
			t.Errorf("list-jobs bad statuscode: %q", stderr)
		}
		stderr = c.fails(t, "ResourceNotFoundException", "describe-job", "--vault-name", v, "--job-id", "NOSUCHJOB")
		if !strings.Contains(stderr, "The job ID was not found: NOSUCHJOB") {
			t.Errorf("describe-job of a missing job: %q", stderr)
		}
		c.fails(t, "ResourceNotFoundException", "get-job-output", "--vault-name", v, "--job-id", "NOSUCHJOB", filepath.Join(c.dir, "none"))
	})
}

// cliRetrievals runs the retrieval jobs in parallel, recording their IDs.
func cliRetrievals(t *testing.T, c *awsCLI, v string,
	initiate func(*testing.T, map[string]any) string,
	output func(*testing.T, string, ...string) (obj, []byte),
	record func(string),
	smallID, bigID, multiID string, small, big, multi []byte) {
	// Every job is initiated before any is waited for. Under --profile aws
	// the waiters move the server's clock, and go test runs only as many
	// parallel subtests at once as -parallel (GOMAXPROCS: 2 in CI): a job
	// initiated when its subtest got a slot could be created a day of
	// clock after the first ones completed, which had by then expired (24
	// hours after completion, as in AWS), with their outputs still to be
	// read and ListJobs still to list them. Initiated together, the jobs
	// are all done within 12 hours of clock (Bulk's latest) of each other.
	c.fails(t, "InvalidParameterValueException", "initiate-job", "--vault-name", v, "--job-parameters",
		jsonArg(t, map[string]any{"Type": "archive-retrieval", "ArchiveId": multiID, "RetrievalByteRange": "1-1048576"}))
	rng := fmt.Sprintf("%d-%d", mib, 2*mib-1)
	start := func(params map[string]any) string {
		id := initiate(t, params)
		record(id)
		return id
	}
	wholeJob := start(map[string]any{"Type": "archive-retrieval", "ArchiveId": bigID, "Description": "cli whole", "Tier": "Standard"})
	rangedJob := start(map[string]any{"Type": "archive-retrieval", "ArchiveId": multiID, "RetrievalByteRange": rng, "Tier": "Bulk"})
	expeditedJob := start(map[string]any{"Type": "archive-retrieval", "ArchiveId": smallID, "Tier": "Expedited"})
	jsonJob := start(map[string]any{"Type": "inventory-retrieval", "Format": "JSON", "Description": "cli inventory"})
	csvJob := start(map[string]any{"Type": "inventory-retrieval", "Format": "CSV"})
	limitJob := start(map[string]any{"Type": "inventory-retrieval", "InventoryRetrievalParameters": map[string]string{"Limit": "2"}})
	t.Run("ArchiveRetrieval", func(t *testing.T) {
		t.Parallel()
		id := wholeJob
		d := c.waitJob(t, v, id)
		for k, want := range map[string]any{
			"JobId": id, "JobDescription": "cli whole", "Action": "ArchiveRetrieval", "ArchiveId": bigID,
			"VaultARN": vaultARN(v), "Completed": true, "StatusCode": "Succeeded", "StatusMessage": "Succeeded",
			"ArchiveSizeInBytes": float64(len(big)), "ArchiveSHA256TreeHash": treeHash(big),
			"SHA256TreeHash": treeHash(big), "RetrievalByteRange": fmt.Sprintf("0-%d", len(big)-1), "Tier": "Standard",
		} {
			if d[k] != want {
				t.Errorf("describe-job %s = %v, want %v", k, d[k], want)
			}
		}
		for _, k := range []string{"CreationDate", "CompletionDate"} {
			if !isoMillis.MatchString(d.str(k)) {
				t.Errorf("describe-job %s = %q, want ISO 8601 with milliseconds", k, d.str(k))
			}
		}

		meta, body := output(t, id)
		wantEq(t, "whole output status", meta.num("status"), 200)
		wantEq(t, "whole output checksum", meta.str("checksum"), treeHash(big))
		wantEq(t, "whole output contentType", meta.str("contentType"), "application/octet-stream")
		wantEq(t, "whole output archiveDescription", meta.str("archiveDescription"), "cli three MiB and five bytes")
		wantEq(t, "whole output acceptRanges", meta.str("acceptRanges"), "bytes")
		if !bytes.Equal(body, big) {
			t.Errorf("whole output: %d bytes differ from the %d uploaded", len(body), len(big))
		}

		for _, r := range []struct {
			start, end int
			checksum   bool // the range is tree-hash aligned
		}{
			{0, mib - 1, true},
			{2 * mib, len(big) - 1, true},
			{mib, 3*mib - 1, false}, // MiB aligned only
			{100, 199, false},
		} {
			t.Run(fmt.Sprintf("range=%d-%d", r.start, r.end), func(t *testing.T) {
				t.Parallel()
				meta, body := output(t, id, "--range", fmt.Sprintf("bytes=%d-%d", r.start, r.end))
				want := big[r.start : r.end+1]
				wantEq(t, "status", meta.num("status"), 206)
				wantEq(t, "contentRange", meta.str("contentRange"), fmt.Sprintf("bytes %d-%d/%d", r.start, r.end, len(big)))
				wantChecksum := ""
				if r.checksum {
					wantChecksum = treeHash(want)
				}
				wantEq(t, "checksum", meta.str("checksum"), wantChecksum)
				if !bytes.Equal(body, want) {
					t.Errorf("ranged output: %d bytes differ from the archive's", len(body))
				}
			})
		}
	})
	t.Run("RangedRetrieval", func(t *testing.T) {
		t.Parallel()
		id := rangedJob
		d := c.waitJob(t, v, id)
		want := multi[mib : 2*mib]
		wantEq(t, "RetrievalByteRange", d.str("RetrievalByteRange"), rng)
		wantEq(t, "SHA256TreeHash", d.str("SHA256TreeHash"), treeHash(want))
		wantEq(t, "ArchiveSHA256TreeHash", d.str("ArchiveSHA256TreeHash"), treeHash(multi))
		wantEq(t, "ArchiveSizeInBytes", d.num("ArchiveSizeInBytes"), float64(len(multi)))
		wantEq(t, "Tier", d.str("Tier"), "Bulk")
		meta, body := output(t, id)
		wantEq(t, "output checksum", meta.str("checksum"), treeHash(want))
		wantEq(t, "output archiveDescription", meta.str("archiveDescription"), "cli multipart")
		if !bytes.Equal(body, want) {
			t.Errorf("ranged retrieval output: %d bytes differ from the archive's MiB", len(body))
		}
		// A range of the output is relative to the retrieved range.
		meta, body = output(t, id, "--range", "bytes=0-9")
		wantEq(t, "sub-range contentRange", meta.str("contentRange"), fmt.Sprintf("bytes 0-9/%d", mib))
		if !bytes.Equal(body, want[:10]) {
			t.Errorf("sub-range of a ranged retrieval: %x, want %x", body, want[:10])
		}
	})
	t.Run("ExpeditedRetrieval", func(t *testing.T) {
		t.Parallel()
		id := expeditedJob
		d := c.waitJob(t, v, id)
		wantEq(t, "Tier", d.str("Tier"), "Expedited")
		meta, body := output(t, id)
		wantEq(t, "checksum", meta.str("checksum"), treeHash(small))
		if !bytes.Equal(body, small) {
			t.Errorf("one-byte output %x, want %x", body, small)
		}
	})
	t.Run("InventoryJSON", func(t *testing.T) {
		t.Parallel()
		id := jsonJob
		d := c.waitJob(t, v, id)
		wantEq(t, "Action", d.str("Action"), "InventoryRetrieval")
		wantEq(t, "StatusCode", d.str("StatusCode"), "Succeeded")
		wantEq(t, "InventoryRetrievalParameters.Format", d.sub("InventoryRetrievalParameters").str("Format"), "JSON")
		meta, body := output(t, id)
		wantEq(t, "inventory contentType", meta.str("contentType"), "application/json")
		wantEq(t, "inventory checksum (none for inventories)", meta.str("checksum"), "")
		wantEq(t, "InventorySizeInBytes", d.num("InventorySizeInBytes"), float64(len(body)))
		inv := decodeObj(t, "inventory", string(body))
		wantEq(t, "inventory VaultARN", inv.str("VaultARN"), vaultARN(v))
		got := map[string]obj{}
		for _, a := range inv.list("ArchiveList") {
			got[a.str("ArchiveId")] = a
		}
		for id, want := range map[string][]byte{smallID: small, bigID: big, multiID: multi} {
			a, ok := got[id]
			if !ok {
				t.Errorf("archive %s missing from the inventory", id)
				continue
			}
			wantEq(t, "inventory Size", a.num("Size"), float64(len(want)))
			wantEq(t, "inventory SHA256TreeHash", a.str("SHA256TreeHash"), treeHash(want))
			if !isoSeconds.MatchString(a.str("CreationDate")) {
				t.Errorf("inventory CreationDate %q, want whole seconds", a.str("CreationDate"))
			}
		}
		wantEq(t, "inventory archives", len(got), 3)
	})
	t.Run("InventoryCSV", func(t *testing.T) {
		t.Parallel()
		id := csvJob
		c.waitJob(t, v, id)
		meta, body := output(t, id)
		wantEq(t, "csv contentType", meta.str("contentType"), "text/csv")
		lines := strings.Split(strings.TrimRight(string(body), "\r\n"), "\n")
		wantEq(t, "csv header", strings.TrimRight(lines[0], "\r"), "ArchiveId,ArchiveDescription,CreationDate,Size,SHA256TreeHash")
		wantEq(t, "csv rows", len(lines)-1, 3)
		if !strings.Contains(string(body), fmt.Sprintf("%s,\"cli multipart\",", multiID)) &&
			!strings.Contains(string(body), fmt.Sprintf("%s,cli multipart,", multiID)) {
			t.Errorf("csv lacks the multipart archive's row:\n%s", body)
		}
	})
	t.Run("InventoryLimit", func(t *testing.T) {
		t.Parallel()
		id := limitJob
		d := c.waitJob(t, v, id)
		marker := d.sub("InventoryRetrievalParameters").str("Marker")
		wantEq(t, "InventoryRetrievalParameters.Limit", d.sub("InventoryRetrievalParameters").str("Limit"), "2")
		_, body := output(t, id)
		if n := len(decodeObj(t, "inventory page 1", string(body)).list("ArchiveList")); n != 2 {
			t.Errorf("inventory with Limit 2 lists %d archives", n)
		}
		if marker == "" {
			t.Fatalf("inventory with more archives than Limit has no continuation Marker: %v", d)
		}
		id2 := initiate(t, map[string]any{"Type": "inventory-retrieval", "InventoryRetrievalParameters": map[string]string{"Limit": "2", "Marker": marker}})
		record(id2)
		d2 := c.waitJob(t, v, id2)
		_, body = output(t, id2)
		if n := len(decodeObj(t, "inventory page 2", string(body)).list("ArchiveList")); n != 1 {
			t.Errorf("second inventory page lists %d archives, want 1", n)
		}
		if m := d2.sub("InventoryRetrievalParameters").str("Marker"); m != "" {
			t.Errorf("last inventory page has Marker %q", m)
		}
	})
}

// cliSignatures runs the CLI against a server that verifies SigV4.
func cliSignatures(t *testing.T, bin string, srv *server) {
	withKeys := func(key, secret string) *awsCLI {
		return &awsCLI{bin: bin, url: srv.URL, dir: t.TempDir(),
			env: clientEnv(t, "AWS_ACCESS_KEY_ID="+key, "AWS_SECRET_ACCESS_KEY="+secret)}
	}
	c := withKeys(ownerKey, ownerSecret)
	const v = "cli-signed"
	c.ok(t, "create-vault", "--vault-name", v)
	data := payload(9, 2*mib+3)
	body := writeFile(t, c.dir, "signed.bin", data)
	up := c.ok(t, "upload-archive", "--vault-name", v, "--body", body)
	wantEq(t, "signed upload-archive checksum", up.str("checksum"), treeHash(data))
	uploadID := c.ok(t, "initiate-multipart-upload", "--vault-name", v, "--part-size", fmt.Sprint(mib)).str("uploadId")
	part := writeFile(t, c.dir, "signed-part.bin", data[:mib])
	out := c.ok(t, "upload-multipart-part", "--vault-name", v, "--upload-id", uploadID,
		"--range", fmt.Sprintf("bytes 0-%d/*", mib-1), "--checksum", treeHash(data[:mib]), "--body", part)
	wantEq(t, "signed upload-multipart-part checksum", out.str("checksum"), treeHash(data[:mib]))
	c.ok(t, "abort-multipart-upload", "--vault-name", v, "--upload-id", uploadID)

	bad := withKeys(ownerKey, "not-the-secret")
	bad.fails(t, "InvalidSignatureException", "describe-vault", "--vault-name", v)
	bad.fails(t, "InvalidSignatureException", "upload-archive", "--vault-name", v, "--body", body)
	withKeys("AKIDNOBODY", "x").fails(t, "UnrecognizedClientException", "list-vaults")
	other := withKeys(otherKey, otherSecret)
	r := other.run(t, "describe-vault", "--vault-name", v)
	if r.Code == 0 || !strings.Contains(r.Stderr, "(ResourceNotFoundException)") {
		t.Errorf("another account's describe-vault of %s under its own account: exit %d, %s", v, r.Code, r.Stderr)
	}
	other.fails(t, "AccessDeniedException", "list-tags-for-vault", "--vault-name", v, "--account-id", accountID)

	c.ok(t, "delete-archive", "--vault-name", v, "--archive-id", up.str("archiveId"))
	c.ok(t, "delete-vault", "--vault-name", v)
}
