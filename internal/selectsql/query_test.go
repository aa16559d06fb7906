package selectsql

import (
	"bytes"
	"strings"
	"testing"
)

const people = "Name,PhoneNumber,City,Occupation,Age\n" +
	"Sam,(949) 555-6701,Irvine,Solutions Architect,35\n" +
	"Vinod,(949) 555-6702,Los Angeles,Solutions Architect,41\n" +
	"Jeff,(949) 555-6703,Seattle,AWS Evangelist,28\n" +
	"Jane,(949) 555-6704,Chicago,Developer,9\n" +
	"Sean,(949) 555-6705,Chicago,Developer,\n"

func TestQueries(t *testing.T) {
	use := CSVInput{FileHeaderInfo: "USE"}
	none := CSVInput{}
	cases := []struct {
		query string
		in    CSVInput
		want  string
	}{
		// header names: unquoted are case-insensitive, quoted are exact
		{`SELECT s.Name FROM ARCHIVE s WHERE s.City = 'Chicago'`, use, "Jane\nSean\n"},
		{`SELECT s.name FROM ARCHIVE s WHERE s.city = 'Chicago'`, use, "Jane\nSean\n"},
		{`SELECT s."Name" FROM ARCHIVE s WHERE s."City" = 'Chicago'`, use, "Jane\nSean\n"},
		{`SELECT Name, Age FROM OBJECT WHERE Occupation LIKE 'Sol%'`, use, "Sam,35\nVinod,41\n"},
		{`SELECT _1, s._5 FROM OBJECT AS s WHERE _5 <> '' AND CAST(_5 AS INT) > 30`, use, "Sam,35\nVinod,41\n"},
		// fields are strings: compared with strings they compare as text
		// (aws/aws-sdk-js#3343: '5' >= '41'), equal to no number
		{`SELECT _1 FROM ARCHIVE WHERE _5 >= '35'`, use, "Sam\nVinod\nJane\n"},
		{`SELECT _1 FROM ARCHIVE WHERE _5 = ''`, use, "Sean\n"},
		{`SELECT _1 FROM ARCHIVE WHERE _5 = '9'`, use, "Jane\n"},
		{`SELECT _1 FROM ARCHIVE WHERE _5 = 9`, use, ""},
		{`SELECT _1 FROM ARCHIVE WHERE _5 <> '' AND CAST(_5 AS INT) BETWEEN 30 AND 40`, use, "Sam\n"},
		{`SELECT _1 FROM ARCHIVE WHERE _5 IN ('9', '28')`, use, "Jeff\nJane\n"},
		{`SELECT _1 FROM ARCHIVE WHERE _5 IN (9, 28)`, use, ""},
		{`SELECT _1 FROM ARCHIVE WHERE _5 <> '' AND CAST(_5 AS INT) + 1 = 10`, use, "Jane\n"},
		{"SELECT _1 FROM ARCHIVE WHERE _1 = 'Sam' AND EXTRACT(YEAR FROM CAST('2020-05-01T' AS TIMESTAMP)) = 2020", use, "Sam\n"},
		// a missing field: positional past the end gives MISSING, written empty
		{`SELECT _1, _9 FROM ARCHIVE WHERE _9 IS MISSING AND _1 = 'Sam'`, use, "Sam,\n"},
		{`SELECT _1 FROM ARCHIVE WHERE _9 IS NULL AND _1 = 'Sam'`, use, "Sam\n"},
		{`SELECT _1 FROM ARCHIVE WHERE _9 = 'x'`, use, ""},
		{`SELECT _1 FROM ARCHIVE WHERE NOT (_9 = 'x')`, use, ""},
		{`SELECT NULL, MISSING, TRUE, 1.5, _1 FROM ARCHIVE WHERE _1 = 'Sam'`, use, ",,true,1.5,Sam\n"},
		{`SELECT COALESCE(_9, 'none'), NULLIF(_1, 'Sam') FROM ARCHIVE WHERE _1 = 'Sam'`, use, "none,\n"},
		// header rows are data with NONE, skipped with IGNORE
		{`SELECT _1 FROM ARCHIVE WHERE _4 LIKE '%Arch%' OR _1 = 'Name'`, none, "Name\nSam\nVinod\n"},
		{`SELECT _1 FROM ARCHIVE WHERE _4 LIKE '%Arch%' OR _1 = 'Name'`, CSVInput{FileHeaderInfo: "IGNORE"}, "Sam\nVinod\n"},
		{`SELECT UPPER(_3) || '/' || LOWER(_1) FROM ARCHIVE WHERE _1 = 'Jeff'`, use, "SEATTLE/jeff\n"},
		{`SELECT * FROM ARCHIVE WHERE FALSE`, use, ""},
		{`SELECT * FROM ARCHIVE s WHERE s._1 = 'Jane'`, use, "Jane,(949) 555-6704,Chicago,Developer,9\n"},
	}
	for _, c := range cases {
		if got := runCSV(t, c.query, c.in, CSVOutput{}, people); got != c.want {
			t.Errorf("%s: got %q, want %q", c.query, got, c.want)
		}
	}
}

