package api_test

// InitiateJob: the accepted request's headers and the validation of every
// job parameter (spec 2.4, 3.3, 7.3).

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
)

var jbJobIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{92}$`)

const jbInvalid = "InvalidParameterValueException"

func TestJobInitiateArchiveRetrievalHeaders(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("hello"), "")
	out, err := jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id)})
	mustOK(t, "InitiateJob", err)
	jobID := aws.ToString(out.JobId)
	if !jbJobIDPattern.MatchString(jobID) {
		t.Errorf("x-amz-job-id = %q (%d chars), want 92 chars of [A-Za-z0-9_-]", jobID, len(jobID))
	}
	if got, want := aws.ToString(out.Location), "/"+testAccount+"/vaults/V/jobs/"+jobID; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if out.JobOutputPath != nil {
		t.Errorf("x-amz-job-output-path = %q on an archive retrieval, want none", *out.JobOutputPath)
	}

	// The raw response: 202, no body.
	r := rawRequest(t, srv, http.MethodPost, "/-/vaults/V/jobs", []byte(`{"Type":"archive-retrieval","ArchiveId":"`+id+`"}`))
	if r.Status != http.StatusAccepted {
		t.Fatalf("InitiateJob: HTTP %d, want 202: %s", r.Status, r.Body)
	}
	rid := r.Header.Get("x-amz-job-id")
	if len(rid) != 92 {
		t.Errorf("x-amz-job-id = %q, want 92 chars", rid)
	}
	if got, want := r.Header.Get("Location"), "/"+testAccount+"/vaults/V/jobs/"+rid; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if len(r.Body) != 0 {
		t.Errorf("InitiateJob body = %q, want none", r.Body)
	}
	if rid == jobID {
		t.Error("two jobs got the same ID")
	}

	// The documentation's {"jobParameters": {...}} wrapper is accepted too.
	r = rawRequest(t, srv, http.MethodPost, "/-/vaults/V/jobs", []byte(`{"jobParameters":{"Type":"inventory-retrieval"}}`))
	if r.Status != http.StatusAccepted {
		t.Errorf("wrapped InitiateJob: HTTP %d, want 202: %s", r.Status, r.Body)
	}
}

func TestJobInitiateUnknownArchiveAndVault(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	bogus := strings.Repeat("A", 138)
	_, err := jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(bogus)})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "The archive ID was not found: "+bogus)

	// An archive of another vault is not found either.
	createVault(t, c, "W")
	other := jbUpload(t, c, "W", []byte("x"), "")
	_, err = jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(other)})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "The archive ID was not found: "+other)

	_, err = jbInitErr(t, c, "nope", types.JobParameters{Type: aws.String("inventory-retrieval")})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+vaultARN(testRegion, testAccount, "nope"))

	// A deleted archive is accepted (and the job fails) for a day, then it
	// is not found: jb_failed_test.go.
}

func TestJobInitiateRetrievalByteRange(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	const size = 3*miB + 5
	id := jbUpload(t, c, "V", jbData(size, 1), "")
	small := jbUpload(t, c, "V", jbData(1000, 2), "")

	for _, r := range []string{
		"0-1048575",       // the first MiB
		"1048576-3145727", // MiB 1 and 2
		"0-3145727",       // all whole MiBs
		"0-3145732",       // the whole archive
		"2097152-3145732", // ends at the last byte
		"3145728-3145732", // the 5-byte tail
		"1048576-2097151", // one MiB in the middle
		"2097152-3145727", // spec's doc-example pattern
		"1048576-3145732", // aligned start, to the end
		"0-2097151",       // two MiB
	} {
		_, err := jbInitErr(t, c, "V", types.JobParameters{
			Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), RetrievalByteRange: aws.String(r),
		})
		if err != nil {
			t.Errorf("RetrievalByteRange %q: %v, want accepted", r, err)
		}
	}
	if _, err := jbInitErr(t, c, "V", types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(small), RetrievalByteRange: aws.String("0-999"),
	}); err != nil {
		t.Errorf("RetrievalByteRange 0-999 of a 1000-byte archive: %v, want accepted", err)
	}

	for _, r := range []string{
		"1-1048575",       // unaligned start
		"512-1048575",     // unaligned start
		"0-1048574",       // unaligned end, not the last byte
		"0-1048576",       // unaligned end, not the last byte
		"1048576-3145731", // one short of the last byte
		"0-3145733",       // one past the end
		"0-4194303",       // aligned but beyond the archive
		"4194304-5242879", // entirely beyond the archive
		"3145728-3145733", // tail past the end
		"2097152-1048575", // reversed
		"1048576-0",       // reversed
		"abc",             // garbage
		"0-",              // no end
		"-1048575",        // no start
		"bytes=0-1048575", // HTTP Range form
		"0-1048575-2",     // extra part
		"0x0-1048575",     // not decimal
		"-1-1048575",      // negative
		"0 - 1048575",     // spaces
		"0-1048575 ",      // trailing space
	} {
		_, err := jbInitErr(t, c, "V", types.JobParameters{
			Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), RetrievalByteRange: aws.String(r),
		})
		if !wantAPIError(t, err, 400, jbInvalid, "") {
			t.Logf("... for RetrievalByteRange %q", r)
		}
	}
	_, err := jbInitErr(t, c, "V", types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(small), RetrievalByteRange: aws.String("0-1048575"),
	})
	wantAPIError(t, err, 400, jbInvalid, "")

	// The one-byte archive: 0-0 ends at the last byte.
	one := jbUpload(t, c, "V", []byte{7}, "")
	job := jbRangeJob(t, c, "V", one, "0-0")
	if d := jbDescribe(t, c, "V", job); aws.ToString(d.SHA256TreeHash) != treeHash([]byte{7}) || aws.ToString(d.RetrievalByteRange) != "0-0" {
		t.Errorf("range 0-0 of a 1-byte archive: SHA256TreeHash %v RetrievalByteRange %v", d.SHA256TreeHash, d.RetrievalByteRange)
	}
	if _, out := jbOutput(t, c, "V", job, ""); string(out) != "\x07" {
		t.Errorf("range 0-0 output = %q", out)
	}
	_, err = jbInitErr(t, c, "V", types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(one), RetrievalByteRange: aws.String("0-1"),
	})
	wantAPIError(t, err, 400, jbInvalid, "")
}

func TestJobInitiateTier(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("tiered"), "")
	for _, tier := range []string{"", "Standard", "Expedited", "Bulk"} {
		jobID := jbArchiveJob(t, c, "V", id, tier)
		want := tier
		if want == "" {
			want = "Standard"
		}
		if got := aws.ToString(jbDescribe(t, c, "V", jobID).Tier); got != want {
			t.Errorf("Tier %q: DescribeJob Tier = %q, want %q", tier, got, want)
		}
	}
	for _, tier := range []string{"Fast", "standard", "BULK", " Bulk"} {
		_, err := jbInitErr(t, c, "V", types.JobParameters{
			Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), Tier: aws.String(tier),
		})
		if !wantAPIError(t, err, 400, jbInvalid, "") {
			t.Logf("... for Tier %q", tier)
		}
	}
	// An empty Tier string is not a tier either (raw: the SDK sends it).
	r := rawRequest(t, srv, http.MethodPost, "/-/vaults/V/jobs", []byte(`{"Type":"archive-retrieval","ArchiveId":"`+id+`","Tier":""}`))
	if r.Status != http.StatusBadRequest {
		t.Errorf(`Tier "": HTTP %d, want 400: %s`, r.Status, r.Body)
	}
}

func TestJobInitiateDescriptionAndTopic(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("desc"), "")
	ok := func(p types.JobParameters) types.JobParameters {
		p.Type, p.ArchiveId = aws.String("archive-retrieval"), aws.String(id)
		return p
	}
	// Accepted: the longest description, every printable ASCII character,
	// a well-formed topic of another region and account.
	printable := make([]byte, 0, 95)
	for b := byte(0x20); b <= 0x7e; b++ {
		printable = append(printable, b)
	}
	for _, p := range []types.JobParameters{
		{Description: aws.String(strings.Repeat("d", 1024))},
		{Description: aws.String(string(printable))},
		{Description: aws.String("")},
		{SNSTopic: aws.String("arn:aws:sns:eu-west-1:111122223333:my-topic")},
		{SNSTopic: aws.String(jbTopic("t.fifo"))},
	} {
		if _, err := jbInitErr(t, c, "V", ok(p)); err != nil {
			t.Errorf("InitiateJob(%q, %q): %v, want accepted", aws.ToString(p.Description), aws.ToString(p.SNSTopic), err)
		}
	}
	for _, p := range []types.JobParameters{
		{Description: aws.String(strings.Repeat("d", 1025))},
		{Description: aws.String("café")},
		{Description: aws.String("tab\there")},
		{Description: aws.String("new\nline")},
		{Description: aws.String("del\x7f")},
		{SNSTopic: aws.String("not-an-arn")},
		{SNSTopic: aws.String("arn:aws:sqs:us-east-1:123456789012:queue")},
		{SNSTopic: aws.String("arn:aws:sns:us-east-1:12345:topic")},
		{SNSTopic: aws.String("arn:aws:sns:us-east-1:123456789012:")},
		{SNSTopic: aws.String("")},
	} {
		_, err := jbInitErr(t, c, "V", ok(p))
		if !wantAPIError(t, err, 400, jbInvalid, "") {
			t.Logf("... for Description %q SNSTopic %q", aws.ToString(p.Description), aws.ToString(p.SNSTopic))
		}
	}
}

func TestJobInitiateFieldsOfTheWrongType(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("typed"), "")
	arch := func(p types.JobParameters) types.JobParameters {
		p.Type, p.ArchiveId = aws.String("archive-retrieval"), aws.String(id)
		return p
	}
	inv := func(p types.JobParameters) types.JobParameters {
		p.Type = aws.String("inventory-retrieval")
		return p
	}
	for name, p := range map[string]types.JobParameters{
		"archive Format JSON":  arch(types.JobParameters{Format: aws.String("JSON")}),
		"archive Format CSV":   arch(types.JobParameters{Format: aws.String("CSV")}),
		"archive inventory ps": arch(types.JobParameters{InventoryRetrievalParameters: &types.InventoryRetrievalJobInput{Limit: aws.String("1")}}),
		"archive empty ps":     arch(types.JobParameters{InventoryRetrievalParameters: &types.InventoryRetrievalJobInput{}}),
		"inventory ArchiveId":  inv(types.JobParameters{ArchiveId: aws.String(id)}),
		"inventory range":      inv(types.JobParameters{RetrievalByteRange: aws.String("0-4")}),
		"inventory Format xml": inv(types.JobParameters{Format: aws.String("XML")}),
		"inventory Format csv": inv(types.JobParameters{Format: aws.String("csv")}),
		"archive Select":       arch(types.JobParameters{SelectParameters: &types.SelectParameters{Expression: aws.String("select * from archive")}}),
	} {
		_, err := jbInitErr(t, c, "V", p)
		if !wantAPIError(t, err, 400, jbInvalid, "") {
			t.Logf("... for %s", name)
		}
	}
	// archive-retrieval without an ArchiveId is missing a parameter.
	_, err := jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("archive-retrieval")})
	wantAPIError(t, err, 400, "MissingParameterValueException", "")
	// Inventory jobs accept both formats.
	for _, f := range []string{"JSON", "CSV"} {
		jbInventoryJob(t, c, "V", f, nil)
	}

	// Raw bodies: no Type, an unknown Type, malformed JSON.
	for body, code := range map[string]string{
		`{}`:                         "MissingParameterValueException",
		`{"ArchiveId":"` + id + `"}`: "MissingParameterValueException",
		`{"Type":"restore"}`:         jbInvalid,
		`{"Type":"ARCHIVE-RETRIEVAL","ArchiveId":"` + id + `"}`: jbInvalid,
	} {
		r := rawRequest(t, srv, http.MethodPost, "/-/vaults/V/jobs", []byte(body))
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"`+code+`"`) {
			t.Errorf("InitiateJob %s: HTTP %d %s, want 400 %s", body, r.Status, r.Body, code)
		}
	}
}

