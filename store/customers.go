package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Customers are kept by the agents at the desk, not derived from the log:
// a name, notes, tags and the numbers a screen pop finds them by.

// Customer is one customer record.
type Customer struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Numbers   []string  `json:"numbers"`
	Notes     string    `json:"notes"`
	Tags      []string  `json:"tags"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// NumberTakenError is a customer write naming a number another customer
// already has.
type NumberTakenError struct {
	Number   string
	Customer int64
}

// Error does not name the other customer: the answer goes to a client who
// may not be allowed to see them (issue 13), and it would let a masked
// number's owner be found by trying numbers.
func (e *NumberTakenError) Error() string {
	return fmt.Sprintf("number %s already belongs to another customer", e.Number)
}

// CustomerFilter selects customers: by one of their numbers, or by a
// substring of the name. Empty fields match everything.
type CustomerFilter struct {
	Number string
	Name   string
	Limit  int // DefaultLimit if <= 0, at most MaxLimit
}

type customerRow struct {
	ID        int64      `db:"id"`
	Name      string     `db:"name"`
	Notes     string     `db:"notes"`
	Tags      stringList `db:"tags"`
	CreatedAt dbTime     `db:"created_at"`
	UpdatedAt dbTime     `db:"updated_at"`
	UpdatedBy string     `db:"updated_by"`
}

const customerColumns = `c.id, c.name, c.notes, c.tags, c.created_at, c.updated_at, c.updated_by`

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
		ID: r.ID, Name: r.Name, Notes: r.Notes, Tags: []string(r.Tags),
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

// CreateCustomer adds c (its ID and times are set here) and returns it.
// A number another customer has gives *NumberTakenError.
func (s *Store) CreateCustomer(ctx context.Context, c Customer, now time.Time) (Customer, error) {
	return s.writeCustomer(ctx, func(tx *sqlx.Tx) (int64, error) {
		var id int64
		err := tx.GetContext(ctx, &id, `INSERT INTO customers (name, notes, tags, created_at, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, c.Name, c.Notes, stringList(c.Tags), formatTime(now), formatTime(now), c.UpdatedBy)
		if err != nil {
			return 0, fmt.Errorf("store: create customer: %w", err)
		}
		return id, nil
	}, c.Numbers)
}

// UpdateCustomer replaces customer c.ID's name, numbers, notes and tags.
// Errors: ErrNotFound, *NumberTakenError.
func (s *Store) UpdateCustomer(ctx context.Context, c Customer, now time.Time) (Customer, error) {
	return s.writeCustomer(ctx, func(tx *sqlx.Tx) (int64, error) {
		res, err := tx.ExecContext(ctx, `UPDATE customers SET name = ?, notes = ?, tags = ?, updated_at = ?, updated_by = ?
			WHERE id = ?`, c.Name, c.Notes, stringList(c.Tags), formatTime(now), c.UpdatedBy, c.ID)
		if err != nil {
			return 0, fmt.Errorf("store: update customer %d: %w", c.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return 0, errors.Join(err, fmt.Errorf("customer %d: %w", c.ID, ErrNotFound))
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM customer_numbers WHERE customer_id = ?", c.ID); err != nil {
			return 0, fmt.Errorf("store: update customer %d: %w", c.ID, err)
		}
		return c.ID, nil
	}, c.Numbers)
}

// writeCustomer runs write and sets the customer's numbers, in one
// transaction.
func (s *Store) writeCustomer(ctx context.Context, write func(*sqlx.Tx) (int64, error), numbers []string) (Customer, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return Customer{}, fmt.Errorf("store: customer: begin: %w", err)
	}
	defer tx.Rollback()
	id, err := write(tx)
	if err != nil {
		return Customer{}, err
	}
	for _, n := range numbers {
		// DO NOTHING rather than catching the error: a failed statement
		// aborts a PostgreSQL transaction.
		res, err := tx.ExecContext(ctx, "INSERT INTO customer_numbers (number, customer_id) VALUES (?, ?) ON CONFLICT (number) DO NOTHING", n, id)
		if err != nil {
			return Customer{}, fmt.Errorf("store: customer %d number: %w", id, err)
		}
		if added, err := res.RowsAffected(); err != nil || added == 0 {
			var owner int64
			_ = tx.GetContext(ctx, &owner, "SELECT customer_id FROM customer_numbers WHERE number = ?", n)
			if owner == id {
				continue // listed twice
			}
			return Customer{}, errors.Join(err, &NumberTakenError{Number: n, Customer: owner})
		}
	}
	c, err := s.customer(ctx, tx, id)
	if err != nil {
		return Customer{}, err
	}
	if err := tx.Commit(); err != nil {
		return Customer{}, fmt.Errorf("store: customer: commit: %w", err)
	}
	return c, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
