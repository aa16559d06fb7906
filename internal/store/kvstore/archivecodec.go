package kvstore

import (
	"encoding/binary"
	"errors"
	"time"

	"permafrost/internal/glacier"
)

// Archives are by far the most numerous records (an inventory reads every
// one of a vault's), so they have a compact binary encoding instead of
// JSON: a version byte, then varint-prefixed strings and varints. Records
// that start with '{' are JSON, as the first versions wrote them.
// Version 2 appends the deletion time of a tombstone; live archives are
// still written as version 1, so live-mode records are unchanged.
const (
	archiveCodecV1 = 1
	archiveCodecV2 = 2
)

func encodeArchive(a *glacier.Archive) []byte {
	b := make([]byte, 0, 64+len(a.ID)+len(a.Vault)+len(a.Description)+len(a.TreeHash)+len(a.Segments)*40)
	version := byte(archiveCodecV1)
	if !a.Deleted.IsZero() {
		version = archiveCodecV2
	}
	b = append(b, version)
	b = appendString(b, a.ID)
	b = appendString(b, a.Vault)
	b = appendString(b, a.Description)
	b = binary.AppendVarint(b, a.Created.UnixNano())
	b = binary.AppendVarint(b, a.Size)
	b = appendString(b, a.TreeHash)
	b = binary.AppendUvarint(b, uint64(len(a.Segments)))
	for _, s := range a.Segments {
		b = appendString(b, s.Blob)
		b = binary.AppendVarint(b, s.Size)
		inline := byte(0)
		if s.Inline {
			inline = 1
		}
		b = append(b, inline)
	}
	if version == archiveCodecV2 {
		b = binary.AppendVarint(b, a.Deleted.UnixNano())
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var errCorrupt = errors.New("corrupt archive record")

type reader struct {
	b []byte
	// s, when set, holds b's bytes (the bytes left are its tail): str
	// returns pieces of it instead of a copy each.
	s   string
	err error
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errCorrupt, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = errCorrupt, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err, r.b = errCorrupt, nil
		return ""
	}
	var s string
	if r.s != "" {
		off := len(r.s) - len(r.b)
		s = r.s[off : off+int(n)]
	} else {
		s = string(r.b[:n])
	}
	r.b = r.b[n:]
	return s
}

func decodeArchive(raw []byte, a *glacier.Archive) error {
	if len(raw) == 0 || raw[0] != archiveCodecV1 && raw[0] != archiveCodecV2 {
		return errCorrupt
	}
	// The ID, vault name, description and tree hash share one allocation
	// (scans decode a million of these); the segments' blob IDs, which
	// callers may keep long after, get their own.
	r := reader{b: raw[1:], s: string(raw[1:])}
	a.ID = r.str()
	a.Vault = r.str()
	a.Description = r.str()
	a.Created = time.Unix(0, r.varint()).UTC()
	a.Size = r.varint()
	a.TreeHash = r.str()
	r.s = ""
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		return errCorrupt
	}
	a.Segments = make([]glacier.Segment, n)
	for i := range a.Segments {
		a.Segments[i].Blob = r.str()
		a.Segments[i].Size = r.varint()
		if len(r.b) == 0 {
			return errCorrupt
		}
		a.Segments[i].Inline = r.b[0] == 1
		r.b = r.b[1:]
	}
	a.Deleted = time.Time{}
	if raw[0] == archiveCodecV2 {
		a.Deleted = time.Unix(0, r.varint()).UTC()
	}
	if r.err != nil || len(r.b) != 0 {
		return errCorrupt
	}
	return nil
}
