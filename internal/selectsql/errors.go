package selectsql

import "fmt"

// Code is an S3 Select error code, spelled exactly as AWS sends it (the
// S3 API reference, "List of SELECT Object Content Error Codes").
type Code string

// The codes this package reports. Each has one message, messages[code].
const (
	LexerInvalidChar                 Code = "LexerInvalidChar"
	LexerInvalidLiteral              Code = "LexerInvalidLiteral"
	ParseUnexpectedToken             Code = "ParseUnexpectedToken"
	ParseUnexpectedKeyword           Code = "ParseUnexpectedKeyword"
	ParseUnknownOperator             Code = "ParseUnknownOperator"
	ParseExpectedExpression          Code = "ParseExpectedExpression"
	ParseExpectedKeyword             Code = "ParseExpectedKeyword"
	ParseExpectedTokenType           Code = "ParseExpectedTokenType"
	ParseExpectedTypeName            Code = "ParseExpectedTypeName"
	ParseExpectedDatePart            Code = "ParseExpectedDatePart"
	ParseExpectedWhenClause          Code = "ParseExpectedWhenClause"
	ParseExpectedIdentForAlias       Code = "ParseExpectedIdentForAlias"
	ParseExpectedLeftParenAfterCast  Code = "ParseExpectedLeftParenAfterCast"
	ParseExpectedRightParenBuiltin   Code = "ParseExpectedRightParenBuiltinFunctionCall"
	ParseExpectedArgumentDelimiter   Code = "ParseExpectedArgumentDelimiter"
	ParseEmptySelect                 Code = "ParseEmptySelect"
	ParseSelectMissingFrom           Code = "ParseSelectMissingFrom"
	ParseAsteriskIsNotAlone          Code = "ParseAsteriskIsNotAloneInSelectList"
	ParseUnsupportedSyntax           Code = "ParseUnsupportedSyntax"
	ParseInvalidTypeParam            Code = "ParseInvalidTypeParam"
	UnsupportedSQLOperation          Code = "UnsupportedSqlOperation"
	UnsupportedSQLStructure          Code = "UnsupportedSqlStructure"
	UnsupportedFunction              Code = "UnsupportedFunction"
	ExternalEvalException            Code = "ExternalEvalException"
	InvalidTableAlias                Code = "InvalidTableAlias"
	InvalidDataType                  Code = "InvalidDataType"
	EvaluatorInvalidArguments        Code = "EvaluatorInvalidArguments"
	IncorrectSQLFunctionArgumentType Code = "IncorrectSqlFunctionArgumentType"
	IllegalSQLFunctionArgument       Code = "IllegalSqlFunctionArgument"
	InvalidCast                      Code = "InvalidCast"
	CastFailed                       Code = "CastFailed"
	IntegerOverflow                  Code = "IntegerOverflow"
	LikeInvalidInputs                Code = "LikeInvalidInputs"
	ValueParseFailure                Code = "ValueParseFailure"
	InvalidTimestampFormatPattern    Code = "EvaluatorInvalidTimestampFormatPattern"
	InvalidTimestampFormatSymbol     Code = "EvaluatorInvalidTimestampFormatPatternSymbol"
	AmbiguousFieldName               Code = "AmbiguousFieldName"
	MissingHeaders                   Code = "MissingHeaders"
	MissingHeaderName                Code = "MissingHeaderName"
	InvalidColumnIndex               Code = "InvalidColumnIndex"
	OverMaxRecordSize                Code = "OverMaxRecordSize"
	OverMaxColumn                    Code = "OverMaxColumn"
	InvalidRequestParameter          Code = "InvalidRequestParameter"
	InvalidFileHeaderInfo            Code = "InvalidFileHeaderInfo"
	InvalidQuoteFields               Code = "InvalidQuoteFields"
)

