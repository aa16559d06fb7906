// Package treehash computes the Amazon Glacier SHA-256 tree hash: the
// payload is cut into 1 MiB leaves, each leaf is hashed with SHA-256, and
// adjacent digests are paired level by level (an odd node at the end of a
// level is promoted unchanged) until one digest remains.
//
// It owns the hash value type and its hex form (Hash, Parse), whole-buffer
// and streaming computation (Sum, Writer), combination of multipart part
// hashes (Combine), and the byte-range rules tied to the tree shape
// (IsMiBAligned, IsTreeHashAligned, ParseRange).
//
// It depends on nothing else in permafrost, only on the standard library.
package treehash
