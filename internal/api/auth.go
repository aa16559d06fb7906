package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"time"

	"permafrost/internal/glacier"
	"permafrost/internal/regions"
	"permafrost/internal/sigv4"
)

// streamingOps have bodies too large to hash before verifying: their
// signature covers the client's x-amz-content-sha256, and the body is
// checked against it while it streams (glacier.Payload).
var streamingOps = map[Op]bool{OpUploadArchive: true, OpUploadMultipartPart: true}

// identity is who sent a request, as its signature says.
type identity struct {
	account string
	region  string // of the signature's credential scope; "" if none
	// admin is a verified credential marked admin in the credentials file;
	// never true without --credentials.
	admin bool
}

// authenticate establishes the caller's account and the request's region.
//
// With credentials, the SigV4 signature is verified. Without them, any
// well-formed signature is accepted and the access key decides the account:
// a 12-digit key is itself the account, any other key (or no signature)
// gets the default account.
//
// Either way, a credential scope must name a region where Glacier exists
// (internal/regions); a request with no scope is in the default region
// ("" here).
func (h *Handler) authenticate(c *call) (identity, error) {
	if h.creds == nil {
		id := identity{account: h.account, region: sigv4.RegionOf(c.r)}
		if auth := c.r.Header.Get("Authorization"); auth != "" {
			a, err := sigv4.ParseAuthorization(auth)
			if err != nil {
				return identity{}, sigv4Error(err)
			}
			id.account = h.accountOf(a.AccessKeyID)
		}
		if c.r.Header.Get("Authorization") != "" || id.region != "" {
			if err := checkRegion(id.region); err != nil {
				return identity{}, err
			}
		}
		return id, nil
	}
	// The request time is checked against the host's real clock: the
	// emulated clock is for Glacier's own timings and may be far ahead.
	res, cred, err := h.verify(c, time.Now())
	if err != nil {
		return identity{}, err
	}
	if err := checkRegion(res.Region); err != nil {
		return identity{}, err
	}
	return identity{account: cred.AccountID, region: res.Region, admin: cred.Admin}, nil
}

// checkRegion refuses a credential scope whose region Glacier does not
// have, with the error and message AWS gives a signature scoped to a region
// the endpoint does not serve. Without it every made-up name would open a
// partition of its own, with its own 1,000 vaults.
func checkRegion(region string) error {
	if regions.Known(region) {
		return nil
	}
	return glacier.Errorf(glacier.InvalidSignature, "Credential should be scoped to a valid region, not '%s'. ", region)
}

// verify checks the signature, reading the body only when the protocol
// leaves no other way, and only after everything else has been checked.
// The order (docs/behaviour.md, "Resource limits and timeouts"):
//
//   - uploads: their signature covers x-amz-content-sha256, which they
//     must send (one that does not gets the signature mismatch); the body
//     is checked against it as it streams;
//   - requests that declare no body: the signature covers the empty hash;
//   - requests that send x-amz-content-sha256 (a 64-digit hash): the
//     signature is verified over it first, then the body is read and must
//     match it;
//   - others: the signature covers a hash that only the body gives. Every
//     check the body cannot change (signature present and well formed,
//     known key, scope, request time) is made first, by verifying over a
//     placeholder and refusing any failure but a mismatch; then the body
//     is read (bounded in size and by the body idle timeout) and the
//     signature verified over its hash.
//
// So an unsigned, unknown or stale request never waits for its body.
func (h *Handler) verify(c *call, now time.Time) (sigv4.Result, sigv4.Credential, error) {
	r := c.r
	check := func(payload string) (sigv4.Result, sigv4.Credential, error) {
		res, cred, err := sigv4.Verify(r, payload, h.creds, now)
		if err != nil {
			return res, cred, sigv4Error(err)
		}
		return res, cred, nil
	}
	declared := header(r.Header, "X-Amz-Content-Sha256")
	switch {
	case streamingOps[c.Op] && declared != "":
		return check(declared)
	case streamingOps[c.Op]:
		// Glacier checks an upload's signature over this header, so
		// without it the signature cannot match: AWS answers 403
		// InvalidSignatureException (aws-sdk-go-v2 issue 1212: the Go SDK
		// sends none when given the tree hash). Said after what the
		// headers alone refuse, such as no signature.
		if _, _, err := sigv4.Verify(r, "", h.creds, now); err != nil && !sigv4.IsSignatureMismatch(err) {
			return sigv4.Result{}, sigv4.Credential{}, sigv4Error(err)
		}
		return sigv4.Result{}, sigv4.Credential{}, sigv4Error(sigv4.MismatchError())
	case r.ContentLength == 0:
		return check(emptySHA256)
	case isSHA256Hex(declared):
		res, cred, err := check(declared)
		if err != nil {
			return res, cred, err
		}
		got, err := h.bufferBody(c)
		if err != nil {
			return res, cred, err
		}
		if !strings.EqualFold(got, declared) {
			return res, cred, glacier.Errorf(glacier.InvalidParameterValue, "The provided x-amz-content-sha256 header does not match what was computed: expected %s, computed %s", declared, got)
		}
		return res, cred, nil
	}
	if _, _, err := sigv4.Verify(r, "", h.creds, now); err != nil && !sigv4.IsSignatureMismatch(err) {
		return sigv4.Result{}, sigv4.Credential{}, sigv4Error(err)
	}
	got, err := h.bufferBody(c)
	if err != nil {
		return sigv4.Result{}, sigv4.Credential{}, err
	}
	return check(got)
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// bufferBody reads a control-plane body (readBody's limits apply), puts
// it back for the handler and returns its SHA-256.
func (h *Handler) bufferBody(c *call) (string, error) {
	body, err := readBody(c)
	if err != nil {
		return "", err
	}
	c.r.Body = &replayBody{Reader: bytes.NewReader(body), orig: c.r.Body}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:]), nil
}

// replayBody is a body already read, served again to the handler; the
// original stays reachable so that it is still closed.
type replayBody struct {
	*bytes.Reader
	orig io.ReadCloser
}

func (b *replayBody) Close() error { return b.orig.Close() }

// accountOf maps an access key to its account when signatures are not
// verified.
func (h *Handler) accountOf(key string) string {
	if glacier.ValidAccountID(key) {
		return key
	}
	return h.account
}

func sigv4Error(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return glacier.Errorf(glacier.Code(se.Code), "%s", se.Message)
	}
	return glacier.Errorf(glacier.IncompleteSignature, "%s", err.Error())
}
