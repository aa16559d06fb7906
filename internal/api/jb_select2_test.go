package api_test

// Select jobs: what InitiateJob refuses, failing jobs and their error
// files, the S3 options passed to each object, and the job elsewhere.

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"permafrost/internal/s3test"
)

func TestJBSelectRefused(t *testing.T) {
	srv, s3srv := jbNewSelect(t)
	c, sc := srv.Client, s3srv.Client()
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte(selectCSV), "csv")
	ok := selectJob{expr: "SELECT * FROM ARCHIVE"}
	with := func(f func(*types.JobParameters)) types.JobParameters {
		p := ok.params(id, "r")
		f(&p)
		return p
	}
	for _, tc := range []struct {
		name, code, msg string
		p               types.JobParameters
	}{
		{"COUNT", jbInvalid, "UnsupportedSqlOperation", selectJob{expr: "SELECT COUNT(*) FROM ARCHIVE"}.params(id, "r")},
		{"SUM", jbInvalid, "UnsupportedSqlOperation", selectJob{expr: "SELECT SUM(CAST(_4 AS INT)) FROM ARCHIVE"}.params(id, "r")},
		{"LIMIT", jbInvalid, "UnsupportedSqlOperation", selectJob{expr: "SELECT * FROM ARCHIVE LIMIT 1"}.params(id, "r")},
		{"syntax", jbInvalid, "at character", selectJob{expr: "SELECT FROM ARCHIVE"}.params(id, "r")},
		{"expression too long", jbInvalid, "128000", selectJob{expr: "SELECT * FROM ARCHIVE WHERE _1 = '" + strings.Repeat("x", 128000) + "'"}.params(id, "r")},
		{"no expression", "MissingParameterValueException", "Expression", with(func(p *types.JobParameters) { p.SelectParameters.Expression = nil })},
		{"ExpressionType missing", "MissingParameterValueException", "ExpressionType", with(func(p *types.JobParameters) { p.SelectParameters.ExpressionType = "" })},
		{"ExpressionType bogus", jbInvalid, "ExpressionType", with(func(p *types.JobParameters) { p.SelectParameters.ExpressionType = "XQUERY" })},
		{"FileHeaderInfo bogus", jbInvalid, "FileHeaderInfo", with(func(p *types.JobParameters) {
			p.SelectParameters.InputSerialization = &types.InputSerialization{Csv: &types.CSVInput{FileHeaderInfo: "MAYBE"}}
		})},
		{"two-byte field delimiter", jbInvalid, "InvalidRequestParameter", with(func(p *types.JobParameters) {
			p.SelectParameters.InputSerialization = &types.InputSerialization{Csv: &types.CSVInput{FieldDelimiter: aws.String(";;")}}
		})},
		{"QuoteFields bogus", jbInvalid, "QuoteFields", with(func(p *types.JobParameters) {
			p.SelectParameters.OutputSerialization = &types.OutputSerialization{Csv: &types.CSVOutput{QuoteFields: "SOMETIMES"}}
		})},
		{"no SelectParameters", "MissingParameterValueException", "SelectParameters", with(func(p *types.JobParameters) { p.SelectParameters = nil })},
		{"no OutputLocation", "MissingParameterValueException", "OutputLocation", with(func(p *types.JobParameters) { p.OutputLocation = nil })},
		{"no bucket", "MissingParameterValueException", "BucketName", with(func(p *types.JobParameters) { p.OutputLocation.S3.BucketName = nil })},
		{"no prefix", "MissingParameterValueException", "Prefix", with(func(p *types.JobParameters) { p.OutputLocation.S3.Prefix = nil })},
		{"path over 512 bytes", jbInvalid, "512", with(func(p *types.JobParameters) {
			p.OutputLocation.S3.Prefix = aws.String(strings.Repeat("pppppppppp/", 40))
		})},
		{"bucket that does not exist", jbInvalid, "does not exist", with(func(p *types.JobParameters) { p.OutputLocation.S3.BucketName = aws.String("no-such-bucket") })},
		{"tag the S3 service refuses", jbInvalid, "refused", with(func(p *types.JobParameters) { p.OutputLocation.S3.Tagging = map[string]string{"a": "b&c"} })},
		{"CannedACL bogus", jbInvalid, "CannedACL", with(func(p *types.JobParameters) { p.OutputLocation.S3.CannedACL = "everyone" })},
		{"StorageClass bogus", jbInvalid, "StorageClass", with(func(p *types.JobParameters) { p.OutputLocation.S3.StorageClass = "GLACIER" })},
		{"EncryptionType bogus", jbInvalid, "EncryptionType", with(func(p *types.JobParameters) {
			p.OutputLocation.S3.Encryption = &types.Encryption{EncryptionType: "ROT13"}
		})},
		{"grant Permission bogus", jbInvalid, "Permission", with(func(p *types.JobParameters) {
			p.OutputLocation.S3.AccessControlList = []types.Grant{{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String("x")}, Permission: "ALL"}}
		})},
		{"Tier bogus", jbInvalid, "tier", with(func(p *types.JobParameters) { p.Tier = aws.String("Slow") })},
		{"RetrievalByteRange", jbInvalid, "RetrievalByteRange", with(func(p *types.JobParameters) { p.RetrievalByteRange = aws.String("0-1048575") })},
		{"Format", jbInvalid, "Format", with(func(p *types.JobParameters) { p.Format = aws.String("CSV") })},
		{"no ArchiveId", "MissingParameterValueException", "ArchiveId", with(func(p *types.JobParameters) { p.ArchiveId = nil })},
		{"unknown archive", "ResourceNotFoundException", "", with(func(p *types.JobParameters) { p.ArchiveId = aws.String(strings.Repeat("A", 138)) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jbInitErr(t, c, "V", tc.p)
			wantAPIErrorContaining(t, err, 400+map[bool]int{true: 4}[tc.code == "ResourceNotFoundException"], tc.code, tc.msg)
		})
	}
	// A select body given to another job type is refused too.
	p := ok.params(id, "r")
	p.Type = aws.String("archive-retrieval")
	_, err := jbInitErr(t, c, "V", p)
	wantAPIError(t, err, 400, jbInvalid, "")
	// Nothing was created: no job, no object.
	if ids := jbJobIDs(t, c, "V", "", ""); len(ids) != 0 {
		t.Errorf("ListJobs after refused requests: %d jobs", len(ids))
	}
	if keys := s3Keys(t, sc, "r"); len(keys) != 0 {
		t.Errorf("objects after refused requests: %q", keys)
	}
}

