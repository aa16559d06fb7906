package api_test

// Select jobs end to end: CSV archives queried by InitiateJob Type select,
// the objects written to a real S3 server (versitygw, --s3-endpoint) and
// read back with an S3 client.

import (
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"permafrost/internal/config"
	"permafrost/internal/s3test"
	"permafrost/internal/testserver"
)

func jbNewSelect(t *testing.T) (*testserver.Server, *s3test.Server) {
	t.Helper()
	s3 := s3test.Start(t)
	s3test.UseEnv()
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) { c.S3Endpoint = s3.Endpoint }))
	return srv, s3
}

// selectJob describes one select job: expression and CSV options.
type selectJob struct {
	expr string
	in   *types.CSVInput
	out  *types.CSVOutput
	loc  func(*types.S3Location)
}

func (sj selectJob) params(archiveID, prefix string) types.JobParameters {
	sp := &types.SelectParameters{Expression: aws.String(sj.expr), ExpressionType: types.ExpressionTypeSql}
	if sj.in != nil {
		sp.InputSerialization = &types.InputSerialization{Csv: sj.in}
	}
	if sj.out != nil {
		sp.OutputSerialization = &types.OutputSerialization{Csv: sj.out}
	}
	loc := &types.S3Location{BucketName: aws.String(s3test.Bucket), Prefix: aws.String(prefix)}
	if sj.loc != nil {
		sj.loc(loc)
	}
	return types.JobParameters{Type: aws.String("select"), ArchiveId: aws.String(archiveID), SelectParameters: sp,
		OutputLocation: &types.OutputLocation{S3: loc}}
}

