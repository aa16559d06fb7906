package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"permafrost/internal/glacier"
)

// checkDuplicates refuses a JSON body that names a member twice in one
// object, anywhere in the document. encoding/json would merge the two (two
// "Tags" objects become one map, so one AddTagsToVault could add twice the
// tags its limit allows) or let the last win: either way the request would
// mean something its first reading did not.
//
// It walks body in the shape of t, the type it was decoded into, because
// encoding/json matches a struct's fields ignoring case: in an object
// decoded into a struct, "Type" and "type" are the same member. Elsewhere
// (map keys such as tag keys, and objects the DTOs do not model) names are
// compared exactly. body has already been decoded without error.
func checkDuplicates(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return walkDuplicates(dec, t, "")
}

func walkDuplicates(dec *json.Decoder, t reflect.Type, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return serializationError(err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch d {
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkDuplicates(dec, elem, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case '{':
		var seen map[string]bool
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return serializationError(err)
			}
			key, _ := kt.(string)
			id, vt := key, reflect.Type(nil)
			switch {
			case t == nil:
			case t.Kind() == reflect.Struct:
				if name, ft, ok := jsonField(t, key); ok {
					id, vt = "field "+name, ft
				}
			case t.Kind() == reflect.Map:
				vt = t.Elem()
			}
			if seen[id] {
				where := "the request body"
				if path != "" {
					where = path
				}
				return glacier.Errorf(glacier.Serialization, "Duplicate member %q in %s: a member may appear only once in an object.", key, where)
			}
			if seen == nil {
				seen = map[string]bool{}
			}
			seen[id] = true
			sub := key
			if path != "" {
				sub = path + "." + key
			}
			if err := walkDuplicates(dec, vt, sub); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return serializationError(err)
	}
	return nil
}

// jsonField finds the field of struct t that encoding/json decodes key
// into: the exact name first, else one equal ignoring case.
func jsonField(t reflect.Type, key string) (string, reflect.Type, bool) {
	var folded reflect.StructField
	found := false
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			if tag == "-" {
				continue
			}
			if n, _, _ := strings.Cut(tag, ","); n != "" {
				name = n
			}
		}
		if name == key {
			return name, f.Type, true
		}
		if !found && strings.EqualFold(name, key) {
			folded, found = f, true
		}
	}
	if found {
		name, _, _ := strings.Cut(folded.Tag.Get("json"), ",")
		if name == "" {
			name = folded.Name
		}
		return name, folded.Type, true
	}
	return "", nil, false
}