func TestJBSelectFailedJob(t *testing.T) {
	srv, s3srv := jbNewSelect(t)
	c, sc := srv.Client, s3srv.Client()
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte(selectCSV), "csv")
	big := jbUpload(t, c, "V", []byte("a,"+strings.Repeat("x", 1<<20+10)+"\n"), "a record over 1 MB")
	for _, tc := range []struct {
		name, archive string
		job           selectJob
		code, msg     string
	}{
		{"CAST of an empty field", id, selectJob{expr: "SELECT CAST(_4 AS INT) FROM ARCHIVE"}, "CastFailed",
			"Attempt to convert from one data type to another using CAST failed in the SQL expression."},
		{"unknown header name", id, selectJob{expr: "SELECT nosuch FROM ARCHIVE", in: &types.CSVInput{FileHeaderInfo: types.FileHeaderInfoUse}},
			"MissingHeaderName", "Some headers in the query are missing from the file. Check the file and try again."},
		{"record over 1 MB", big, selectJob{expr: "SELECT _1 FROM ARCHIVE"}, "OverMaxRecordSize",
			"The length of a record in the input or result is greater than maxCharsPerRecord of 1 MB."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, d := runSelect(t, c, tc.archive, "f", tc.job)
			if d.StatusCode != types.StatusCodeFailed || aws.ToString(d.StatusMessage) != tc.msg || !d.Completed {
				t.Errorf("job %s (%q), want Failed (%q)", d.StatusCode, aws.ToString(d.StatusMessage), tc.msg)
			}
			keys := s3Keys(t, sc, path)
			want := []string{path + "error_manifest.txt", path + "errors/error_0.txt", path + "job.txt"}
			if strings.Join(keys, " ") != strings.Join(want, " ") {
				t.Fatalf("objects %q, want %q", keys, want)
			}
			if got := s3Get(t, sc, path+"error_manifest.txt"); got != path+"errors/error_0.txt\n" {
				t.Errorf("error_manifest.txt %q", got)
			}
			var e struct{ ErrorCode, ErrorMessage string }
			if err := json.Unmarshal([]byte(s3Get(t, sc, path+"errors/error_0.txt")), &e); err != nil || e.ErrorCode != tc.code || e.ErrorMessage != tc.msg {
				t.Errorf("error object %+v (%v), want %s %q", e, err, tc.code, tc.msg)
			}
			// GetJobOutput is not the results channel of a select job.
			_, err := c.GetJobOutput(t.Context(), &glacier.GetJobOutputInput{VaultName: aws.String("V"), JobId: d.JobId})
			wantAPIErrorContaining(t, err, 400, jbInvalid, "select job")
		})
	}
}

func TestJBSelectS3Options(t *testing.T) {
	srv, s3srv := jbNewSelect(t)
	c, sc := srv.Client, s3srv.Client()
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte(selectCSV), "csv")
	job := selectJob{expr: "SELECT _1 FROM ARCHIVE", loc: func(l *types.S3Location) {
		l.StorageClass = types.StorageClassStandardInfrequentAccess
		l.Tagging = map[string]string{"team": "data", "k 2": "v w/1"}
		l.UserMetadata = map[string]string{"origin": "glacier"}
	}}
	path, d := runSelect(t, c, id, "o", job)
	if d.StatusCode != types.StatusCodeSucceeded {
		t.Fatalf("job %s: %s", d.StatusCode, aws.ToString(d.StatusMessage))
	}
	if l := d.OutputLocation.S3; l.StorageClass != types.StorageClassStandardInfrequentAccess || l.Tagging["k 2"] != "v w/1" || l.UserMetadata["origin"] != "glacier" {
		t.Errorf("DescribeJob OutputLocation.S3 %+v", l)
	}
	for _, key := range []string{path + "job.txt", path + "results/result_0.csv", path + "result_manifest.txt"} {
		h, err := sc.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(s3test.Bucket), Key: aws.String(key)})
		mustOK(t, "HeadObject "+key, err)
		// versitygw's posix backend keeps no storage class (it reports
		// STANDARD for every object): only the metadata is checked here.
		if h.Metadata["origin"] != "glacier" {
			t.Errorf("%s: metadata %v", key, h.Metadata)
		}
		tg, err := sc.GetObjectTagging(t.Context(), &s3.GetObjectTaggingInput{Bucket: aws.String(s3test.Bucket), Key: aws.String(key)})
		mustOK(t, "GetObjectTagging "+key, err)
		got := map[string]string{}
		for _, x := range tg.TagSet {
			got[aws.ToString(x.Key)] = aws.ToString(x.Value)
		}
		if len(got) != 2 || got["team"] != "data" || got["k 2"] != "v w/1" {
			t.Errorf("%s: tags %v", key, got)
		}
	}
}
