package conformance

// Scenarios of the data-plane operations: archives, multipart uploads and
// jobs.

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/treehash"
)

const archiveDesc = "conformance archive"

// archiveBody is 2.5 MiB, so its tree hash has several levels.
var archiveBody = data(5*mib/2, 7)

// noRange explains Content-Range's absence on a download without Range.
const noRange = "sent only for a ranged download; this request has no Range header"

func unknownUpload() invalidCase {
	return withParams("unknown upload ID", "uploadId", "conformance-no-such-upload")
}

// partsUpload starts a multipart upload of 1 MiB parts and sends its two
// parts (1 MiB and 0.5 MiB); it returns the upload ID and the archive's
// size and tree hash.
func (e *env) partsUpload(vault, desc string) (string, int64, string) {
	e.t.Helper()
	id := e.initiateUpload(vault, mib, desc)
	body := data(3*mib/2, 9)
	e.uploadPart(vault, id, 0, body[:mib])
	e.uploadPart(vault, id, mib, body[mib:])
	return id, int64(len(body)), treehash.Sum(body).String()
}

func dataPlane() map[string]scenario {
	return map[string]scenario{
		"UploadArchive": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				return []variant{
					{name: "with description", p: params{"vaultName": v, "archiveDescription": archiveDesc, "body": archiveBody}},
					{name: "without description", p: params{"vaultName": v, "body": data(100, 1)}},
				}
			},
			invalid: []invalidCase{
				withParams("tree hash mismatch", "checksum", treehash.Sum([]byte("other")).String()),
				dropHeader("no x-amz-sha256-tree-hash", "x-amz-sha256-tree-hash"),
				unknownVault(),
			},
		},
		"DeleteArchive": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				return one(params{"vaultName": v, "archiveId": e.upload(v, data(100, 2), "")})
			},
			invalid: []invalidCase{
				{"archive of another vault", func(e *env, p params) request {
					id := e.upload(e.vault("v"), data(100, 3), "")
					return request{p: p.with("vaultName", e.vault("other"), "archiveId", id)}
				}},
				unknownVault(),
				noVersion(),
			},
		},
		"InitiateMultipartUpload": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				return []variant{
					{name: "with description", p: params{"vaultName": v, "partSize": fmt.Sprint(mib), "archiveDescription": archiveDesc}},
					{name: "without description", p: params{"vaultName": v, "partSize": fmt.Sprint(4 * mib)}},
				}
			},
			invalid: []invalidCase{
				withParams("part size not a power of two", "partSize", "1000"),
				dropHeader("no x-amz-part-size", "x-amz-part-size"),
				unknownVault(),
			},
		},
		"ListMultipartUploads": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				e.initiateUpload(v, mib, archiveDesc)
				e.initiateUpload(v, 2*mib, "")
				return []variant{
					{name: "first page", p: params{"vaultName": v, "limit": "1"}},
					{name: "all", p: params{"vaultName": v}},
				}
			},
			invalid: []invalidCase{withParams("limit 0", "limit", "0"), unknownVault()},
		},
		"UploadMultipartPart": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				id := e.initiateUpload(v, mib, "")
				return one(params{"vaultName": v, "uploadId": id, "range": fmt.Sprintf("bytes 0-%d/*", mib-1), "body": data(mib, 4)})
			},
			invalid: []invalidCase{
				withParams("misaligned range", "range", fmt.Sprintf("bytes 1-%d/*", mib)),
				withParams("tree hash mismatch", "checksum", treehash.Sum([]byte("other")).String()),
				unknownUpload(),
			},
		},
		"CompleteMultipartUpload": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				id, size, hash := e.partsUpload(v, archiveDesc)
				return one(params{"vaultName": v, "uploadId": id, "archiveSize": fmt.Sprint(size), "checksum": hash})
			},
			invalid: []invalidCase{
				{"tree hash mismatch", func(e *env, p params) request {
					id, size, _ := e.partsUpload(p["vaultName"].(string), "")
					return request{p: p.with("uploadId", id, "archiveSize", fmt.Sprint(size), "checksum", treehash.Sum([]byte("x")).String())}
				}},
				{"no x-amz-archive-size", func(e *env, p params) request {
					id, _, hash := e.partsUpload(p["vaultName"].(string), "")
					return request{p: p.with("uploadId", id, "checksum", hash), mutate: headerDropper("x-amz-archive-size")}
				}},
				unknownUpload(),
			},
		},
		"AbortMultipartUpload": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				return one(params{"vaultName": v, "uploadId": e.initiateUpload(v, mib, "")})
			},
			invalid: []invalidCase{unknownUpload(), unknownVault()},
		},
		"ListParts": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				withDesc, _, _ := e.partsUpload(v, archiveDesc)
				plain, _, _ := e.partsUpload(v, "")
				return []variant{
					{name: "first page", p: params{"vaultName": v, "uploadId": withDesc, "limit": "1"}},
					{name: "no description", p: params{"vaultName": v, "uploadId": plain}},
				}
			},
			invalid: []invalidCase{unknownUpload(), withParams("limit 0", "limit", "0")},
		},
		"InitiateJob": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				id := e.upload(v, archiveBody, archiveDesc)
				// x-amz-job-output-path is modelled for select jobs only
				selectOnly := map[string]string{"x-amz-job-output-path": "set for select jobs only; these are retrievals"}
				return []variant{
					{name: "archive retrieval", absent: selectOnly, p: params{"vaultName": v, "jobParameters": map[string]any{
						"Type": "archive-retrieval", "ArchiveId": id, "Description": "conformance", "SNSTopic": topicARN,
						"Tier": "Standard", "RetrievalByteRange": fmt.Sprintf("0-%d", mib-1)}}},
					{name: "inventory retrieval", absent: selectOnly, p: params{"vaultName": v, "jobParameters": map[string]any{
						"Type": "inventory-retrieval", "Format": "CSV",
						"InventoryRetrievalParameters": map[string]string{"Limit": "5", "StartDate": "2000-01-01T00:00:00Z"}}}},
					{name: "select", p: params{"vaultName": v, "jobParameters": selectParams(id)}},
				}
			},
			invalid: []invalidCase{
				withParams("unknown archive", "jobParameters", map[string]any{"Type": "archive-retrieval", "ArchiveId": "conformance-no-such-archive"}),
				withParams("unknown job type", "jobParameters", map[string]any{"Type": "restore"}),
				malformedBody(`{"Type":`),
			},
		},
		"ListJobs": {
			valid: func(e *env) []variant {
				v := e.jobsVault()
				return []variant{
					{name: "all", p: params{"vaultName": v}},
					{name: "first page", p: params{"vaultName": v, "limit": "1"}},
					{name: "completed", p: params{"vaultName": v, "completed": "true"}},
					{name: "in progress", p: params{"vaultName": v, "statuscode": "InProgress"}},
				}
			},
			invalid: []invalidCase{
				withParams("unknown status code", "statuscode", "finished"),
				withParams("limit 0", "limit", "0"),
				unknownVault(),
			},
		},
		"DescribeJob": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				id := e.upload(v, archiveBody, archiveDesc)
				archive, inventory := e.archiveJob(v, id), e.inventoryJob(v)
				e.waitJob(v, archive)
				e.waitJob(v, inventory)
				pending := e.job(v, &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), Tier: aws.String("Bulk")})
				sel := e.selectJob(v, id)
				return []variant{
					{name: "select job", p: params{"vaultName": v, "jobId": sel}},
					{name: "archive job", p: params{"vaultName": v, "jobId": archive}},
					{name: "inventory job", p: params{"vaultName": v, "jobId": inventory}},
					{name: "job in progress", p: params{"vaultName": v, "jobId": pending}},
				}
			},
			invalid: []invalidCase{withParams("unknown job", "jobId", "conformance-no-such-job"), unknownVault()},
		},
		"GetJobOutput": {
			valid: func(e *env) []variant {
				v := e.vault("v")
				id := e.upload(v, archiveBody, archiveDesc)
				archive, inventory := e.archiveJob(v, id), e.inventoryJob(v)
				e.waitJob(v, archive)
				e.waitJob(v, inventory)
				return []variant{
					{name: "archive", p: params{"vaultName": v, "jobId": archive},
						absent: map[string]string{"Content-Range": noRange}},
					{name: "inventory", p: params{"vaultName": v, "jobId": inventory}, absent: map[string]string{
						"Content-Range":             noRange,
						"x-amz-archive-description": "archive jobs only (spec 2.4)",
						"x-amz-sha256-tree-hash":    "not sent for inventory output (spec 2.4)",
					}},
				}
			},
			invalid: []invalidCase{
				withParams("unknown job", "jobId", "conformance-no-such-job"),
				{"job in progress", func(e *env, p params) request {
					v := p["vaultName"].(string)
					id := e.upload(v, data(100, 5), "")
					job := e.job(v, &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), Tier: aws.String("Bulk")})
					return request{p: p.with("jobId", job)}
				}},
				withParams("malformed Range", "range", "bytes=x-y"),
				withParams("unsatisfiable Range", "range", fmt.Sprintf("bytes=%d-", len(archiveBody)+1)),
			},
		},
	}
}

// jobsVault makes a vault with a completed archive job, a completed
// inventory job and an archive job still in progress.
func (e *env) jobsVault() string {
	e.t.Helper()
	v := e.vault("v")
	id := e.upload(v, archiveBody, archiveDesc)
	archive, inventory := e.archiveJob(v, id), e.inventoryJob(v)
	e.waitJob(v, archive)
	e.waitJob(v, inventory)
	e.job(v, &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), Tier: aws.String("Bulk")})
	return v
}
