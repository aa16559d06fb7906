package api

import (
	"net/url"
	"strings"
)

// Op names a Glacier operation, exactly as in the API reference; IAM action
// names are "glacier:" + Op.
type Op string

// The 33 operations.
const (
	OpCreateVault                 Op = "CreateVault"
	OpDescribeVault               Op = "DescribeVault"
	OpListVaults                  Op = "ListVaults"
	OpDeleteVault                 Op = "DeleteVault"
	OpAddTagsToVault              Op = "AddTagsToVault"
	OpRemoveTagsFromVault         Op = "RemoveTagsFromVault"
	OpListTagsForVault            Op = "ListTagsForVault"
	OpSetVaultAccessPolicy        Op = "SetVaultAccessPolicy"
	OpGetVaultAccessPolicy        Op = "GetVaultAccessPolicy"
	OpDeleteVaultAccessPolicy     Op = "DeleteVaultAccessPolicy"
	OpSetVaultNotifications       Op = "SetVaultNotifications"
	OpGetVaultNotifications       Op = "GetVaultNotifications"
	OpDeleteVaultNotifications    Op = "DeleteVaultNotifications"
	OpInitiateVaultLock           Op = "InitiateVaultLock"
	OpGetVaultLock                Op = "GetVaultLock"
	OpCompleteVaultLock           Op = "CompleteVaultLock"
	OpAbortVaultLock              Op = "AbortVaultLock"
	OpGetDataRetrievalPolicy      Op = "GetDataRetrievalPolicy"
	OpSetDataRetrievalPolicy      Op = "SetDataRetrievalPolicy"
	OpPurchaseProvisionedCapacity Op = "PurchaseProvisionedCapacity"
	OpListProvisionedCapacity     Op = "ListProvisionedCapacity"
	OpUploadArchive               Op = "UploadArchive"
	OpDeleteArchive               Op = "DeleteArchive"
	OpInitiateMultipartUpload     Op = "InitiateMultipartUpload"
	OpListMultipartUploads        Op = "ListMultipartUploads"
	OpUploadMultipartPart         Op = "UploadMultipartPart"
	OpCompleteMultipartUpload     Op = "CompleteMultipartUpload"
	OpAbortMultipartUpload        Op = "AbortMultipartUpload"
	OpListParts                   Op = "ListParts"
	OpInitiateJob                 Op = "InitiateJob"
	OpListJobs                    Op = "ListJobs"
	OpDescribeJob                 Op = "DescribeJob"
	OpGetJobOutput                Op = "GetJobOutput"
)

// accountMustMatch lists the operations whose path account must be the
// caller's own (spec 1.1).
var accountMustMatch = map[Op]bool{
	OpCreateVault: true, OpListVaults: true,
	OpGetDataRetrievalPolicy: true, OpSetDataRetrievalPolicy: true,
	OpInitiateVaultLock: true, OpCompleteVaultLock: true, OpAbortVaultLock: true,
	// Capacity belongs to the account itself; no vault policy can grant it.
	OpPurchaseProvisionedCapacity: true, OpListProvisionedCapacity: true,
}

// route is the result of matching a request line.
type route struct {
	Op      Op
	Account string // the path's account segment, "-" or an ID
	Vault   string // "" for account-level operations
	ID      string // archive, upload, job or lock ID
}

// routeError says why no operation matched.
type routeError int

const (
	routeOK routeError = iota
	routeNoResource
	routeBadMethod
	routeBadOperation // a tags POST whose operation is neither add nor remove
)

