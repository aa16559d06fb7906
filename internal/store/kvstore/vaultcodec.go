package kvstore

import (
	"encoding/json"
	"strconv"
	"time"

	"permafrost/internal/glacier"
)

// encodeVault is json.Marshal(v), byte for byte (vaultcodec_test.go holds
// them equal), written by hand for the common record: one without tags
// (nil, or the empty map CreateVault gives every new vault), policy,
// notifications, lock or inventory state, whose strings need no
// escaping. Every archive upload rewrites its vault's record inside the
// serial group commit, where json.Marshal's reflection was a third of an
// upload's own work; any other record goes through json.Marshal.
func encodeVault(v *glacier.Vault) ([]byte, error) {
	if !plainVault(v) {
		return json.Marshal(v)
	}
	b := make([]byte, 0, 256+len(v.Account)+len(v.Region)+len(v.Name))
	b = append(b, `{"Account":"`...)
	b = append(b, v.Account...)
	b = append(b, `","Region":"`...)
	b = append(b, v.Region...)
	b = append(b, `","Name":"`...)
	b = append(b, v.Name...)
	b = append(b, `","Created":"`...)
	b = v.Created.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","LastInventory":"`...)
	b = v.LastInventory.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","Archives":`...)
	b = strconv.AppendInt(b, v.Archives, 10)
	b = append(b, `,"Size":`...)
	b = strconv.AppendInt(b, v.Size, 10)
	b = append(b, `,"Inv":null,"Tags":`...)
	if v.Tags == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, "{}"...)
	}
	b = append(b, `,"AccessPolicy":"","Notifications":null,"Lock":null}`...)
	return b, nil
}

// plainVault reports whether v is a common record, which encodeVault
// writes by hand and which cannot fail to encode.
func plainVault(v *glacier.Vault) bool {
	return v.Inv == nil && len(v.Tags) == 0 && v.AccessPolicy == "" && v.Notifications == nil && v.Lock == nil &&
		plainJSON(v.Account) && plainJSON(v.Region) && plainJSON(v.Name) &&
		plainTime(v.Created) && plainTime(v.LastInventory)
}

// plainJSON reports whether json.Marshal writes s as it is between quotes:
// printable ASCII without the characters it escapes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// plainTime reports whether t's JSON is its RFC 3339 form with
// nanoseconds: MarshalJSON refuses years outside 0-9999 and offsets of
// seconds.
func plainTime(t time.Time) bool {
	if y := t.Year(); y < 0 || y > 9999 {
		return false
	}
	_, off := t.Zone()
	return off%60 == 0
}
