package glacier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"permafrost/internal/selectsql"
)

// ObjectSink stores a select job's objects: an S3 service (--s3-endpoint)
// or permafrost's own store.
type ObjectSink interface {
	PutObject(ctx context.Context, o Object) error
	// DeleteObject removes an object written by PutObject (o's Body and
	// Size unused); removing a missing object is not an error.
	DeleteObject(ctx context.Context, o Object) error
}

// Object is one object a select job writes.
type Object struct {
	Region   string // the vault's region
	Account  string // the vault's account
	Location *S3Location
	Key      string // the full key, under the job's output path
	Body     io.ReadSeeker
	Size     int64
}

// ErrNoSuchBucket is what an ObjectSink returns when the bucket does not
// exist: InitiateJob refuses the job (the job.txt cannot be written).
var ErrNoSuchBucket = errors.New("the bucket does not exist")

// ErrObjectRefused is what an ObjectSink returns when the S3 service
// refuses an object for what the request asked (a client error other than
// a missing bucket: a tag it does not allow, a key too long).
var ErrObjectRefused = errors.New("the S3 service refused the object")

// Names of the objects under a job's output path.
const (
	selectJobFile        = "job.txt"
	selectResultManifest = "result_manifest.txt"
	selectErrorManifest  = "error_manifest.txt"
	selectResultObject   = "results/result_0.csv"
	selectErrorObject    = "errors/error_0.txt"
)

// selectTimeout bounds one PutObject of a small object.
const selectTimeout = 2 * time.Minute

// unstartSelect removes the job.txt startSelect wrote for a job that
// InitiateJob then refused, so that the refused request leaves nothing in
// the bucket. A failure is logged: the object is all that is left.
func (s *Service) unstartSelect(ref VaultRef, j *Job) {
	if s.objects == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), selectTimeout)
	defer cancel()
	o := Object{Region: ref.Region, Account: ref.Account, Location: j.Select.Location.S3, Key: j.Select.OutputPath + selectJobFile}
	if err := s.objects.DeleteObject(ctx, o); err != nil {
		s.log.Warn("removing the job.txt of a refused select job", "key", o.Key, "err", err)
	}
}

func (s *Service) putBytes(ref VaultRef, j *Job, name string, b []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), selectTimeout)
	defer cancel()
	return s.objects.PutObject(ctx, Object{
		Region: ref.Region, Account: ref.Account, Location: j.Select.Location.S3,
		Key: j.Select.OutputPath + name, Body: bytes.NewReader(b), Size: int64(len(b)),
	})
}

// jobFile is job.txt: the job's ID and parameters, as DescribeJob's
// members name them.
func jobFile(ref VaultRef, j *Job) []byte {
	b, _ := json.MarshalIndent(struct {
		JobID            string           `json:"JobId"`
		VaultARN         string           `json:"VaultARN"`
		ArchiveID        string           `json:"ArchiveId"`
		CreationDate     string           `json:"CreationDate"`
		Tier             string           `json:"Tier"`
		JobDescription   string           `json:"JobDescription,omitempty"`
		SNSTopic         string           `json:"SNSTopic,omitempty"`
		SelectParameters SelectParameters `json:"SelectParameters"`
		OutputLocation   OutputLocation   `json:"OutputLocation"`
		JobOutputPath    string           `json:"JobOutputPath"`
	}{j.ID, ref.ARN(), j.ArchiveID, j.Created.UTC().Format("2006-01-02T15:04:05.000Z"), j.Tier, j.Description, j.SNSTopic,
		j.Select.Params, j.Select.Location, j.Select.OutputPath}, "", "  ")
	return append(b, '\n')
}

// sinkError maps an ObjectSink failure at InitiateJob.
func sinkError(loc *S3Location, err error) error {
	if errors.Is(err, ErrNoSuchBucket) {
		return invalid("Invalid OutputLocation.S3.BucketName: the bucket %s does not exist.", *loc.BucketName)
	}
	if errors.Is(err, ErrObjectRefused) {
		return invalid("Invalid OutputLocation.S3: the S3 service refused the job's objects: %v", err)
	}
	return Errorf(ServiceUnavailable, "The job output location could not be written: %v", err)
}

