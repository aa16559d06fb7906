package glacier

import "context"

type accessKey struct{}

// WithAccess returns ctx carrying req, the request an operation serves:
// every store transaction the Service runs under the returned context
// first authorizes req (as Authorize does) in that same transaction, and
// fails with its AccessDeniedException, changing nothing, if req is
// refused. The decision and the change are then one serializable
// transaction: a lock or access policy committed concurrently either
// precedes the operation, and refuses it, or follows it; and on
// PostgreSQL the policy's read rides in the operation's own round trips
// instead of a transaction of its own.
//
// Work the operation does before its first transaction (streaming a body
// into a blob, writing a select job's object to S3) is not guarded: the
// caller runs Authorize first for those operations.
func WithAccess(ctx context.Context, req AccessRequest) context.Context {
	// A pointer to this copy, which nothing else can reach: each guard's
	// closure then holds a word instead of the whole request.
	return context.WithValue(ctx, accessKey{}, &req)
}

// authorizing is the Store a Service uses: it applies the AccessRequest
// of a WithAccess context in each transaction.
type authorizing struct {
	Store
	s *Service
}

// View authorizes as the others do, and then hands the vault it read to
// the operation's first read of that vault (see readTx).
func (a authorizing) View(ctx context.Context, fn func(Tx) error) error {
	return a.Store.View(ctx, a.guard(ctx, fn, true))
}

// readTx is a read-only transaction whose authorization read the vault
// ref: its first Vault(ref) returns that record, instead of reading and
// decoding it again. A read-only transaction sees one state throughout,
// so the record is what a second read would return; it is handed out
// once, because its reader may modify it.
type readTx struct {
	Tx
	ref VaultRef
	v   *Vault
}

func (t *readTx) Vault(ref VaultRef) (*Vault, error) {
	if v := t.v; v != nil && ref == t.ref {
		t.v = nil
		return v, nil
	}
	return t.Tx.Vault(ref)
}

func (a authorizing) Update(ctx context.Context, fn func(Tx) error) error {
	return a.Store.Update(ctx, a.guard(ctx, fn, false))
}

func (a authorizing) Batch(ctx context.Context, fn func(Tx) error) error {
	return a.Store.Batch(ctx, a.guard(ctx, fn, false))
}

// guard wraps fn so that it first authorizes ctx's AccessRequest, if any,
// in fn's own transaction; in a read-only one (readOnly) fn's first read
// of the vault is the record the authorization read.
func (a authorizing) guard(ctx context.Context, fn func(Tx) error, readOnly bool) func(Tx) error {
	req, ok := ctx.Value(accessKey{}).(*AccessRequest)
	if !ok {
		return fn
	}
	s := a.s
	return func(tx Tx) error {
		v, err := s.authorizeVault(tx, *req)
		if err != nil {
			return err
		}
		if readOnly && v != nil {
			tx = &readTx{Tx: tx, ref: req.Vault, v: v}
		}
		return fn(tx)
	}
}

// refusedFirst returns err, an error an operation met before its first
// transaction, unless the request ctx carries (WithAccess) is refused:
// then the refusal, which comes before any other error. It reads only when
// err is not nil, and not cancelled with the request, which a body cut
// short has ended.
func (s *Service) refusedFirst(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := ctx.Value(accessKey{}).(*AccessRequest); !ok {
		return err
	}
	// The guard of View authorizes; there is nothing else to read.
	if aerr := s.store.View(context.WithoutCancel(ctx), func(Tx) error { return nil }); aerr != nil {
		return aerr
	}
	return err
}
