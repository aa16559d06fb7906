package selectsql

import "testing"

// The examples of the AWS "SQL reference for Amazon S3 Select" pages,
// each with the value the page gives.
const (
	pageString      = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-select-sql-reference-string.html"
	pageDate        = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-select-sql-reference-date.html"
	pageConditional = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-select-sql-reference-conditional.html"
	pageConversion  = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-select-sql-reference-conversion.html"
)

var referenceExamples = []struct {
	page, expr, want string
}{
	{pageString, `CHAR_LENGTH('')`, "0"},
	{pageString, `CHAR_LENGTH('abcdefg')`, "7"},
	{pageString, `CHARACTER_LENGTH('abcdefg')`, "7"},
	{pageString, `LOWER('AbCdEfG!@#$')`, "abcdefg!@#$"},
	{pageString, `UPPER('AbCdEfG!@#$')`, "ABCDEFG!@#$"},
	{pageString, `SUBSTRING('123456789', 0)`, "123456789"},
	{pageString, `SUBSTRING('123456789', 1)`, "123456789"},
	{pageString, `SUBSTRING('123456789', 2)`, "23456789"},
	{pageString, `SUBSTRING('123456789', -4)`, "123456789"},
	{pageString, `SUBSTRING('123456789', 0, 999)`, "123456789"},
	{pageString, `SUBSTRING('123456789', 1, 5)`, "12345"},
	{pageString, `TRIM('       foobar         ')`, "foobar"},
	{pageString, "TRIM('      \tfoobar\t         ')", "\tfoobar\t"},
	{pageString, `TRIM(LEADING FROM '       foobar         ')`, "foobar         "},
	{pageString, `TRIM(TRAILING FROM '       foobar         ')`, "       foobar"},
	{pageString, `TRIM(BOTH FROM '       foobar         ')`, "foobar"},
	{pageString, `TRIM(BOTH '12' FROM '1112211foobar22211122')`, "foobar"},

	{pageDate, "DATE_ADD(year, 5, `2010-01-01T`)", "2015-01-01T"},
	{pageDate, "DATE_ADD(month, 1, `2010-01-01T`)", "2010-02-01T"},
	{pageDate, "DATE_ADD(month, 13, `2010-01-01T`)", "2011-02-01T"},
	{pageDate, "DATE_ADD(month, 1, `2010T`)", "2010-02T"},
	{pageDate, "DATE_ADD(month, 13, `2010T`)", "2011-02T"},
	{pageDate, "DATE_ADD(day, -1, `2017-01-10T`)", "2017-01-09T"},
	{pageDate, "DATE_ADD(hour, 1, `2017T`)", "2017-01-01T01:00-00:00"},
	{pageDate, "DATE_ADD(hour, 1, `2017-01-02T03:04Z`)", "2017-01-02T04:04Z"},
	{pageDate, "DATE_ADD(minute, 1, `2017-01-02T03:04:05.006Z`)", "2017-01-02T03:05:05.006Z"},
	{pageDate, "DATE_ADD(second, 1, `2017-01-02T03:04:05.006Z`)", "2017-01-02T03:04:06.006Z"},
	{pageDate, "DATE_DIFF(year, `2010-01-01T`, `2011-01-01T`)", "1"},
	{pageDate, "DATE_DIFF(year, `2010-12T`, `2011-01T`)", "0"},
	{pageDate, "DATE_DIFF(month, `2010T`, `2010-05T`)", "4"},
	{pageDate, "DATE_DIFF(month, `2010T`, `2011T`)", "12"},
	{pageDate, "DATE_DIFF(month, `2011T`, `2010T`)", "-12"},
	{pageDate, "DATE_DIFF(day, `2010-01-01T23:00`, `2010-01-02T01:00`)", "0"},
	{pageDate, "EXTRACT(YEAR FROM `2010-01-01T`)", "2010"},
	{pageDate, "EXTRACT(MONTH FROM `2010T`)", "1"},
	{pageDate, "EXTRACT(MONTH FROM `2010-10T`)", "10"},
	{pageDate, "EXTRACT(HOUR FROM `2017-01-02T03:04:05+07:08`)", "3"},
	{pageDate, "EXTRACT(MINUTE FROM `2017-01-02T03:04:05+07:08`)", "4"},
	{pageDate, "EXTRACT(TIMEZONE_HOUR FROM `2017-01-02T03:04:05+07:08`)", "7"},
	{pageDate, "EXTRACT(TIMEZONE_MINUTE FROM `2017-01-02T03:04:05+07:08`)", "8"},
	{pageDate, "TO_STRING(`1969-07-20T20:18Z`, 'MMMM d, y')", "July 20, 1969"},
	{pageDate, "TO_STRING(`1969-07-20T20:18Z`, 'MMM d, yyyy')", "Jul 20, 1969"},
	{pageDate, "TO_STRING(`1969-07-20T20:18Z`, 'M-d-yy')", "7-20-69"},
	{pageDate, "TO_STRING(`1969-07-20T20:18Z`, 'MM-d-y')", "07-20-1969"},
	{pageDate, "TO_STRING(`1969-07-20T20:18Z`, 'MMMM d, y h:m a')", "July 20, 1969 8:18 PM"},
	{pageDate, "TO_STRING(`1969-07-20T20:18Z`, 'y-MM-dd''T''H:m:ssX')", "1969-07-20T20:18:00Z"},
	{pageDate, "TO_STRING(`1969-07-20T20:18+08:00`, 'y-MM-dd''T''H:m:ssX')", "1969-07-20T20:18:00+08"},
	{pageDate, "TO_STRING(`1969-07-20T20:18+08:00`, 'y-MM-dd''T''H:m:ssXXXX')", "1969-07-20T20:18:00+0800"},
	{pageDate, "TO_STRING(`1969-07-20T20:18+08:00`, 'y-MM-dd''T''H:m:ssXXXXX')", "1969-07-20T20:18:00+08:00"},
	{pageDate, "TO_TIMESTAMP('2007T')", "2007T"},
	{pageDate, "TO_TIMESTAMP('2007-02-23T12:14:33.079-08:00')", "2007-02-23T12:14:33.079-08:00"},

	{pageConditional, `COALESCE(1)`, "1"},
	{pageConditional, `COALESCE(null)`, "<null>"},
	{pageConditional, `COALESCE(null, null)`, "<null>"},
	{pageConditional, `COALESCE(missing)`, "<null>"},
	{pageConditional, `COALESCE(missing, missing)`, "<null>"},
	{pageConditional, `COALESCE(1, null)`, "1"},
	{pageConditional, `COALESCE(null, null, 1)`, "1"},
	{pageConditional, `COALESCE(null, 'string')`, "string"},
	{pageConditional, `COALESCE(missing, 1)`, "1"},
	{pageConditional, `NULLIF(1, 1)`, "<null>"},
	{pageConditional, `NULLIF(1, 2)`, "1"},
	{pageConditional, `NULLIF(1.0, 1)`, "<null>"},
	{pageConditional, `NULLIF(1, '1')`, "1"},
	{pageConditional, `NULLIF(1, NULL)`, "1"},
	{pageConditional, `NULLIF(NULL, 1)`, "<null>"},
	{pageConditional, `NULLIF(null, null)`, "<null>"},
	{pageConditional, `NULLIF(missing, null)`, "<null>"},
	{pageConditional, `NULLIF(missing, missing)`, "<null>"},

	{pageConversion, `CAST('2007-04-05T14:30Z' AS TIMESTAMP)`, "2007-04-05T14:30Z"},
	{pageConversion, `CAST(0.456 AS FLOAT)`, "0.456"},
}

