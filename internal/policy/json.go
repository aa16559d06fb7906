package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// JSON value kinds.
const (
	kindObject = '{'
	kindArray  = '['
	kindString = '"'
	kindBool   = 'b'
	kindNull   = 'n'
	kindNumber = '0'
)

// maxDepth bounds nesting; the deepest valid policy path (document,
// Statement array, statement, Condition, operator, key, value array,
// value) is eight levels.
const maxDepth = 16

// node is a decoded JSON value. Unlike encoding/json's generic decoding it
// keeps object members in document order, rejects duplicate keys, and
// keeps number literals as written.
type node struct {
	kind    byte
	str     string   // string value, number literal, or "true"/"false"
	members []member // object members
	elems   []*node  // array elements
}

// member is one key/value pair of a JSON object.
type member struct {
	key string
	val *node
}

// decodeDocument decodes doc, which must be exactly one JSON value, in a
// single pass.
func decodeDocument(doc string) (*node, error) {
	if !json.Valid([]byte(doc)) {
		return nil, errors.New("document is not valid JSON")
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var path []pathSeg
	n, err := readNode(dec, &path)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("document: unexpected data after the JSON value")
	}
	return n, nil
}

// pathSeg is one step of the path to the value being decoded: an object
// key, or an array index when idx >= 0.
type pathSeg struct {
	key string
	idx int
}

// pathString renders a path as in error messages, e.g. "Statement[0].Effect";
// the empty path is "document".
func pathString(path []pathSeg) string {
	if len(path) == 0 {
		return "document"
	}
	var b strings.Builder
	for i, p := range path {
		switch {
		case p.idx >= 0:
			fmt.Fprintf(&b, "[%d]", p.idx)
		case i > 0:
			b.WriteString("." + p.key)
		default:
			b.WriteString(p.key)
		}
	}
	return b.String()
}

// readNode reads one value; *path locates it and is restored on return.
// The document has already been validated, so token errors are not
// expected; they are reported, not trusted away.
func readNode(dec *json.Decoder, path *[]pathSeg) (*node, error) {
	if len(*path) >= maxDepth {
		return nil, fmt.Errorf("%s: nested more than %d levels deep", pathString(*path), maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("document: %v", err)
	}
	switch v := tok.(type) {
	case string:
		return &node{kind: kindString, str: v}, nil
	case json.Number:
		return &node{kind: kindNumber, str: string(v)}, nil
	case bool:
		return &node{kind: kindBool, str: fmt.Sprint(v)}, nil
	case nil:
		return &node{kind: kindNull}, nil
	case json.Delim:
		n := &node{kind: byte(v)}
		var seen map[string]bool
		depth := len(*path)
		defer func() { *path = (*path)[:depth] }()
		for i := 0; dec.More(); i++ {
			if v == '[' {
				*path = append((*path)[:depth], pathSeg{idx: i})
				e, err := readNode(dec, path)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, e)
				continue
			}
			kt, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("document: %v", err)
			}
			key, _ := kt.(string)
			if hasKey(n.members, &seen, key) {
				return nil, fmt.Errorf("%s: duplicate key %q", pathString((*path)[:depth]), key)
			}
			*path = append((*path)[:depth], pathSeg{key: key, idx: -1})
			val, err := readNode(dec, path)
			if err != nil {
				return nil, err
			}
			n.members = append(n.members, member{key: key, val: val})
		}
		if _, err := dec.Token(); err != nil { // closing delimiter
			return nil, fmt.Errorf("document: %v", err)
		}
		return n, nil
	}
	return nil, fmt.Errorf("document: unexpected JSON token %v", tok)
}

// hasKey reports whether key is among members. Small objects are scanned;
// from 16 members on, a set kept in *seen makes the check constant time.
func hasKey(members []member, seen *map[string]bool, key string) bool {
	if len(members) < 16 {
		for _, m := range members {
			if m.key == key {
				return true
			}
		}
		return false
	}
	if *seen == nil {
		*seen = make(map[string]bool, 2*len(members))
		for _, m := range members {
			(*seen)[m.key] = true
		}
	}
	if (*seen)[key] {
		return true
	}
	(*seen)[key] = true
	return false
}

// kindName names a kind for error messages.
func kindName(k byte) string {
	switch k {
	case kindObject:
		return "an object"
	case kindArray:
		return "an array"
	case kindString:
		return "a string"
	case kindBool:
		return "a boolean"
	case kindNull:
		return "null"
	}
	return "a number"
}

// objectMembers returns the members of n, which must be an object.
func objectMembers(n *node, where string) ([]member, error) {
	if n.kind != kindObject {
		return nil, fmt.Errorf("%s: must be a JSON object, got %s", where, kindName(n.kind))
	}
	return n.members, nil
}

// jsonString returns the value of n, which must be a string.
func jsonString(n *node, where string) (string, error) {
	if n.kind != kindString {
		return "", fmt.Errorf("%s: must be a string, got %s", where, kindName(n.kind))
	}
	return n.str, nil
}

// stringList decodes a value that is either a single non-empty string or a
// non-empty array of non-empty strings.
func stringList(n *node, where string) ([]string, error) {
	switch n.kind {
	case kindString:
		if n.str == "" {
			return nil, fmt.Errorf("%s: must not be empty", where)
		}
		return []string{n.str}, nil
	case kindArray:
		if len(n.elems) == 0 {
			return nil, fmt.Errorf("%s: must not be an empty array", where)
		}
		out := make([]string, 0, len(n.elems))
		for i, e := range n.elems {
			if e.kind != kindString {
				return nil, fmt.Errorf("%s[%d]: must be a string, got %s", where, i, kindName(e.kind))
			}
			if e.str == "" {
				return nil, fmt.Errorf("%s[%d]: must not be empty", where, i)
			}
			out = append(out, e.str)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%s: must be a string or an array of strings, got %s", where, kindName(n.kind))
	}
}
