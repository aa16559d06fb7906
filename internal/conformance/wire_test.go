package conformance

// Raw requests built from the model's HTTP binding, and the SDK helpers the
// scenarios use to set up state.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/config"
	"permafrost/internal/testserver"
	"permafrost/internal/treehash"
)

// The defaults of testserver.New: the caller's account, region and
// static credentials.
const (
	account   = "123456789012"
	region    = "us-east-1"
	accessKey = "AKIDPERMAFROST"
	secretKey = "secret"
	mib       = 1 << 20
	// topicARN is a well-formed SNS topic; the emulator keeps notifications
	// to itself unless an SNS endpoint is configured.
	topicARN = "arn:aws:sns:us-east-1:123456789012:conformance"
	// policyDoc is a small vault access or lock policy.
	policyDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"deny-delete","Effect":"Deny",` +
		`"Principal":"*","Action":"glacier:DeleteArchive","Resource":"arn:aws:glacier:us-east-1:123456789012:vaults/v"}]}`
)

// params are the values of input members, keyed by the model's member
// names: strings for uri, querystring and header members, []byte for a
// blob payload, and any JSON-encodable value for body members.
type params map[string]any

// with returns a copy of p with the given name/value pairs set; a nil value
// removes the member.
func (p params) with(kv ...any) params {
	out := make(params, len(p)+len(kv)/2)
	for k, v := range p {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// request is one raw call of an operation.
type request struct {
	op string
	p  params
	// rawBody, when non-nil, replaces the body built from the binding (for
	// malformed JSON).
	rawBody []byte
	// mutate changes the built request before it is signed (to drop or
	// spoil a header).
	mutate func(*http.Request)
}

// response is what came back, read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// env is one operation's world: a fresh server, its SDK client and a raw
// HTTP client.
type env struct {
	t   *testing.T
	m   *serviceModel
	srv *testserver.Server
	c   *glacier.Client
	ctx context.Context
	hc  *http.Client
}

// newEnv starts a server whose Bulk jobs take hours (so a scenario can hold
// a job in progress) while the other tiers complete at once.
func newEnv(t *testing.T, m *serviceModel) *env {
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) { c.JobDelay = "Bulk=4h" }))
	return &env{t: t, m: m, srv: srv, c: srv.Client, ctx: t.Context(), hc: &http.Client{Timeout: time.Minute}}
}

// build turns a request into an HTTP request following the operation's
// binding: uri members fill the requestUri, querystring and header members
// go where their location says, the payload member is the body (raw bytes
// for a blob, JSON for a structure) and any other members form the JSON
// body. accountId defaults to "-". Every request carries
// x-amz-glacier-version and x-amz-content-sha256; a blob payload also gets
// its tree hash unless the caller gave one.
func (e *env) build(r request) (*http.Request, error) {
	op := e.m.Operations[r.op]
	if op == nil {
		return nil, fmt.Errorf("no operation %s in the model", r.op)
	}
	in := e.m.shape(op.Input.Shape)
	p := r.p
	if _, ok := p["accountId"]; !ok {
		p = p.with("accountId", "-")
	}
	for _, name := range in.Required {
		if _, ok := p[name]; !ok {
			return nil, fmt.Errorf("%s: required input member %s not given", r.op, name)
		}
	}
	names := make([]string, 0, len(p))
	for name := range p {
		if in.Members[name] == nil {
			return nil, fmt.Errorf("%s: %s is not a member of %s", r.op, name, op.Input.Shape)
		}
		names = append(names, name)
	}
	sort.Strings(names)

	path, literal, _ := strings.Cut(op.HTTP.RequestURI, "?")
	query, err := url.ParseQuery(literal)
	if err != nil {
		return nil, err
	}
	header := http.Header{}
	var body []byte
	fields := map[string]any{}
	for _, name := range names {
		mem, v := in.Members[name], p[name]
		wire := mem.wireName(name)
		switch mem.Location {
		case "uri":
			s := fmt.Sprint(v)
			path = strings.Replace(path, "{"+wire+"}", url.PathEscape(s), 1)
			path = strings.Replace(path, "{"+wire+"+}", strings.ReplaceAll(url.PathEscape(s), "%2F", "/"), 1)
		case "querystring":
			query.Set(wire, fmt.Sprint(v))
		case "header":
			header.Set(wire, fmt.Sprint(v))
		case "headers":
			for k, hv := range v.(map[string]string) {
				header.Set(wire+k, hv)
			}
		case "":
			if name != in.Payload {
				fields[wire] = v
				break
			}
			switch e.m.shape(mem.Shape).Type {
			case "blob", "string":
				b, ok := v.([]byte)
				if !ok {
					return nil, fmt.Errorf("%s: payload %s wants []byte", r.op, name)
				}
				body = b
			default:
				if body, err = json.Marshal(v); err != nil {
					return nil, err
				}
			}
		default:
			return nil, fmt.Errorf("%s: member %s has location %q, which the builder does not know", r.op, name, mem.Location)
		}
	}
	if strings.Contains(path, "{") {
		return nil, fmt.Errorf("%s: path parameters left unfilled in %s", r.op, path)
	}
	if len(fields) > 0 {
		if body, err = json.Marshal(fields); err != nil {
			return nil, err
		}
	}
	if in.Payload != "" && e.m.shape(in.Members[in.Payload].Shape).Type == "blob" {
		for name, mem := range in.Members {
			if mem.Location == "header" && strings.EqualFold(mem.LocationName, "x-amz-sha256-tree-hash") {
				if _, given := p[name]; !given {
					header.Set(mem.LocationName, treehash.Sum(body).String())
				}
			}
		}
	}
	if r.rawBody != nil {
		body = r.rawBody
	}

	target := e.srv.Endpoint + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(e.ctx, op.HTTP.Method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	req.Header.Set("x-amz-glacier-version", fmt.Sprint(e.m.Metadata["apiVersion"]))
	req.Header.Set("x-amz-content-sha256", payloadHash)
	if r.mutate != nil {
		r.mutate(req)
	}
	creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}
	if err := v4.NewSigner().SignHTTP(e.ctx, creds, req, payloadHash, "glacier", region, time.Now()); err != nil {
		return nil, err
	}
	return req, nil
}

// send builds and sends r; a request the binding cannot express is a bug
// in the scenario and stops the test.
func (e *env) send(r request) response {
	e.t.Helper()
	req, err := e.build(r)
	if err != nil {
		e.t.Fatalf("building the request: %v", err)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64*mib))
	if err != nil {
		e.t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

// ---- setup through the SDK ----

func (e *env) must(what string, err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("setup: %s: %v", what, err)
	}
}

// data returns n deterministic bytes.
func data(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) ^ seed
	}
	return b
}

func (e *env) vault(name string) string {
	e.t.Helper()
	_, err := e.c.CreateVault(e.ctx, &glacier.CreateVaultInput{VaultName: aws.String(name)})
	e.must("CreateVault "+name, err)
	return name
}

// upload stores an archive and returns its ID.
func (e *env) upload(vault string, body []byte, desc string) string {
	e.t.Helper()
	in := &glacier.UploadArchiveInput{VaultName: aws.String(vault), Body: bytes.NewReader(body),
		Checksum: aws.String(treehash.Sum(body).String())}
	if desc != "" {
		in.ArchiveDescription = aws.String(desc)
	}
	out, err := e.c.UploadArchive(e.ctx, in)
	e.must("UploadArchive", err)
	return aws.ToString(out.ArchiveId)
}

func (e *env) initiateUpload(vault string, partSize int64, desc string) string {
	e.t.Helper()
	in := &glacier.InitiateMultipartUploadInput{VaultName: aws.String(vault), PartSize: aws.String(fmt.Sprint(partSize))}
	if desc != "" {
		in.ArchiveDescription = aws.String(desc)
	}
	out, err := e.c.InitiateMultipartUpload(e.ctx, in)
	e.must("InitiateMultipartUpload", err)
	return aws.ToString(out.UploadId)
}

func (e *env) uploadPart(vault, uploadID string, start int64, part []byte) {
	e.t.Helper()
	_, err := e.c.UploadMultipartPart(e.ctx, &glacier.UploadMultipartPartInput{
		VaultName: aws.String(vault), UploadId: aws.String(uploadID), Body: bytes.NewReader(part),
		Checksum: aws.String(treehash.Sum(part).String()),
		Range:    aws.String(fmt.Sprintf("bytes %d-%d/*", start, start+int64(len(part))-1)),
	})
	e.must("UploadMultipartPart", err)
}

// job starts a job and returns its ID.
func (e *env) job(vault string, jp *types.JobParameters) string {
	e.t.Helper()
	out, err := e.c.InitiateJob(e.ctx, &glacier.InitiateJobInput{VaultName: aws.String(vault), JobParameters: jp})
	e.must("InitiateJob", err)
	return aws.ToString(out.JobId)
}

// archiveJob starts a whole-archive retrieval with a description and topic.
func (e *env) archiveJob(vault, archiveID string) string {
	return e.job(vault, &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(archiveID),
		Description: aws.String("conformance retrieval"), SNSTopic: aws.String(topicARN), Tier: aws.String("Standard")})
}

// inventoryJob starts a JSON inventory retrieval with a limit.
func (e *env) inventoryJob(vault string) string {
	return e.job(vault, &types.JobParameters{Type: aws.String("inventory-retrieval"), Format: aws.String("JSON"),
		Description: aws.String("conformance inventory"),
		InventoryRetrievalParameters: &types.InventoryRetrievalJobInput{Limit: aws.String("10"),
			StartDate: aws.String("2000-01-01T00:00:00Z")}})
}

// waitJob waits (bounded) until the job has completed; jobs of untimed
// tiers finish as soon as the scheduler sees them.
func (e *env) waitJob(vault, jobID string) {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := e.c.DescribeJob(e.ctx, &glacier.DescribeJobInput{VaultName: aws.String(vault), JobId: aws.String(jobID)})
		e.must("DescribeJob", err)
		if out.Completed {
			if out.StatusCode != types.StatusCodeSucceeded {
				e.t.Fatalf("setup: job %s ended %s: %s", jobID, out.StatusCode, aws.ToString(out.StatusMessage))
			}
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("setup: job %s did not complete in time", jobID)
		}
		e.srv.Advance(time.Second)
		time.Sleep(20 * time.Millisecond)
	}
}

// lock starts a vault lock and returns its lock ID.
func (e *env) lock(vault string) string {
	e.t.Helper()
	out, err := e.c.InitiateVaultLock(e.ctx, &glacier.InitiateVaultLockInput{VaultName: aws.String(vault),
		Policy: &types.VaultLockPolicy{Policy: aws.String(policyDoc)}})
	e.must("InitiateVaultLock", err)
	return aws.ToString(out.LockId)
}

func (e *env) tag(vault string, tags map[string]string) {
	e.t.Helper()
	_, err := e.c.AddTagsToVault(e.ctx, &glacier.AddTagsToVaultInput{VaultName: aws.String(vault), Tags: tags})
	e.must("AddTagsToVault", err)
}

func (e *env) purchase() string {
	e.t.Helper()
	out, err := e.c.PurchaseProvisionedCapacity(e.ctx, &glacier.PurchaseProvisionedCapacityInput{})
	e.must("PurchaseProvisionedCapacity", err)
	return aws.ToString(out.CapacityId)
}

// selectParams is a select job's parameters with every member set: the
// built-in store takes any bucket (the server has no --s3-endpoint).
func selectParams(archiveID string) map[string]any {
	return map[string]any{
		"Type": "select", "ArchiveId": archiveID, "Tier": "Expedited", "Description": "conformance select",
		"SelectParameters": map[string]any{
			"Expression": "SELECT s._1 FROM ARCHIVE s WHERE s._2 <> ''", "ExpressionType": "SQL",
			"InputSerialization": map[string]any{"csv": map[string]string{"FileHeaderInfo": "NONE", "Comments": "#",
				"QuoteEscapeCharacter": "\"", "RecordDelimiter": "\n", "FieldDelimiter": ",", "QuoteCharacter": "\""}},
			"OutputSerialization": map[string]any{"csv": map[string]string{"QuoteFields": "ASNEEDED",
				"QuoteEscapeCharacter": "\"", "RecordDelimiter": "\n", "FieldDelimiter": ",", "QuoteCharacter": "\""}},
		},
		"OutputLocation": map[string]any{"S3": map[string]any{
			"BucketName": "conformance-results", "Prefix": "out", "CannedACL": "private", "StorageClass": "STANDARD",
			"Encryption":        map[string]string{"EncryptionType": "aws:kms", "KMSKeyId": "key", "KMSContext": "ctx"},
			"AccessControlList": []any{map[string]any{"Grantee": map[string]string{"Type": "CanonicalUser", "ID": "id", "DisplayName": "d"}, "Permission": "READ"}},
			"Tagging":           map[string]string{"k": "v"}, "UserMetadata": map[string]string{"m": "v"},
		}},
	}
}

// selectJob starts a select job with every member set.
func (e *env) selectJob(vault, archiveID string) string {
	e.t.Helper()
	b, _ := json.Marshal(selectParams(archiveID))
	var jp types.JobParameters
	if err := json.Unmarshal(b, &jp); err != nil {
		e.t.Fatalf("select parameters: %v", err)
	}
	return e.job(vault, &jp)
}
