package selectsql

import "time"

// expr is a node of a parsed expression. eval never retains the row.
type expr interface {
	eval(r *row) (Value, error)
}

// row is the record being evaluated: its fields alias the reader's
// buffer and are valid only during one record.
type row struct {
	fields [][]byte
}

type selItem struct {
	x     expr
	alias string
}

// Query is a parsed SELECT. It is not safe for concurrent use: each Run
// binds it to its input's header and it keeps scratch space for
// evaluation; sequential Runs over different inputs are fine.
type Query struct {
	star  bool
	items []selItem
	table string // ARCHIVE or OBJECT as written
	alias string
	where expr
	cols  []*colExpr
	now   time.Time // UTCNOW, fixed for the whole query
}

type litExpr struct{ v Value }

type colExpr struct {
	pos       int
	qualifier string // alias or table name before the dot, if any
	name      string
	quoted    bool
	named     bool // a header name (bound per input), not _N
	index     int  // 0-based field; -1 until bound
}

type unaryExpr struct {
	neg bool
	x   expr
}

type notExpr struct{ x expr }

type logicExpr struct {
	and  bool
	l, r expr
}

type cmpExpr struct {
	op   string
	l, r expr
}

type arithExpr struct {
	op   byte
	l, r expr
}

type concatExpr struct{ l, r expr }

type likeExpr struct {
	x, pat, esc expr
	not         bool
	fixed       *likePattern // when the pattern and escape are literals
}

type betweenExpr struct {
	x, lo, hi expr
	not       bool
}

type inExpr struct {
	x    expr
	list []expr
	not  bool
}

type isExpr struct {
	x       expr
	not     bool
	missing bool // IS MISSING rather than IS NULL
}

type castExpr struct {
	x  expr
	to Kind
}

type whenClause struct{ cond, result expr }

type caseExpr struct {
	operand expr // nil for the searched form
	whens   []whenClause
	els     expr // nil: NULL
}

// callExpr is a built-in function call; fn gets the evaluated arguments.
type callExpr struct {
	name string
	part string // date part of DATE_ADD, DATE_DIFF, EXTRACT
	trim int    // TRIM: trimBoth, trimLeading or trimTrailing
	args []expr
	vals []Value // scratch for the evaluated arguments
	q    *Query
	fn   func(c *callExpr, v []Value) (Value, error)
}
