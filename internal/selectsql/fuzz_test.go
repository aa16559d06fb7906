package selectsql

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var fuzzQueries = []string{
	`SELECT * FROM ARCHIVE`,
	`SELECT s._1, s."b" AS x FROM ARCHIVE s WHERE s._2 > 3 AND NOT (s._1 LIKE 'a!%%' ESCAPE '!')`,
	`SELECT CAST(_1 AS INT) * 2 - -1, _2 || 'x' FROM OBJECT WHERE _3 IS NOT MISSING OR _1 IN (1, '2', NULL)`,
	`SELECT CASE WHEN _1 BETWEEN 'a' AND 'm' THEN UPPER(_1) ELSE LOWER(_2) END FROM ARCHIVE`,
	`SELECT CASE _1 WHEN '1' THEN TRUE END, COALESCE(_9, NULLIF(_1, _2)) FROM ARCHIVE`,
	"SELECT DATE_ADD(day, _1, `2020-01-01T`), DATE_DIFF(hour, _2, UTCNOW()), EXTRACT(YEAR FROM _3) FROM ARCHIVE",
	"SELECT TO_STRING(TO_TIMESTAMP(_1), 'yyyy-MM-dd''T''HH:mm:ss.SSSXXX'), CHAR_LENGTH(_2) FROM ARCHIVE",
	`SELECT SUBSTRING(_1 FROM 2 FOR 3), TRIM(BOTH 'x' FROM _2), SUBSTRING(_1, -1, 4) FROM ARCHIVE`,
	`SELECT COUNT(*) FROM ARCHIVE LIMIT 1`,
	`SELECT _1 FROM ARCHIVE WHERE _1 % 0 = 1 / 0`,
}

// FuzzParse checks that Parse never panics and returns either a query or
// an *Error with a known code and a position inside the expression.
func FuzzParse(f *testing.F) {
	for _, q := range fuzzQueries {
		f.Add(q)
	}
	f.Add("SELECT ((((((1")
	f.Add("SELECT `2007-02-23T12:14:33.079-08:00` FROM ARCHIVE")
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err == nil {
			if q == nil {
				t.Fatal("nil query without error")
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		if messages[e.Code] == "" {
			t.Fatalf("code %q has no message", e.Code)
		}
		if e.Phase != PhaseParse || e.Pos < 0 || e.Pos > len(src)+1 {
			t.Fatalf("phase %d position %d for %d bytes: %v", e.Phase, e.Pos, len(src), err)
		}
	})
}

// FuzzRun runs a query over random CSV with random options: no panic,
// no hang, errors are *Error, and output stays within the record limit.
func FuzzRun(f *testing.F) {
	for i, q := range fuzzQueries {
		f.Add(q, "a,b,c\n1,\"x,\"\"y\"\"\",2020T\n#c\n\"q\nr\",,3\r\n", uint8(i))
	}
	f.Add(`SELECT * FROM ARCHIVE`, "\"unterminated,\n\\\"x", uint8(255))
	f.Fuzz(func(t *testing.T, query, data string, opts uint8) {
		if len(data) > 1<<16 || len(query) > 1<<12 {
			return
		}
		in := CSVInput{}
		if opts&1 != 0 {
			in.FileHeaderInfo = "USE"
		}
		if opts&2 != 0 {
			in.Comments = "#"
		}
		if opts&4 != 0 {
			in.QuoteEscapeCharacter = `\`
		}
		if opts&8 != 0 {
			in.FieldDelimiter, in.RecordDelimiter = ";", "|"
		}
		out := CSVOutput{}
		if opts&16 != 0 {
			out.QuoteFields = "ALWAYS"
		}
		if opts&32 != 0 {
			out.QuoteEscapeCharacter, out.QuoteCharacter = `\`, "'"
		}
		var b bytes.Buffer
		st, err := Run(query, in, out, strings.NewReader(data), &b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || messages[e.Code] == "" {
				t.Fatalf("error %T %v", err, err)
			}
		}
		if st.BytesReturned != int64(b.Len()) || st.BytesScanned > int64(len(data)) {
			t.Fatalf("stats %+v, %d bytes out, %d in", st, b.Len(), len(data))
		}
	})
}
