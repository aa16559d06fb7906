package selectsql

import (
	"bytes"
	"io"
	"strings"
)

// MaxRecordSize is the longest record, in bytes, read or written: AWS's
// "maxCharsPerRecord of 1 MB".
const MaxRecordSize = 1 << 20

// MaxColumns is the most fields a record may have ("a limit of
// 1,048,576 columns per record", Querying archived objects).
const MaxColumns = 1 << 20

const readChunk = 256 << 10

// CSVInput holds the Glacier CSVInput options, as sent; empty means the
// default (FileHeaderInfo NONE, ',' '\n' '"' '"', and no comment
// character).
type CSVInput struct {
	FileHeaderInfo       string // USE, IGNORE or NONE
	Comments             string
	QuoteEscapeCharacter string
	RecordDelimiter      string
	FieldDelimiter       string
	QuoteCharacter       string
}

// CSVOutput holds the Glacier CSVOutput options; empty means the default
// (QuoteFields ASNEEDED, ',' '\n' '"' '"').
type CSVOutput struct {
	QuoteFields          string // ALWAYS or ASNEEDED
	QuoteEscapeCharacter string
	RecordDelimiter      string
	FieldDelimiter       string
	QuoteCharacter       string
}

func oneByte(name, v, def string) (byte, error) {
	if v == "" {
		v = def
	}
	if len(v) != 1 {
		return 0, &Error{Code: InvalidRequestParameter, Phase: PhaseParse, Detail: name + " must be one single-byte character"}
	}
	return v[0], nil
}

// csvReader reads records one at a time from a fixed buffer: memory is
// bounded by MaxRecordSize whatever the input's size.
type csvReader struct {
	r         io.Reader
	buf       []byte
	pos, end  int
	eof       bool
	err       error
	fd, rd, q byte
	qe        byte
	comment   int // -1: none
	fields    [][]byte
	offs      []int // field ends in scratch, for the quoted path
	scratch   []byte
	stop      [256]bool // bytes that end a run of unquoted text
	crlf      bool      // drop a '\r' before the default '\n' delimiter
	line      []byte    // the current record's bytes when it had no quote
	bytesRead int64
}

func newCSVReader(r io.Reader, in CSVInput) (*csvReader, error) {
	c := &csvReader{r: r, comment: -1}
	var err error
	if c.fd, err = oneByte("FieldDelimiter", in.FieldDelimiter, ","); err != nil {
		return nil, err
	}
	// the CSVInput reference: "\n, \r, or an ASCII character in the range 32-126"
	if c.fd != '\n' && c.fd != '\r' && (c.fd < 32 || c.fd > 126) {
		return nil, &Error{Code: InvalidRequestParameter, Phase: PhaseParse, Detail: "FieldDelimiter must be \\n, \\r or ASCII 32-126"}
	}
	if c.rd, err = oneByte("RecordDelimiter", in.RecordDelimiter, "\n"); err != nil {
		return nil, err
	}
	if c.q, err = oneByte("QuoteCharacter", in.QuoteCharacter, `"`); err != nil {
		return nil, err
	}
	if c.qe, err = oneByte("QuoteEscapeCharacter", in.QuoteEscapeCharacter, `"`); err != nil {
		return nil, err
	}
	if in.Comments != "" {
		b, err := oneByte("Comments", in.Comments, "")
		if err != nil {
			return nil, err
		}
		c.comment = int(b)
	}
	if c.fd == c.rd || c.fd == c.q || c.rd == c.q {
		return nil, &Error{Code: InvalidRequestParameter, Phase: PhaseParse, Detail: "the field delimiter, record delimiter and quote character must differ"}
	}
	c.stop[c.fd], c.stop[c.rd], c.stop[c.q] = true, true, true
	c.crlf = c.rd == '\n' && c.fd != '\r'
	c.buf = make([]byte, MaxRecordSize+readChunk+1)
	return c, nil
}

// fill moves the unread bytes to the front and reads more. Offsets
// relative to pos stay valid across it.
func (c *csvReader) fill() error {
	if c.err != nil {
		return c.err
	}
	if c.pos > 0 {
		c.end = copy(c.buf, c.buf[c.pos:c.end])
		c.pos = 0
	}
	for !c.eof && c.end < len(c.buf) {
		n, err := c.r.Read(c.buf[c.end:])
		c.end += n
		c.bytesRead += int64(n)
		if err == io.EOF {
			c.eof = true
		} else if err != nil {
			c.err = err
			return err
		}
		if n > 0 {
			break
		}
	}
	return nil
}

func tooLong() error {
	return evalErr(OverMaxRecordSize, "")
}

// next returns the next record's fields, valid until the following call,
// or io.EOF. Comment lines and empty lines are skipped.
func (c *csvReader) next() ([][]byte, error) {
	for {
		if c.pos >= c.end {
			if c.eof {
				return nil, io.EOF
			}
			if err := c.fill(); err != nil {
				return nil, err
			}
			continue
		}
		if c.comment >= 0 && c.buf[c.pos] == byte(c.comment) {
			if err := c.skipLine(); err != nil {
				return nil, err
			}
			continue
		}
		if c.buf[c.pos] == c.rd {
			c.pos++ // an empty line is no record
			continue
		}
		if c.crlf && c.buf[c.pos] == '\r' && c.pos+1 < c.end && c.buf[c.pos+1] == '\n' {
			c.pos += 2
			continue
		}
		f, err := c.record()
		if f == nil && err == nil {
			continue
		}
		return f, err
	}
}

