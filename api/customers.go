package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"switchboard/store"
)

// Customers an agent keeps on the desk, and a customer's past calls.

// customerStore is what the customer routes read and write in the store
// (*store.Store, the desk's DeskStore).
type customerStore interface {
	Calls(ctx context.Context, f store.CallFilter) ([]store.Call, error)
	Customers(ctx context.Context, f store.CustomerFilter) ([]store.Customer, error)
	Customer(ctx context.Context, id int64) (store.Customer, error)
	CreateCustomer(ctx context.Context, c store.Customer, now time.Time) (store.Customer, error)
	UpdateCustomer(ctx context.Context, c store.Customer, now time.Time) (store.Customer, error)
}

// customerHandlers serves the customer routes; st is nil on a server
// without a desk (each route answers 501).
type customerHandlers struct {
	st    customerStore
	now   func() time.Time
	scope scoper
}

// customerRequest is the body of POST /api/v1/customers and PUT
// /api/v1/customers/{id}: the whole record. Text is kept as typed (HTML
// included); pages escape it.
type customerRequest struct {
	Name    string   `json:"name"`
	Numbers []string `json:"numbers"`
	Notes   string   `json:"notes"`
	Tags    []string `json:"tags"`
}

// customer validates the body and returns it as the store takes it.
func (r customerRequest) customer(by string) (store.Customer, error) {
	c := store.Customer{Name: strings.TrimSpace(r.Name), Notes: r.Notes, UpdatedBy: by, Numbers: []string{}, Tags: []string{}}
	if c.Name == "" {
		return c, badRequest("name", "is required")
	}
	if err := checkText("name", c.Name, maxName, false); err != nil {
		return c, err
	}
	if err := checkText("notes", c.Notes, maxNotes, true); err != nil {
		return c, err
	}
	if len(r.Numbers) > maxNumbers {
		return c, badRequest("numbers", "at most %d numbers", maxNumbers)
	}
	for _, n := range r.Numbers {
		norm := normalizeNumber(n)
		if !validNumber(norm) {
			return c, badRequest("numbers", "%q is not a phone number (digits, optionally a leading +; masked numbers cannot be saved)", n)
		}
		c.Numbers = append(c.Numbers, norm)
	}
	if len(r.Tags) > maxTags {
		return c, badRequest("tags", "at most %d tags", maxTags)
	}
	for _, t := range r.Tags {
		t = strings.TrimSpace(t)
		if t == "" {
			return c, badRequest("tags", "a tag is empty")
		}
		if err := checkText("tags", t, maxTag, false); err != nil {
			return c, err
		}
		c.Tags = append(c.Tags, t)
	}
	return c, nil
}

// checkText refuses text that is too long, not UTF-8, or holds control
// characters (newlines and tabs allowed where multiline).
func checkText(field, s string, limit int, multiline bool) error {
	switch {
	case len(s) > limit:
		return badRequest(field, "is longer than %d bytes", limit)
	case !utf8.ValidString(s):
		return badRequest(field, "is not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return badRequest(field, "holds a control character")
		}
	}
	return nil
}

// normalizeNumber drops the spaces, dashes, dots and brackets people type
// in numbers.
func normalizeNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

func validNumber(s string) bool {
	d := strings.TrimPrefix(s, "+")
	if len(d) < 3 || len(d) > 20 {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

func customerError(err error) error {
	var taken *store.NumberTakenError
	if errors.As(err, &taken) {
		return &Error{Status: http.StatusConflict, Code: CodeNumberTaken, Field: "numbers", Message: taken.Error()}
	}
	return err
}

// customerList is the body of GET /api/v1/customers.
type customerList struct {
	Customers []store.Customer `json:"customers"`
}

func (h customerHandlers) listCustomers(c echo.Context) error {
	q := newQuery(c.QueryParams(), "number", "q", "limit")
	f := store.CustomerFilter{Number: normalizeNumber(q.str("number")), Name: q.str("q"), Limit: q.limit()}
	if q.err != nil {
		return q.err
	}
	if h.st == nil {
		return errNoDesk()
	}
	st := h.st
	cs, err := st.Customers(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []store.Customer{}
	}
	return c.JSON(http.StatusOK, customerList{Customers: cs})
}

// customerID parses the path's id; one that is not a number is no
// customer (404).
func customerID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "customer " + c.Param("id") + ": not found"}
	}
	return id, nil
}

func (h customerHandlers) getCustomer(c echo.Context) error {
	id, err := customerID(c)
	if err != nil {
		return err
	}
	if h.st == nil {
		return errNoDesk()
	}
	st := h.st
	cu, err := st.Customer(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cu)
}

// decodeCustomer reads and checks the body of a create or an update; the
// caller is its author.
func decodeCustomer(c echo.Context) (store.Customer, error) {
	var req customerRequest
	if err := decodeBody(c, &req, true); err != nil {
		return store.Customer{}, err
	}
	return req.customer(principalOf(c).Username)
}

func (h customerHandlers) createCustomer(c echo.Context) error {
	cu, err := decodeCustomer(c)
	if err != nil {
		return err
	}
	if h.st == nil {
		return errNoDesk()
	}
	cu, err = h.st.CreateCustomer(c.Request().Context(), cu, h.now())
	if err != nil {
		return customerError(err)
	}
	return c.JSON(http.StatusCreated, cu)
}

func (h customerHandlers) putCustomer(c echo.Context) error {
	id, err := customerID(c)
	if err != nil {
		return err
	}
	cu, err := decodeCustomer(c)
	if err != nil {
		return err
	}
	cu.ID = id
	if h.st == nil {
		return errNoDesk()
	}
	cu, err = h.st.UpdateCustomer(c.Request().Context(), cu, h.now())
	if err != nil {
		return customerError(err)
	}
	return c.JSON(http.StatusOK, cu)
}

// contactList is the body of GET /api/v1/customers/{id}/contacts.
type contactList struct {
	Contacts []contact `json:"contacts"`
}

// listContacts is a customer's last calls, from any of their numbers,
// newest first.
func (h customerHandlers) listContacts(c echo.Context) error {
	id, err := customerID(c)
	if err != nil {
		return err
	}
	q := newQuery(c.QueryParams(), "limit")
	limit := q.limit()
	if q.err != nil {
		return q.err
	}
	if limit <= 0 || limit > maxContacts {
		limit = min(max(limit, defaultContacts), maxContacts)
	}
	if h.st == nil {
		return errNoDesk()
	}
	st := h.st
	ctx := c.Request().Context()
	cu, err := st.Customer(ctx, id)
	if err != nil {
		return err
	}
	var all []store.Call
	for _, n := range cu.Numbers {
		calls, err := st.Calls(ctx, store.CallFilter{Caller: n, Limit: limit})
		if err != nil {
			return err
		}
		all = append(all, calls...)
	}
	// Newest first across numbers; a lead sees their team's calls only,
	// as in GET /api/v1/calls.
	sortCallsNewestFirst(all)
	out := contactList{Contacts: []contact{}}
	p := principalOf(c)
	for i := 0; i < len(all) && len(out.Contacts) < limit; i++ {
		if ok, err := h.scope.agentInScope(ctx, p, all[i].Agent); err != nil {
			return err
		} else if !ok {
			continue
		}
		out.Contacts = append(out.Contacts, contactOf(all[i]))
	}
	return c.JSON(http.StatusOK, out)
}
