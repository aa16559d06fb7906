package selectsql

import "testing"

func TestParseErrors(t *testing.T) {
	cases := []struct {
		query string
		code  Code
		pos   int // 1-based character, 0: not checked
	}{
		// Glacier Select refuses what the reference marks "Amazon S3 Select only"
		{`SELECT COUNT(*) FROM ARCHIVE`, UnsupportedSQLOperation, 8},
		{`SELECT SUM(CAST(_1 AS INT)) FROM ARCHIVE`, UnsupportedSQLOperation, 8},
		{`SELECT avg(_1) FROM ARCHIVE`, UnsupportedSQLOperation, 8},
		{`SELECT _1 FROM ARCHIVE WHERE MIN(_2) > 1`, UnsupportedSQLOperation, 30},
		{`SELECT MAX(_1) FROM ARCHIVE`, UnsupportedSQLOperation, 8},
		{`SELECT * FROM ARCHIVE LIMIT 5`, UnsupportedSQLOperation, 23},
		{`SELECT * FROM ARCHIVE s WHERE _1 = 'a' LIMIT 5`, UnsupportedSQLOperation, 40},
		// structure
		{`SELECT * FROM ARCHIVE GROUP BY _1`, UnsupportedSQLStructure, 23},
		{`SELECT * FROM ARCHIVE ORDER BY _1`, UnsupportedSQLStructure, 23},
		{`SELECT * FROM ARCHIVE a, ARCHIVE b`, UnsupportedSQLStructure, 24},
		{`SELECT * FROM ARCHIVE[*].a`, UnsupportedSQLStructure, 22},
		{`SELECT s.a.b FROM ARCHIVE s`, ParseUnsupportedSyntax, 11},
		// syntax
		{`DELETE FROM ARCHIVE`, ParseExpectedKeyword, 1},
		{`SELECT FROM ARCHIVE`, ParseEmptySelect, 8},
		{`SELECT`, ParseEmptySelect, 7},
		{`SELECT *, _1 FROM ARCHIVE`, ParseAsteriskIsNotAlone, 9},
		{`SELECT _1, * FROM ARCHIVE`, ParseAsteriskIsNotAlone, 12},
		{`SELECT _1`, ParseSelectMissingFrom, 10},
		{`SELECT _1 FROM TABLE1`, ParseUnexpectedToken, 16},
		{`SELECT _1 FROM S3Object`, ParseUnexpectedToken, 16},
		{`SELECT _1 FROM ARCHIVE WHERE`, ParseExpectedExpression, 29},
		{`SELECT _1 FROM ARCHIVE WHERE _1 = `, ParseExpectedExpression, 35},
		{`SELECT _1 FROM ARCHIVE WHERE (_1 = 1`, ParseExpectedTokenType, 37},
		{`SELECT _1 FROM ARCHIVE junk more`, ParseUnexpectedToken, 29},
		{`SELECT _1 FROM ARCHIVE WHERE _1 IS 5`, ParseExpectedKeyword, 36},
		{`SELECT _1 FROM ARCHIVE WHERE _1 BETWEEN 1 OR 2`, ParseExpectedKeyword, 43},
		{`SELECT _1 FROM ARCHIVE WHERE _1 IN 1`, ParseExpectedTokenType, 36},
		{`SELECT _1 # 2 FROM ARCHIVE`, LexerInvalidChar, 11},
		{`SELECT 'abc FROM ARCHIVE`, LexerInvalidLiteral, 8},
		{"SELECT `2007 FROM ARCHIVE", LexerInvalidLiteral, 8},
		{"SELECT `2007-02-30T` FROM ARCHIVE", LexerInvalidLiteral, 8},
		{`SELECT 12abc FROM ARCHIVE`, LexerInvalidLiteral, 8},
		{`SELECT select FROM ARCHIVE`, ParseUnexpectedKeyword, 8},
		{`SELECT date FROM ARCHIVE`, ParseUnexpectedKeyword, 8},
		{`SELECT _1 AS FROM FROM ARCHIVE`, ParseExpectedIdentForAlias, 14},
		{`SELECT _0 FROM ARCHIVE`, InvalidColumnIndex, 8},
		{`SELECT t._1 FROM ARCHIVE s`, InvalidTableAlias, 8},
		{`SELECT CAST(_1 INT) FROM ARCHIVE`, ParseExpectedKeyword, 16},
		{`SELECT CAST(_1 AS BLOB) FROM ARCHIVE`, ParseExpectedTypeName, 19},
		{`SELECT CAST _1 FROM ARCHIVE`, ParseExpectedLeftParenAfterCast, 13},
		{`SELECT CAST(_1 AS DECIMAL(x)) FROM ARCHIVE`, ParseInvalidTypeParam, 27},
		{`SELECT CAST(_1 AS INT FROM ARCHIVE`, ParseExpectedRightParenBuiltin, 23},
		{`SELECT CASE END FROM ARCHIVE`, ParseExpectedWhenClause, 13},
		{`SELECT CASE WHEN 1 THEN 2 FROM ARCHIVE`, ParseExpectedKeyword, 27},
		{`SELECT CASE _1 ELSE 2 END FROM ARCHIVE`, ParseExpectedWhenClause, 16},
		{`SELECT LOWER('a', 'b') FROM ARCHIVE`, EvaluatorInvalidArguments, 8},
		{`SELECT UTCNOW(1) FROM ARCHIVE`, EvaluatorInvalidArguments, 8},
		{`SELECT LOWER('a' FROM ARCHIVE`, ParseExpectedArgumentDelimiter, 18},
		{`SELECT LOWER('a'`, ParseExpectedRightParenBuiltin, 17},
		{`SELECT FOO(1) FROM ARCHIVE`, UnsupportedFunction, 8},
		{`SELECT EXTRACT(WEEK FROM _1) FROM ARCHIVE`, ParseExpectedDatePart, 16},
		{`SELECT DATE_ADD(TIMEZONE_HOUR, 1, _1) FROM ARCHIVE`, ParseExpectedDatePart, 17},
		{`SELECT TRIM(LEADING 'x' _1) FROM ARCHIVE`, ParseExpectedKeyword, 25},
		{`SELECT _1 FROM ARCHIVE WHERE _1 LIKE 'a!' ESCAPE '!'`, LikeInvalidInputs, 0},
		{`SELECT _1 FROM ARCHIVE WHERE _1 LIKE 'a' ESCAPE ''`, LikeInvalidInputs, 0},
		{`SELECT _1 FROM ARCHIVE WHERE _1 LIKE '!a' ESCAPE '!'`, LikeInvalidInputs, 0},
	}
	for _, c := range cases {
		_, err := Parse(c.query)
		wantCode(t, c.query, err, c.code, PhaseParse)
		if e := err.(*Error); c.pos != 0 && e.Pos != c.pos {
			t.Errorf("%s: error at %d, want %d: %v", c.query, e.Pos, c.pos, err)
		}
	}
}

