package glacier

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"permafrost/internal/selectsql"
)

// Select job limits (spec 4.6).
const (
	// MaxSelectExpression is the longest Expression, in characters.
	MaxSelectExpression = 128000
	// MaxSelectPath is the longest S3 location path: the bucket, "/" and
	// the job output path ({Prefix}/{JobId}/), in bytes.
	MaxSelectPath = 512
)

// SelectParameters are a select job's SelectParameters, as sent (and as
// DescribeJob shows them). Absent members stay nil or empty.
type SelectParameters struct {
	Expression          *string              `json:"Expression"`
	ExpressionType      *string              `json:"ExpressionType"`
	InputSerialization  *InputSerialization  `json:"InputSerialization"`
	OutputSerialization *OutputSerialization `json:"OutputSerialization"`
}

// InputSerialization says how the archive is read; only CSV exists.
type InputSerialization struct {
	CSV *CSVInput `json:"csv"`
}

// OutputSerialization says how results are written; only CSV exists.
type OutputSerialization struct {
	CSV *CSVOutput `json:"csv"`
}

// CSVInput is the InputSerialization's csv member.
type CSVInput struct {
	FileHeaderInfo       *string `json:"FileHeaderInfo"`
	Comments             *string `json:"Comments"`
	QuoteEscapeCharacter *string `json:"QuoteEscapeCharacter"`
	RecordDelimiter      *string `json:"RecordDelimiter"`
	FieldDelimiter       *string `json:"FieldDelimiter"`
	QuoteCharacter       *string `json:"QuoteCharacter"`
}

// CSVOutput is the OutputSerialization's csv member.
type CSVOutput struct {
	QuoteFields          *string `json:"QuoteFields"`
	QuoteEscapeCharacter *string `json:"QuoteEscapeCharacter"`
	RecordDelimiter      *string `json:"RecordDelimiter"`
	FieldDelimiter       *string `json:"FieldDelimiter"`
	QuoteCharacter       *string `json:"QuoteCharacter"`
}

// OutputLocation is where a select job writes its objects.
type OutputLocation struct {
	S3 *S3Location `json:"S3"`
}

// S3Location is OutputLocation's S3 member.
type S3Location struct {
	BucketName        *string           `json:"BucketName"`
	Prefix            *string           `json:"Prefix"`
	Encryption        *S3Encryption     `json:"Encryption"`
	CannedACL         *string           `json:"CannedACL"`
	AccessControlList []Grant           `json:"AccessControlList"`
	Tagging           map[string]string `json:"Tagging"`
	UserMetadata      map[string]string `json:"UserMetadata"`
	StorageClass      *string           `json:"StorageClass"`
}

// S3Encryption is the server-side encryption of the objects written.
type S3Encryption struct {
	EncryptionType *string `json:"EncryptionType"`
	KMSKeyID       *string `json:"KMSKeyId"`
	KMSContext     *string `json:"KMSContext"`
}

// Grant is one entry of an AccessControlList.
type Grant struct {
	Grantee    *Grantee `json:"Grantee"`
	Permission *string  `json:"Permission"`
}

// Grantee is a Grant's grantee.
type Grantee struct {
	Type         *string `json:"Type"`
	DisplayName  *string `json:"DisplayName"`
	URI          *string `json:"URI"`
	ID           *string `json:"ID"`
	EmailAddress *string `json:"EmailAddress"`
}

// SelectJob is what a select job keeps: its parameters as sent and the
// output path ({Prefix}/{JobId}/) its objects go under.
type SelectJob struct {
	Params     SelectParameters
	Location   OutputLocation
	OutputPath string
	// Scanned and Returned are the bytes read from the archive and written
	// as results, set at completion.
	Scanned, Returned int64 `json:",omitempty"`
	// Error is the S3 Select error a failed job ended with.
	Error *SelectError `json:",omitempty"`
}

