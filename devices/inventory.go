// Package devices is the device file (设备档案): phones, headsets,
// gateways, PBX nodes and trunks with their model, serial, location or
// seat, purchase and installation dates, maintenance and repair entries,
// and their fault history. Faults come from the PBX health records the
// engine writes (a trunk down or degraded, an agent's phone unreachable)
// and attach to the device whose reference they name; scrapping is a
// state, never a deletion.
package devices

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"switchboard/routing"
)

// Kinds of device; Ref is what health records name them by: a trunk's
// name, a phone's endpoint (PJSIP/1001), a PBX node's name.
var Kinds = []string{"phone", "headset", "gateway", "pbx_node", "trunk"}

// MaintenanceKinds are the kinds of maintenance entry.
var MaintenanceKinds = []string{"maintenance", "repair"}

// States of a device.
const (
	InService = "in_service"
	Scrapped  = "scrapped"
)

// MaxFaults is how many faults a device's file keeps (the newest).
const MaxFaults = 500

// Fault is one health change of a device, from a PBX health record.
type Fault struct {
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	Record string    `json:"record"` // trunk.state | agent.device
	State  string    `json:"state"`  // down, degraded, up | unreachable, reachable
	Detail string    `json:"detail,omitempty"`
}

// Maintenance is one entry as the file shows it.
type Maintenance struct {
	MaintenanceData
	At time.Time `json:"at"`
}

// Device is a device's file.
type Device struct {
	DeviceData
	State        string        `json:"state"`
	RegisteredAt time.Time     `json:"registered_at"`
	Maintenance  []Maintenance `json:"maintenance"`
	Faults       []Fault       `json:"faults"`
	ScrappedAt   time.Time     `json:"scrapped_at,omitzero"`
	ScrapReason  string        `json:"scrap_reason,omitempty"`
}

// FieldError is bad input, naming the field.
type FieldError struct{ Field, Reason string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// StateError: the device's state does not allow it (→ 409).
type StateError struct{ ID, State, Action string }

func (e *StateError) Error() string {
	return fmt.Sprintf("device %s is %s: cannot %s", e.ID, e.State, e.Action)
}

// ErrNotFound: no such device.
var ErrNotFound = errors.New("devices: no such device")

// Inventory is the projection of device records and of the health records
// that name a device. Decide* are pure; only Apply changes it.
type Inventory struct {
	loc     *time.Location
	devices []*Device
	faults  map[string][]Fault // kind/ref → faults, whether or not a device is filed yet
}

// NewInventory is an empty inventory; dates are read in loc.
func NewInventory(loc *time.Location) *Inventory {
	if loc == nil {
		loc = time.UTC
	}
	return &Inventory{loc: loc, faults: map[string][]Fault{}}
}

func faultKey(kind, ref string) string { return kind + "/" + ref }

func (v *Inventory) device(id string) *Device {
	for _, d := range v.devices {
		if d.ID == id {
			return d
		}
	}
	return nil
}

func (v *Inventory) date(field, s string, now time.Time) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, s, v.loc)
	if err != nil {
		return time.Time{}, &FieldError{Field: field, Reason: fmt.Sprintf("%q is not YYYY-MM-DD", s)}
	}
	if d.After(now.In(v.loc)) {
		return time.Time{}, &FieldError{Field: field, Reason: s + " is in the future"}
	}
	return d, nil
}

func record(typ string, v any) (*routing.Record, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	rec := &routing.Record{Type: typ}
	rec.SetPayload(v, data)
	return rec, nil
}

// DecideRegister is the device.registered record. Errors: *FieldError.
func (v *Inventory) DecideRegister(d DeviceData, now time.Time) (*routing.Record, error) {
	d.Kind, d.Ref, d.Model, d.Serial = strings.TrimSpace(d.Kind), strings.TrimSpace(d.Ref), strings.TrimSpace(d.Model), strings.TrimSpace(d.Serial)
	switch {
	case !slices.Contains(Kinds, d.Kind):
		return nil, &FieldError{Field: "kind", Reason: "must be one of " + strings.Join(Kinds, ", ")}
	case d.Model == "":
		return nil, &FieldError{Field: "model", Reason: "required"}
	case d.Serial == "":
		return nil, &FieldError{Field: "serial", Reason: "required"}
	case d.Ref == "" && (d.Kind == "trunk" || d.Kind == "phone" || d.Kind == "pbx_node"):
		return nil, &FieldError{Field: "ref", Reason: "required for a " + d.Kind + " (its faults attach by it)"}
	}
	for f, s := range map[string]string{"ref": d.Ref, "model": d.Model, "serial": d.Serial, "location": d.Location, "seat": d.Seat} {
		if len(s) > 100 {
			return nil, &FieldError{Field: f, Reason: "at most 100 bytes"}
		}
	}
	var bought time.Time
	if d.Purchased != "" {
		t, err := v.date("purchased", d.Purchased, now)
		if err != nil {
			return nil, err
		}
		bought = t
	}
	if d.Installed != "" {
		t, err := v.date("installed", d.Installed, now)
		if err != nil {
			return nil, err
		}
		if !bought.IsZero() && t.Before(bought) {
			return nil, &FieldError{Field: "installed", Reason: "before it was purchased"}
		}
	}
	for _, o := range v.devices {
		if o.State != Scrapped && o.Kind == d.Kind && o.Serial == d.Serial {
			return nil, &FieldError{Field: "serial", Reason: fmt.Sprintf("%s %s is filed already as %s", d.Kind, d.Serial, o.ID)}
		}
		if o.State != Scrapped && d.Ref != "" && o.Kind == d.Kind && o.Ref == d.Ref && d.Kind != "headset" {
			return nil, &FieldError{Field: "ref", Reason: fmt.Sprintf("%s %s is in service as %s; scrap it first", d.Kind, d.Ref, o.ID)}
		}
	}
	d.ID = fmt.Sprintf("D%06d", len(v.devices)+1)
	return record(EvRegistered, d)
}

