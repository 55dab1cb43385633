package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/customers"
	"switchboard/store"
)

// Customers an agent keeps on the desk, and a customer's past calls.

// customerStore is what the customer routes read in the store
// (*store.Store, the desk's DeskStore).
type customerStore interface {
	Calls(ctx context.Context, f store.CallFilter) ([]store.Call, error)
	Customers(ctx context.Context, f store.CustomerFilter) ([]store.Customer, error)
	Customer(ctx context.Context, id int64) (store.Customer, error)
}

// CustomerSaver writes customers through the engine (*customers.Service):
// a customer.saved record, durable and projected before it returns.
type CustomerSaver interface {
	Save(ctx context.Context, d customers.Data) (int64, error)
}

// customerHandlers serves the customer routes; st is nil on a server
// without a desk (each route answers 501), save nil on one that cannot
// write customers (writes answer 501).
type customerHandlers struct {
	st       customerStore
	save     CustomerSaver
	scope    scoper
	aud      auditor
	masks    func(auth.Principal) bool
	searches *windowLimiter
}

// Scope of customers: supervisors and quality inspectors see every
// customer; agents and team leads their team's and the shared ones (of no
// team, kept before teams owned customers). One out of scope is answered
// as one that does not exist, so IDs cannot be probed.

// customerTeams is the CustomerFilter.Teams of p: nil for every team.
func customerTeams(p auth.Principal) []string {
	switch p.Role {
	case auth.Supervisor, auth.Quality:
		return nil
	}
	if p.Team == "" {
		return []string{}
	}
	return []string{p.Team}
}

func customerInScope(p auth.Principal, cu store.Customer) bool {
	teams := customerTeams(p)
	return teams == nil || cu.Team == "" || slices.Contains(teams, cu.Team)
}

// customerRequest is the body of POST /api/v1/customers and PUT
// /api/v1/customers/{id}: the whole record. Text is kept as typed (HTML
// included); pages escape it.
type customerRequest struct {
	Name    string   `json:"name"`
	Numbers []string `json:"numbers"`
	Notes   string   `json:"notes"`
	Tags    []string `json:"tags"`
	// Team is the owning team: supervisors set it; for agents and leads
	// it is their own (absent, or naming it).
	Team *string `json:"team"`
}

// customer validates the body and returns it as the record carries it.
func (r customerRequest) customer(by string) (customers.Data, error) {
	c := customers.Data{Name: strings.TrimSpace(r.Name), Notes: r.Notes, By: by, Numbers: []string{}, Tags: []string{}}
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
			return c, badRequest("numbers", "%q is not a phone number (digits, optionally a leading +; a masked number is kept only if it is one the customer has)", n)
		}
		if !slices.Contains(c.Numbers, norm) {
			c.Numbers = append(c.Numbers, norm)
		}
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
	var taken *customers.NumberTakenError
	switch {
	case errors.As(err, &taken):
		return &Error{Status: http.StatusConflict, Code: CodeNumberTaken, Field: "numbers", Message: taken.Error()}
	case errors.Is(err, customers.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: err.Error()}
	}
	return err
}

// customerList is the body of GET /api/v1/customers.
type customerList struct {
	Customers []store.Customer `json:"customers"`
}

func (h customerHandlers) listCustomers(c echo.Context) error {
	q := newQuery(c.QueryParams(), "number", "q", "limit")
	p := principalOf(c)
	f := store.CustomerFilter{Number: normalizeNumber(q.str("number")), Name: q.str("q"), Limit: q.limit(), Teams: customerTeams(p)}
	if q.err != nil {
		return q.err
	}
	if h.st == nil {
		return errNoDesk()
	}
	if f.Number != "" && h.masks(p) {
		// Finding a customer by a full number tells one who sees numbers
		// masked that the number is theirs: a reveal, so it is audited and
		// rate-limited, or a mask falls to a few dozen guesses.
		if ok, _ := h.searches.allow(p.Username, h.aud.now()); !ok {
			_ = h.aud.record(c, "customer.search_number", "number:"+MaskNumber(f.Number), false, map[string]string{"reason": "rate limited"})
			return &Error{Status: http.StatusTooManyRequests, Code: CodeRateLimited, Field: "number",
				Message: fmt.Sprintf("at most %d searches by number per %s; search by name, or ask a lead", searchBurst, searchWindow)}
		}
		if err := h.aud.record(c, "customer.search_number", "number:"+MaskNumber(f.Number), true, nil); err != nil {
			return err
		}
	}
	cs, err := h.st.Customers(c.Request().Context(), f)
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
	cu, err := h.inScope(c, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cu)
}