func s3Get(t *testing.T, c *s3.Client, key string) string {
	t.Helper()
	out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(s3test.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
	return string(b)
}

func s3Keys(t *testing.T, c *s3.Client, prefix string) []string {
	t.Helper()
	out, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(s3test.Bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatalf("ListObjectsV2 %s: %v", prefix, err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	slices.Sort(keys)
	return keys
}

// runSelect initiates a select job, checks its 202 headers, waits for it
// (no delay here) and returns its output path and description.
func runSelect(t *testing.T, c *glacier.Client, archiveID, prefix string, sj selectJob) (string, *glacier.DescribeJobOutput) {
	t.Helper()
	out, err := jbInitErr(t, c, "V", sj.params(archiveID, prefix))
	mustOK(t, "InitiateJob select "+sj.expr, err)
	id := aws.ToString(out.JobId)
	if got, want := aws.ToString(out.JobOutputPath), prefix+"/"+id+"/"; got != want {
		t.Errorf("x-amz-job-output-path %q, want %q", got, want)
	}
	if !strings.HasSuffix(aws.ToString(out.Location), "/jobs/"+id) {
		t.Errorf("Location %q does not name job %s", aws.ToString(out.Location), id)
	}
	return prefix + "/" + id + "/", jbDescribe(t, c, "V", id)
}

const selectCSV = "id,name,city,amount\n" +
	"1,Alice,Paris,10\n" +
	"2,Bob,\"New York, NY\",25\n" +
	"3,Carol,Paris,\n" +
	"4,\"Dan \"\"the man\"\"\",\"multi\nline\",40\n"

func TestJBSelectQueries(t *testing.T) {
	srv, s3srv := jbNewSelect(t)
	c, sc := srv.Client, s3srv.Client()
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte(selectCSV), "csv")
	use := &types.CSVInput{FileHeaderInfo: types.FileHeaderInfoUse}
	semi := "x;y|1;'a|b'|2;'c''d'|"
	semiID := jbUpload(t, c, "V", []byte(semi), "semi")
	comm := "#note\n_a,b\n5,6\n"
	commID := jbUpload(t, c, "V", []byte(comm), "comments")
	for _, tc := range []struct {
		name    string
		archive string
		job     selectJob
		want    string
	}{
		{"star, no header", id, selectJob{expr: "SELECT * FROM ARCHIVE"},
			"id,name,city,amount\n1,Alice,Paris,10\n2,Bob,\"New York, NY\",25\n3,Carol,Paris,\n4,\"Dan \"\"the man\"\"\",\"multi\nline\",40\n"},
		{"positional projection, IGNORE", id, selectJob{expr: "SELECT s._2, _1 FROM ARCHIVE s", in: &types.CSVInput{FileHeaderInfo: types.FileHeaderInfoIgnore}},
			"Alice,1\nBob,2\nCarol,3\n\"Dan \"\"the man\"\"\",4\n"},
		{"named filter, USE", id, selectJob{expr: "SELECT name FROM ARCHIVE WHERE city = 'Paris'", in: use}, "Alice\nCarol\n"},
		{"CAST and arithmetic", id, selectJob{expr: "SELECT id, CAST(amount AS INT) * 2 FROM ARCHIVE a WHERE a.id = '2' OR a.id = '4'", in: use},
			"2,50\n4,80\n"},
		{"functions", id, selectJob{expr: "SELECT UPPER(name), CHAR_LENGTH(city), SUBSTRING(name, 1, 2) FROM ARCHIVE WHERE id IN ('1', '3')", in: use},
			"ALICE,5,Al\nCAROL,5,Ca\n"},
		{"NULLs and COALESCE", id, selectJob{expr: "SELECT id, COALESCE(NULLIF(amount, ''), 'none') FROM ARCHIVE WHERE amount = '' OR id = '1'", in: use},
			"1,10\n3,none\n"},
		{"LIKE and CASE", id, selectJob{expr: "SELECT CASE WHEN city LIKE 'New%' THEN 'ny' ELSE 'other' END FROM ARCHIVE WHERE id BETWEEN '1' AND '2'", in: use},
			"other\nny\n"},
		{"embedded delimiters and newlines, ALWAYS quoted, custom output", id, selectJob{expr: "SELECT city FROM ARCHIVE WHERE id = '2' OR id = '4'", in: use,
			out: &types.CSVOutput{QuoteFields: types.QuoteFieldsAlways, FieldDelimiter: aws.String("\t"), RecordDelimiter: aws.String("\r")}},
			"\"New York, NY\"\r\"multi\nline\"\r"},
		{"custom delimiters and quotes", semiID, selectJob{expr: "SELECT _2, _1 FROM ARCHIVE", in: &types.CSVInput{
			FieldDelimiter: aws.String(";"), RecordDelimiter: aws.String("|"), QuoteCharacter: aws.String("'"), QuoteEscapeCharacter: aws.String("'")}},
			"y,x\na|b,1\nc'd,2\n"},
		{"comments", commID, selectJob{expr: "SELECT _2 FROM ARCHIVE", in: &types.CSVInput{Comments: aws.String("#")}}, "b\n6\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, d := runSelect(t, c, tc.archive, "q", tc.job)
			if d.StatusCode != types.StatusCodeSucceeded || d.Action != types.ActionCodeSelect {
				t.Fatalf("job %s %s (%s), want Select Succeeded", d.Action, d.StatusCode, aws.ToString(d.StatusMessage))
			}
			keys := s3Keys(t, sc, path)
			want := []string{path + "job.txt", path + "result_manifest.txt", path + "results/result_0.csv"}
			if !slices.Equal(keys, want) {
				t.Fatalf("objects %q, want %q", keys, want)
			}
			if got := s3Get(t, sc, path+"results/result_0.csv"); got != tc.want {
				t.Errorf("results %q, want %q", got, tc.want)
			}
			if got := s3Get(t, sc, path+"result_manifest.txt"); got != path+"results/result_0.csv\n" {
				t.Errorf("result_manifest.txt %q", got)
			}
			var jf struct {
				JobID            string
				SelectParameters struct{ Expression string }
			}
			if err := json.Unmarshal([]byte(s3Get(t, sc, path+"job.txt")), &jf); err != nil || jf.JobID != aws.ToString(d.JobId) || jf.SelectParameters.Expression != tc.job.expr {
				t.Errorf("job.txt: %+v, %v", jf, err)
			}
			if got := aws.ToString(d.JobOutputPath); got != path {
				t.Errorf("DescribeJob JobOutputPath %q, want %q", got, path)
			}
			if sp := d.SelectParameters; sp == nil || aws.ToString(sp.Expression) != tc.job.expr || sp.ExpressionType != types.ExpressionTypeSql {
				t.Errorf("DescribeJob SelectParameters %+v", sp)
			}
			if ol := d.OutputLocation; ol == nil || ol.S3 == nil || aws.ToString(ol.S3.BucketName) != s3test.Bucket || aws.ToString(ol.S3.Prefix) != "q" {
				t.Errorf("DescribeJob OutputLocation %+v", ol)
			}
			if aws.ToString(d.ArchiveId) != tc.archive || d.ArchiveSizeInBytes != nil || d.RetrievalByteRange != nil || d.SHA256TreeHash != nil {
				t.Errorf("DescribeJob ArchiveId %q size %v range %v hash %v: want the archive, the rest null",
					aws.ToString(d.ArchiveId), d.ArchiveSizeInBytes, d.RetrievalByteRange, d.SHA256TreeHash)
			}
		})
	}
}

// TestJBSelectRefusedLeavesNoObject: job.txt is written before the job's
// transaction, which may still refuse it (here the retrieval policy); the
// refused request must leave nothing in the bucket.
func TestJBSelectRefusedLeavesNoObject(t *testing.T) {
	srv, s3srv := jbNewSelect(t)
	c, sc := srv.Client, s3srv.Client()
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte(selectCSV), "csv")
	jbSetPolicy(t, c, "BytesPerHour", int64(len(selectCSV))+10)
	job := selectJob{expr: "SELECT * FROM ARCHIVE"}
	first, _ := runSelect(t, c, id, "ok", job)
	if keys := s3Keys(t, sc, first); !slices.Contains(keys, first+"job.txt") {
		t.Fatalf("the accepted job's objects %v lack job.txt", keys)
	}
	_, err := jbInitErr(t, c, "V", job.params(id, "refused"))
	wantAPIError(t, err, 400, "PolicyEnforcedException", "InitiateJob request denied by current data retrieval policy.")
	if keys := s3Keys(t, sc, "refused/"); len(keys) != 0 {
		t.Errorf("a refused select job left objects in the bucket: %v", keys)
	}
}
