package selectsql

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"time"
)

// Stats are the figures a select job reports: bytes read from the
// archive, bytes processed (the same, as archives are uncompressed) and
// bytes of results written.
type Stats struct {
	BytesScanned   int64
	BytesProcessed int64
	BytesReturned  int64
}

// Options configure Run beyond the query and the CSV options.
type Options struct {
	// Now is the time UTCNOW() returns; zero means the time Run starts.
	Now time.Time
}

// Run executes query over the CSV read from r and writes the CSV results
// to w, streaming: memory is bounded by one record whatever the input's
// size. Errors are *Error (parse-time or evaluation-time, see Phase)
// unless r or w fail, in which case their error is returned as is.
// UTCNOW() is the time Run starts; Parse and Query.Run take a clock.
func Run(query string, in CSVInput, out CSVOutput, r io.Reader, w io.Writer) (Stats, error) {
	q, err := Parse(query)
	if err != nil {
		return Stats{}, err
	}
	return q.Run(in, out, r, w, Options{})
}

// CheckInput validates the input and output options alone, so that a
// job layer can refuse bad ones before starting.
func CheckInput(in CSVInput, out CSVOutput) error {
	if _, err := headerMode(in.FileHeaderInfo); err != nil {
		return err
	}
	if _, err := newCSVReaderOpts(in); err != nil {
		return err
	}
	_, err := newCSVWriter(io.Discard, out)
	return err
}

func newCSVReaderOpts(in CSVInput) (*csvReader, error) {
	c, err := newCSVReader(nil, in)
	if c != nil {
		c.buf = nil
	}
	return c, err
}

func headerMode(s string) (string, error) {
	switch m := strings.ToUpper(s); m {
	case "", "NONE":
		return "NONE", nil
	case "USE", "IGNORE":
		return m, nil
	}
	return "", &Error{Code: InvalidFileHeaderInfo, Phase: PhaseParse, Detail: "FileHeaderInfo " + s}
}

// Run executes a parsed query; see the package function Run.
func (q *Query) Run(in CSVInput, out CSVOutput, r io.Reader, w io.Writer, opt Options) (st Stats, err error) {
	mode, err := headerMode(in.FileHeaderInfo)
	if err != nil {
		return st, err
	}
	cr, err := newCSVReader(r, in)
	if err != nil {
		return st, err
	}
	cw, err := newCSVWriter(w, out)
	if err != nil {
		return st, err
	}
	defer func() {
		if ferr := cw.flush(); err == nil && ferr != nil {
			err = ferr
		}
		st = Stats{BytesScanned: cr.bytesRead, BytesProcessed: cr.bytesRead, BytesReturned: cw.written}
	}()
	q.now = opt.Now
	if q.now.IsZero() {
		q.now = time.Now()
	}
	var header []string
	if mode != "NONE" {
		f, err := cr.next()
		if errors.Is(err, io.EOF) {
			return st, nil // no header, so no records: nothing to bind or select
		}
		if err != nil {
			return st, err
		}
		if mode == "USE" {
			header = headerNames(f)
		}
	}
	if err := q.bind(header, mode == "USE"); err != nil {
		return st, err
	}
	var rw row
	raw := q.star && cw.passthrough(cr)
	for {
		f, err := cr.next()
		if err == io.EOF {
			return st, nil
		}
		if err != nil {
			return st, err
		}
		rw.fields = f
		if q.where != nil {
			v, err := q.where.eval(&rw)
			if err != nil {
				return st, err
			}
			if t, err := truth(v); err != nil {
				return st, err
			} else if t != 1 {
				continue
			}
		}
		switch {
		case raw && cr.line != nil && bytes.IndexByte(cr.line, '\r') < 0:
			cw.line(cr.line) // SELECT * of a plain record: its bytes as read
		case q.star:
			for _, b := range f {
				cw.field(b)
			}
		default:
			for _, it := range q.items {
				v, err := it.x.eval(&rw)
				if err != nil {
					return st, err
				}
				if v.K == KString {
					cw.field(stringBytes(v.S))
				} else {
					cw.scratch = appendText(cw.scratch[:0], v)
					cw.field(cw.scratch)
				}
			}
		}
		if err := cw.end(); err != nil {
			return st, err
		}
	}
}

// bind resolves column names against the header (USE) and checks the
// qualifiers of alias.column references.
func (q *Query) bind(header []string, use bool) error {
	for _, c := range q.cols {
		if !c.named {
			continue
		}
		if !use {
			return evalErr(MissingHeaderName, "column "+c.name+" named without FileHeaderInfo USE")
		}
		c.index = -1
		for i, h := range header {
			if c.quoted && h == c.name || !c.quoted && strings.EqualFold(h, c.name) {
				if c.index >= 0 {
					return evalErr(AmbiguousFieldName, "column "+c.name)
				}
				c.index = i
			}
		}
		if c.index < 0 {
			return evalErr(MissingHeaderName, "column "+c.name)
		}
	}
	return nil
}
