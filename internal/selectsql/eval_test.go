package selectsql

import "testing"

func TestExpressions(t *testing.T) {
	cases := []struct{ expr, want string }{
		// arithmetic and precedence
		{`1 + 2 * 3`, "7"}, {`(1 + 2) * 3`, "9"}, {`7 / 2`, "3"}, {`7 % 3`, "1"}, {`-7 / 2`, "-3"},
		{`7.0 / 2`, "3.5"}, {`1e1 + 1`, "11"}, {`- -3`, "3"}, {`+4`, "4"}, {`1 / 0`, "<null>"},
		{`2 - 3 - 4`, "-5"}, {`9223372036854775807`, "9223372036854775807"},
		{`-9223372036854775808`, "-9223372036854775808"},
		// strings
		{`'a' || 'b' || 'c'`, "abc"}, {`'n' || 1`, "n1"}, {`'x' || NULL`, "<null>"}, {`'x' || MISSING`, "<missing>"},
		{`'it''s'`, "it's"},
		// comparisons
		{`1 = 1`, "true"}, {`1 = 1.0`, "true"}, {`1 <> 2`, "true"}, {`1 != 1`, "false"}, {`'a' < 'b'`, "true"},
		{`'b' >= 'b'`, "true"}, {`1 = '1'`, "false"}, {`NULL = NULL`, "<null>"},
		{`MISSING = 1`, "<missing>"}, {"`2010T` < `2011T`", "true"}, {`TRUE = TRUE`, "true"}, {`FALSE < TRUE`, "true"},
		// precedence, as the reference's operators page orders it
		{`TRUE = 1 IN (1)`, "true"}, {`TRUE = 1 < 2`, "true"}, {`'b' LIKE 'a%' = FALSE`, "true"},
		{`2 BETWEEN 1 AND 3 = TRUE`, "true"}, {`1 + 1 = 2 IS NOT NULL`, "true"}, {`FALSE = 1 = 2`, "true"},
		{`1 < 2 = 2 > 1`, "true"}, {`NOT 1 IN (2) AND 'a' NOT LIKE 'b'`, "true"}, {`- 2 * 3`, "-6"},
		{`2 + 3 * 4 % 5`, "4"}, {`'a' || 'b' = 'ab'`, "true"}, {`1 + 2 || '3'`, "33"},
		// three-valued logic
		{`TRUE AND NULL`, "<null>"}, {`FALSE AND NULL`, "false"}, {`TRUE OR NULL`, "true"}, {`FALSE OR NULL`, "<null>"},
		{`NOT NULL`, "<null>"}, {`NOT TRUE`, "false"}, {`NOT 1 = 2`, "true"}, {`NULL AND MISSING`, "<null>"},
		{`TRUE OR 1/0 = 1`, "true"}, {`FALSE AND 'x'`, "false"}, {`TRUE OR 'x'`, "true"}, {`1 = 1 AND 2 = 2 OR FALSE`, "true"},
		// IS
		{`NULL IS NULL`, "true"}, {`MISSING IS NULL`, "true"}, {`MISSING IS MISSING`, "true"}, {`NULL IS MISSING`, "false"},
		{`1 IS NOT NULL`, "true"}, {`NULL IS NOT MISSING`, "true"},
		// BETWEEN, IN
		{`2 BETWEEN 1 AND 3`, "true"}, {`5 BETWEEN 1 AND 3`, "false"}, {`5 NOT BETWEEN 1 AND 3`, "true"},
		{`NULL BETWEEN 1 AND 3`, "<null>"}, {`'b' BETWEEN 'a' AND 'c'`, "true"},
		{`2 IN (1, 2, 3)`, "true"}, {`4 IN (1, 2, 3)`, "false"}, {`4 NOT IN (1, 2)`, "true"}, {`4 IN (1, NULL)`, "<null>"},
		{`1 IN (1, NULL)`, "true"}, {`'a' IN ('b', 'a')`, "true"},
		// LIKE
		{`'abc' LIKE 'a%'`, "true"}, {`'abc' LIKE '%c'`, "true"}, {`'abc' LIKE '%b%'`, "true"}, {`'abc' LIKE 'a_c'`, "true"},
		{`'abc' LIKE 'abc'`, "true"}, {`'abc' LIKE 'ab'`, "false"}, {`'abc' NOT LIKE 'x%'`, "true"},
		{`'a%c' LIKE 'a!%c' ESCAPE '!'`, "true"}, {`'abc' LIKE 'a!%c' ESCAPE '!'`, "false"},
		{`'a_c' LIKE '%!_%' ESCAPE '!'`, "true"}, {`'aXbYc' LIKE 'a%b%c'`, "true"}, {`'aXbY' LIKE 'a%b%c'`, "false"},
		{`'héllo' LIKE 'h_llo'`, "true"}, {`'' LIKE '%'`, "true"}, {`'mississippi' LIKE '%iss%pi'`, "true"},
		{`NULL LIKE 'a'`, "<null>"},
		// CAST
		{`CAST('12' AS INT)`, "12"}, {`CAST('12' AS INTEGER)`, "12"}, {`CAST(' 12 ' AS INT)`, "12"}, {`CAST(12.9 AS INT)`, "12"},
		{`CAST(-12.9 AS INT)`, "-12"}, {`CAST('1.5' AS INT)`, "1"}, {`CAST('1.25' AS DECIMAL)`, "1.25"}, {`CAST('1.10' AS DECIMAL)`, "1.10"}, {`1.10`, "1.10"}, {`-1.10`, "-1.10"},
		{`1.10 + 0`, "1.1"}, {`CAST(5 AS DECIMAL)`, "5"}, {`CAST(1.5 AS FLOAT)`, "1.5"}, {`- (1.10)`, "-1.1"},
		{`CAST('1.25' AS NUMERIC(10, 2))`, "1.25"}, {`CAST('2.5e1' AS FLOAT)`, "25"}, {`CAST(3 AS STRING)`, "3"},
		{`CAST(TRUE AS STRING)`, "true"}, {`CAST('TRUE' AS BOOL)`, "true"}, {`CAST('false' AS BOOLEAN)`, "false"},
		{`CAST(0 AS BOOL)`, "false"}, {`CAST(TRUE AS INT)`, "1"}, {`CAST(NULL AS INT)`, "<null>"},
		{`CAST(MISSING AS INT)`, "<missing>"}, {"CAST(`2007-04-05T14:30Z` AS STRING)", "2007-04-05T14:30Z"},
		{`CAST('2007-04-05' AS TIMESTAMP)`, "2007-04-05T"}, {`CAST('abc' AS STRING(2))`, "abc"},
		// CASE
		{`CASE WHEN 1 = 2 THEN 'a' WHEN 2 = 2 THEN 'b' END`, "b"}, {`CASE WHEN FALSE THEN 1 END`, "<null>"},
		{`CASE 3 WHEN 1 THEN 'one' WHEN 3 THEN 'three' ELSE 'x' END`, "three"},
		{`CASE NULL WHEN NULL THEN 'n' ELSE 'e' END`, "e"},
		// more functions
		{`SUBSTRING('123456789' FROM 2 FOR 3)`, "234"}, {`SUBSTRING('123456789' FROM 8)`, "89"},
		{`SUBSTRING('123456789', 0, 5)`, "12345"}, {`SUBSTRING('123456789', -4, 2)`, "12"}, {`SUBSTRING('123456789', 10)`, ""}, {`SUBSTRING('héllo', 2, 2)`, "él"},
		{`SUBSTRING(NULL, 1)`, "<null>"}, {`CHAR_LENGTH('héllo')`, "5"}, {`CHAR_LENGTH(NULL)`, "<null>"},
		{`TRIM('x' FROM 'xxaxx')`, "a"}, {`TRIM(LEADING 'x' FROM 'xxaxx')`, "axx"}, {`LOWER(NULL)`, "<null>"},
		{`UTCNOW()`, "2024-07-01T12:30:45.123Z"}, {"DATE_ADD(day, 1, `2024-02-28T`)", "2024-02-29T"},
		{"DATE_ADD(month, 1, `2024-01-31T`)", "2024-02-29T"}, {"DATE_ADD(year, 1, `2024-02-29T`)", "2025-02-28T"},
		{"DATE_ADD(minute, 90, `2024-01-01T00:00+01:00`)", "2024-01-01T01:30+01:00"},
		{"DATE_DIFF(hour, `2024-01-01T00:00Z`, `2024-01-01T05:59Z`)", "5"},
		{"DATE_DIFF(second, `2024-01-01T00:00:10Z`, `2024-01-01T00:00Z`)", "-10"},
		{"EXTRACT(DAY FROM `2024-03-04T`)", "4"}, {"EXTRACT(SECOND FROM `2024-03-04T01:02:03Z`)", "3"},
		{"EXTRACT(TIMEZONE_HOUR FROM `2017-01-02T03:04:05-07:08`)", "-7"},
		{"TO_STRING(`2024-03-04T05:06:07.891Z`, 'yyyy-MM-dd HH:mm:ss.SSS')", "2024-03-04 05:06:07.891"},
		{"TO_STRING(`2024-03-04T15:06Z`, 'hh a MMMMM')", "03 PM M"}, {"TO_STRING(`2024-03-04T15:06Z`, 'xxx')", "+00:00"},
		{"TO_STRING(`2024-03-04T15:06Z`, '''it''''s'' y')", "it's 2024"},
		{"`2024-03-04T05:06:07-00:00`", "2024-03-04T05:06:07-00:00"}, {"`2024-03-04T05:06:07.5+01:30`", "2024-03-04T05:06:07.5+01:30"},
	}
	for _, c := range cases {
		got, err := evalOne(t, c.expr)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.expr, got, c.want)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	cases := []struct {
		expr string
		code Code
	}{
		{`CAST('abc' AS INT)`, CastFailed},
		{`CAST('maybe' AS BOOL)`, CastFailed},
		{`CAST('2007-13-01' AS TIMESTAMP)`, CastFailed},
		{"CAST(`2007T` AS INT)", InvalidCast},
		{`CAST(1 AS TIMESTAMP)`, InvalidCast},
		{`CAST(1e300 AS INT)`, IntegerOverflow},
		{`9223372036854775807 + 1`, IntegerOverflow},
		{`-9223372036854775807 - 2`, IntegerOverflow},
		{`4611686018427387904 * 2`, IntegerOverflow},
		{`-9223372036854775808 * -1`, IntegerOverflow},
		{`-9223372036854775808 / -1`, IntegerOverflow},
		{`LOWER(1)`, IncorrectSQLFunctionArgumentType},
		{`CHAR_LENGTH(TRUE)`, IncorrectSQLFunctionArgumentType},
		{`SUBSTRING('abc', 'x')`, IncorrectSQLFunctionArgumentType},
		{`SUBSTRING('abc', 1, -1)`, IllegalSQLFunctionArgument},
		{`TO_TIMESTAMP('yesterday')`, ValueParseFailure},
		{"TO_STRING(`2007T`, 'yyyy Q')", InvalidTimestampFormatSymbol},
		{"TO_STRING(`2007T`, 'yyyy ''open')", InvalidTimestampFormatPattern},
		{"DATE_ADD(year, 100000, `2007T`)", IllegalSQLFunctionArgument},
		{"DATE_ADD(year, 1, 5)", IncorrectSQLFunctionArgumentType},
		{`'abc' LIKE 'a' || 'b' ESCAPE '!!'`, LikeInvalidInputs},
		// no implicit conversion: "all input data is treated as a string.
		// It must be cast" (data types page); AWS answers ExternalEvalException
		{`1 < 'a'`, ExternalEvalException},
		{`'10' > 9`, ExternalEvalException},
		{`TRUE < 1`, ExternalEvalException},
		{`'a' + 1`, ExternalEvalException},
		{`- 'a'`, ExternalEvalException},
		{`1 * TRUE`, ExternalEvalException},
		{`1 BETWEEN 'a' AND 'b'`, ExternalEvalException},
		{`5 LIKE '5'`, ExternalEvalException},
		{`NOT 'a'`, ExternalEvalException},
		{`TRUE AND 1`, ExternalEvalException},
		{`FALSE OR 'x'`, ExternalEvalException},
		{`CASE WHEN 1 THEN 2 END`, ExternalEvalException},
		{"`2007T` > '2006'", ExternalEvalException},
		{"DATE_ADD(day, 1, '2007T')", IncorrectSQLFunctionArgumentType},
		{"EXTRACT(YEAR FROM '2007T')", IncorrectSQLFunctionArgumentType},
		{`SUBSTRING('abc', '2')`, IncorrectSQLFunctionArgumentType},
	}
	for _, c := range cases {
		_, err := evalOne(t, c.expr)
		wantCode(t, c.expr, err, c.code, PhaseEval)
	}
}

// A chain of || over a long field stops at the record limit instead of
// growing without bound.
func TestConcatBounded(t *testing.T) {
	field := repeat("x", MaxRecordSize/4)
	_, err := runCSVErr(`SELECT CHAR_LENGTH(_1 || _1 || _1 || _1 || _1) FROM ARCHIVE`, CSVInput{}, CSVOutput{}, field+"\n")
	wantCode(t, "long concatenation", err, OverMaxRecordSize, PhaseEval)
	got := runCSV(t, `SELECT CHAR_LENGTH(_1 || _1) FROM ARCHIVE`, CSVInput{}, CSVOutput{}, field+"\n")
	if want := "524288\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
