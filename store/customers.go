package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"switchboard/customers"
	"switchboard/routing"
)

// Customers are kept by the agents at the desk: a name, notes, tags and
// the numbers a screen pop finds them by. The tables are a projection of
// customer.saved records (customers/); the writes go through the engine.

// Customer is one customer record.
type Customer struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Numbers   []string  `json:"numbers"`
	Notes     string    `json:"notes"`
	Tags      []string  `json:"tags"`
	Team      string    `json:"team"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// CustomerFilter selects customers: by one of their numbers, or by a
// substring of the name. Empty fields match everything.
type CustomerFilter struct {
	Number string
	Name   string
	// Teams, when not nil, keeps the customers of these teams (and the
	// shared ones, of no team): a team's scope.
	Teams []string
	Limit int // DefaultLimit if <= 0, at most MaxLimit
}

type customerRow struct {
	ID        int64      `db:"id"`
	Name      string     `db:"name"`
	Notes     string     `db:"notes"`
	Tags      stringList `db:"tags"`
	Team      string     `db:"team"`
	CreatedAt dbTime     `db:"created_at"`
	UpdatedAt dbTime     `db:"updated_at"`
	UpdatedBy string     `db:"updated_by"`
}

const customerColumns = `c.id, c.name, c.notes, c.tags, c.team, c.created_at, c.updated_at, c.updated_by`

// Customers returns the customers f selects, most recently updated first.
func (s *Store) Customers(ctx context.Context, f CustomerFilter) ([]Customer, error) {
	q := "SELECT " + customerColumns + " FROM customers c"
	var (
		where []string
		args  []any
	)
	if f.Number != "" {
		q += " JOIN customer_numbers n ON n.customer_id = c.id"
		where = append(where, "n.number = ?")
		args = append(args, f.Number)
	}
	if f.Name != "" {
		where = append(where, "c.name "+s.d.like+" ? ESCAPE '\\'")
		args = append(args, "%"+likeEscape(f.Name)+"%")
	}
	if f.Teams != nil {
		cond := "c.team = ''"
		for _, t := range f.Teams {
			cond += " OR c.team = ?"
			args = append(args, t)
		}
		where = append(where, "("+cond+")")
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY c.updated_at DESC, c.id DESC LIMIT ?"
	args = append(args, clampLimit(f.Limit))
	var rows []customerRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	out := make([]Customer, 0, len(rows))
	for _, r := range rows {
		c, err := s.withNumbers(ctx, s.db, r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Customer returns one customer, or an error wrapping ErrNotFound.
func (s *Store) Customer(ctx context.Context, id int64) (Customer, error) {
	return s.customer(ctx, s.db, id)
}

func (s *Store) customer(ctx context.Context, q sqlx.QueryerContext, id int64) (Customer, error) {
	var r customerRow
	if err := sqlx.GetContext(ctx, q, &r, "SELECT "+customerColumns+" FROM customers c WHERE c.id = ?", id); err != nil {
		return Customer{}, notFound(err, fmt.Sprintf("customer %d", id))
	}
	return s.withNumbers(ctx, q, r)
}

func (s *Store) withNumbers(ctx context.Context, q sqlx.QueryerContext, r customerRow) (Customer, error) {
	c := Customer{
		ID: r.ID, Name: r.Name, Notes: r.Notes, Tags: []string(r.Tags), Team: r.Team,
		CreatedAt: r.CreatedAt.T, UpdatedAt: r.UpdatedAt.T, UpdatedBy: r.UpdatedBy, Numbers: []string{},
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	if err := sqlx.SelectContext(ctx, q, &c.Numbers,
		"SELECT number FROM customer_numbers WHERE customer_id = ? ORDER BY "+s.d.rowOrder, r.ID); err != nil {
		return Customer{}, fmt.Errorf("store: customer %d numbers: %w", r.ID, err)
	}
	return c, nil
}

// customerWriter projects customer.saved records (customers/) into the
// customers tables, in Append's transaction. The Service checked the
// numbers before the record was written; should two customers still name
// one number (records from an older build), the later record wins, so
// the projection never refuses what the log holds.
type customerWriter struct{ tx *sqlx.Tx }

func (w customerWriter) apply(ctx context.Context, rec *routing.Record) error {
	if rec.Type != customers.EvSaved {
		return nil
	}
	d, err := customers.Decode(rec)
	if err != nil {
		return fmt.Errorf("store: %w: %w", err, ErrBadRecord)
	}
	at := formatTime(rec.Time)
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO customers (id, name, notes, tags, team, created_at, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, notes = excluded.notes, tags = excluded.tags,
			team = excluded.team, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		d.ID, d.Name, d.Notes, stringList(d.Tags), d.Team, at, at, d.By); err != nil {
		return fmt.Errorf("store: customer %d: %w", d.ID, err)
	}
	if _, err := w.tx.ExecContext(ctx, "DELETE FROM customer_numbers WHERE customer_id = ?", d.ID); err != nil {
		return fmt.Errorf("store: customer %d numbers: %w", d.ID, err)
	}
	for _, n := range d.Numbers {
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO customer_numbers (number, customer_id) VALUES (?, ?)
			ON CONFLICT (number) DO UPDATE SET customer_id = excluded.customer_id`, n, d.ID); err != nil {
			return fmt.Errorf("store: customer %d number: %w", d.ID, err)
		}
	}
	return nil
}

// CustomerIndex is what the customers service checks a write against
// (customers.Directory): who has a number, a customer's team, the last ID.
type CustomerIndex struct{ s *Store }

// CustomerIndex reads the customers tables for the customers service.
func (s *Store) CustomerIndex() CustomerIndex { return CustomerIndex{s} }

// NumberOwner is the customer number belongs to; 0 if nobody's.
func (ci CustomerIndex) NumberOwner(ctx context.Context, number string) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, ci.s.db, &id, "SELECT customer_id FROM customer_numbers WHERE number = ?", number)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: number owner: %w", err)
	}
	return id, nil
}

// CustomerTeam is customer id's team; ok is false if there is no such
// customer.
func (ci CustomerIndex) CustomerTeam(ctx context.Context, id int64) (string, bool, error) {
	var team string
	err := sqlx.GetContext(ctx, ci.s.db, &team, "SELECT team FROM customers WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: customer %d team: %w", id, err)
	}
	return team, true, nil
}

// MaxCustomerID is the highest customer ID in the table (0: none).
func (ci CustomerIndex) MaxCustomerID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := sqlx.GetContext(ctx, ci.s.db, &id, "SELECT MAX(id) FROM customers"); err != nil {
		return 0, fmt.Errorf("store: max customer id: %w", err)
	}
	return id.Int64, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
