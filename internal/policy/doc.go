// Package policy parses and evaluates the subset of the IAM policy language
// used by Amazon Glacier vault access policies and vault lock policies, so
// that permafrost can enforce them.
//
// It owns the policy grammar and its validation (Parse), the compiled form
// (Policy, immutable and safe for concurrent use) and request evaluation
// (Request, Evaluate, Decision). Storing documents, the 20 KB size limit,
// mapping Parse errors to Glacier error responses, building the request
// context and combining the decision with the account owner's implicit
// rights all belong to the caller.
//
// It depends on nothing else in permafrost, only on the standard library.
//
// # Grammar
//
// A document is a JSON object with "Version" (optional; "2012-10-17" or
// "2008-10-17"), "Id" (optional string) and "Statement" (required; one
// object or a non-empty array of objects). A statement has "Sid"
// (optional string), "Effect" ("Allow" or "Deny"), exactly one of
// "Principal"/"NotPrincipal", exactly one of "Action"/"NotAction", exactly
// one of "Resource"/"NotResource", and optionally "Condition". Element
// names are case-sensitive, unknown elements are errors, and so are
// duplicate keys in any object (encoding/json would silently keep the
// last one). Lists may be a single string or a non-empty array of
// non-empty strings.
//
//   - Principal: "*" or an object. Under "AWS": "*", a 12-digit account ID,
//     or an IAM/STS principal ARN such as arn:aws:iam::123456789012:root,
//     ...:user/name, ...:role/name, ...:assumed-role/..., ...:federated-user/...
//     (partitions aws, aws-cn, aws-us-gov; no wildcards). "Service",
//     "Federated" and "CanonicalUser" are accepted but never match (see
//     below). Any other principal type is an error.
//   - Action: "*" or "<service>:<action>" where the action may contain '*'
//     (any run of characters) and '?' (one character). Matched
//     case-insensitively against the whole request action, so a
//     "s3:GetObject" pattern is valid but never matches a glacier action.
//   - Resource: "*" or an ARN pattern with at least six colon-separated
//     fields (arn:partition:service:region:account:resource), wildcards as
//     for actions, matched case-sensitively.
//   - Condition: {"<Operator>": {"<key>": value-or-values}}. Operators:
//     StringEquals, StringNotEquals, StringLike, StringNotLike,
//     NumericEquals, NumericNotEquals, NumericLessThan,
//     NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals
//     and Bool, each optionally suffixed with "IfExists". Operator names
//     are case-sensitive. The set qualifiers "ForAnyValue:" and
//     "ForAllValues:" are rejected, as are all other operators (Null, Date,
//     Arn, IpAddress, ...IgnoreCase). Keys must look like "<prefix>:<name>";
//     keys differing only in case within one operator are an error. Values
//     are a string, number or boolean, or a non-empty array of them.
//     Numeric operators need decimal numbers (JSON numbers or numeric
//     strings; no hex, NaN or Inf); Bool needs true/false (as JSON booleans
//     or case-insensitive strings). An empty "Condition": {} means no
//     conditions; an operator with no keys is an error. Policy variables
//     such as ${aws:username} are not substituted; they match literally.
//
// # Evaluation
//
// A statement applies when the principal, action and resource each match
// (for NotPrincipal, NotAction and NotResource: when they do not) and
// every condition holds. Evaluate returns Deny if any Deny statement
// applies, else Allow if any Allow statement applies, else NoMatch.
//
// Callers are known only by account: an "AWS" principal of account X, be
// it the ID, the root ARN or a user or role ARN in X, matches any caller
// whose PrincipalAccount is X. This is broader than IAM for user and role
// ARNs. "*" matches every caller, including an anonymous one
// (PrincipalAccount ""). Service, Federated and CanonicalUser principals
// never match, so in a NotPrincipal element they exclude nobody.
//
// Conditions follow IAM: all operator blocks and all keys within a block
// must hold (AND); several policy values for a key are alternatives (OR),
// and so are several request values for one key. Context keys are
// matched ASCII case-insensitively (an entry spelled exactly as in the
// policy takes precedence over differently cased duplicates), and a key
// with no values is absent. An
// absent key makes a positive operator false and a negated one
// (StringNotEquals, StringNotLike, NumericNotEquals) true; with IfExists
// an absent key makes any operator true. A negated operator is exactly the
// negation of its positive form, so StringNotEquals holds when no request
// value equals any policy value. A request value that is not a decimal
// number never satisfies a positive numeric comparison. StringEquals and
// StringLike are case-sensitive; Bool compares case-insensitively.
package policy
