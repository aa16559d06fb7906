package api

import (
	"encoding/json"
	"strconv"
	"sync"
)

// jsonAppender is a response body that encodes itself, byte for byte as
// encoding/json.Marshal encodes it (FuzzAppendJSON compares the two), for
// the answers a client asks for most (DescribeVault, ListVaults): Marshal
// spends its time in reflection, and its allocations, on a handful of
// fields.
type jsonAppender interface {
	appendJSON(dst []byte) []byte
}

// jsonBufs recycles the buffers bodies are appended into; a buffer grown
// past maxPooledJSON is left to the collector.
var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

const maxPooledJSON = 64 << 10

// appendJSONString appends s as a JSON string. Strings of plain printable
// ASCII that JSON and Marshal's HTML escaping leave alone (every vault
// name, ARN and date) are copied; any other goes through Marshal itself,
// so that the output never differs from it.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

func appendJSONStringPtr(dst []byte, s *string) []byte {
	if s == nil {
		return append(dst, "null"...)
	}
	return appendJSONString(dst, *s)
}

func (v *vaultJSON) appendJSON(b []byte) []byte {
	b = append(b, `{"CreationDate":`...)
	b = appendJSONString(b, v.CreationDate)
	b = append(b, `,"LastInventoryDate":`...)
	b = appendJSONStringPtr(b, v.LastInventoryDate)
	b = append(b, `,"NumberOfArchives":`...)
	b = strconv.AppendInt(b, v.NumberOfArchives, 10)
	b = append(b, `,"SizeInBytes":`...)
	b = strconv.AppendInt(b, v.SizeInBytes, 10)
	b = append(b, `,"VaultARN":`...)
	b = appendJSONString(b, v.VaultARN)
	b = append(b, `,"VaultName":`...)
	b = appendJSONString(b, v.VaultName)
	return append(b, '}')
}

func (l *listVaultsJSON) appendJSON(b []byte) []byte {
	b = append(b, `{"Marker":`...)
	b = appendJSONStringPtr(b, l.Marker)
	b = append(b, `,"VaultList":`...)
	if l.VaultList == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range l.VaultList {
			if i > 0 {
				b = append(b, ',')
			}
			b = l.VaultList[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}
