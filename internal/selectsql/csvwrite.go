package selectsql

import (
	"bufio"
	"io"
	"strings"
)

// csvWriter writes result records; one record is built in rec, checked
// against MaxRecordSize, then buffered.
type csvWriter struct {
	w         *bufio.Writer
	always    bool
	fd, rd, q byte
	qe        byte
	special   [256]bool // bytes that make ASNEEDED quote a field
	rec       []byte
	scratch   []byte // a non-string value's text
	n         int    // fields in rec
	written   int64
}

func newCSVWriter(w io.Writer, out CSVOutput) (*csvWriter, error) {
	c := &csvWriter{w: bufio.NewWriterSize(w, 256<<10)}
	switch strings.ToUpper(out.QuoteFields) {
	case "", "ASNEEDED":
	case "ALWAYS":
		c.always = true
	default:
		return nil, &Error{Code: InvalidQuoteFields, Phase: PhaseParse, Detail: "QuoteFields " + out.QuoteFields}
	}
	var err error
	if c.fd, err = oneByte("FieldDelimiter", out.FieldDelimiter, ","); err != nil {
		return nil, err
	}
	if c.rd, err = oneByte("RecordDelimiter", out.RecordDelimiter, "\n"); err != nil {
		return nil, err
	}
	if c.q, err = oneByte("QuoteCharacter", out.QuoteCharacter, `"`); err != nil {
		return nil, err
	}
	if c.qe, err = oneByte("QuoteEscapeCharacter", out.QuoteEscapeCharacter, `"`); err != nil {
		return nil, err
	}
	if c.fd == c.rd || c.fd == c.q || c.rd == c.q {
		return nil, &Error{Code: InvalidRequestParameter, Phase: PhaseParse, Detail: "the output field delimiter, record delimiter and quote character must differ"}
	}
	for _, b := range []byte{c.fd, c.rd, c.q, '\n', '\r'} {
		c.special[b] = true
	}
	return c, nil
}

func (c *csvWriter) field(f []byte) {
	if c.n > 0 {
		c.rec = append(c.rec, c.fd)
	}
	c.n++
	quote := c.always
	if !quote {
		for _, b := range f {
			if c.special[b] {
				quote = true
				break
			}
		}
	}
	if !quote {
		c.rec = append(c.rec, f...)
		return
	}
	c.rec = append(c.rec, c.q)
	for _, b := range f {
		if b == c.q {
			c.rec = append(c.rec, c.qe)
		}
		c.rec = append(c.rec, b)
	}
	c.rec = append(c.rec, c.q)
}

// passthrough reports whether a record read by r without quotes can be
// written as its raw bytes: the same delimiters and quote, ASNEEDED, and
// '\n' records (so no field holds a byte that would need quoting but a
// '\r', which the caller checks).
func (c *csvWriter) passthrough(r *csvReader) bool {
	return !c.always && c.fd == r.fd && c.rd == r.rd && c.q == r.q && r.rd == '\n'
}

// line writes a whole unquoted record as is.
func (c *csvWriter) line(b []byte) {
	c.rec = append(c.rec, b...)
	c.n = 1
}

// end finishes the record and hands it to the buffer.
func (c *csvWriter) end() error {
	c.rec = append(c.rec, c.rd)
	defer func() { c.rec, c.n = c.rec[:0], 0 }()
	if len(c.rec) > MaxRecordSize {
		return tooLong()
	}
	n, err := c.w.Write(c.rec)
	c.written += int64(n)
	return err
}

func (c *csvWriter) flush() error { return c.w.Flush() }
