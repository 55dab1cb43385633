package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/devices"
)

// Device file (设备档案): admins file phones, headsets, gateways, PBX
// nodes and trunks and scrap them; admins and supervisors log maintenance
// and repairs; leads read it (the handover log names devices). Faults
// attach from the PBX health records by themselves. Records through the
// devices service; every write audited.

// DeviceService is what the device routes need (*devices.Service).
type DeviceService interface {
	Register(ctx context.Context, d devices.DeviceData) (devices.Device, error)
	Maintain(ctx context.Context, m devices.MaintenanceData) (devices.Device, error)
	Scrap(ctx context.Context, s devices.ScrapData) (devices.Device, error)
	Device(id string) (devices.Device, error)
	Devices(kind string, all bool) []devices.Device
}

var _ DeviceService = (*devices.Service)(nil)

var errNoDevices = missing(http.StatusNotImplemented, "not_configured", "this server keeps no device file")

type deviceHandlers struct {
	svc DeviceService
	aud auditor
}

func deviceRoutes(s *Server) []route {
	h := deviceHandlers{svc: s.cfg.Devices, aud: s.aud}
	readers := allow(auth.TeamLead, auth.Supervisor, auth.Admin)
	return requires(h.svc != nil, errNoDevices,
		route{http.MethodGet, "/api/v1/devices", h.list, readers},
		route{http.MethodGet, "/api/v1/devices/:id", h.get, readers},
		route{http.MethodPost, "/api/v1/devices", h.register, allow(auth.Admin)},
		route{http.MethodPost, "/api/v1/devices/:id/maintenance", h.maintain, allow(auth.Supervisor, auth.Admin)},
		route{http.MethodPost, "/api/v1/devices/:id/scrap", h.scrap, allow(auth.Admin)},
	)
}

func deviceError(err error) error {
	var fe *devices.FieldError
	var se *devices.StateError
	switch {
	case errors.As(err, &fe):
		return badRequest(fe.Field, "%s", fe.Reason)
	case errors.As(err, &se):
		return &Error{Status: http.StatusConflict, Code: CodeInvalidTransition, Field: "state", Message: se.Error()}
	case errors.Is(err, devices.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: err.Error()}
	}
	return err
}

func deviceID(c echo.Context) (string, error) {
	id := c.Param("id")
	if len(id) > maxTargetLen {
		return "", badRequest("id", "is longer than %d bytes", maxTargetLen)
	}
	return id, nil
}

func (h deviceHandlers) list(c echo.Context) error {
	q := newQuery(c.QueryParams(), "kind", "all")
	if q.err != nil {
		return q.err
	}
	kind := q.str("kind")
	if kind != "" && !slices.Contains(devices.Kinds, kind) {
		return badRequest("kind", "must be one of %s", strings.Join(devices.Kinds, ", "))
	}
	all := q.str("all")
	if all != "" && all != "true" && all != "false" {
		return badRequest("all", "must be true or false")
	}
	return c.JSON(http.StatusOK, map[string]any{"devices": h.svc.Devices(kind, all == "true")})
}

func (h deviceHandlers) get(c echo.Context) error {
	id, err := deviceID(c)
	if err != nil {
		return err
	}
	d, err := h.svc.Device(id)
	if err != nil {
		return deviceError(err)
	}
	return c.JSON(http.StatusOK, d)
}

// deviceRequest is the body of POST /api/v1/devices.
type deviceRequest struct {
	Kind      string `json:"kind"`
	Ref       string `json:"ref,omitempty"`
	Model     string `json:"model"`
	Serial    string `json:"serial"`
	Location  string `json:"location,omitempty"`
	Seat      string `json:"seat,omitempty"`
	Purchased string `json:"purchased,omitempty"`
	Installed string `json:"installed,omitempty"`
}

func (h deviceHandlers) register(c echo.Context) error {
	var req deviceRequest
	if err := decodeBodyLimit(c, &req, 16<<10); err != nil {
		return err
	}
	d, err := h.svc.Register(c.Request().Context(), devices.DeviceData{Kind: req.Kind, Ref: req.Ref, Model: req.Model, Serial: req.Serial,
		Location: req.Location, Seat: req.Seat, Purchased: req.Purchased, Installed: req.Installed, By: actor(principalOf(c))})
	if err != nil {
		h.aud.refused(c, "device.register", req.Kind+"/"+req.Serial, err, map[string]string{"error": err.Error()})
		return deviceError(err)
	}
	if err := h.aud.record(c, "device.register", d.ID, true, map[string]string{"kind": d.Kind, "ref": d.Ref, "serial": d.Serial}); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

// maintenanceRequest is the body of POST /api/v1/devices/{id}/maintenance.
type maintenanceRequest struct {
	Kind string `json:"kind"`
	Date string `json:"date"`
	Note string `json:"note"`
}

func (h deviceHandlers) maintain(c echo.Context) error {
	id, err := deviceID(c)
	if err != nil {
		return err
	}
	var req maintenanceRequest
	if err := decodeBodyLimit(c, &req, 16<<10); err != nil {
		return err
	}
	d, err := h.svc.Maintain(c.Request().Context(), devices.MaintenanceData{Device: id, Kind: req.Kind, Date: req.Date, Note: req.Note, By: actor(principalOf(c))})
	if err != nil {
		h.aud.refused(c, "device.maintain", id, err, map[string]string{"error": err.Error()})
		return deviceError(err)
	}
	if err := h.aud.record(c, "device.maintain", id, true, map[string]string{"kind": req.Kind, "date": req.Date}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// scrapRequest is the body of POST /api/v1/devices/{id}/scrap.
type scrapRequest struct {
	Reason string `json:"reason"`
}

func (h deviceHandlers) scrap(c echo.Context) error {
	id, err := deviceID(c)
	if err != nil {
		return err
	}
	var req scrapRequest
	if err := decodeBodyLimit(c, &req, 16<<10); err != nil {
		return err
	}
	d, err := h.svc.Scrap(c.Request().Context(), devices.ScrapData{Device: id, Reason: req.Reason, By: actor(principalOf(c))})
	if err != nil {
		h.aud.refused(c, "device.scrap", id, err, map[string]string{"error": err.Error()})
		return deviceError(err)
	}
	if err := h.aud.record(c, "device.scrap", id, true, map[string]string{"reason": req.Reason}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
