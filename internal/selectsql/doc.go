// Package selectsql runs Glacier Select queries: the SQL dialect of
// "SQL reference for Amazon S3 Select" as S3 Glacier Select accepts it,
// over CSV archives, writing CSV results.
//
// It owns the expression grammar (Parse), evaluation, the CSV input and
// output options, and the figures a select job reports (Run, Stats). It
// does no I/O beyond the io.Reader and io.Writer it is handed and depends
// on nothing else in permafrost. Validating InitiateJob, fetching the
// archive, writing results and error files to S3 and mapping an *Error to
// a job's failure belong to the caller.
//
// Errors are *Error values carrying AWS's S3 Select error code and
// message and a Phase: PhaseParse errors depend only on the expression
// and options (a job layer may refuse them at initiation); PhaseEval
// errors depend on the data and end a running job.
//
// # Grammar
//
// Keywords are case-insensitive. Comments run from "--" to the end of a
// line. Nesting deeper than 100 levels is refused (ParseUnsupportedSyntax).
// The levels follow the precedence table of the reference's operators
// page (IN above BETWEEN above LIKE above < > above =, then NOT, AND, OR);
// || sits between the comparisons and + -, where the table is silent.
//
//	query     = SELECT ( "*" | item { "," item } ) FROM table [ [AS] alias ] [ WHERE expr ]
//	item      = expr [ [AS] alias ]
//	table     = ARCHIVE | OBJECT
//	expr      = and { OR and }
//	and       = not { AND not }
//	not       = NOT not | predicate
//	predicate = equality { IS [NOT] ( NULL | MISSING ) }
//	equality  = relational [ ( "=" | "<>" | "!=" ) equality ]
//	relational= like { ( "<" | "<=" | ">" | ">=" ) like }
//	like      = between { [NOT] LIKE between [ ESCAPE between ] }
//	between   = in { [NOT] BETWEEN in AND in }
//	in        = concat { [NOT] IN "(" expr { "," expr } ")" }
//	concat    = sum { "||" sum }
//	sum       = product { ( "+" | "-" ) product }
//	product   = unary { ( "*" | "/" | "%" ) unary }
//	unary     = ( "-" | "+" ) unary | primary
//	primary   = literal | column | "(" expr ")" | cast | case | call
//	literal   = 'string' | number | `timestamp` | TRUE | FALSE | NULL | MISSING
//	column    = name | alias "." name | _N | alias "." _N
//	name      = identifier | "quoted identifier"
//	cast      = CAST "(" expr AS type ")"
//	type      = BOOL | BOOLEAN | INT | INTEGER | STRING [ "(" n ")" ] | FLOAT
//	          | DECIMAL [ "(" p [ "," s ] ")" ] | NUMERIC [ ... ] | TIMESTAMP
//	case      = CASE [ expr ] WHEN expr THEN expr { WHEN expr THEN expr } [ ELSE expr ] END
//	call      = CHAR_LENGTH(s) | CHARACTER_LENGTH(s) | LOWER(s) | UPPER(s)
//	          | SUBSTRING(s, start [, length]) | SUBSTRING(s FROM start [FOR length])
//	          | TRIM( [ [LEADING|TRAILING|BOTH] [chars] FROM ] s )
//	          | COALESCE(e, ...) | NULLIF(a, b)
//	          | DATE_ADD(part, n, ts) | DATE_DIFF(part, ts1, ts2)
//	          | EXTRACT(part FROM ts) | TO_STRING(ts, pattern) | TO_TIMESTAMP(s) | UTCNOW()
//	part      = YEAR | MONTH | DAY | HOUR | MINUTE | SECOND   (EXTRACT also TIMEZONE_HOUR, TIMEZONE_MINUTE)
//
// Strings use single quotes (doubled inside), identifiers double quotes, and
// timestamps backquotes in Ion form (`2007T`, `2007-02-23T12:14:33.079-08:00`).
// Numbers are INT when integral, DECIMAL with a point, FLOAT with an
// exponent. An unquoted reserved word is not a name (ParseUnexpectedKeyword).
//
// Refused, as S3 Glacier Select refuses what the reference marks "Amazon S3
// Select only": the aggregate functions COUNT, SUM, AVG, MIN, MAX and the
// LIMIT clause (UnsupportedSqlOperation, at parse time). GROUP BY, ORDER
// BY, joins and JSON paths are UnsupportedSqlStructure; unknown functions
// UnsupportedFunction.
//
// # Semantics
//
// CSV fields are strings and there is no implicit conversion ("all input
// data is treated as a string. It must be cast into the relevant data
// types when necessary"): values of different types are never equal
// (NULLIF(1, '1') is 1, as the reference shows), and ordering them or
// doing arithmetic on them is ExternalEvalException, the error AWS
// returns for a CSV column compared with a number without CAST. Strings
// compare as text ('5' >= '41'). A positional column past the end of a
// record is MISSING; a named column absent from the header is
// MissingHeaderName, a name matching several header names AmbiguousFieldName
// (unquoted names match without regard to case, quoted names exactly).
// Logic is three-valued; NULL and MISSING are unknown, other non-boolean
// operands of AND, OR, NOT, WHEN and WHERE are ExternalEvalException;
// WHERE keeps a row only when the condition is TRUE. NULL and MISSING
// are written as empty fields. Integer overflow is IntegerOverflow;
// division by zero is NULL.
//
// # CSV
//
// The reader keeps one fixed buffer (MaxRecordSize plus a read chunk):
// fields are slices of it, valid for one record, and a record over
// MaxRecordSize is OverMaxRecordSize. Quoted fields may hold field and
// record delimiters; a doubled quote, or the QuoteEscapeCharacter before a
// quote, is a quote. Lines starting with the Comments character and empty
// lines are skipped; with the default "\n" delimiter a "\r" before it is
// dropped outside quotes. A record of more than MaxColumns fields is
// OverMaxColumn.
package selectsql