// messages are AWS's texts for each code (the same list; the swapped
// texts of the two Lexer codes are AWS's own).
var messages = map[Code]string{
	LexerInvalidChar:                 "The SQL expression contains an invalid character.",
	LexerInvalidLiteral:              "The SQL expression contains an invalid operator.",
	ParseUnexpectedToken:             "The SQL expression contains an unexpected token.",
	ParseUnexpectedKeyword:           "The SQL expression contains an unexpected keyword.",
	ParseUnknownOperator:             "The SQL expression contains an invalid operator.",
	ParseExpectedExpression:          "Did not find the expected SQL expression.",
	ParseExpectedKeyword:             "Did not find the expected keyword in the SQL expression.",
	ParseExpectedTokenType:           "Did not find the expected token in the SQL expression.",
	ParseExpectedTypeName:            "Did not find the expected type name in the SQL expression.",
	ParseExpectedDatePart:            "Did not find the expected date part in the SQL expression.",
	ParseExpectedWhenClause:          "Did not find the expected WHEN clause in the SQL expression. CASE is not supported.",
	ParseExpectedIdentForAlias:       "Did not find the expected identifier for the alias in the SQL expression.",
	ParseExpectedLeftParenAfterCast:  "Did not find expected the left parenthesis in the SQL expression.",
	ParseExpectedRightParenBuiltin:   "Did not find the expected right parenthesis character in the SQL expression.",
	ParseExpectedArgumentDelimiter:   "Did not find the expected argument delimiter in the SQL expression.",
	ParseEmptySelect:                 "The SQL expression contains an empty SELECT.",
	ParseSelectMissingFrom:           "GROUP is not supported in the SQL expression.",
	ParseAsteriskIsNotAlone:          "Other expressions are not allowed in the SELECT list when '*' is used without dot notation in the SQL expression.",
	ParseUnsupportedSyntax:           "The SQL expression contains unsupported syntax.",
	ParseInvalidTypeParam:            "The SQL expression contains an invalid parameter value.",
	UnsupportedSQLOperation:          "Encountered an unsupported SQL operation.",
	UnsupportedSQLStructure:          "Encountered an unsupported SQL structure. Check the SQL Reference.",
	UnsupportedFunction:              "Encountered an unsupported SQL function.",
	ExternalEvalException:            "The query cannot be evaluated. Please check the query and file and try again.",
	InvalidTableAlias:                "The SQL expression contains an invalid table alias.",
	InvalidDataType:                  "The SQL expression contains an invalid data type.",
	EvaluatorInvalidArguments:        "Incorrect number of arguments in the function call in the SQL expression.",
	IncorrectSQLFunctionArgumentType: "Incorrect type of arguments in function call in the SQL expression.",
	IllegalSQLFunctionArgument:       "Illegal argument was used in the SQL function.",
	InvalidCast:                      "Attempt to convert from one data type to another using CAST failed in the SQL expression.",
	CastFailed:                       "Attempt to convert from one data type to another using CAST failed in the SQL expression.",
	IntegerOverflow:                  "Int overflow or underflow in the SQL expression.",
	LikeInvalidInputs:                "Invalid argument given to the LIKE clause in the SQL expression.",
	ValueParseFailure:                "Time stamp parse failure in the SQL expression.",
	InvalidTimestampFormatPattern:    "Time stamp format pattern requires additional fields in the SQL expression.",
	InvalidTimestampFormatSymbol:     "Time stamp format pattern contains an invalid symbol in the SQL expression.",
	AmbiguousFieldName:               "Field name matches to multiple fields in the file. Check the SQL expression and the file, and try again.",
	MissingHeaders:                   "Some headers in the query are missing from the file. Check the file and try again.",
	// MissingHeaderName is the code of the SELECT page's example; the
	// error list has no text for it, so it borrows MissingHeaders' text.
	MissingHeaderName:       "Some headers in the query are missing from the file. Check the file and try again.",
	InvalidColumnIndex:      "The column index is invalid. Please check the service documentation and try again.",
	OverMaxRecordSize:       "The length of a record in the input or result is greater than maxCharsPerRecord of 1 MB.",
	OverMaxColumn:           "The number of columns in the result is greater than the maximum allowable number of columns.",
	InvalidRequestParameter: "The value of a parameter in SelectRequest element is invalid. Check the service API documentation and try again.",
	InvalidFileHeaderInfo:   "The FileHeaderInfo is invalid. Only NONE, USE, and IGNORE are supported.",
	InvalidQuoteFields:      "The QuoteFields is invalid. Only ALWAYS and ASNEEDED are supported.",
}

// Phase says when AWS reports an error: PhaseParse errors are found in the
// expression alone (before any byte is read, so a job layer can refuse
// them at InitiateJob); PhaseEval errors depend on the data and end a job
// that has already started.
type Phase uint8

const (
	// PhaseParse errors come from the expression or the options.
	PhaseParse Phase = iota
	// PhaseEval errors come from the data: binding names to the header,
	// converting values, reading records.
	PhaseEval
)

// Error is a select failure with its AWS code and message. Pos is the
// 1-based byte offset into the expression (0 when not about the
// expression); Detail says what was found, for logs and tests.
type Error struct {
	Code   Code
	Phase  Phase
	Pos    int
	Detail string
}

// Message is AWS's text for the code.
func (e *Error) Message() string { return messages[e.Code] }

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message()
	if e.Pos > 0 {
		s += fmt.Sprintf(" (at character %d)", e.Pos)
	}
	if e.Detail != "" {
		s += " [" + e.Detail + "]"
	}
	return s
}

func parseErr(code Code, pos int, detail string) *Error {
	return &Error{Code: code, Phase: PhaseParse, Pos: pos + 1, Detail: detail}
}

func evalErr(code Code, detail string) *Error {
	return &Error{Code: code, Phase: PhaseEval, Detail: detail}
}