func TestJobInitiateTypeMissingBogusSelect(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("sel"), "")

	_, err := jbInitErr(t, c, "V", types.JobParameters{ArchiveId: aws.String(id)})
	wantAPIError(t, err, 400, "MissingParameterValueException", "")
	_, err = c.InitiateJob(t.Context(), &glacier.InitiateJobInput{VaultName: aws.String("V")})
	wantAPIError(t, err, 400, "", "")

	_, err = jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("bogus"), ArchiveId: aws.String(id)})
	wantAPIError(t, err, 400, jbInvalid, "")

	_, err = jbInitErr(t, c, "V", types.JobParameters{
		Type: aws.String("select"), ArchiveId: aws.String(id),
		SelectParameters: &types.SelectParameters{Expression: aws.String("select * from archive"), ExpressionType: types.ExpressionTypeSql},
		OutputLocation:   &types.OutputLocation{S3: &types.S3Location{BucketName: aws.String("b"), Prefix: aws.String("p")}},
	})
	// A select job is accepted (jb_select_test.go), but "b" is no S3
	// bucket name.
	wantAPIErrorContaining(t, err, 400, jbInvalid, "BucketName")
	// No job was created by any rejected request.
	if ids := jbJobIDs(t, c, "V", "", ""); len(ids) != 0 {
		t.Errorf("ListJobs after rejected requests: %d jobs, want 0", len(ids))
	}
}