// lineEnd finds the next record delimiter from pos, reading as needed;
// it returns its offset from pos, or the bytes left at EOF.
func (c *csvReader) lineEnd() (int, bool, error) {
	from := 0
	for {
		if i := bytes.IndexByte(c.buf[c.pos+from:c.end], c.rd); i >= 0 {
			return from + i, true, nil
		}
		from = c.end - c.pos
		if from > MaxRecordSize {
			return 0, false, tooLong()
		}
		if c.eof {
			return from, false, nil
		}
		if err := c.fill(); err != nil {
			return 0, false, err
		}
	}
}

// skipLine discards a comment line, however long, without buffering it.
func (c *csvReader) skipLine() error {
	for {
		if i := bytes.IndexByte(c.buf[c.pos:c.end], c.rd); i >= 0 {
			c.pos += i + 1
			return nil
		}
		c.pos = c.end
		if c.eof {
			return nil
		}
		if err := c.fill(); err != nil {
			return err
		}
	}
}

func (c *csvReader) record() ([][]byte, error) {
	n, found, err := c.lineEnd()
	if err != nil {
		return nil, err
	}
	if n > MaxRecordSize {
		return nil, tooLong()
	}
	line := c.buf[c.pos : c.pos+n]
	if bytes.IndexByte(line, c.q) >= 0 {
		c.line = nil
		return c.quotedRecord()
	}
	c.pos += n
	if found {
		c.pos++
	}
	if c.crlf && len(line) > 0 && line[len(line)-1] == '\r' {
		if line = line[:len(line)-1]; len(line) == 0 {
			return nil, nil // a blank "\r\n" line: no record
		}
	}
	c.line = line
	c.fields = c.fields[:0]
	for {
		i := bytes.IndexByte(line, c.fd)
		if i < 0 {
			c.fields = append(c.fields, line)
			if len(c.fields) > MaxColumns {
				return nil, evalErr(OverMaxColumn, "")
			}
			return c.fields, nil
		}
		c.fields = append(c.fields, line[:i])
		line = line[i+1:]
	}
}

// quotedRecord parses a record holding quote characters, byte by byte,
// into scratch: quoted fields may hold delimiters and record delimiters;
// a doubled quote (or the escape character before a quote) is a quote.
func (c *csvReader) quotedRecord() ([][]byte, error) {
	const (
		fieldStart = iota
		unquoted
		inQuotes
		afterQuotes
	)
	c.scratch = c.scratch[:0]
	c.offs = c.offs[:0]
	state := fieldStart
	i := 0 // offset from pos
	endField := func() {
		if state == unquoted && c.crlf {
			if k := len(c.scratch); k > 0 && c.scratch[k-1] == '\r' && (len(c.offs) == 0 || c.offs[len(c.offs)-1] < k) {
				c.scratch = c.scratch[:k-1]
			}
		}
		c.offs = append(c.offs, len(c.scratch))
	}
	for {
		if i > MaxRecordSize {
			return nil, tooLong()
		}
		if c.pos+i >= c.end {
			if !c.eof {
				if err := c.fill(); err != nil {
					return nil, err
				}
				continue
			}
			endField() // EOF ends the record, even inside quotes
			c.pos = c.end
			return c.split()
		}
		b := c.buf[c.pos+i]
		if state == inQuotes {
			if b == c.qe || b == c.q {
				// the byte after decides: read it first
				if c.pos+i+1 >= c.end && !c.eof {
					if err := c.fill(); err != nil {
						return nil, err
					}
					continue
				}
				nextIsQuote := c.pos+i+1 < c.end && c.buf[c.pos+i+1] == c.q
				switch {
				case b == c.qe && nextIsQuote:
					c.scratch = append(c.scratch, c.q)
					i += 2
				case b == c.q:
					state = afterQuotes
					i++
				default: // an escape character before anything else is itself
					c.scratch = append(c.scratch, b)
					i++
				}
				continue
			}
			// copy the run up to the next quote or escape in one step
			run := c.buf[c.pos+i : c.end]
			k := bytes.IndexByte(run, c.q)
			if c.qe != c.q {
				if j := bytes.IndexByte(run, c.qe); j >= 0 && (k < 0 || j < k) {
					k = j
				}
			}
			if k < 0 {
				k = len(run)
			}
			c.scratch = append(c.scratch, run[:k]...)
			i += k
			continue
		}
		switch {
		case b == c.fd:
			endField()
			state = fieldStart
		case b == c.rd:
			endField()
			c.pos += i + 1
			return c.split()
		case b == c.q && state == fieldStart:
			state = inQuotes
		default:
			// copy the run of ordinary bytes in one step
			j := c.pos + i + 1
			for j < c.end && !c.stop[c.buf[j]] {
				j++
			}
			c.scratch = append(c.scratch, c.buf[c.pos+i:j]...)
			i = j - c.pos
			state = unquoted
			continue
		}
		i++
	}
}

func (c *csvReader) split() ([][]byte, error) {
	if len(c.offs) > MaxColumns {
		return nil, evalErr(OverMaxColumn, "")
	}
	c.fields = c.fields[:0]
	start := 0
	for _, e := range c.offs {
		c.fields = append(c.fields, c.scratch[start:e:e])
		start = e
	}
	return c.fields, nil
}

// headerNames copies a header record's fields.
func headerNames(f [][]byte) []string {
	names := make([]string, len(f))
	for i, b := range f {
		names[i] = strings.Clone(string(b))
	}
	return names
}
