package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
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
	payload, err := h.payloadHash(c)
	if err != nil {
		return identity{}, err
	}
	// The request time is checked against the host's real clock: the
	// emulated clock is for Glacier's own timings and may be far ahead.
	res, cred, err := sigv4.Verify(c.r, payload, h.creds, time.Now())
	if err != nil {
		return identity{}, sigv4Error(err)
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

// accountOf maps an access key to its account when signatures are not
// verified.
func (h *Handler) accountOf(key string) string {
	if glacier.ValidAccountID(key) {
		return key
	}
	return h.account
}

// payloadHash returns the body hash the signature must cover. Small bodies
// are read, hashed and put back; streaming bodies vouch for themselves.
func (h *Handler) payloadHash(c *call) (string, error) {
	if streamingOps[c.Op] {
		sum := c.r.Header.Get("x-amz-content-sha256")
		if sum == "" {
			return "", glacier.Errorf(glacier.MissingParameterValue, "Required parameter missing: x-amz-content-sha256")
		}
		return sum, nil
	}
	body, err := readBody(c.r)
	if err != nil {
		return "", err
	}
	c.r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:]), nil
}

func sigv4Error(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return glacier.Errorf(glacier.Code(se.Code), "%s", se.Message)
	}
	return glacier.Errorf(glacier.IncompleteSignature, "%s", err.Error())
}
