package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Leases coordinate several Switchboard nodes sharing one PostgreSQL: a
// partition of the work (a PBX link with its calls, queues and agents) is
// owned by the one node holding its lease, which renews it while healthy;
// when it lapses another node takes it. Time is the database's clock
// (clock_timestamp), so nodes' clocks never decide who owns what, and
// each take-over bumps the epoch, which fences the log: once a node holds
// a partition's lease, Append on that store refuses to write unless the
// lease is still its own and unexpired (ErrLeaseLost), checked under a
// share lock on the lease row, so a take-over waits for an append already
// under way and no write of the old owner lands after it.
//
// PostgreSQL only: SQLite is one file on one machine, with nothing to share.
type Leases struct {
	s *Store
}

// ErrLeaseLost is a renewal or an append by a node whose lease has
// expired or been taken over.
var ErrLeaseLost = errors.New("lease lost")

// Lease is a partition's lease as one node holds it.
type Lease struct {
	Part  string
	Owner string
	Epoch int64
	// TTL is how long each renewal lasts.
	TTL time.Duration
}

// Holder is who owns a partition now, as the database sees it.
type Holder struct {
	Owner    string
	OwnerURL string
	Epoch    int64
	// ExpiresIn is the time left on the lease (≤ 0: lapsed, free to take).
	ExpiresIn time.Duration
}

// nowUS is the database's clock in microseconds since 1970.
const nowUS = `(extract(epoch from clock_timestamp()) * 1000000)::bigint`

// NewLeases is the lease table of st, a PostgreSQL store.
func NewLeases(st *Store) (*Leases, error) {
	if st.d.name != "postgres" {
		return nil, errors.New("store: leases need PostgreSQL (store.kind: postgres); SQLite has one node")
	}
	return &Leases{s: st}, nil
}

// Acquire takes part's lease for owner (reachable at url, for the hint
// standby nodes give) if it is free or lapsed, or already owner's; every
// acquisition bumps the epoch, so a previous incarnation of the same node
// is fenced too. When another node holds it, Acquire returns ok false and
// who does. On success the store is fenced by the new lease.
func (l *Leases) Acquire(ctx context.Context, part, owner, url string, ttl time.Duration) (lease Lease, held Holder, ok bool, err error) {
	var epoch int64
	err = l.s.db.GetContext(ctx, &epoch, `INSERT INTO leases (part, owner, owner_url, epoch, expires_us)
		VALUES (?, ?, ?, 1, `+nowUS+` + ?)
		ON CONFLICT (part) DO UPDATE SET owner = excluded.owner, owner_url = excluded.owner_url,
			epoch = leases.epoch + 1, expires_us = excluded.expires_us
		WHERE leases.owner = excluded.owner OR leases.expires_us <= `+nowUS+`
		RETURNING epoch`, part, owner, url, ttl.Microseconds())
	if errors.Is(err, sql.ErrNoRows) {
		h, herr := l.Holder(ctx, part)
		if herr != nil {
			return Lease{}, Holder{}, false, herr
		}
		return Lease{}, h, false, nil
	}
	if err != nil {
		return Lease{}, Holder{}, false, fmt.Errorf("store: acquire lease %s: %w", part, err)
	}
	lease = Lease{Part: part, Owner: owner, Epoch: epoch, TTL: ttl}
	l.s.wmu.Lock()
	l.s.fence = &lease
	l.s.wmu.Unlock()
	return lease, Holder{Owner: owner, OwnerURL: url, Epoch: epoch, ExpiresIn: ttl}, true, nil
}

// Renew extends lease by its TTL from now, or returns ErrLeaseLost when it
// lapsed or another node took it (a lapsed lease nobody took is lost
// too: the node must start over as a standby, replaying what it missed).
func (l *Leases) Renew(ctx context.Context, lease Lease) error {
	res, err := l.s.db.ExecContext(ctx, `UPDATE leases SET expires_us = `+nowUS+` + ?
		WHERE part = ? AND owner = ? AND epoch = ? AND expires_us > `+nowUS,
		lease.TTL.Microseconds(), lease.Part, lease.Owner, lease.Epoch)
	if err != nil {
		return fmt.Errorf("store: renew lease %s: %w", lease.Part, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: renew lease %s: %w", lease.Part, err)
	} else if n == 0 {
		return fmt.Errorf("store: renew lease %s epoch %d: %w", lease.Part, lease.Epoch, ErrLeaseLost)
	}
	return nil
}

// Release gives lease up at once (a clean shutdown), so a standby takes
// over without waiting for it to lapse.
func (l *Leases) Release(ctx context.Context, lease Lease) error {
	if _, err := l.s.db.ExecContext(ctx, `UPDATE leases SET expires_us = 0 WHERE part = ? AND owner = ? AND epoch = ?`,
		lease.Part, lease.Owner, lease.Epoch); err != nil {
		return fmt.Errorf("store: release lease %s: %w", lease.Part, err)
	}
	return nil
}

// Holder is who holds part's lease; a partition never leased has none
// (empty Owner).
func (l *Leases) Holder(ctx context.Context, part string) (Holder, error) {
	var row struct {
		Owner    string `db:"owner"`
		OwnerURL string `db:"owner_url"`
		Epoch    int64  `db:"epoch"`
		Left     int64  `db:"left_us"`
	}
	err := l.s.db.GetContext(ctx, &row, `SELECT owner, owner_url, epoch, expires_us - `+nowUS+` AS left_us FROM leases WHERE part = ?`, part)
	if errors.Is(err, sql.ErrNoRows) {
		return Holder{}, nil
	}
	if err != nil {
		return Holder{}, fmt.Errorf("store: lease %s: %w", part, err)
	}
	return Holder{Owner: row.Owner, OwnerURL: row.OwnerURL, Epoch: row.Epoch, ExpiresIn: time.Duration(row.Left) * time.Microsecond}, nil
}

// checkFence is Append's check, inside its transaction: the fencing
// lease is still this node's and unexpired. FOR SHARE holds the row so a
// take-over (which updates it) waits for this append to commit.
func checkFence(ctx context.Context, q interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}, f *Lease) error {
	var n int
	if err := q.GetContext(ctx, &n, `SELECT count(*) FROM (SELECT 1 FROM leases
		WHERE part = ? AND owner = ? AND epoch = ? AND expires_us > `+nowUS+` FOR SHARE) AS held`,
		f.Part, f.Owner, f.Epoch); err != nil {
		return fmt.Errorf("store: append: lease: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("store: append: lease %s epoch %d: %w", f.Part, f.Epoch, ErrLeaseLost)
	}
	return nil
}