// inScope is customer id if the caller may see it; one they may not see
// is not found.
func (h customerHandlers) inScope(c echo.Context, id int64) (store.Customer, error) {
	cu, err := h.st.Customer(c.Request().Context(), id)
	if err != nil {
		return store.Customer{}, err
	}
	if !customerInScope(principalOf(c), cu) {
		return store.Customer{}, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: fmt.Sprintf("customer %d: not found", id)}
	}
	return cu, nil
}

// decodeCustomer reads the body of a create or an update.
func decodeCustomer(c echo.Context) (customerRequest, error) {
	var req customerRequest
	err := decodeBody(c, &req, true)
	return req, err
}

// team is the team a write by p gives the customer: a supervisor's
// choice, else the writer's own (had is the customer's team on an
// update, kept when the body names none).
func (r customerRequest) team(p auth.Principal, had string, update bool) (string, error) {
	if p.Role == auth.Supervisor {
		if r.Team == nil {
			return had, nil
		}
		if err := checkText("team", *r.Team, maxTargetLen, false); err != nil {
			return "", err
		}
		return strings.TrimSpace(*r.Team), nil
	}
	want := p.Team
	if update {
		want = had
	}
	if r.Team != nil && *r.Team != want {
		return "", &Error{Status: http.StatusForbidden, Code: CodeForbidden, Field: "team", Message: "only a supervisor moves a customer to another team"}
	}
	return want, nil
}

func (h customerHandlers) createCustomer(c echo.Context) error {
	req, err := decodeCustomer(c)
	if err != nil {
		return err
	}
	p := principalOf(c)
	d, err := req.customer(p.Username)
	if err != nil {
		return err
	}
	if d.Team, err = req.team(p, "", false); err != nil {
		return err
	}
	return h.saveCustomer(c, d, http.StatusCreated, "customer.create")
}

func (h customerHandlers) putCustomer(c echo.Context) error {
	id, err := customerID(c)
	if err != nil {
		return err
	}
	req, err := decodeCustomer(c)
	if err != nil {
		return err
	}
	if h.st == nil {
		return errNoDesk()
	}
	had, err := h.inScope(c, id)
	if err != nil {
		return err
	}
	// One who sees numbers masked sends the customer back as they saw
	// it: a masked number the customer has stays that number.
	for i, n := range req.Numbers {
		for _, full := range had.Numbers {
			if n != full && n == MaskNumber(full) {
				req.Numbers[i] = full
			}
		}
	}
	p := principalOf(c)
	d, err := req.customer(p.Username)
	if err != nil {
		return err
	}
	if d.Team, err = req.team(p, had.Team, true); err != nil {
		return err
	}
	d.ID = id
	return h.saveCustomer(c, d, http.StatusOK, "customer.update")
}

// saveCustomer writes d through the engine, audits the outcome and
// answers the customer as now projected.
func (h customerHandlers) saveCustomer(c echo.Context, d customers.Data, status int, action string) error {
	if h.st == nil || h.save == nil {
		return errNoDesk()
	}
	id, err := h.save.Save(c.Request().Context(), d)
	target := "customer:new"
	if id != 0 {
		target = "customer:" + strconv.FormatInt(id, 10)
	} else if d.ID != 0 {
		target = "customer:" + strconv.FormatInt(d.ID, 10)
	}
	if aerr := h.aud.record(c, action, target, err == nil, nil); aerr != nil && err == nil {
		return aerr
	}
	if err != nil {
		return customerError(err)
	}
	cu, err := h.st.Customer(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(status, cu)
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
	cu, err := h.inScope(c, id)
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