// resources maps a resource shape to its methods. Shapes use "*" for a path
// parameter; "tags?add" and "tags?remove" encode the operation query.
var resources = map[string]map[string]Op{
	"vaults":                  {"GET": OpListVaults},
	"provisioned-capacity":    {"POST": OpPurchaseProvisionedCapacity, "GET": OpListProvisionedCapacity},
	"policies/data-retrieval": {"GET": OpGetDataRetrievalPolicy, "PUT": OpSetDataRetrievalPolicy},
	"vaults/*":                {"PUT": OpCreateVault, "GET": OpDescribeVault, "DELETE": OpDeleteVault},
	"vaults/*/tags":           {"GET": OpListTagsForVault},
	"vaults/*/tags?add":       {"POST": OpAddTagsToVault},
	"vaults/*/tags?remove":    {"POST": OpRemoveTagsFromVault},
	"vaults/*/access-policy":  {"PUT": OpSetVaultAccessPolicy, "GET": OpGetVaultAccessPolicy, "DELETE": OpDeleteVaultAccessPolicy},
	"vaults/*/notification-configuration": {
		"PUT": OpSetVaultNotifications, "GET": OpGetVaultNotifications, "DELETE": OpDeleteVaultNotifications},
	"vaults/*/lock-policy":         {"POST": OpInitiateVaultLock, "GET": OpGetVaultLock, "DELETE": OpAbortVaultLock},
	"vaults/*/lock-policy/*":       {"POST": OpCompleteVaultLock},
	"vaults/*/archives":            {"POST": OpUploadArchive},
	"vaults/*/archives/*":          {"DELETE": OpDeleteArchive},
	"vaults/*/multipart-uploads":   {"POST": OpInitiateMultipartUpload, "GET": OpListMultipartUploads},
	"vaults/*/multipart-uploads/*": {"PUT": OpUploadMultipartPart, "POST": OpCompleteMultipartUpload, "DELETE": OpAbortMultipartUpload, "GET": OpListParts},
	"vaults/*/jobs":                {"POST": OpInitiateJob, "GET": OpListJobs},
	"vaults/*/jobs/*":              {"GET": OpDescribeJob},
	"vaults/*/jobs/*/output":       {"GET": OpGetJobOutput},
}

// match finds the operation for method and escaped path. rawQuery supplies
// the literal "operation" parameter of the tag routes; it is parsed only
// for them. It allocates only for a segment with escapes (every request
// is routed: the segments and the shape live on the stack).
func match(method, escapedPath, rawQuery string) (route, routeError) {
	if len(escapedPath) < 2 || escapedPath[0] != '/' {
		return route{}, routeNoResource
	}
	var segs [maxSegments]string
	var raw1 string // the second segment as sent
	n := 0
	for rest := escapedPath[1:]; ; n++ {
		if n == maxSegments {
			return route{}, routeNoResource
		}
		seg, more, found := strings.Cut(rest, "/")
		u, err := url.PathUnescape(seg)
		// An empty vault name is routed so that it gets the name rules'
		// error; any other empty segment matches nothing.
		if err != nil || (u == "" && !(n == 2 && raw1 == "vaults")) {
			return route{}, routeNoResource
		}
		if n == 1 {
			raw1 = seg
		}
		segs[n] = u
		if !found {
			n++
			break
		}
		rest = more
	}
	if n < 2 {
		return route{}, routeNoResource
	}
	rt := route{Account: segs[0]}
	var shape [64]byte // the longest shape is 36 bytes
	key := shape[:0]
	for i, s := range segs[1:n] {
		switch {
		case i == 1 && segs[1] == "vaults":
			rt.Vault = s
			s = "*"
		case i == 3 && segs[1] == "vaults":
			rt.ID = s
			s = "*"
		}
		if i > 0 {
			key = append(key, '/')
		}
		if len(key)+len(s) > len(shape) {
			return route{}, routeNoResource // longer than any resource
		}
		key = append(key, s...)
	}
	tagsPost := string(key) == "vaults/*/tags" && method == "POST"
	var methods map[string]Op
	var ok bool
	if tagsPost {
		q, _ := url.ParseQuery(rawQuery)
		methods, ok = resources[string(key)+"?"+q.Get("operation")]
	} else {
		methods, ok = resources[string(key)] // no allocation: a lookup's conversion
	}
	switch {
	case !ok && tagsPost:
		return route{}, routeBadOperation
	case !ok:
		return route{}, routeNoResource
	}
	op, ok := methods[method]
	if !ok {
		return route{}, routeBadMethod
	}
	rt.Op = op
	return rt, routeOK
}

// maxSegments is the most segments a path has: account, "vaults", vault,
// collection, ID and "output".
const maxSegments = 6