// DecideMaintain is the device.maintained record. Errors: ErrNotFound,
// *StateError, *FieldError.
func (v *Inventory) DecideMaintain(m MaintenanceData, now time.Time) (*routing.Record, error) {
	d := v.device(m.Device)
	switch {
	case d == nil:
		return nil, ErrNotFound
	case d.State == Scrapped:
		return nil, &StateError{ID: d.ID, State: d.State, Action: "log maintenance"}
	case !slices.Contains(MaintenanceKinds, m.Kind):
		return nil, &FieldError{Field: "kind", Reason: "must be maintenance or repair"}
	case strings.TrimSpace(m.Note) == "":
		return nil, &FieldError{Field: "note", Reason: "required"}
	case len(m.Note) > 2000:
		return nil, &FieldError{Field: "note", Reason: "at most 2000 bytes"}
	}
	if _, err := v.date("date", m.Date, now); err != nil {
		return nil, err
	}
	return record(EvMaintained, m)
}

// DecideScrap is the device.scrapped record. Errors: ErrNotFound,
// *StateError, *FieldError.
func (v *Inventory) DecideScrap(s ScrapData) (*routing.Record, error) {
	d := v.device(s.Device)
	switch {
	case d == nil:
		return nil, ErrNotFound
	case d.State == Scrapped:
		return nil, &StateError{ID: d.ID, State: d.State, Action: "scrap"}
	case strings.TrimSpace(s.Reason) == "":
		return nil, &FieldError{Field: "reason", Reason: "required"}
	case len(s.Reason) > 2000:
		return nil, &FieldError{Field: "reason", Reason: "at most 2000 bytes"}
	}
	return record(EvScrapped, s)
}

// Apply folds one record in: the device records, and the health records
// that name a device (trunk.state → trunk, agent.device → phone). Other
// types are ignored.
func (v *Inventory) Apply(rec *routing.Record) error {
	switch rec.Type {
	case EvRegistered:
		d, err := routing.Decode[DeviceData](rec)
		if err != nil {
			return fmt.Errorf("devices: %w", err)
		}
		v.devices = append(v.devices, &Device{DeviceData: d, State: InService, RegisteredAt: rec.Time, Maintenance: []Maintenance{}})
	case EvMaintained:
		m, err := routing.Decode[MaintenanceData](rec)
		if err != nil {
			return fmt.Errorf("devices: %w", err)
		}
		d := v.device(m.Device)
		if d == nil {
			return fmt.Errorf("devices: record %d maintains unknown device %s", rec.Seq, m.Device)
		}
		d.Maintenance = append(d.Maintenance, Maintenance{MaintenanceData: m, At: rec.Time})
	case EvScrapped:
		s, err := routing.Decode[ScrapData](rec)
		if err != nil {
			return fmt.Errorf("devices: %w", err)
		}
		d := v.device(s.Device)
		if d == nil {
			return fmt.Errorf("devices: record %d scraps unknown device %s", rec.Seq, s.Device)
		}
		d.State, d.ScrappedAt, d.ScrapReason = Scrapped, rec.Time, s.Reason
	case routing.EvTrunkState:
		t, err := routing.Decode[routing.TrunkStateData](rec)
		if err != nil {
			return fmt.Errorf("devices: %w", err)
		}
		v.fault("trunk", t.Trunk, Fault{Seq: rec.Seq, At: rec.Time, Record: rec.Type, State: t.To, Detail: strings.TrimSpace(t.Reason + " " + t.Detail)})
	case routing.EvAgentDevice:
		p, err := routing.Decode[routing.DeviceData](rec)
		if err != nil {
			return fmt.Errorf("devices: %w", err)
		}
		st := "unreachable"
		if p.Reachable {
			st = "reachable"
		}
		v.fault("phone", p.Endpoint, Fault{Seq: rec.Seq, At: rec.Time, Record: rec.Type, State: st, Detail: p.Detail})
	}
	return nil
}

func (v *Inventory) fault(kind, ref string, f Fault) {
	k := faultKey(kind, ref)
	fs := append(v.faults[k], f)
	if len(fs) > MaxFaults {
		fs = slices.Delete(fs, 0, len(fs)-MaxFaults)
	}
	v.faults[k] = fs
}

// view is d with its faults: those naming its ref while it was filed
// (from registration until scrapped), newest first.
func (v *Inventory) view(d *Device) Device {
	out := *d
	out.Maintenance = slices.Clone(d.Maintenance)
	out.Faults = []Fault{}
	if d.Ref == "" {
		return out
	}
	fs := v.faults[faultKey(d.Kind, d.Ref)]
	for i := len(fs) - 1; i >= 0; i-- {
		f := fs[i]
		if f.At.Before(d.RegisteredAt) || (!d.ScrappedAt.IsZero() && f.At.After(d.ScrappedAt)) {
			continue
		}
		out.Faults = append(out.Faults, f)
	}
	return out
}

// Get is one device's file.
func (v *Inventory) Get(id string) (Device, bool) {
	d := v.device(id)
	if d == nil {
		return Device{}, false
	}
	return v.view(d), true
}

// List is the devices of kind ("" all), scrapped ones too if all, in
// filing order.
func (v *Inventory) List(kind string, all bool) []Device {
	out := []Device{}
	for _, d := range v.devices {
		if (kind == "" || d.Kind == kind) && (all || d.State != Scrapped) {
			out = append(out, v.view(d))
		}
	}
	return out
}