// SelectError is the error a select job failed with, as its error object
// reports it.
type SelectError struct {
	Code     string `json:"ErrorCode"`
	Message  string `json:"ErrorMessage"`
	Position int    `json:"Position,omitempty"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Input converts the CSV input options for selectsql.
func (p *SelectParameters) Input() selectsql.CSVInput {
	var c CSVInput
	if p.InputSerialization != nil && p.InputSerialization.CSV != nil {
		c = *p.InputSerialization.CSV
	}
	return selectsql.CSVInput{
		FileHeaderInfo: str(c.FileHeaderInfo), Comments: str(c.Comments), QuoteEscapeCharacter: str(c.QuoteEscapeCharacter),
		RecordDelimiter: str(c.RecordDelimiter), FieldDelimiter: str(c.FieldDelimiter), QuoteCharacter: str(c.QuoteCharacter),
	}
}

// Output converts the CSV output options for selectsql.
func (p *SelectParameters) Output() selectsql.CSVOutput {
	var c CSVOutput
	if p.OutputSerialization != nil && p.OutputSerialization.CSV != nil {
		c = *p.OutputSerialization.CSV
	}
	return selectsql.CSVOutput{
		QuoteFields: str(c.QuoteFields), QuoteEscapeCharacter: str(c.QuoteEscapeCharacter),
		RecordDelimiter: str(c.RecordDelimiter), FieldDelimiter: str(c.FieldDelimiter), QuoteCharacter: str(c.QuoteCharacter),
	}
}

func oneOf(field string, v *string, valid ...string) error {
	if v == nil {
		return nil
	}
	for _, x := range valid {
		if *v == x {
			return nil
		}
	}
	return invalid("Invalid %s: %s. Valid values are %s.", field, *v, joinOr(valid))
}

func joinOr(vs []string) string {
	s := ""
	for i, v := range vs {
		switch {
		case i == 0:
		case i == len(vs)-1:
			s += " and "
		default:
			s += ", "
		}
		s += v
	}
	return s
}

func missing(field string) error {
	return Errorf(MissingParameterValue, "Required parameter missing: %s", field)
}

// checkSelectParams validates a select job's parameters, its expression
// included (a parse-time SQL error refuses the job, as AWS checks the
// expression before accepting it).
func checkSelectParams(p *JobParams) error {
	switch {
	case p.ArchiveID == nil || *p.ArchiveID == "":
		return missing("ArchiveId")
	case p.Format != nil:
		return notAllowed("Format", p.Type)
	case p.Inventory != nil:
		return notAllowed("InventoryRetrievalParameters", p.Type)
	case p.RetrievalByteRange != nil:
		return notAllowed("RetrievalByteRange", p.Type)
	case p.Select == nil:
		return missing("SelectParameters")
	case p.Output == nil || p.Output.S3 == nil:
		return missing("OutputLocation.S3")
	}
	sp := p.Select
	switch {
	case sp.Expression == nil || *sp.Expression == "":
		return missing("SelectParameters.Expression")
	case utf8.RuneCountInString(*sp.Expression) > MaxSelectExpression:
		return invalid("Invalid SelectParameters.Expression: the expression must be at most %d characters.", MaxSelectExpression)
	case sp.ExpressionType == nil:
		return missing("SelectParameters.ExpressionType")
	}
	if err := oneOf("SelectParameters.ExpressionType", sp.ExpressionType, "SQL"); err != nil {
		return err
	}
	if in := sp.InputSerialization; in != nil && in.CSV != nil {
		if err := oneOf("InputSerialization.csv.FileHeaderInfo", in.CSV.FileHeaderInfo, "USE", "IGNORE", "NONE"); err != nil {
			return err
		}
	}
	if out := sp.OutputSerialization; out != nil && out.CSV != nil {
		if err := oneOf("OutputSerialization.csv.QuoteFields", out.CSV.QuoteFields, "ALWAYS", "ASNEEDED"); err != nil {
			return err
		}
	}
	if err := selectsql.CheckInput(sp.Input(), sp.Output()); err != nil {
		return sqlRefusal("InputSerialization/OutputSerialization", err)
	}
	if _, err := selectsql.Parse(*sp.Expression); err != nil {
		return sqlRefusal("SelectParameters.Expression", err)
	}
	return checkS3Location(p.Output.S3)
}

// sqlRefusal is InitiateJob's answer to an expression or CSV option that
// selectsql refuses before reading data: 400 InvalidParameterValueException
// naming the S3 Select error code, its message and position.
func sqlRefusal(field string, err error) error {
	var se *selectsql.Error
	if !errors.As(err, &se) {
		return invalid("Invalid %s: %v", field, err)
	}
	msg := fmt.Sprintf("Invalid %s: %s: %s", field, se.Code, se.Message())
	if se.Pos > 0 {
		msg += fmt.Sprintf(" (at character %d)", se.Pos)
	}
	return invalid("%s", msg)
}

func checkS3Location(l *S3Location) error {
	switch {
	case l.BucketName == nil || *l.BucketName == "":
		return missing("OutputLocation.S3.BucketName")
	case !validBucketName(*l.BucketName):
		return invalid("Invalid OutputLocation.S3.BucketName: %s", *l.BucketName)
	case l.Prefix == nil || *l.Prefix == "":
		return missing("OutputLocation.S3.Prefix")
	case !utf8.ValidString(*l.Prefix):
		return invalid("Invalid OutputLocation.S3.Prefix: it must be UTF-8.")
	}
	if err := oneOf("OutputLocation.S3.CannedACL", l.CannedACL, "private", "public-read", "public-read-write",
		"aws-exec-read", "authenticated-read", "bucket-owner-read", "bucket-owner-full-control"); err != nil {
		return err
	}
	if err := oneOf("OutputLocation.S3.StorageClass", l.StorageClass, "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA"); err != nil {
		return err
	}
	if e := l.Encryption; e != nil {
		if err := oneOf("OutputLocation.S3.Encryption.EncryptionType", e.EncryptionType, "aws:kms", "AES256"); err != nil {
			return err
		}
		if (e.KMSKeyID != nil || e.KMSContext != nil) && str(e.EncryptionType) != "aws:kms" {
			return invalid("Invalid OutputLocation.S3.Encryption: KMSKeyId and KMSContext require the EncryptionType aws:kms.")
		}
	}
	for _, g := range l.AccessControlList {
		if g.Grantee == nil || g.Grantee.Type == nil {
			return missing("OutputLocation.S3.AccessControlList.Grantee.Type")
		}
		if err := oneOf("OutputLocation.S3.AccessControlList.Grantee.Type", g.Grantee.Type, "AmazonCustomerByEmail", "CanonicalUser", "Group"); err != nil {
			return err
		}
		if err := oneOf("OutputLocation.S3.AccessControlList.Permission", g.Permission, "FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP"); err != nil {
			return err
		}
	}
	return nil
}

// validBucketName applies S3's bucket naming rules: 3 to 63 lowercase
// letters, digits, dots and hyphens, starting and ending with a letter or
// digit.
func validBucketName(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (c != '.' && c != '-' || i == 0 || i == len(b)-1) {
			return false
		}
	}
	return true
}

// selectOutputPath is the x-amz-job-output-path of a job: {Prefix}/{JobId}/
// (a Prefix already ending in "/" is not doubled).
func selectOutputPath(prefix, id string) string {
	if prefix != "" && prefix[len(prefix)-1] != '/' {
		prefix += "/"
	}
	return prefix + id + "/"
}

// selectParams validates a select job's parameters into j.
func (s *Service) selectParams(p *JobParams, j *Job) error {
	if err := checkSelectParams(p); err != nil {
		return err
	}
	j.Action = ActionSelect
	j.Select = &SelectJob{Params: *p.Select, Location: *p.Output, OutputPath: selectOutputPath(*p.Output.S3.Prefix, j.ID)}
	if n := len(*p.Output.S3.BucketName) + 1 + len(j.Select.OutputPath); n > MaxSelectPath {
		return invalid("Invalid OutputLocation.S3: the S3 location path (bucket, prefix and job ID) is %d bytes; at most %d are allowed.", n, MaxSelectPath)
	}
	return nil
}

// startSelect checks, before anything is written, that the archive exists,
// then writes job.txt under the output path, as AWS does at initiation.
// InitiateJob's transaction checks the archive again, and the limits; a
// job refused there has its job.txt removed (unstartSelect).
func (s *Service) startSelect(ctx context.Context, ref VaultRef, j *Job, archiveID string) error {
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := loadVault(tx, ref); err != nil {
			return err
		}
		probe := *j
		return bindArchive(tx, ref, &probe, archiveID, nil, j.Created)
	})
	if err != nil {
		return err
	}
	if s.objects == nil {
		return nil // the built-in store renders job.txt from the job
	}
	if err := s.putBytes(ref, j, selectJobFile, jobFile(ref, j)); err != nil {
		return sinkError(j.Select.Location.S3, err)
	}
	return nil
}