func TestParseDepthBound(t *testing.T) {
	deep := "SELECT " + repeat("(", 5000) + "1" + repeat(")", 5000) + " FROM ARCHIVE"
	_, err := Parse(deep)
	wantCode(t, "deep parens", err, ParseUnsupportedSyntax, PhaseParse)
	deep = "SELECT " + repeat("NOT ", 5000) + "TRUE FROM ARCHIVE"
	_, err = Parse(deep)
	wantCode(t, "deep NOT", err, ParseUnsupportedSyntax, PhaseParse)
	deep = "SELECT " + repeat("- ", 5000) + "1 FROM ARCHIVE"
	_, err = Parse(deep)
	wantCode(t, "deep minus", err, ParseUnsupportedSyntax, PhaseParse)
	deep = "SELECT 1 " + repeat("= 1 ", 5000) + "FROM ARCHIVE"
	_, err = Parse(deep)
	wantCode(t, "deep =", err, ParseUnsupportedSyntax, PhaseParse)
	ok := "SELECT " + repeat("(", 50) + "1" + repeat(")", 50) + " FROM ARCHIVE"
	if _, err := Parse(ok); err != nil {
		t.Fatalf("50 levels: %v", err)
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for i := 0; i < n; i++ {
		b = append(b, s...)
	}
	return string(b)
}

func TestParseForms(t *testing.T) {
	for _, q := range []string{
		`SELECT * FROM ARCHIVE`, `select * from archive`, `SELECT * FROM OBJECT`,
		`SELECT * FROM ARCHIVE s`, `SELECT * FROM ARCHIVE AS s`, `SELECT s._1 FROM ARCHIVE s`,
		`SELECT s."name" FROM ARCHIVE AS s`, `SELECT "name" AS n, _2 m FROM ARCHIVE`, `SELECT ARCHIVE._1 FROM ARCHIVE`,
		`SELECT _1 FROM ARCHIVE -- a comment`, `SELECT s._1 FROM ARCHIVE "s"`,
	} {
		if _, err := Parse(q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}