func TestReferenceExamples(t *testing.T) {
	for _, c := range referenceExamples {
		got, err := evalOne(t, c.expr)
		if err != nil {
			t.Errorf("%s (%s): %v", c.expr, c.page, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s = %q, want %q (%s)", c.expr, got, c.want, c.page)
		}
	}
}

// The CASE examples of the conditional functions page, over its table
// of names (NULL written as an empty field is a string; the page's NULL
// rows are modelled with a missing field).
func TestReferenceCase(t *testing.T) {
	data := "name\nAlice\n\nBob\n"
	in := CSVInput{FileHeaderInfo: "USE"}
	got := runCSV(t, `SELECT CASE WHEN (name IS NULL OR name = '') THEN 'N/A' ELSE name END AS name FROM ARCHIVE`, in, CSVOutput{}, data)
	// the empty line is no record (doc.go): Alice, Bob
	if want := "Alice\nBob\n"; got != want {
		t.Errorf("searched CASE: %q, want %q (%s)", got, want, pageConditional)
	}
	got = runCSV(t, `SELECT CASE name WHEN 'Alice' THEN 'A' WHEN 'Bob' THEN 'B' ELSE 'other' END FROM ARCHIVE`, in, CSVOutput{}, "name\nAlice\nBob\nCarol\n")
	if want := "A\nB\nother\n"; got != want {
		t.Errorf("simple CASE: %q, want %q (%s)", got, want, pageConditional)
	}
}

// The SELECT page's attribute-access, case-sensitivity and reserved-word
// examples, over CSV with FileHeaderInfo USE (the page's S3Object is
// ARCHIVE here).
const pageSelect = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-glacier-select-sql-reference-select.html"

func TestReferenceSelectPage(t *testing.T) {
	use := CSVInput{FileHeaderInfo: "USE"}
	// _N and alias._N
	if got := runCSV(t, `SELECT _2, myAlias._2 FROM ARCHIVE myAlias`, CSVInput{}, CSVOutput{}, "a,b\n"); got != "b,b\n" {
		t.Errorf("_2, myAlias._2: %q (%s)", got, pageSelect)
	}
	// Example #1: header NAME; unquoted is case-insensitive, quoted is not
	if got := runCSV(t, `SELECT s.name FROM ARCHIVE s`, use, CSVOutput{}, "NAME\nx\n"); got != "x\n" {
		t.Errorf(`s.name over NAME: %q (%s)`, got, pageSelect)
	}
	_, err := runCSVErr(`SELECT s."name" FROM ARCHIVE s`, use, CSVOutput{}, "NAME\nx\n")
	wantCode(t, `s."name" over NAME (`+pageSelect+`)`, err, MissingHeaderName, PhaseEval)
	// Example #2: headers NAME and name
	_, err = runCSVErr(`SELECT s.name FROM ARCHIVE s`, use, CSVOutput{}, "NAME,name\nx,y\n")
	wantCode(t, `s.name over NAME,name (`+pageSelect+`)`, err, AmbiguousFieldName, PhaseEval)
	if got := runCSV(t, `SELECT s."NAME" FROM ARCHIVE s`, use, CSVOutput{}, "NAME,name\nx,y\n"); got != "x\n" {
		t.Errorf(`s."NAME" over NAME,name: %q (%s)`, got, pageSelect)
	}
	// reserved words: s."CAST" is the column, s.CAST a parse error
	if got := runCSV(t, `SELECT s."CAST" FROM ARCHIVE s`, use, CSVOutput{}, "CAST\nx\n"); got != "x\n" {
		t.Errorf(`s."CAST": %q (%s)`, got, pageSelect)
	}
	_, err = Parse(`SELECT s.CAST FROM ARCHIVE s`)
	wantCode(t, `s.CAST (`+pageSelect+`)`, err, ParseUnexpectedKeyword, PhaseParse)
	// LIMIT: "S3 Glacier Select does not support the LIMIT clause"
	_, err = Parse(`SELECT * FROM ARCHIVE LIMIT 1`)
	wantCode(t, "LIMIT ("+pageSelect+")", err, UnsupportedSQLOperation, PhaseParse)
}
