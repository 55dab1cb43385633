package devices

import (
	"reflect"

	"switchboard/routing"
)

// Device records: registering a device, each maintenance or repair entry
// and scrapping are records in the one event log, written (through
// routing.Decide) before the Inventory applies them. Faults are not typed
// in: they are the PBX health records the engine already writes
// (trunk.state, agent.device), attached by the device's reference.
const (
	EvRegistered = "device.registered" // DeviceData
	EvMaintained = "device.maintained" // MaintenanceData
	EvScrapped   = "device.scrapped"   // ScrapData
)

// DeviceData is device.registered.
type DeviceData struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"` // phone, headset, gateway, pbx_node, trunk
	Ref       string `json:"ref,omitempty"`
	Model     string `json:"model"`
	Serial    string `json:"serial"`
	Location  string `json:"location,omitempty"`
	Seat      string `json:"seat,omitempty"`
	Purchased string `json:"purchased,omitempty"` // YYYY-MM-DD
	Installed string `json:"installed,omitempty"` // YYYY-MM-DD
	By        string `json:"by"`
}

// MaintenanceData is device.maintained: one maintenance or repair entry.
type MaintenanceData struct {
	Device string `json:"device"`
	Kind   string `json:"kind"` // maintenance | repair
	Date   string `json:"date"` // YYYY-MM-DD, the day the work was done
	Note   string `json:"note"`
	By     string `json:"by"`
}

// ScrapData is device.scrapped: the device is out of service for good; its
// file stays.
type ScrapData struct {
	Device string `json:"device"`
	Reason string `json:"reason"`
	By     string `json:"by"`
}

// routing may not import devices, so devices registers its records.
func init() {
	routing.Records[EvRegistered] = reflect.TypeFor[DeviceData]()
	routing.Records[EvMaintained] = reflect.TypeFor[MaintenanceData]()
	routing.Records[EvScrapped] = reflect.TypeFor[ScrapData]()
}
