// Package inventory writes vault inventories in the two formats Glacier
// returns from an inventory-retrieval job (spec 4.4): JSON and CSV. Entries
// are streamed to the writer one by one, so an inventory of any size needs
// only a small buffer. It depends on nothing else in permafrost.
package inventory

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"permafrost/internal/isotime"
)

// Entry is one archive in an inventory.
type Entry struct {
	ArchiveID   string
	Description string
	Created     time.Time
	Size        int64
	TreeHash    string
}

// Writer receives inventory entries.
type Writer interface {
	Add(e Entry) error
	// Close writes the end of the document and flushes; it does not close
	// the underlying writer.
	Close() error
}

// creationFormat is an archive's CreationDate in whole seconds, as real
// inventories write it (the API's other dates carry milliseconds).
const creationFormat = isotime.Seconds

// InventoryDateFormat is the form of the JSON InventoryDate (no
// milliseconds, as in the service's example).
const InventoryDateFormat = "2006-01-02T15:04:05Z"

type jsonWriter struct {
	w     *bufio.Writer
	first bool
	buf   []byte
}

// NewJSON returns a writer of the JSON format:
// {"VaultARN":...,"InventoryDate":...,"ArchiveList":[...]}.
func NewJSON(w io.Writer, vaultARN string, date time.Time) (Writer, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	arn, _ := json.Marshal(vaultARN)
	bw.WriteString(`{"VaultARN":`)
	bw.Write(arn)
	bw.WriteString(`,"InventoryDate":"` + date.UTC().Format(InventoryDateFormat) + `","ArchiveList":[`)
	return &jsonWriter{w: bw, first: true}, nil
}

func (j *jsonWriter) Add(e Entry) error {
	b := j.buf[:0]
	if !j.first {
		b = append(b, ',')
	}
	j.first = false
	b = append(b, `{"ArchiveId":`...)
	b = appendJSONString(b, e.ArchiveID)
	b = append(b, `,"ArchiveDescription":`...)
	b = appendJSONString(b, e.Description)
	b = append(b, `,"CreationDate":"`...)
	b = isotime.AppendSeconds(b, e.Created)
	b = append(b, `","Size":`...)
	b = strconv.AppendInt(b, e.Size, 10)
	b = append(b, `,"SHA256TreeHash":"`...)
	b = append(b, e.TreeHash...)
	b = append(b, `"}`...)
	j.buf = b
	_, err := j.w.Write(b)
	return err
}

func (j *jsonWriter) Close() error {
	j.w.WriteString("]}")
	return j.w.Flush()
}

// appendJSONString appends s as a JSON string, escaping only what JSON
// requires (no HTML escaping, unlike encoding/json's default).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

type csvWriter struct {
	w   *bufio.Writer
	buf []byte
}

// CSVHeader is the first line of a CSV inventory.
const CSVHeader = "ArchiveId,ArchiveDescription,CreationDate,Size,SHA256TreeHash\n"

// NewCSV returns a writer of the CSV format: a header row, then one line
// per archive, "\n"-terminated, the description always quoted with '"'
// escaped as '\"' and other fields quoted only when they hold ',' or '"'.
func NewCSV(w io.Writer) (Writer, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	_, err := bw.WriteString(CSVHeader)
	return &csvWriter{w: bw}, err
}

// quote encloses s in double quotes, escaping '"' as '\"' (backslashes are
// not escaped), as the service does.
func quote(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `\"`)...)
	return append(b, '"')
}

func field(b []byte, s string) []byte {
	if strings.ContainsAny(s, `,"`) {
		return quote(b, s)
	}
	return append(b, s...)
}

func (c *csvWriter) Add(e Entry) error {
	b := field(c.buf[:0], e.ArchiveID)
	b = append(b, ',')
	b = quote(b, e.Description)
	b = append(b, ',')
	b = isotime.AppendSeconds(b, e.Created)
	b = append(b, ',')
	b = strconv.AppendInt(b, e.Size, 10)
	b = append(b, ',')
	b = field(b, e.TreeHash)
	b = append(b, '\n')
	c.buf = b
	_, err := c.w.Write(b)
	return err
}

func (c *csvWriter) Close() error { return c.w.Flush() }