func TestQueryBindErrors(t *testing.T) {
	cases := []struct {
		query string
		in    CSVInput
		data  string
		code  Code
	}{
		{`SELECT s."name" FROM ARCHIVE s`, CSVInput{FileHeaderInfo: "USE"}, people, MissingHeaderName},
		{`SELECT s.nope FROM ARCHIVE s`, CSVInput{FileHeaderInfo: "USE"}, people, MissingHeaderName},
		{`SELECT name FROM ARCHIVE`, CSVInput{}, people, MissingHeaderName},
		{`SELECT name FROM ARCHIVE`, CSVInput{FileHeaderInfo: "IGNORE"}, people, MissingHeaderName},
		{`SELECT s.name FROM ARCHIVE s`, CSVInput{FileHeaderInfo: "USE"}, "NAME,name\na,b\n", AmbiguousFieldName},
		{`SELECT CAST(_1 AS INT) FROM ARCHIVE`, CSVInput{}, "1\nx\n", CastFailed},
		{`SELECT _1 FROM ARCHIVE WHERE _5 > 30`, CSVInput{FileHeaderInfo: "USE"}, people, ExternalEvalException},
		{`SELECT _5 + 1 FROM ARCHIVE`, CSVInput{FileHeaderInfo: "USE"}, people, ExternalEvalException},
		{`SELECT _1 FROM ARCHIVE WHERE _1`, CSVInput{FileHeaderInfo: "USE"}, people, ExternalEvalException},
		{`SELECT _1 FROM ARCHIVE WHERE 1`, CSVInput{FileHeaderInfo: "USE"}, people, ExternalEvalException},
	}
	for _, c := range cases {
		_, err := runCSVErr(c.query, c.in, CSVOutput{}, c.data)
		wantCode(t, c.query, err, c.code, PhaseEval)
	}
	// quoted names are exact, so a case-different pair is not ambiguous
	if got := runCSV(t, `SELECT s."name" FROM ARCHIVE s`, CSVInput{FileHeaderInfo: "USE"}, CSVOutput{}, "NAME,name\na,b\n"); got != "b\n" {
		t.Fatalf("quoted name: %q", got)
	}
	// the failing row's earlier results were written before the error
	out, _ := runCSVErr(`SELECT CAST(_1 AS INT) FROM ARCHIVE`, CSVInput{}, CSVOutput{}, "1\nx\n")
	if out != "1\n" {
		t.Fatalf("output before the error: %q", out)
	}
}

// A Query runs again over another input with another header.
func TestQueryRerun(t *testing.T) {
	q, err := Parse(`SELECT s.b FROM ARCHIVE s WHERE s.a <> ''`)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ data, want string }{
		{"a,b\n1,x\n", "x\n"},
		{"b,a\ny,2\n", "y\n"},
		{"", ""},
	} {
		var out bytes.Buffer
		if _, err := q.Run(CSVInput{FileHeaderInfo: "USE"}, CSVOutput{}, strings.NewReader(c.data), &out, Options{}); err != nil || out.String() != c.want {
			t.Fatalf("%q: got %q, %v; want %q", c.data, out.String(), err, c.want)
		}
	}
}
