// Package sigv4 verifies AWS Signature Version 4 signed requests for the
// Glacier emulator and owns the access-key credentials table.
//
// It is a leaf package: it depends only on the standard library and on
// nothing internal to the project. Everything here is a pure function of its
// inputs (the request, the payload hash the caller vouches for, the
// credentials and the current time), apart from a small cache of derived
// signing keys kept inside [Credentials].
//
// Both the Authorization-header form and the presigned query-string form
// (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders,
// X-Amz-Signature, X-Amz-Expires) are supported. The canonical request is
// built the way AWS and aws-sdk-go-v2 build it for a non-S3 service:
//
//   - The canonical URI is the path exactly as it appeared on the wire (the
//     already-escaped form) URI-encoded once more, every byte other than
//     A-Z a-z 0-9 - . _ ~ and '/' becoming %XX. A '%' therefore becomes
//     "%25": a vault named "a b" travels as "/-/vaults/a%20b" and is
//     canonicalised as "/-/vaults/a%2520b". Paths are not normalised
//     ("." and ".." segments are kept), matching the Go SDK, which never
//     normalises.
//   - The canonical query string is every parameter except X-Amz-Signature,
//     decoded ('+' meaning space) then RFC 3986 encoded, sorted by encoded
//     key then encoded value.
//   - Canonical headers are the SignedHeaders in the order given, each value
//     trimmed with runs of spaces collapsed and repeated values joined with
//     ','. "host" comes from Request.Host and "content-length" falls back to
//     Request.ContentLength.
//
// The credentials table ([ParseCredentials]) has one key per line,
// "ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID [admin]". The optional fourth
// field marks the key as an administrator of the emulator ([Credential.Admin]);
// this package only records the mark, and the HTTP layer decides what an
// administrator may do (the /_permafrost/ endpoints). Files without the
// fourth field keep their meaning: every key is an ordinary one.
//
// Failures are reported as *[Error] values whose Code is the exact AWS wire
// error code and whose Message mirrors the AWS wording.
package sigv4
