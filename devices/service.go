package devices

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"switchboard/routing"
)

// Why through routing.Decide: as for workforce, the one path into the
// event log is the engine loop; the Service decides over its Inventory
// inside the loop and applies the record once the engine has written it.

// Service is the device file as the API uses it.
type Service struct {
	mu     sync.RWMutex
	inv    *Inventory
	submit routing.Submit
	log    *slog.Logger
}

// NewService is a Service whose dates are read in loc.
func NewService(loc *time.Location, submit routing.Submit, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{inv: NewInventory(loc), submit: submit, log: log}
}

// HealthRecords are the record types whose faults attach to devices.
var HealthRecords = []string{routing.EvTrunkState, routing.EvAgentDevice}

// Restore replays the log's device.* and health records in order.
func (s *Service) Restore(recs []routing.Record) error {
	return routing.Replay(&s.mu, s.inv.Apply, recs)
}

// Observe folds a health record from the live feed in.
func (s *Service) Observe(rec *routing.Record) {
	if rec.Type != routing.EvTrunkState && rec.Type != routing.EvAgentDevice {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.inv.Apply(rec); err != nil {
		s.log.Warn("devices: health record not read", "seq", rec.Seq, "err", err)
	}
}

func (s *Service) decide(ctx context.Context, fn func(now time.Time) (*routing.Record, error)) error {
	_, err := routing.DecideApplied(ctx, &s.mu, s.submit, s.inv.Apply, func(now time.Time) ([]*routing.Record, error) {
		rec, err := fn(now)
		if err != nil {
			return nil, err
		}
		return []*routing.Record{rec}, nil
	})
	return err
}

// Register files a device. Errors: *FieldError.
func (s *Service) Register(ctx context.Context, d DeviceData) (Device, error) {
	var id string
	err := s.decide(ctx, func(now time.Time) (*routing.Record, error) {
		rec, err := s.inv.DecideRegister(d, now)
		if err != nil {
			return nil, err
		}
		dd, err := routing.Decode[DeviceData](rec)
		id = dd.ID
		return rec, err
	})
	if err != nil {
		return Device{}, err
	}
	return s.Device(id)
}

// Maintain adds a maintenance or repair entry. Errors: ErrNotFound,
// *StateError, *FieldError.
func (s *Service) Maintain(ctx context.Context, m MaintenanceData) (Device, error) {
	if err := s.decide(ctx, func(now time.Time) (*routing.Record, error) { return s.inv.DecideMaintain(m, now) }); err != nil {
		return Device{}, err
	}
	return s.Device(m.Device)
}

// Scrap takes a device out of service for good. Errors: ErrNotFound,
// *StateError, *FieldError.
func (s *Service) Scrap(ctx context.Context, sc ScrapData) (Device, error) {
	if err := s.decide(ctx, func(time.Time) (*routing.Record, error) { return s.inv.DecideScrap(sc) }); err != nil {
		return Device{}, err
	}
	return s.Device(sc.Device)
}

// Device is one device's file. Errors: ErrNotFound.
func (s *Service) Device(id string) (Device, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.inv.Get(id)
	if !ok {
		return Device{}, ErrNotFound
	}
	return d, nil
}

// Devices is the devices of kind ("" all), scrapped ones too if all.
func (s *Service) Devices(kind string, all bool) []Device {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.inv.List(kind, all)
}