// runSelect runs a due select job: it streams the archive through the
// query into a spool file, then writes the results object and
// result_manifest.txt, or, when the query fails on the data, the error
// object and error_manifest.txt. A failure to write the objects is
// returned (the job stays in progress and is retried).
func (s *Service) runSelect(ctx context.Context, ref VaultRef, j *Job) (outcome, error) {
	sp := &j.Select.Params
	q, err := selectsql.Parse(str(sp.Expression))
	if err != nil { // checked at initiation; kept for old records
		return s.failSelect(ref, j, err)
	}
	if s.objects == nil {
		return s.runSelectKept(ctx, ref, j, q)
	}
	spool, err := os.CreateTemp("", "permafrost-select-*")
	if err != nil {
		return outcome{}, err
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	sr, err := s.openSegments(ctx, j.Segments)
	if err != nil {
		return outcome{}, err
	}
	st, runErr := q.Run(sp.Input(), sp.Output(), io.NewSectionReader(sr, 0, j.ArchiveSize), spool, selectsql.Options{Now: s.clock.Now()})
	sr.Close()
	var se *selectsql.Error
	if errors.As(runErr, &se) {
		return s.failSelect(ref, j, runErr)
	}
	if runErr != nil {
		return outcome{}, fmt.Errorf("running select job %s: %w", j.ID, runErr)
	}
	size, err := spool.Seek(0, io.SeekCurrent)
	if err != nil {
		return outcome{}, err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return outcome{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), selectTimeout+time.Duration(size>>20)*time.Second)
	defer cancel()
	err = s.objects.PutObject(ctx, Object{
		Region: ref.Region, Account: ref.Account, Location: j.Select.Location.S3,
		Key: j.Select.OutputPath + selectResultObject, Body: spool, Size: size,
	})
	if err != nil {
		return outcome{}, fmt.Errorf("writing the results of select job %s: %w", j.ID, err)
	}
	manifest := j.Select.OutputPath + selectResultObject + "\n"
	if err := s.putBytes(ref, j, selectResultManifest, []byte(manifest)); err != nil {
		return outcome{}, fmt.Errorf("writing the result manifest of select job %s: %w", j.ID, err)
	}
	return outcome{status: StatusSucceeded, message: StatusSucceeded, scanned: st.BytesScanned, returned: st.BytesReturned}, nil
}

// failSelect writes a failed job's error object and error_manifest.txt;
// the job fails with the error's S3 Select message.
func (s *Service) failSelect(ref VaultRef, j *Job, err error) (outcome, error) {
	var se *selectsql.Error
	errors.As(err, &se)
	serr := &SelectError{Code: string(se.Code), Message: se.Message(), Position: se.Pos}
	s.log.Info("select job failed", "job", j.ID, "code", se.Code, "detail", se.Detail, "position", strconv.Itoa(se.Pos))
	failed := outcome{status: StatusFailed, message: se.Message(), selectErr: serr}
	if s.objects == nil {
		return failed, nil
	}
	if err := s.putBytes(ref, j, selectErrorObject, errorFile(serr)); err != nil {
		return outcome{}, fmt.Errorf("writing the error of select job %s: %w", j.ID, err)
	}
	if err := s.putBytes(ref, j, selectErrorManifest, []byte(j.Select.OutputPath+selectErrorObject+"\n")); err != nil {
		return outcome{}, fmt.Errorf("writing the error manifest of select job %s: %w", j.ID, err)
	}
	return failed, nil
}

// errorFile is the error object: the S3 Select error as JSON.
func errorFile(e *SelectError) []byte {
	b, _ := json.Marshal(e)
	return append(b, '\n')
}

// runSelectKept runs a select job whose objects permafrost keeps itself:
// the results go to a blob that becomes the job's output; job.txt, the
// manifests and the error object are rendered from the job record.
func (s *Service) runSelectKept(ctx context.Context, ref VaultRef, j *Job, q *selectsql.Query) (outcome, error) {
	sp := &j.Select.Params
	sr, err := s.openSegments(ctx, j.Segments)
	if err != nil {
		return outcome{}, err
	}
	defer sr.Close()
	bw, err := s.store.Blobs().Create(ctx)
	if err != nil {
		return outcome{}, err
	}
	cw := &countingWriter{w: bw}
	st, runErr := q.Run(sp.Input(), sp.Output(), io.NewSectionReader(sr, 0, j.ArchiveSize), cw, selectsql.Options{Now: s.clock.Now()})
	var se *selectsql.Error
	if errors.As(runErr, &se) {
		bw.Abort()
		return s.failSelect(ref, j, runErr)
	}
	if runErr != nil {
		bw.Abort()
		return outcome{}, fmt.Errorf("running select job %s: %w", j.ID, runErr)
	}
	id, err := bw.Commit()
	if err != nil {
		return outcome{}, err
	}
	return outcome{status: StatusSucceeded, message: StatusSucceeded, scanned: st.BytesScanned, returned: st.BytesReturned,
		output: &received{seg: Segment{Blob: id, Size: cw.n}}}, nil
}
